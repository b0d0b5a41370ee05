// The params of the three convolution kernels (conv2d.wgsl, conv2d_backward_data.wgsl,
// conv2d_backward_filter.wgsl): the GEMM core's header (words 0-7), then the convolution's geometry.
// Packed by src/backend/webgpu/kernels/conv.ts; prepended to each of them.

struct Params {
  batch: u32,
  m: u32,
  n: u32,
  k: u32,
  k_split: u32,
  k_chunk: u32,
  groups_x: u32,
  tk: u32,
  in_c: u32,
  in_h: u32,
  in_w: u32,
  out_c: u32,
  out_h: u32,
  out_w: u32,
  kh: u32,
  kw: u32,
  stride_h: u32,
  stride_w: u32,
  pad_h: u32,
  pad_w: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
