// relu(maxPool(((x + a) − m)·s + b)) over NCHW planes with per-channel a, m, s, b (channel: [4][channels],
// taken at plane % channels), no indices: a BatchNorm, max-pool and ReLU at inference. math.wgsl and
// pool_scan.wgsl are prepended.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> channel: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

fn window_value(plane: u32, i: u32) -> f32 {
  let c = plane % params.channels;
  let n = params.channels;
  return ((x[i] + channel[c]) - channel[n + c]) * channel[2u * n + c] + channel[3u * n + c];
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = pool_output(wid, lid);
  if (o >= pool_size()) { return; }
  y[o] = relu_js(scan_window(o).best);
}
