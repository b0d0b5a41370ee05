// Batched matmul on the gemm_tile.wgsl core: out[b] = op(a[b]) . op(b[b]), op = transpose when flagged.
// A is stored [m][k] ([k][m] with TRANS_A), B [k][n] ([n][k] with TRANS_B). Tiles are loaded in quads of
// 4 elements along the stored rows; VEC_A / VEC_B / VEC_C read or write those quads as single vec4
// accesses (the host sets them when row lengths and batch strides are multiples of 4).
// Markers: $A_ELEM, $B_ELEM, $C_ELEM (f32 or vec4<f32>) plus the core's.

struct Params {
  batch: u32,
  m: u32,
  n: u32,
  k: u32,
  k_split: u32,
  k_chunk: u32,
  groups_x: u32,
  tk: u32,
  a_batch_stride: u32,
  b_batch_stride: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<$A_ELEM>;
@group(0) @binding(2) var<storage, read> b: array<$B_ELEM>;
@group(0) @binding(3) var<storage, read_write> c: array<$C_ELEM>;

/** Elements col .. col + 3 of row `row` of a stored rows x cols matrix at `base`; zeros outside. */
fn quad_a(base: u32, row: u32, rows: u32, col: u32, cols: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (row >= rows) { return v; }
//#if VEC_A
  if (col < cols) { v = a[(base + row * cols + col) / 4u]; }
//#else
  let start = base + row * cols;
  for (var j = 0u; j < 4u; j++) {
    if (col + j < cols) { v[j] = a[start + col + j]; }
  }
//#endif
  return v;
}

fn quad_b(base: u32, row: u32, rows: u32, col: u32, cols: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (row >= rows) { return v; }
//#if VEC_B
  if (col < cols) { v = b[(base + row * cols + col) / 4u]; }
//#else
  let start = base + row * cols;
  for (var j = 0u; j < 4u; j++) {
    if (col + j < cols) { v[j] = b[start + col + j]; }
  }
//#endif
  return v;
}

fn fill_a(batch: u32, m0: u32, k0: u32, tid: u32) {
  let base = batch * params.a_batch_stride;
  for (var q = tid; q < TM * TK / 4u; q += THREADS) {
//#if TRANS_A
    let kk = q / (TM / 4u);
    let mm = (q % (TM / 4u)) * 4u;
    let v = quad_a(base, k0 + kk, params.k, m0 + mm, params.m);
    let t = kk * TM + mm;
    tile_a[t] = v.x;
    tile_a[t + 1u] = v.y;
    tile_a[t + 2u] = v.z;
    tile_a[t + 3u] = v.w;
//#else
    let mm = q / (TK / 4u);
    let kk = (q % (TK / 4u)) * 4u;
    let v = quad_a(base, m0 + mm, params.m, k0 + kk, params.k);
    tile_a[kk * TM + mm] = v.x;
    tile_a[(kk + 1u) * TM + mm] = v.y;
    tile_a[(kk + 2u) * TM + mm] = v.z;
    tile_a[(kk + 3u) * TM + mm] = v.w;
//#endif
  }
}

fn fill_b(batch: u32, k0: u32, n0: u32, tid: u32) {
  let base = batch * params.b_batch_stride;
  for (var q = tid; q < TN * TK / 4u; q += THREADS) {
//#if TRANS_B
    let nn = q / (TK / 4u);
    let kk = (q % (TK / 4u)) * 4u;
    let v = quad_b(base, n0 + nn, params.n, k0 + kk, params.k);
    let column = nn / 4u;
    let lane = nn % 4u;
    tile_b[kk * TX + column][lane] = v.x;
    tile_b[(kk + 1u) * TX + column][lane] = v.y;
    tile_b[(kk + 2u) * TX + column][lane] = v.z;
    tile_b[(kk + 3u) * TX + column][lane] = v.w;
//#else
    let kk = q / TX;
    let column = q % TX;
    tile_b[kk * TX + column] = quad_b(base, k0 + kk, params.k, n0 + column * 4u, params.n);
//#endif
  }
}

fn store_c(batch: u32, split: u32, row: u32, col: u32, v: vec4<f32>) {
  let start = ((split * params.batch + batch) * params.m + row) * params.n + col;
//#if VEC_C
  c[start / 4u] = v;
//#else
  for (var j = 0u; j < 4u; j++) {
    if (col + j < params.n) { c[start + j] = v[j]; }
  }
//#endif
}
