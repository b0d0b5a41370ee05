// conv2d forward as an implicit GEMM on the gemm_tile.wgsl core, one GEMM per group:
//   A = weights of the group [ocg][icg kh kw] (row-major as stored), B = im2col of x [icg kh kw][images oh ow]
//   (never materialised: fill_b gathers it, zero in the padding), C = y of the group.
// GEMM batch = groups, m = out channels per group, n = images * outH * outW, k = icg * kh * kw.
// VEC_A reads weight rows as vec4 when k is a multiple of 4. Markers: $W_ELEM plus the core's.

// struct Params and binding 0 (params): conv_params.wgsl.
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

// The 4 columns (output positions) a thread loads stay the same through the K loop (THREADS is a
// multiple of TX), so their image offset and input-window origin are worked out once, on the first call.
var<private> columns_ready: bool = false;
var<private> column_base: vec4<i32>;  // x offset of (image, the group's first channel); -1 past n
var<private> column_iy: vec4<i32>;    // oy * stride_h - pad_h
var<private> column_ix: vec4<i32>;    // ox * stride_w - pad_w

fn prepare_columns(group: u32, n0: u32, column: u32) {
  let plane = params.out_h * params.out_w;
  let icg = params.in_c / params.batch;
  for (var j = 0u; j < 4u; j++) {
    let col = n0 + column * 4u + j;
    let image = col / plane;
    let p = col % plane;
    column_base[j] = select(-1, i32((image * params.in_c + group * icg) * params.in_h * params.in_w), col < params.n);
    column_iy[j] = i32((p / params.out_w) * params.stride_h) - i32(params.pad_h);
    column_ix[j] = i32((p % params.out_w) * params.stride_w) - i32(params.pad_w);
  }
}

fn fill_b(group: u32, k0: u32, n0: u32, tid: u32) {
  let column = tid % TX;
  if (!columns_ready) {
    prepare_columns(group, n0, column);
    columns_ready = true;
  }
  let taps = params.kh * params.kw;
  let in_h = i32(params.in_h);
  let in_w = i32(params.in_w);
  for (var kk = tid / TX; kk < TK; kk += TY) {
    let k = k0 + kk;
    var v = vec4<f32>(0.0);
    if (k < params.k) {
      let c = k / taps;
      let tap = k % taps;
      let channel = i32(c * params.in_h * params.in_w);
      let ky = i32(tap / params.kw);
      let kx = i32(tap % params.kw);
      for (var j = 0u; j < 4u; j++) {
        let iy = column_iy[j] + ky;
        let ix = column_ix[j] + kx;
        if (column_base[j] >= 0 && iy >= 0 && ix >= 0 && iy < in_h && ix < in_w) {
          v[j] = x[column_base[j] + channel + iy * in_w + ix];
        }
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
