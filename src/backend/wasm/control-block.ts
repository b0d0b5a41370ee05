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
/** Workers still running the current call; the main thread waits on it. */
export const REMAINING = 1;
/** Index into PARALLEL_KERNELS, or EXIT. */
export const KERNEL = 2;
/** Parts of the current call (the thread count). */
export const PARTS = 3;
export const ARG_COUNT = 4;
export const ARGS = 5;
export const MAX_ARGS = 16;
/** Each part's status, indexed by part. */
export const STATUS = ARGS + MAX_ARGS;
export const MAX_THREADS = 64;
/** Per part, the work items of its range claimed so far in the current call (assembly/parts.ts's Claim). */
export const CLAIMED = STATUS + MAX_THREADS;
export const CONTROL_WORDS = CLAIMED + MAX_THREADS;

/** KERNEL value that tells the workers to exit. */
export const EXIT = -1;
/** Status a worker reports when its kernel threw (a trap). */
export const STATUS_WORKER_FAILED = -1;
