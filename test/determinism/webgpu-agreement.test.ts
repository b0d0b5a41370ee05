// WebGPU agrees with wasm: the same MAML training, from the same initial parameters and episodes, on both
// backends in one process (ks.init switches between them; parameters cross as host arrays). Runs wherever
// the runtime has a WebGPU adapter, software ones included: Deno (llvmpipe), Chromium (SwiftShader), Node
// through the `webgpu` package (test/support/webgpu-node.ts). Without one it is skipped outside CI.
//
// - After ONE meta-iteration every parameter agrees within 1e-4 relative: |a − b| ≤ 1e-4·max(|a|, |b|) + 1e-6.
//   The absolute floor (1e-6, about eight float32 ulps of 1) only matters for entries near zero, where a
//   relative bound would demand more digits than float32 sums in a different order can give.
// - Over 20 meta-iterations each iteration's training loss stays within 1% of wasm's.
// The meta-optimizer is plain SGD: Adam's first step moves every parameter by ±lr whatever the size of its
// gradient, so a gradient that is zero in exact arithmetic (a convolution bias before BatchNorm) would
// take the sign of its rounding noise, and the comparison would measure that instead of the backends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { getEnv } from "../shims/env.ts";
import { platformGPU } from "../backend/webgpu/webgpu-harness.ts";

const SEED = 11;
const ITERATIONS = 20;
const RELATIVE = 1e-4;
const ABSOLUTE_FLOOR = 1e-6;
const LOSS_RELATIVE = 0.01;

type HostParams = Record<string, { shape: number[]; values: Float32Array }>;

const model = () => ks.nn.conv4({ hidden: 4, ways: 5, size: 16 });
const algorithm = () => ks.meta.maml(model(), { innerLr: 0.4, innerSteps: 1 });
const episodes = () => ks.data.tasks(ks.data.glyphs({ seed: SEED, examplesPerClass: 4, size: 16 }).train, { ways: 5, shots: 1, queries: 1, seed: SEED });
const trainOptions = { metaBatch: 2, optimizer: ks.optim.sgd({ lr: 0.5 }).config, logEvery: 1 };

async function toHost(params: ks.TensorRecord): Promise<HostParams> {
  const out: HostParams = {};
  for (const [name, t] of Object.entries(params)) out[name] = { shape: [...t.shape], values: Float32Array.from(await t.data()) };
  return out;
}

function fromHost(params: HostParams): ks.TensorRecord {
  return Object.fromEntries(Object.entries(params).map(([name, p]) => [name, ks.tensor(p.values, p.shape)]));
}

function dispose(params: ks.TensorRecord): void {
  for (const t of Object.values(params)) t.dispose();
}

/** `iterations` meta-iterations from `initial` on the active backend: the parameters after and each iteration's loss. */
async function trainOnActiveBackend(initial: HostParams, iterations: number): Promise<{ params: HostParams; losses: number[] }> {
  const start = fromHost(initial);
  const r = await ks.train(algorithm(), episodes(), { ...trainOptions, params: start, iterations });
  const params = await toHost(r.params);
  dispose(r.params);
  dispose(start);
  return { params, losses: r.history.map((p) => p.loss) };
}

/** The entries of `first` and `second` that break the bound, as "name[i]: first vs second" lines. */
function disagreements(first: HostParams, second: HostParams): string[] {
  const out: string[] = [];
  for (const [name, w] of Object.entries(first)) {
    const g = second[name]!.values;
    for (let i = 0; i < w.values.length; i++) {
      const a = w.values[i]!;
      const b = g[i]!;
      if (!(Math.abs(a - b) <= RELATIVE * Math.max(Math.abs(a), Math.abs(b)) + ABSOLUTE_FLOOR)) out.push(`${name}[${i}]: ${a} vs ${b}`);
    }
  }
  return out;
}

describe("WebGPU agrees with wasm on MAML training (Conv-4 hidden 4, 16×16 glyphs 5-way 1-shot, meta-batch 2)", () => {
  let gpu: GPU | undefined;
  let why = "";
  let initial: HostParams | undefined;

  /** The same training on wasm, then on WebGPU (ks.init switches; each init frees the previous backend). */
  async function onBoth(iterations: number) {
    await ks.init({ backend: "wasm" });
    const wasm = await trainOnActiveBackend(initial!, iterations);
    await ks.init({ backend: "webgpu", gpu });
    expect(ks.getBackendName()).toBe("webgpu");
    const webgpu = await trainOnActiveBackend(initial!, iterations);
    return { wasm, webgpu };
  }

  beforeAll(async () => {
    gpu = await platformGPU();
    const report = await ks.backendReport({ gpu });
    if (!report.webgpu.available) {
      why = `no WebGPU adapter in this runtime${gpu ? "" : " (no navigator.gpu / webgpu package)"}`;
      if (getEnv("CI")) throw new Error(`the WebGPU agreement test needs an adapter under CI: ${why}`);
      return;
    }
    await ks.init({ backend: "wasm" });
    initial = await toHost(ks.tidy(() => algorithm().init(new ks.Rng(SEED))));
  });

  // Each test file has its own isolate or page; this only leaves the backend as setup.ts chose it.
  afterAll(async () => {
    const name = (getEnv("KSHOT_BACKEND") ?? "reference") as ks.BackendName;
    if (initial) await ks.init({ backend: name, gpu });
  });

  it("parameters after one meta-iteration agree within 1e-4 relative", async (ctx) => {
    if (!initial) return ctx.skip(why);
    const { wasm, webgpu } = await onBoth(1);
    // The step compared is a real one: it moved parameters by more than the tolerance.
    expect(disagreements(initial, wasm.params).length).toBeGreaterThan(0);
    expect(disagreements(wasm.params, webgpu.params).slice(0, 5)).toEqual([]);
  });

  // Software adapters are slow (SwiftShader in Chromium: seconds per meta-iteration on a busy machine),
  // hence the longer timeout; the browser runner's silence limit (150 s) still bounds it.
  it("the loss curve over 20 meta-iterations stays within 1% of wasm's", async (ctx) => {
    if (!initial) return ctx.skip(why);
    const { wasm, webgpu } = await onBoth(ITERATIONS);
    expect(wasm.losses).toHaveLength(ITERATIONS);
    expect(webgpu.losses).toHaveLength(ITERATIONS);
    // The curve compared is a real one: training moved the loss.
    expect(Math.abs(wasm.losses.at(-1)! - wasm.losses[0]!)).toBeGreaterThan(0.01);
    const off = wasm.losses.flatMap((w, i) => {
      const g = webgpu.losses[i]!;
      return Math.abs(w - g) <= LOSS_RELATIVE * Math.abs(w) ? [] : [`iteration ${i + 1}: wasm ${w}, webgpu ${g}`];
    });
    expect(off).toEqual([]);
  }, 145_000);
});
