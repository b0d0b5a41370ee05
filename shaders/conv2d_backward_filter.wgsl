// conv2d backward-filter as an implicit GEMM on the gemm_tile.wgsl core, per group:
//   dw[oc, c, ky, kx] = sum over (image, oy, ox) of dy[image, oc, oy, ox] * x[image, c, iy, ix],
//   iy = oy stride_h - pad_h + ky (zero in the padding).
// GEMM batch = groups, m = out channels per group, n = icg * kh * kw, k = images * outH * outW: few
// output tiles over a long K, so the host splits K (split > 0 writes partial sums, added afterwards).

// struct Params and binding 0 (params): conv_params.wgsl.
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

// The 4 columns (c, ky, kx) a thread loads stay the same through the K loop (THREADS is a multiple of
// TX): their channel offset and tap are worked out once; each row k = (image, oy, ox) is decoded per step.
var<private> columns_ready: bool = false;
var<private> column_channel: vec4<i32>;  // x offset of the group's channel c in image 0; -1 past n
var<private> column_ky: vec4<i32>;
var<private> column_kx: vec4<i32>;

fn prepare_columns(group: u32, n0: u32, column: u32) {
  let taps = params.kh * params.kw;
  let icg = params.in_c / params.batch;
  for (var j = 0u; j < 4u; j++) {
    let col = n0 + column * 4u + j;
    let tap = col % taps;
    column_channel[j] = select(-1, i32((group * icg + col / taps) * params.in_h * params.in_w), col < params.n);
    column_ky[j] = i32(tap / params.kw);
    column_kx[j] = i32(tap % params.kw);
  }
}

fn fill_b(group: u32, k0: u32, n0: u32, tid: u32) {
  let column = tid % TX;
  if (!columns_ready) {
    prepare_columns(group, n0, column);
    columns_ready = true;
  }
  let plane = params.out_h * params.out_w;
  let in_h = i32(params.in_h);
  let in_w = i32(params.in_w);
  for (var kk = tid / TX; kk < TK; kk += TY) {
    let k = k0 + kk;
    var v = vec4<f32>(0.0);
    if (k < params.k) {
      let image = k / plane;
      let p = k % plane;
      let image_base = i32(image * params.in_c * params.in_h * params.in_w);
      let iy0 = i32((p / params.out_w) * params.stride_h) - i32(params.pad_h);
      let ix0 = i32((p % params.out_w) * params.stride_w) - i32(params.pad_w);
      for (var j = 0u; j < 4u; j++) {
        let iy = iy0 + column_ky[j];
        let ix = ix0 + column_kx[j];
        if (column_channel[j] >= 0 && iy >= 0 && ix >= 0 && iy < in_h && ix < in_w) {
          v[j] = x[image_base + column_channel[j] + iy * in_w + ix];
        }
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
