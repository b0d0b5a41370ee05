// Deterministic scatter-add (WGSL has no float atomics, and atomics would make the sum order vary):
// src viewed as [outer, count, inner], out as [outer, axis, inner], indices as [count] (or [outer, count]
// with BATCHED); out[o, idx[j], i] = the sum over j in increasing order, out-of-range indices dropped.
// Three phases over a scratch `state` of 2 words per target row ([rows][axis], rows = outer if BATCHED
// else 1): the first j that hits the row (atomicMin) and how many do (atomicAdd), both integer atomics
// whose results do not depend on thread order.
//   INIT:    state = (first: 0xffffffff, hits: 0).
//   MARK:    one thread per (o, j) records j in its target's state.
//   RESOLVE: one thread per output element: 0 without hits, else src at the first j, plus a scan over the
//            later j for the remaining hits (none for max-pool windows that do not overlap).
// Marker: $T (f32 | i32).

struct Params {
  outer: u32,
  axis: u32,
  inner: u32,
  count: u32,
  groups_x: u32,
  cells: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;

const WG: u32 = 64u;

fn linear_id(wid: vec3<u32>, lid: u32) -> u32 {
  return (wid.x + wid.y * params.groups_x) * WG + lid;
}

//#if INIT
@group(0) @binding(1) var<storage, read_write> state: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = linear_id(wid, lid);
  if (c >= params.cells) { return; }
  state[c] = 0xffffffffu;
  state[params.cells + c] = 0u;
}
//#endif

//#if MARK
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> state: array<atomic<u32>>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let e = linear_id(wid, lid);
//#if BATCHED
  if (e >= params.outer * params.count) { return; }
  let row = e / params.count;
//#else
  if (e >= params.count) { return; }
  let row = 0u;
//#endif
  let index = idx[e];
  if (index < 0 || u32(index) >= params.axis) { return; }
  let cell = row * params.axis + u32(index);
  atomicMin(&state[cell], e % params.count);
  atomicAdd(&state[params.cells + cell], 1u);
}
//#endif

//#if RESOLVE
@group(0) @binding(1) var<storage, read> src: array<$T>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> state: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<$T>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let e = linear_id(wid, lid);
  if (e >= params.outer * params.axis * params.inner) { return; }
  let i = e % params.inner;
  let oa = e / params.inner;
  let o = oa / params.axis;
  let a = oa % params.axis;
//#if BATCHED
  let cell = oa;
  let idx_row = o * params.count;
//#else
  let cell = a;
  let idx_row = 0u;
//#endif
  let hits = state[params.cells + cell];
  var sum = $T(0);
  if (hits > 0u) {
    let first = state[cell];
    sum += src[(o * params.count + first) * params.inner + i];
    var found = 1u;
    for (var j = first + 1u; found < hits && j < params.count; j++) {
      if (idx[idx_row + j] == i32(a)) {
        sum += src[(o * params.count + j) * params.inner + i];
        found++;
      }
    }
  }
  out[e] = sum;
}
//#endif
