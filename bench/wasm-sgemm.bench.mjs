// sgemm: kshot's wasm backend (plain-SIMD build, one thread) vs TensorFlow.js 4.22 wasm (XNNPACK, one
// thread) on the same inputs: square sizes and the GEMMs a Conv-4 lowers to (64 filters, batch 80).
// One JSON line per shape: GFLOP/s for both (best round) and the ratio of kshot's speed to TF.js's (median
// of per-round ratios). `--quick` shortens the timing.
import { compare, loadKshotWasm, loadTfjs, pairedRatio, quick, randomArray, round } from "./wasm-harness.mjs";

const { createWasmBackend } = await loadKshotWasm();
const tf = await loadTfjs();
const ks = await createWasmBackend();
const relaxed = process.execArgv.includes("--experimental-wasm-relaxed-simd") ? await createWasmBackend({ deterministic: false }) : null;

const square = [64, 128, 256, 512, 1024].map((s) => ({ name: "sgemm", m: s, n: s, k: s }));
// The forward GEMMs of the four Conv-4 layers: [64 × 9·C] · [9·C × batch·pixels], batch 80.
const conv = [
  { layer: 1, m: 64, k: 9, n: 80 * 784 }, { layer: 2, m: 64, k: 576, n: 80 * 196 },
  { layer: 3, m: 64, k: 576, n: 80 * 49 }, { layer: 4, m: 64, k: 576, n: 80 * 9 },
].map((s) => ({ name: "sgemm_conv4", ...s }));

function kshotMatmul(backend, m, n, k, a, b) {
  const [ab, bb, cb] = [backend.allocate("float32", m * k), backend.allocate("float32", k * n), backend.allocate("float32", m * n)];
  backend.write(ab, a);
  backend.write(bb, b);
  const p = { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  return { run: () => backend.matmul(ab, bb, cb, p), free: () => [ab, bb, cb].forEach((x) => backend.free(x)) };
}

for (const shape of [...square, ...conv]) {
  if (quick && shape.m * shape.n * shape.k > 2 ** 28) continue;
  const { m, n, k } = shape;
  const a = randomArray(m * k, 1), b = randomArray(k * n, 2);
  const mine = kshotMatmul(ks, m, n, k, a, b);
  const fused = relaxed ? kshotMatmul(relaxed, m, n, k, a, b) : null;
  const ta = tf.tensor2d(a, [m, k]), tb = tf.tensor2d(b, [k, n]);
  const contenders = { kshot: mine.run, tfjs: () => tf.matMul(ta, tb).dispose() };
  if (fused) contenders.kshot_relaxed = fused.run;
  const ms = compare(contenders);
  const gflops = (t) => round((2 * m * n * k) / (t * 1e6), 1);
  const line = { ...shape, kshot_gflops: gflops(ms.kshot), tfjs_wasm_gflops: gflops(ms.tfjs), ratio: round(pairedRatio(ms, "kshot", "tfjs")) };
  if (fused) Object.assign(line, { kshot_relaxed_gflops: gflops(ms.kshot_relaxed), relaxed_ratio: round(pairedRatio(ms, "kshot_relaxed", "tfjs")) });
  console.log(JSON.stringify(line));
  mine.free();
  fused?.free();
  ta.dispose();
  tb.dispose();
}
