/**
 * Worker threads for the wasm kernels: T − 1 workers, each running its own instance of the threaded build
 * over the main instance's shared memory, so one kernel call runs as T parts (assembly/parts.ts) that the
 * main thread and the workers take one at a time until none is left. Calls are synchronous, as on one
 * thread: the main thread publishes the call in a control block in linear memory, wakes the workers
 * (Atomics.notify), takes parts itself, and waits until every part has reported its status. A part whose
 * worker is still waking when the main thread is done with its own runs on the main thread, rather than
 * the main thread waiting for that worker. Node and Deno run the workers as node:worker_threads
 * (unreferenced: idle workers never keep a process alive), browsers as Web Workers (on a cross-origin
 * isolated page, for shared memory).
 */
import { KshotError } from "../../errors.ts";
import { currentRuntime } from "../../io/files-host.ts";
import {
  ARG_COUNT, ARGS, CLAIMED, CONTROL_WORDS, EXIT, GENERATION, KERNEL, MAX_ARGS, MAX_THREADS, PARALLEL_KERNELS, PART_CLAIM, REMAINING, STATUS,
  STATUS_WORKER_FAILED, claimNext, claimParts, claimWord, type ParallelKernel,
} from "./control-block.ts";
import { WORKER_NODE_SOURCE, WORKER_WEB_SOURCE } from "./kernel-worker-source.ts";

/** The least a runtime needs for threads; undefined when it has it, else why not. */
export function threadsUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer !== "function") return "SharedArrayBuffer is not available";
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (g.crossOriginIsolated === false) return "the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)";
  if (currentRuntime() === "browser" && typeof g.Worker !== "function") return "Workers are not available";
  return undefined;
}

/** Cores this runtime reports (navigator.hardwareConcurrency; Node 20 has no navigator: os), 1 when none. */
export async function availableCores(): Promise<number> {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (typeof n === "number" && Number.isInteger(n) && n > 0) return n;
  if (currentRuntime() !== "node") return 1;
  const specifier = "node:os";
  const os = (await import(/* @vite-ignore */ specifier)) as { availableParallelism(): number };
  return os.availableParallelism();
}

/** A started worker, whichever API runs it. */
interface WorkerHandle {
  terminate(): void;
}

interface NodeWorker {
  once(event: "message" | "error", listener: (value: unknown) => void): void;
  postMessage(value: unknown): void;
  terminate(): Promise<number>;
  unref(): void;
}

interface StartMessage {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: number;
  part: number;
}

/** Starts one worker and resolves once its instance is ready (or rejects with why it could not start). */
async function startWorker(message: StartMessage): Promise<WorkerHandle> {
  const ready = (error: unknown) => (error === "ready" ? undefined : new KshotError(`wasm threads: worker ${message.part} did not start (${String(error)})`));
  // Deno too: its node:worker_threads can unref a worker (its Web Workers keep the process alive).
  if (currentRuntime() !== "browser") {
    // The specifier sits in a variable so bundlers for the browser leave the import alone.
    const specifier = "node:worker_threads";
    const { Worker } = (await import(/* @vite-ignore */ specifier)) as { Worker: new (code: string, options: { eval: boolean }) => NodeWorker };
    const worker = new Worker(WORKER_NODE_SOURCE, { eval: true });
    // Idle workers must not keep the process alive.
    worker.unref();
    await new Promise<void>((resolve, reject) => {
      worker.once("message", (m) => { const e = ready(m); if (e) reject(e); else resolve(); });
      worker.once("error", (e) => reject(ready(e)));
      worker.postMessage(message);
    }).catch((e) => { void worker.terminate(); throw e; });
    return { terminate: () => void worker.terminate() };
  }
  const url = URL.createObjectURL(new Blob([WORKER_WEB_SOURCE], { type: "text/javascript" }));
  try {
    const worker = new Worker(url, { type: "module" });
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = (e) => { const err = ready(e.data); if (err) reject(err); else resolve(); };
      worker.onerror = (e) => { e.preventDefault(); reject(ready(e.message)); };
      worker.postMessage(message);
    }).catch((e) => { worker.terminate(); throw e; });
    return { terminate: () => worker.terminate() };
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Checks of the workers' count before the calling thread sleeps (under a millisecond once compiled). */
const MAIN_SPINS = 100_000;

/** Whether this thread may block in Atomics.wait (a browser's main thread may not). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0);
    return true;
  } catch {
    return false;
  }
}

export class ThreadPool {
  private readonly words: Int32Array;
  private readonly blocking = canBlock();
  private closed = false;

  private constructor(
    memory: WebAssembly.Memory,
    /** Byte offset of the control block in linear memory. */
    control: number,
    private readonly workers: WorkerHandle[],
  ) {
    // The control block lies in the first pages, which a view of the initial buffer keeps covering after growth.
    this.words = new Int32Array(memory.buffer, control, CONTROL_WORDS);
  }

  /** Starts `threads − 1` workers over `memory`; `control` is a zeroed block of CONTROL_WORDS words. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, control: number, threads: number): Promise<ThreadPool> {
    if (!Number.isInteger(threads) || threads < 2 || threads > MAX_THREADS) {
      throw new KshotError(`wasm threads: expected 2 to ${MAX_THREADS} threads, got ${threads}`);
    }
    const started = await Promise.allSettled(
      Array.from({ length: threads - 1 }, (_, i) => startWorker({ module, memory, control, part: i + 1 })),
    );
    const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failure = started.find((s) => s.status === "rejected");
    if (failure) {
      for (const w of workers) w.terminate();
      throw (failure as PromiseRejectedResult).reason;
    }
    return new ThreadPool(memory, control, workers);
  }

  /** Threads that run a call's parts, the main thread included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Runs `kernel(...args, part, parts)` as `threads` parts: every thread takes the next part left until
   * none is, this one running them through `main`. Returns every part's status (index = part).
   */
  run(kernel: ParallelKernel, args: readonly number[], main: (part: number, parts: number) => number): number[] {
    if (this.closed) throw new KshotError("wasm threads: used after dispose()");
    if (args.length > MAX_ARGS) throw new KshotError(`wasm threads: expected at most ${MAX_ARGS} kernel arguments, got ${args.length}`);
    const w = this.words, parts = this.threads;
    const generation = w[GENERATION]! + 1;
    w[KERNEL] = PARALLEL_KERNELS.indexOf(kernel);
    w[ARG_COUNT] = args.length;
    for (let i = 0; i < args.length; i++) w[ARGS + i] = args[i]!;
    w.fill(0, CLAIMED, CLAIMED + parts);
    Atomics.store(w, REMAINING, parts);
    Atomics.store(w, PART_CLAIM, claimWord(generation, parts, 0));
    Atomics.store(w, GENERATION, generation);
    Atomics.notify(w, GENERATION);
    // A part that throws here still counts as done (the workers finish the others), then the error goes on.
    let failed = false, error: unknown;
    for (let word = Atomics.load(w, PART_CLAIM); !failed && claimNext(word) < parts; word = Atomics.load(w, PART_CLAIM)) {
      if (Atomics.compareExchange(w, PART_CLAIM, word, word + 1) !== word) continue;
      const part = claimNext(word);
      let status = STATUS_WORKER_FAILED;
      try {
        status = main(part, claimParts(word));
      } catch (e) {
        failed = true;
        error = e;
      }
      w[STATUS + part] = status;
      Atomics.sub(w, REMAINING, 1);
    }
    this.await();
    if (failed) throw error;
    return Array.from(w.subarray(STATUS, STATUS + parts));
  }

  /**
   * Waits until every part of the current call has finished: spinning first, since a call's parts end close
   * together and waking from Atomics.wait takes tens of microseconds (a browser's main thread only spins).
   */
  private await(): void {
    const w = this.words;
    for (let spins = 0, left = Atomics.load(w, REMAINING); left !== 0; left = Atomics.load(w, REMAINING), spins++) {
      if (this.blocking && spins > MAIN_SPINS) Atomics.wait(w, REMAINING, left);
    }
  }

  /** Tells the workers to exit and terminates them. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.words, KERNEL, EXIT);
    Atomics.add(this.words, GENERATION, 1);
    Atomics.notify(this.words, GENERATION);
    for (const worker of this.workers) worker.terminate();
  }
}
