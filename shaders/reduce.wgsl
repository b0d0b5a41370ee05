// Reductions of x viewed as [outer, reduce, inner] into out [outer, inner]: sum, max, min (NaN wins) and
// argmax (int32; the first maximum, or the first NaN). math.wgsl is prepended.
// ROW: one workgroup per output; its threads stride over the reduced axis, then combine in workgroup
//   memory by a tree. For long reductions over few outputs (softmax rows, losses).
// !ROW: one thread per output, a sequential loop (the reference's order); for many outputs, where
//   neighbouring threads read neighbouring inner elements.
// Markers: $T (f32 | i32), $OUT_T, $WG; flags ROW, FLOAT, SUM, MAX, MIN, ARGMAX.

struct Params {
  outer: u32,
  reduce: u32,
  inner: u32,
  groups_x: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<$T>;
@group(0) @binding(2) var<storage, read_write> out: array<$OUT_T>;

const WG: u32 = $WG;

struct Acc {
  value: $T,
  index: u32,
}

fn identity() -> Acc {
//#if SUM
  return Acc($T(0), 0u);
//#endif
//#if !SUM
//#if FLOAT
  return Acc(select(-f32_inf(), f32_inf(), $MIN_FLAG), 0u);
//#else
  return Acc(select(-2147483647 - 1, 2147483647, $MIN_FLAG), 0u);
//#endif
//#endif
}

/** Whether `b` replaces `a`: NaN beats everything, then the larger (smaller for MIN), then the earlier index. */
fn better(a: Acc, b: Acc) -> bool {
//#if FLOAT
  let a_nan = is_nan(a.value);
  let b_nan = is_nan(b.value);
  if (a_nan || b_nan) { return b_nan && (!a_nan || b.index < a.index); }
//#endif
//#if MIN
  if (b.value != a.value) { return b.value < a.value; }
//#else
  if (b.value != a.value) { return b.value > a.value; }
//#endif
  return b.index < a.index;
}

fn combine(a: Acc, b: Acc) -> Acc {
//#if SUM
  return Acc(a.value + b.value, 0u);
//#else
  if (better(a, b)) { return b; }
  return a;
//#endif
}

fn write_out(o: u32, acc: Acc) {
//#if ARGMAX
  out[o] = i32(acc.index);
//#else
//#if SUM
  out[o] = acc.value;
//#else
  // An empty max/min: -Inf/+Inf for float32, and ToInt32(+-Infinity) = 0 for int32 (as the reference).
//#if FLOAT
  out[o] = acc.value;
//#else
  out[o] = select(acc.value, 0, params.reduce == 0u);
//#endif
//#endif
//#endif
}

//#if ROW
var<workgroup> shared_acc: array<Acc, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * params.groups_x;
  if (o >= params.outer * params.inner) { return; }
  let base = (o / params.inner) * params.reduce * params.inner + o % params.inner;
  var acc = identity();
  for (var r = lid; r < params.reduce; r += WG) {
    acc = combine(acc, Acc(x[base + r * params.inner], r));
  }
  shared_acc[lid] = acc;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) { shared_acc[lid] = combine(shared_acc[lid], shared_acc[lid + half]); }
    workgroupBarrier();
  }
  if (lid == 0u) { write_out(o, shared_acc[0]); }
}
//#else
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = (wid.x + wid.y * params.groups_x) * WG + lid;
  if (o >= params.outer * params.inner) { return; }
  let base = (o / params.inner) * params.reduce * params.inner + o % params.inner;
  var acc = identity();
  for (var r = 0u; r < params.reduce; r++) {
    acc = combine(acc, Acc(x[base + r * params.inner], r));
  }
  write_out(o, acc);
}
//#endif
