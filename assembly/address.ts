// Addressing 4-byte elements (float32, int32) in linear memory.

/** The byte address of element `element` of the 4-byte array at `base`. */
@inline export function at(base: usize, element: i32): usize { return base + (<usize>element << 2); }
