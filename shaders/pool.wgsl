// Max pooling over NCHW planes: y = the first maximum of the window in row-major scan order (a NaN wins
// and propagates), indices = its flat position row * inW + col in the input plane. math.wgsl and
// pool_scan.wgsl are prepended. The backward pass is scatterAdd with batchedIndices (see scatter_add.wgsl).

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;

fn window_value(plane: u32, i: u32) -> f32 {
  return x[i];
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = pool_output(wid, lid);
  if (o >= pool_size()) { return; }
  let w = scan_window(o);
  y[o] = w.best;
  indices[o] = i32(w.arg);
}
