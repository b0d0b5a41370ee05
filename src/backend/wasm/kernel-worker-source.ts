/**
 * The worker threads' program, as source text (a worker starts from a script, and kshot ships as one
 * bundle): instantiate the threaded build over the shared memory, take scratch of its own, report ready,
 * then run the parts of kernel calls published in the control block (control-block.ts) until told to exit.
 * A worker spins briefly before it sleeps, since calls come in bursts.
 */
import {
  ARG_COUNT, ARGS, CLAIMED, CONTROL_WORDS, EXIT, GENERATION, KERNEL, PARALLEL_KERNELS, PARTS, REMAINING, STATUS, STATUS_WORKER_FAILED,
} from "./control-block.ts";

const SPINS = 20000;

const START = `
function start(message, post) {
  const { module, memory, control, part } = message;
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
    const kernel = w[${KERNEL}];
    if (kernel === ${EXIT}) return;
    const args = [];
    for (let i = 0; i < w[${ARG_COUNT}]; i++) args.push(w[${ARGS} + i]);
    let status;
    try {
      status = kernels[kernel](...args, part, w[${PARTS}]);
    } catch {
      status = ${STATUS_WORKER_FAILED};
    }
    w[${STATUS} + part] = status;
    if (Atomics.sub(w, ${REMAINING}, 1) === 1) Atomics.notify(w, ${REMAINING});
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
