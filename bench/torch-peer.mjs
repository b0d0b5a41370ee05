// The PyTorch peer (peers/torch_omniglot.py in the folder KSHOT_SHARED names) run from a benchmark, so kshot's figures sit beside
// PyTorch's from the same run on the same machine. Returns the peer's JSON line, or why there is none.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The last JSON line of a child's stdout, or throws with its stderr. */
export function runChild(command, args, { cwd, env = {}, timeoutMs = 120_000 } = {}) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 1 << 24 });
  if (r.error?.code === "ETIMEDOUT") throw new Error(`${command} ran past ${timeoutMs / 1000} s and was stopped`);
  const line = (r.stdout ?? "").trim().split("\n").reverse().find((l) => l.startsWith("{"));
  if (r.status !== 0 || !line) throw new Error(`${command} exited with ${r.status ?? r.signal}: ${(r.stderr ?? "").trim().split("\n").slice(-5).join(" | ")}`);
  return JSON.parse(line);
}

/**
 * Runs the peer's timed workloads (MAML and FOMAML meta-iterations, a 60-way ProtoNet episode, edge
 * adaptation; best of `reps`) on two threads. Returns `{ peer, env }` (the peer's JSON and how it ran) or
 * `{ peer: null, why }`.
 */
export function runTorchPeer({ shared, omniglotDir, reps = 3, timeoutMs = 100_000 }) {
  if (!shared) return { peer: null, why: "KSHOT_SHARED is not set (the folder holding peers/torch_omniglot.py and data/omniglot)" };
  const script = join(shared, "peers", "torch_omniglot.py");
  if (!existsSync(script)) return { peer: null, why: `no peer at ${script}` };
  if (!existsSync(omniglotDir)) return { peer: null, why: `the peer needs Omniglot at ${omniglotDir}` };
  const probe = spawnSync("/usr/bin/python3", ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
  if (probe.status !== 0) return { peer: null, why: "no PyTorch under /usr/bin/python3 (apt-get install python3-torch; see the peers' README)" };
  const blas = [process.env.KSHOT_OPENBLAS_DIR, "/opt/kshot-openblas/usr/lib/x86_64-linux-gnu/openblas-pthread", "/usr/lib/x86_64-linux-gnu/openblas-pthread"].find((d) => d && existsSync(join(d, "libblas.so.3")));
  try {
    // As a user runs it: OpenMP's default wait policy (idle threads spin a while before sleeping), two
    // threads (the peers' README). When other processes hold the cores, spinning threads lose them and
    // PyTorch slows down several times: the bench lines say how busy the machine was.
    const peer = runChild("/usr/bin/python3", [script, "--data", omniglotDir, "--reps", String(reps)], {
      env: { OMP_NUM_THREADS: "2", ...(blas ? { LD_LIBRARY_PATH: blas } : {}) },
      timeoutMs,
    });
    return {
      peer,
      env: { torchVersion: peer.torch, threads: peer.threads, ompWaitPolicy: process.env.OMP_WAIT_POLICY ?? "default", blas: blas ?? "Debian reference BLAS (slow gemm; convolutions use oneDNN either way)" },
    };
  } catch (e) {
    return { peer: null, why: `the PyTorch peer failed: ${e.message}` };
  }
}

/**
 * The folder of the measuring instruments (the PyTorch peer, Omniglot for it): KSHOT_SHARED, resolved
 * against the repository root, or null when it is not set (the peer is then skipped, and says why).
 */
export function sharedFolder(root) {
  const named = process.env.KSHOT_SHARED;
  return named ? resolve(root, named) : null;
}
