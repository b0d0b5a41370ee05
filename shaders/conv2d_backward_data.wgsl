// conv2d backward-data (the transposed convolution) as an implicit GEMM on the gemm_tile.wgsl core, per group:
//   dx[image, c, iy, ix] = sum over (oc, ky, kx) of w[oc, c, ky, kx] * dy[image, oc, oy, ox]
//   where iy = oy stride_h - pad_h + ky (terms whose oy is not a whole number in range are zero).
// GEMM batch = groups, m = in channels per group, n = images * inH * inW, k = ocg * kh * kw.
// A = weights read transposed per group, B = dy gathered at the output position each tap reaches.

// struct Params and binding 0 (params): conv_params.wgsl.
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

// The 4 columns (input positions) a thread loads stay the same through the K loop (THREADS is a multiple
// of TX): their dy offset and the output position they see at tap (0, 0) are worked out once.
var<private> columns_ready: bool = false;
var<private> column_base: vec4<i32>;  // dy offset of (image, the group's first output channel); -1 past n
var<private> column_ty: vec4<i32>;    // iy + pad_h: oy * stride_h = this - ky
var<private> column_tx: vec4<i32>;    // ix + pad_w

fn prepare_columns(group: u32, n0: u32, column: u32) {
  let plane = params.in_h * params.in_w;
  let ocg = params.out_c / params.batch;
  for (var j = 0u; j < 4u; j++) {
    let col = n0 + column * 4u + j;
    let image = col / plane;
    let p = col % plane;
    column_base[j] = select(-1, i32((image * params.out_c + group * ocg) * params.out_h * params.out_w), col < params.n);
    column_ty[j] = i32(p / params.in_w + params.pad_h);
    column_tx[j] = i32(p % params.in_w + params.pad_w);
  }
}

/** Output coordinate t / stride, or -1 when t is negative, not a multiple of the stride, or past `extent`. */
fn output_coord(t: i32, stride: u32, extent: u32) -> i32 {
  if (t < 0) { return -1; }
  var o = u32(t);
  if (stride != 1u) {
    if (o % stride != 0u) { return -1; }
    o = o / stride;
  }
  return select(-1, i32(o), o < extent);
}

fn fill_b(group: u32, k0: u32, n0: u32, tid: u32) {
  let column = tid % TX;
  if (!columns_ready) {
    prepare_columns(group, n0, column);
    columns_ready = true;
  }
  let taps = params.kh * params.kw;
  for (var kk = tid / TX; kk < TK; kk += TY) {
    let k = k0 + kk;
    var v = vec4<f32>(0.0);
    if (k < params.k) {
      let channel = i32((k / taps) * params.out_h * params.out_w);
      let tap = k % taps;
      let ky = i32(tap / params.kw);
      let kx = i32(tap % params.kw);
      for (var j = 0u; j < 4u; j++) {
        let oy = output_coord(column_ty[j] - ky, params.stride_h, params.out_h);
        let ox = output_coord(column_tx[j] - kx, params.stride_w, params.out_w);
        if (column_base[j] >= 0 && oy >= 0 && ox >= 0) {
          v[j] = dy[column_base[j] + channel + oy * i32(params.out_w) + ox];
        }
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
