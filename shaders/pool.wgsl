// Max pooling over NCHW planes, no padding, windows that do not fit dropped. One thread per output:
// y = the first maximum of the window in row-major scan order (a NaN wins and propagates), indices =
// its flat position row * inW + col in the input plane. math.wgsl is prepended.
// The backward pass is scatterAdd with batchedIndices (see scatter_add.wgsl).

struct Params {
  planes: u32,
  in_h: u32,
  in_w: u32,
  out_h: u32,
  out_w: u32,
  kh: u32,
  kw: u32,
  stride_h: u32,
  stride_w: u32,
  groups_x: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;

const WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = (wid.x + wid.y * params.groups_x) * WG + lid;
  let plane_out = params.out_h * params.out_w;
  if (o >= params.planes * plane_out) { return; }
  let plane = o / plane_out;
  let oy = (o % plane_out) / params.out_w;
  let ox = o % params.out_w;
  let base = plane * params.in_h * params.in_w;
  var best = -f32_inf();
  var arg = oy * params.stride_h * params.in_w + ox * params.stride_w;
  var found_nan = false;
  for (var ky = 0u; ky < params.kh; ky++) {
    for (var kx = 0u; kx < params.kw; kx++) {
      let flat = (oy * params.stride_h + ky) * params.in_w + ox * params.stride_w + kx;
      let v = x[base + flat];
      if (!found_nan && (is_nan(v) || v > best)) {
        best = v;
        arg = flat;
        found_nan = is_nan(v);
      }
    }
  }
  y[o] = best;
  indices[o] = i32(arg);
}
