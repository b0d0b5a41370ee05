/**
 * The control block through which the main thread hands a kernel call to the worker threads: Int32 words
 * in linear memory, written by thread-pool.ts and read by the worker loop (kernel-worker-source.ts).
 */

/** The kernels that run in parts, numbered by their place here. */
export const PARALLEL_KERNELS = [
  "matmul", "conv2d", "conv2dBackwardData", "conv2dBackwardFilter", "unary", "binary", "where", "reduce",
  "maxPool2d", "gather", "scatterAdd", "affinePoolRelu", "batchNorm", "batchNormBackward", "elementwiseProgram",
] as const;
export type ParallelKernel = (typeof PARALLEL_KERNELS)[number];

/** Bumped by the main thread for each call; the workers wait on it. */
export const GENERATION = 0;
/** Parts of the current call not finished yet; the main thread waits on it. */
export const REMAINING = 1;
/** Index into PARALLEL_KERNELS, or EXIT. */
export const KERNEL = 2;
export const ARG_COUNT = 3;
export const ARGS = 4;
export const MAX_ARGS = 16;
/** Each part's status, indexed by part (at most MAX_THREADS parts). */
export const STATUS = ARGS + MAX_ARGS;
export const MAX_THREADS = 64;
/** Per part, the work items of its range claimed so far in the current call (assembly/parts.ts's Claim). */
export const CLAIMED = STATUS + MAX_THREADS;
/**
 * The current call's parts as one word (claimWord): every thread, the calling one included, takes the next
 * part with a compare-and-swap until none is left, so a part that a sleeping worker has not taken yet runs
 * on a thread that is awake. Parts count and next part share the word, so a thread that read it while one
 * call ended and the next began cannot take a part that does not exist; the generation's low bits make
 * the swap fail on a word rewritten since it was read.
 */
export const PART_CLAIM = CLAIMED + MAX_THREADS;
export const CONTROL_WORDS = PART_CLAIM + 1;

/** PART_CLAIM's value for call `generation` of `parts` parts (≤ MAX_THREADS) with `next` parts taken. */
export function claimWord(generation: number, parts: number, next: number): number {
  return ((generation & 0x3ffff) << 14) | (parts << 7) | next;
}
/** The parts count and next part of a PART_CLAIM value (the worker source takes them as text: self-contained). */
export const claimParts = (word: number): number => (word >>> 7) & 127;
export const claimNext = (word: number): number => word & 127;

/** KERNEL value that tells the workers to exit. */
export const EXIT = -1;
/** Status a worker reports when its kernel threw (a trap). */
export const STATUS_WORKER_FAILED = -1;
