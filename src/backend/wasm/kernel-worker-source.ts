/**
 * The worker threads' program, as source text (a worker starts from a script, and kshot ships as one
 * bundle): instantiate the threaded build over the shared memory, take scratch of its own, report ready,
 * then take and run parts of the kernel calls published in the control block (control-block.ts) until told
 * to exit.
 * A worker spins briefly before it sleeps, since calls come in bursts.
 */
import {
  ARG_COUNT, ARGS, CLAIMED, CONTROL_WORDS, EXIT, GENERATION, KERNEL, PARALLEL_KERNELS, PART_CLAIM, REMAINING, STATUS, STATUS_WORKER_FAILED,
  claimNext, claimParts,
} from "./control-block.ts";

const SPINS = 20000;

const START = `
const claimNext = ${String(claimNext)}, claimParts = ${String(claimParts)};
function start(message, post) {
  const { module, memory, control } = message;
  let kernels;
  try {
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    if (!exports.threadInit()) throw new Error("out of memory for its scratch block");
    exports.setClaimCounters(control + ${CLAIMED * 4});
    kernels = ${JSON.stringify(PARALLEL_KERNELS)}.map((name) => exports[name]);
  } catch (e) {
    post(String(e && e.message || e));
    return;
  }
  // The generation before any call, read before reporting ready: the main thread publishes its first call
  // once every worker is ready, and a worker that read it afterwards would wait for the call after.
  const w = new Int32Array(memory.buffer, control, ${CONTROL_WORDS});
  let seen = Atomics.load(w, ${GENERATION});
  post("ready");
  for (;;) {
    for (let spins = 0; Atomics.load(w, ${GENERATION}) === seen; spins++) {
      if (spins > ${SPINS}) Atomics.wait(w, ${GENERATION}, seen);
    }
    seen = Atomics.load(w, ${GENERATION});
    if (w[${KERNEL}] === ${EXIT}) return;
    // Take parts while any is left (claimWord in control-block.ts); the call cannot end, nor the next
    // overwrite its arguments, before a taken part is done, so they are read after the swap.
    for (let word = Atomics.load(w, ${PART_CLAIM}); claimNext(word) < claimParts(word); word = Atomics.load(w, ${PART_CLAIM})) {
      if (Atomics.compareExchange(w, ${PART_CLAIM}, word, word + 1) !== word) continue;
      const part = claimNext(word);
      const args = [];
      for (let i = 0; i < w[${ARG_COUNT}]; i++) args.push(w[${ARGS} + i]);
      let status;
      try {
        status = kernels[w[${KERNEL}]](...args, part, claimParts(word));
      } catch {
        status = ${STATUS_WORKER_FAILED};
      }
      w[${STATUS} + part] = status;
      if (Atomics.sub(w, ${REMAINING}, 1) === 1) Atomics.notify(w, ${REMAINING});
    }
  }
}
`;

/** For node:worker_threads in Node and Deno (`new Worker(source, { eval: true })`). */
export const WORKER_NODE_SOURCE = `${START}
const { parentPort } = require("node:worker_threads");
parentPort.once("message", (message) => {
  start(message, (m) => parentPort.postMessage(m));
  // Deno's node:worker_threads has no MessagePort.close: there the worker just ends.
  if (typeof parentPort.close === "function") parentPort.close();
});
`;

/** For a browser's Web Workers, from a Blob URL. */
export const WORKER_WEB_SOURCE = `${START}
self.onmessage = (event) => {
  self.onmessage = null;
  start(event.data, (m) => self.postMessage(m));
  self.close();
};
`;
