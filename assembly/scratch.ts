// Small per-instance scratch (a partial GEMM tile, im2col's lane offsets). The main instance uses a static
// block; each worker instance of the threaded build moves it to a block of its own (threadInit), since
// static data sits at the same address in every instance over a shared memory.
import { alloc } from "./memory";

const BYTES: i32 = 512;
let block: usize = memory.data(BYTES, 16);

/**
 * The scratch block (BYTES bytes): [0, 128) the GEMM's partial tile, [128, 160) im2col's lane offsets,
 * [256, 384) the elementwise walk's index, [384, 400) its per-operand offsets.
 */
@inline export function scratch(): usize { return block; }

/** Gives this instance scratch of its own (call once in each worker instance); false when out of memory. */
export function threadInit(): bool {
  const own = alloc(BYTES);
  if (own) block = own;
  return own != 0;
}
