// A static block through which the host passes shapes and strides (i32 words) to a kernel call.
// The host writes it right before the call; kernels read it first thing.

export const PARAM_WORDS: i32 = 256;
export const PARAMS = memory.data(PARAM_WORDS * 4, 16);

@inline export function param(i: i32): i32 { return load<i32>(PARAMS + (<usize>i << 2)); }
