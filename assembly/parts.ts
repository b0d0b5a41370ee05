// Splitting a kernel's work between the threads of the threaded build. A call runs as `parts` parts (one
// per thread), part i taking a contiguous range of work items (helping with the others' ranges once done:
// Claim); each output element is computed by exactly one part with the same arithmetic as a single-part
// call, so results do not depend on the thread count.
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

/** This instance's pointer to the per-part counts of claimed items (0: none, one thread). */
let claimed: usize = 0;

/** Where the thread pool keeps, per part, the items of its range claimed in the current call (zeroed per call). */
export function setClaimCounters(address: usize): void {
  claimed = address;
}

/**
 * Work items claimed one at a time: a part takes the items of its own range (partStart) in order, then
 * helps with what is left of the others' ranges, so a part that starts late (a worker waking) or runs
 * slower is helped out, while each part still starts on the items a static split gives it (and its data).
 * Only for items whose results do not depend on which part runs them, and one claimed loop per call. A
 * one-part call takes them in order.
 */
export class Claim {
  static items: i32 = 0;
  static part: i32 = 0;
  static parts: i32 = 1;
  /** Shared claiming: how many ranges this part has finished (its own first). */
  static done: i32 = 0;
  /** Otherwise (one part, or no counters): the next item and the end of this part's range. */
  static local: i32 = 0;
  static end: i32 = 0;

  static start(items: i32, part: i32, parts: i32): void {
    Claim.items = items;
    Claim.part = part;
    Claim.parts = parts;
    Claim.done = 0;
    Claim.local = partStart(items, part, parts);
    Claim.end = partStart(items, part + 1, parts);
  }

  /** The next item to run, or `items` when none is left. */
  static next(): i32 {
    if (ASC_FEATURE_THREADS) {
      if (Claim.parts > 1 && claimed != 0) {
        while (Claim.done < Claim.parts) {
          const range = (Claim.part + Claim.done) % Claim.parts;
          const first = partStart(Claim.items, range, Claim.parts), end = partStart(Claim.items, range + 1, Claim.parts);
          const i = first + atomic.add<i32>(claimed + (<usize>range << 2), 1);
          if (i < end) return i;
          Claim.done++;
        }
        return Claim.items;
      }
    }
    return Claim.local < Claim.end ? Claim.local++ : Claim.items;
  }
}
