// The window scan of the pooling kernels (pool.wgsl, affine_pool.wgsl), prepended to them after math.wgsl:
// NCHW planes, no padding, windows that do not fit dropped, one thread per output. The including shader
// binds `params` and defines window_value(plane, index into x), the value the scan compares.

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
  channels: u32,
}

const WG: u32 = 64u;

/** The first maximum of an output's window in row-major scan order (a NaN wins and propagates). */
struct Window {
  best: f32,
  /** Its flat position row * in_w + col in the input plane. */
  arg: u32,
}

/** Output o's flat index from the dispatch, or a value ≥ the output size for threads past the end. */
fn pool_output(wid: vec3<u32>, lid: u32) -> u32 {
  return (wid.x + wid.y * params.groups_x) * WG + lid;
}

fn pool_size() -> u32 {
  return params.planes * params.out_h * params.out_w;
}

fn scan_window(o: u32) -> Window {
  let plane_out = params.out_h * params.out_w;
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
      let v = window_value(plane, base + flat);
      if (!found_nan && (is_nan(v) || v > best)) {
        best = v;
        arg = flat;
        found_nan = is_nan(v);
      }
    }
  }
  return Window(best, arg);
}
