// Convolutions: kshot's wasm backend (plain-SIMD build, one thread) vs TensorFlow.js 4.22 on the four
// Conv-4 layer shapes (3×3, pad 1, stride 1, 64 filters; 28×28 input) at batch 80 and 600.
// - forward (Conv2D) and backward data (Conv2DBackpropInput): vs TF.js wasm (XNNPACK, one thread, NHWC);
// - backward filter: TF.js wasm has no Conv2DBackpropFilter kernel, so the comparison is with its cpu
//   backend (plain JS), which is so slow that it is timed at batch 1 and reported per FLOP;
// - a meta-batch of 32 tasks × 5 images as one grouped convolution (groups 32, 64 channels per group)
//   against the same FLOPs ungrouped (batch 160): grouped must be as fast per FLOP;
// - a Conv-4 forward + backward on 600 images (a 60-way 5-shot 5-query ProtoNet episode), in ms.
// One JSON line per measurement; `--quick` shortens it.
import { compare, loadKshotWasm, loadTfjs, pairedRatio, quick, randomArray, round } from "./wasm-harness.mjs";

const { createWasmBackend } = await loadKshotWasm();
const tf = await loadTfjs();
const ks = await createWasmBackend();

const LAYERS = [
  { layer: 1, inC: 1, size: 28 }, { layer: 2, inC: 64, size: 14 }, { layer: 3, inC: 64, size: 7 }, { layer: 4, inC: 64, size: 3 },
];
const OUT_C = 64;

function convParams(batch, inC, size) {
  return { batch, inC, inH: size, inW: size, outC: OUT_C, outH: size, outW: size, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, groups: 1 };
}

const flops = (p) => 2 * p.batch * p.outC * p.outH * p.outW * p.inC * p.kh * p.kw;
const gflops = (p, ms) => round(flops(p) / (ms * 1e6), 1);

function upload(data) {
  const b = ks.allocate("float32", data.length);
  ks.write(b, data);
  return b;
}

// ---- per-kernel comparisons ----
for (const batch of quick ? [80] : [80, 600]) {
  for (const { layer, inC, size } of LAYERS) {
    const p = convParams(batch, inC, size);
    const xData = randomArray(batch * inC * size * size, 1), wData = randomArray(OUT_C * inC * 9, 2);
    const dyData = randomArray(batch * OUT_C * size * size, 3);
    const x = upload(xData), w = upload(wData), dy = upload(dyData);
    const y = ks.allocate("float32", dyData.length), dx = ks.allocate("float32", xData.length), dw = ks.allocate("float32", wData.length);
    // TF.js: NHWC activations, HWIO filters (values differ in layout only; speed does not depend on them).
    const tx = tf.tensor4d(xData, [batch, size, size, inC]), tw = tf.tensor4d(wData, [3, 3, inC, OUT_C]);
    const tdy = tf.tensor4d(dyData, [batch, size, size, OUT_C]);
    const rounds = quick ? 3 : batch >= 600 ? 3 : 7;
    const base = { layer, batch, inC, outC: OUT_C, size };

    const fwd = compare({ kshot: () => ks.conv2d(x, w, y, p), tfjs: () => tf.conv2d(tx, tw, 1, "same").dispose() }, { rounds });
    console.log(JSON.stringify({ name: "conv2d_forward", ...base, kshot_ms: round(fwd.kshot), tfjs_wasm_ms: round(fwd.tfjs),
      kshot_gflops: gflops(p, fwd.kshot), tfjs_wasm_gflops: gflops(p, fwd.tfjs), ratio: round(pairedRatio(fwd, "kshot", "tfjs")) }));

    const bwd = compare({
      kshot: () => ks.conv2dBackwardData(dy, w, dx, p),
      tfjs: () => tf.conv2dTranspose(tdy, tw, [batch, size, size, inC], 1, "same").dispose(),
    }, { rounds });
    console.log(JSON.stringify({ name: "conv2d_backward_data", ...base, kshot_ms: round(bwd.kshot), tfjs_wasm_ms: round(bwd.tfjs),
      kshot_gflops: gflops(p, bwd.kshot), tfjs_wasm_gflops: gflops(p, bwd.tfjs), ratio: round(pairedRatio(bwd, "kshot", "tfjs")) }));

    const filt = compare({ kshot: () => ks.conv2dBackwardFilter(x, dy, dw, p) }, { rounds });
    console.log(JSON.stringify({ name: "conv2d_backward_filter", ...base, kshot_ms: round(filt.kshot), kshot_gflops: gflops(p, filt.kshot),
      tfjs_wasm: "no Conv2DBackpropFilter kernel in the TF.js wasm backend (see conv2d_backward_filter_tfjs_cpu)" }));

    [x, w, dy, y, dx, dw].forEach((b) => ks.free(b));
    [tx, tw, tdy].forEach((t) => t.dispose());
  }
}

// ---- grouped (a meta-batch of tasks, each with its own weights) vs ungrouped, same FLOPs ----
{
  const tasks = 32, perTask = 5;
  for (const { layer, inC, size } of quick ? LAYERS.filter((l) => l.layer === 2 || l.layer === 4) : LAYERS) {
    const setup = (batch, groups) => {
      const p = { ...convParams(batch, inC * groups, size), outC: OUT_C * groups, groups };
      const x = upload(randomArray(batch * p.inC * size * size, 6)), w = upload(randomArray(p.outC * inC * 9, 7));
      const dy = upload(randomArray(batch * p.outC * size * size, 8));
      const y = ks.allocate("float32", dy.size), dx = ks.allocate("float32", x.size), dw = ks.allocate("float32", w.size);
      return {
        p, buffers: [x, w, dy, y, dx, dw],
        forward: () => ks.conv2d(x, w, y, p), backward_data: () => ks.conv2dBackwardData(dy, w, dx, p),
        backward_filter: () => ks.conv2dBackwardFilter(x, dy, dw, p),
      };
    };
    const grouped = setup(perTask, tasks), ungrouped = setup(perTask * tasks, 1);
    const gf = (ms) => round(flops(convParams(perTask * tasks, inC, size)) / (ms * 1e6), 1);
    for (const kernel of ["forward", "backward_data", "backward_filter"]) {
      const t = compare({ grouped: grouped[kernel], ungrouped: ungrouped[kernel] }, { rounds: quick ? 2 : 4 });
      console.log(JSON.stringify({ name: "conv2d_grouped", kernel, layer, tasks, images_per_task: perTask, channels_per_group: OUT_C,
        grouped_gflops: gf(t.grouped), ungrouped_gflops: gf(t.ungrouped), ratio: round(pairedRatio(t, "grouped", "ungrouped")) }));
    }
    [...grouped.buffers, ...ungrouped.buffers].forEach((b) => ks.free(b));
  }
}

// ---- backward filter vs TF.js cpu, at batch 1 (its plain-JS kernel takes seconds per image) ----
await tf.setBackend("cpu");
for (const { layer, inC, size } of quick ? LAYERS.filter((l) => l.layer === 4) : LAYERS.filter((l) => l.layer !== 2)) {
  const p = convParams(1, inC, size);
  const xData = randomArray(inC * size * size, 4), dyData = randomArray(OUT_C * size * size, 5);
  const x = upload(xData), dy = upload(dyData), dw = ks.allocate("float32", OUT_C * inC * 9);
  const tx = tf.tensor4d(xData, [1, size, size, inC]), tdy = tf.tensor4d(dyData, [1, size, size, OUT_C]);
  const attrs = { strides: [1, 1], pad: "same", dataFormat: "NHWC", dimRoundingMode: undefined, filterShape: [3, 3, inC, OUT_C] };
  const t0 = performance.now();
  tf.engine().runKernel("Conv2DBackpropFilter", { x: tx, dy: tdy }, attrs).dispose();
  const tfMs = performance.now() - t0;
  const mine = compare({ kshot: () => ks.conv2dBackwardFilter(x, dy, dw, p) }, { rounds: 3, minMs: 20 });
  console.log(JSON.stringify({ name: "conv2d_backward_filter_tfjs_cpu", layer, batch: 1, inC, outC: OUT_C, size,
    kshot_ms: round(mine.kshot, 3), tfjs_cpu_ms: round(tfMs), ratio: round(tfMs / mine.kshot, 0),
    note: "TF.js wasm lacks Conv2DBackpropFilter; compared with TF.js cpu (plain JS), one call at batch 1" }));
  [x, dy, dw].forEach((b) => ks.free(b));
  [tx, tdy].forEach((t) => t.dispose());
}
await tf.setBackend("wasm");

// ---- a Conv-4 forward + backward on 600 images ----
{
  const { conv4Step, conv4Flops } = await import("./wasm-conv4-step.mjs");
  const step = conv4Step(ks, 600, 60);
  const t = compare({ kshot: step.run }, { rounds: quick ? 2 : 4, minMs: 10 });
  console.log(JSON.stringify({ name: "conv4_forward_backward", images: 600, ways: 60, kshot_ms: round(t.kshot, 1),
    kshot_gflops: round(conv4Flops(600) / (t.kshot * 1e6), 1), dispatches_per_step: step.dispatches,
    model: "4 × (conv 3×3 64 + bias + ReLU + maxpool 2), linear 64→60, softmax-free squared-error head; no batch norm" }));
  step.free();
}
