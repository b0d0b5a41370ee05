// Per-instance scratch (a partial GEMM tile, im2col's lane offsets, the fused elementwise kernel's state,
// BatchNorm's per-channel sums).
// The main instance uses a static block; each worker instance of the threaded build moves it to a block of
// its own (threadInit), since static data sits at the same address in every instance over a shared memory.
import { alloc } from "./memory";

/** Bytes of the fused elementwise kernel's state (fused.ts: its block slots and walk). */
export const FUSED_BYTES: i32 = 68 << 10;
/** Where that state starts in the block (16-byte aligned). */
export const FUSED_OFFSET: i32 = 512;
/** Bytes of BatchNorm's per-channel state for one block of channels (batch-norm.ts), and where it starts. */
export const BATCH_NORM_BYTES: i32 = 2 << 10;
export const BATCH_NORM_OFFSET: i32 = FUSED_OFFSET + FUSED_BYTES;
const BYTES: i32 = BATCH_NORM_OFFSET + BATCH_NORM_BYTES;
let block: usize = memory.data(BYTES, 16);

/**
 * The scratch block (BYTES bytes): [0, 128) the GEMM's partial tile, [128, 160) im2col's lane offsets,
 * [256, 384) the elementwise walk's index, [384, 400) its per-operand offsets, from FUSED_OFFSET the fused
 * kernel's state, from BATCH_NORM_OFFSET BatchNorm's.
 */
@inline export function scratch(): usize { return block; }

/** Gives this instance scratch of its own (call once in each worker instance); false when out of memory. */
export function threadInit(): bool {
  const own = alloc(BYTES);
  if (own) block = own;
  return own != 0;
}
