/**
 * A smoke run of the WebGPU backend in Deno (navigator.gpu, llvmpipe here): a few kernels of every family
 * against the reference backend. Run: node_modules/.bin/deno run -A test/backend/webgpu/deno-smoke.ts
 * Prints one line per kernel and exits non-zero on a mismatch. (The full suites run in Deno through the
 * test shims; this proves the backend without them.)
 */
import type { Backend, BackendBuffer } from "../../../src/backend/backend.ts";
import { ReferenceBackend } from "../../../src/backend/reference/reference-backend.ts";
import { createWebGPUBackend, probeWebGPU } from "../../../src/backend/webgpu/index.ts";
import type { TypedArrayFor } from "../../../src/dtype.ts";

const probe = await probeWebGPU();
console.log(`adapter: ${probe.available ? probe.description : probe.reason} (software: ${probe.isSoftware})`);
const gpu = await createWebGPUBackend({ allowSoftware: true });
const ref = new ReferenceBackend();
let failures = 0;

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2);
}

type Call = (b: Backend, ins: BackendBuffer[], out: BackendBuffer) => void;

async function run(b: Backend, inputs: TypedArrayFor[], outDtype: "float32" | "int32", outSize: number, call: Call): Promise<TypedArrayFor> {
  const ins = inputs.map((d) => {
    const buf = b.allocate(d instanceof Int32Array ? "int32" : "float32", d.length);
    b.write(buf, d);
    return buf;
  });
  const out = b.allocate(outDtype, outSize);
  call(b, ins, out);
  const result = await b.read(out);
  for (const x of [...ins, out]) b.free(x);
  return result;
}

async function check(name: string, inputs: TypedArrayFor[], outDtype: "float32" | "int32", outSize: number, call: Call): Promise<void> {
  const t = performance.now();
  const got = await run(gpu, inputs, outDtype, outSize, call);
  const ms = performance.now() - t;
  const want = await run(ref, inputs, outDtype, outSize, call);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const same = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : got[i] === want[i] || Math.abs(got[i] - want[i]) <= 1e-4 * (1 + Math.abs(want[i]));
    if (!same) worst++;
  }
  if (worst) failures++;
  console.log(`${worst ? "FAIL" : "ok  "} ${name}: ${want.length} elements, ${worst} differ (${ms.toFixed(0)} ms)`);
}

const x = rand(4 * 8 * 10 * 10, 1);
x[5] = NaN;
await check("unary exp", [x], "float32", x.length, (b, [a], o) => b.unary("exp", a, o));
await check("binary max, broadcast", [x, rand(10, 2)], "float32", x.length,
  (b, [a, c], o) => b.binary("max", a, c, o, { outShape: [320, 10], strides: [[10, 1], [0, 1]] }));
await check("reduce argmax", [x], "int32", 320, (b, [a], o) => b.reduce("argmax", a, o, 320, 10, 1));
await check("reduce sum (rows)", [x.map((v) => (Number.isNaN(v) ? 0 : v))], "float32", 4, (b, [a], o) => b.reduce("sum", a, o, 4, 800, 1));
const mm = { batch: 2, m: 33, n: 20, k: 17, transA: false, transB: true, aBatchStride: 33 * 17, bBatchStride: 20 * 17 };
await check("matmul 2x33x17 . (20x17)^T", [rand(2 * 33 * 17, 3), rand(2 * 20 * 17, 4)], "float32", 2 * 33 * 20, (b, [a, c], o) => b.matmul(a, c, o, mm));
const conv = { batch: 4, inC: 8, inH: 10, inW: 10, outC: 8, outH: 10, outW: 10, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, groups: 2 };
const xc = rand(4 * 8 * 100, 5);
const wc = rand(8 * 4 * 9, 6);
const dy = rand(4 * 8 * 100, 7);
await check("conv2d groups 2", [xc, wc], "float32", 3200, (b, [a, w], o) => b.conv2d(a, w, o, conv));
await check("conv2d backward-data", [dy, wc], "float32", 3200, (b, [d, w], o) => b.conv2dBackwardData(d, w, o, conv));
await check("conv2d backward-filter", [xc, dy], "float32", wc.length, (b, [a, d], o) => b.conv2dBackwardFilter(a, d, o, conv));
const pool = { batch: 4, channels: 8, inH: 10, inW: 10, outH: 5, outW: 5, kh: 2, kw: 2, strideH: 2, strideW: 2 };
await check("max-pool 2x2", [x], "float32", 800, (b, [a], o) => {
  const idx = b.allocate("int32", 800);
  b.maxPool2d(a, o, idx, pool);
  b.free(idx);
});
const labels = Int32Array.from({ length: 30 }, (_v, i) => (i * 7) % 5);
await check("gather rows", [rand(50, 8), labels], "float32", 300, (b, [d, i], o) => b.gather(d, i, o, { outer: 1, axis: 5, inner: 10, count: 30, batchedIndices: false }));
await check("scatter-add rows", [rand(300, 9), labels], "float32", 50, (b, [s, i], o) => b.scatterAdd(s, i, o, { outer: 1, axis: 5, inner: 10, count: 30, batchedIndices: false }));
await check("copy transpose", [x], "float32", 100, (b, [a], o) => b.copy(a, o, { shape: [10, 10], srcStrides: [1, 10], srcOffset: 0, dstStrides: [10, 1], dstOffset: 0 }));
await check("cast to int32", [x.map((v) => v * 100)], "int32", x.length, (b, [a], o) => b.cast(a, o));

console.log(`counters: ${JSON.stringify(gpu.counters)}`);
gpu.dispose();
if (failures) {
  console.log(`${failures} kernel(s) differ from the reference`);
  Deno.exit(1);
}
console.log("all kernels match the reference");
