// Splitting a kernel's work between the threads of the threaded build. A call runs as `parts` parts (one
// per thread), part i taking a contiguous range of work items; each output element is computed by exactly
// one part with the same arithmetic as a single-part call, so results do not depend on the thread count.
/** The first work item of part `part` of `parts` over `items` items (part == parts gives the end). */
@inline export function partStart(items: i32, part: i32, parts: i32): i32 {
  return <i32>((<i64>items * <i64>part) / <i64>parts);
}

/** Block `b` of `blocks` over [0, total): [Block.start, Block.end), blocks a multiple of `align` long (the last shorter, or empty). */
export class Block {
  static start: i32 = 0;
  static end: i32 = 0;
  static of(total: i32, b: i32, blocks: i32, align: i32): void {
    const per = ((total + blocks - 1) / blocks + align - 1) / align * align;
    Block.start = min(total, b * per);
    Block.end = min(total, Block.start + per);
  }
}
