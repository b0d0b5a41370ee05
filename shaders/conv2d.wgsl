// conv2d forward as an implicit GEMM on the gemm_tile.wgsl core, one GEMM per group:
//   A = weights of the group [ocg][icg kh kw] (row-major as stored), B = im2col of x [icg kh kw][images oh ow]
//   (never materialised: fill_b gathers it, zero in the padding), C = y of the group.
// GEMM batch = groups, m = out channels per group, n = images * outH * outW, k = icg * kh * kw.
// VEC_A reads weight rows as vec4 when k is a multiple of 4. Markers: $W_ELEM plus the core's.

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
@group(0) @binding(2) var<storage, read> w: array<$W_ELEM>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

fn fill_a(group: u32, m0: u32, k0: u32, tid: u32) {
  let base = group * params.m * params.k;
  for (var q = tid; q < TM * TK / 4u; q += THREADS) {
    let mm = q / (TK / 4u);
    let kk = (q % (TK / 4u)) * 4u;
    let row = m0 + mm;
    let col = k0 + kk;
    var v = vec4<f32>(0.0);
    if (row < params.m) {
//#if VEC_A
      if (col < params.k) { v = w[(base + row * params.k + col) / 4u]; }
//#else
      for (var j = 0u; j < 4u; j++) {
        if (col + j < params.k) { v[j] = w[base + row * params.k + col + j]; }
      }
//#endif
    }
    tile_a[kk * TM + mm] = v.x;
    tile_a[(kk + 1u) * TM + mm] = v.y;
    tile_a[(kk + 2u) * TM + mm] = v.z;
    tile_a[(kk + 3u) * TM + mm] = v.w;
  }
}

/** x at input channel c of the group, kernel tap (ky, kx), output position `col` = (image, oy, ox). */
fn im2col(group: u32, c: u32, ky: u32, kx: u32, col: u32) -> f32 {
  let plane = params.out_h * params.out_w;
  let image = col / plane;
  let p = col % plane;
  let iy = i32((p / params.out_w) * params.stride_h + ky) - i32(params.pad_h);
  let ix = i32((p % params.out_w) * params.stride_w + kx) - i32(params.pad_w);
  if (iy < 0 || ix < 0 || iy >= i32(params.in_h) || ix >= i32(params.in_w)) { return 0.0; }
  let channel = image * params.in_c + group * (params.in_c / params.batch) + c;
  return x[(channel * params.in_h + u32(iy)) * params.in_w + u32(ix)];
}

fn fill_b(group: u32, k0: u32, n0: u32, tid: u32) {
  let taps = params.kh * params.kw;
  for (var q = tid; q < TK * TX; q += THREADS) {
    let kk = q / TX;
    let column = q % TX;
    let k = k0 + kk;
    var v = vec4<f32>(0.0);
    if (k < params.k) {
      let c = k / taps;
      let tap = k % taps;
      let ky = tap / params.kw;
      let kx = tap % params.kw;
      for (var j = 0u; j < 4u; j++) {
        let col = n0 + column * 4u + j;
        if (col < params.n) { v[j] = im2col(group, c, ky, kx, col); }
      }
    }
    tile_b[kk * TX + column] = v;
  }
}

fn store_c(group: u32, split: u32, row: u32, col: u32, v: vec4<f32>) {
  let plane = params.out_h * params.out_w;
  for (var j = 0u; j < 4u; j++) {
    let n = col + j;
    if (n < params.n) {
      let image = n / plane;
      let channel = image * params.out_c + group * params.m + row;
      y[channel * plane + n % plane] = v[j];
    }
  }
}
