// conv2d backward-data (the transposed convolution) as an implicit GEMM on the gemm_tile.wgsl core, per group:
//   dx[image, c, iy, ix] = sum over (oc, ky, kx) of w[oc, c, ky, kx] * dy[image, oc, oy, ox]
//   where iy = oy stride_h - pad_h + ky (terms whose oy is not a whole number in range are zero).
// GEMM batch = groups, m = in channels per group, n = images * inH * inW, k = ocg * kh * kw.
// A = weights read transposed per group, B = dy gathered at the output position each tap reaches.

struct Params {
  batch: u32,
  m: u32,
  n: u32,
  k: u32,
  k_split: u32,
  k_chunk: u32,
  groups_x: u32,
  tk: u32,
  in_c: u32,
  in_h: u32,
  in_w: u32,
  out_c: u32,
  out_h: u32,
  out_w: u32,
  kh: u32,
  kw: u32,
  stride_h: u32,
  stride_w: u32,
  pad_h: u32,
  pad_w: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

fn fill_a(group: u32, m0: u32, k0: u32, tid: u32) {
  let taps = params.kh * params.kw;
  let ocg = params.out_c / params.batch;
  for (var e = tid; e < TM * TK; e += THREADS) {
    let kk = e % TK;
    let mm = e / TK;
    let c = m0 + mm;
    let k = k0 + kk;
    var v = 0.0;
    if (c < params.m && k < params.k) {
      let oc = group * ocg + k / taps;
      v = w[(oc * params.m + c) * taps + k % taps];
    }
    tile_a[kk * TM + mm] = v;
  }
}

/** dy at output channel oc, reached from input position `col` = (image, iy, ix) through tap (ky, kx). */
fn dy_at(oc: u32, ky: u32, kx: u32, col: u32) -> f32 {
  let plane = params.in_h * params.in_w;
  let image = col / plane;
  let p = col % plane;
  let ty = i32(p / params.in_w + params.pad_h) - i32(ky);
  let tx = i32(p % params.in_w + params.pad_w) - i32(kx);
  if (ty < 0 || tx < 0) { return 0.0; }
  let sy = u32(ty);
  let sx = u32(tx);
  if (sy % params.stride_h != 0u || sx % params.stride_w != 0u) { return 0.0; }
  let oy = sy / params.stride_h;
  let ox = sx / params.stride_w;
  if (oy >= params.out_h || ox >= params.out_w) { return 0.0; }
  return dy[((image * params.out_c + oc) * params.out_h + oy) * params.out_w + ox];
}

fn fill_b(group: u32, k0: u32, n0: u32, tid: u32) {
  let taps = params.kh * params.kw;
  let ocg = params.out_c / params.batch;
  for (var q = tid; q < TK * TX; q += THREADS) {
    let kk = q / TX;
    let column = q % TX;
    let k = k0 + kk;
    var v = vec4<f32>(0.0);
    if (k < params.k) {
      let oc = group * ocg + k / taps;
      let tap = k % taps;
      let ky = tap / params.kw;
      let kx = tap % params.kw;
      for (var j = 0u; j < 4u; j++) {
        let col = n0 + column * 4u + j;
        if (col < params.n) { v[j] = dy_at(oc, ky, kx, col); }
      }
    }
    tile_b[kk * TX + column] = v;
  }
}

fn store_c(group: u32, split: u32, row: u32, col: u32, v: vec4<f32>) {
  let plane = params.in_h * params.in_w;
  for (var j = 0u; j < 4u; j++) {
    let n = col + j;
    if (n < params.n) {
      let image = n / plane;
      let channel = image * params.in_c + group * params.m + row;
      dx[channel * plane + n % plane] = v[j];
    }
  }
}
