// conv2d backward-filter as an implicit GEMM on the gemm_tile.wgsl core, per group:
//   dw[oc, c, ky, kx] = sum over (image, oy, ox) of dy[image, oc, oy, ox] * x[image, c, iy, ix],
//   iy = oy stride_h - pad_h + ky (zero in the padding).
// GEMM batch = groups, m = out channels per group, n = icg * kh * kw, k = images * outH * outW: few
// output tiles over a long K, so the host splits K (split > 0 writes partial sums, added afterwards).

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
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;

fn fill_a(group: u32, m0: u32, k0: u32, tid: u32) {
  let plane = params.out_h * params.out_w;
  for (var e = tid; e < TM * TK; e += THREADS) {
    let kk = e % TK;
    let mm = e / TK;
    let oc = m0 + mm;
    let k = k0 + kk;
    var v = 0.0;
    if (oc < params.m && k < params.k) {
      let image = k / plane;
      v = dy[(image * params.out_c + group * params.m + oc) * plane + k % plane];
    }
    tile_a[kk * TM + mm] = v;
  }
}

/** x at output position k = (image, oy, ox) seen through column `col` = (c, ky, kx) of the group. */
fn x_at(group: u32, k: u32, col: u32) -> f32 {
  let plane = params.out_h * params.out_w;
  let taps = params.kh * params.kw;
  let image = k / plane;
  let p = k % plane;
  let c = col / taps;
  let tap = col % taps;
  let iy = i32((p / params.out_w) * params.stride_h + tap / params.kw) - i32(params.pad_h);
  let ix = i32((p % params.out_w) * params.stride_w + tap % params.kw) - i32(params.pad_w);
  if (iy < 0 || ix < 0 || iy >= i32(params.in_h) || ix >= i32(params.in_w)) { return 0.0; }
  let channel = image * params.in_c + group * (params.in_c / params.batch) + c;
  return x[(channel * params.in_h + u32(iy)) * params.in_w + u32(ix)];
}

fn fill_b(group: u32, k0: u32, n0: u32, tid: u32) {
  for (var q = tid; q < TK * TX; q += THREADS) {
    let kk = q / TX;
    let column = q % TX;
    let k = k0 + kk;
    var v = vec4<f32>(0.0);
    if (k < params.k) {
      for (var j = 0u; j < 4u; j++) {
        let col = n0 + column * 4u + j;
        if (col < params.n) { v[j] = x_at(group, k, col); }
      }
    }
    tile_b[kk * TX + column] = v;
  }
}

fn store_c(group: u32, split: u32, row: u32, col: u32, v: vec4<f32>) {
  let start = ((split * params.batch + group) * params.m + row) * params.n + col;
  for (var j = 0u; j < 4u; j++) {
    if (col + j < params.n) { dw[start + j] = v[j]; }
  }
}
