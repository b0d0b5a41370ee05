// kshot in Deno: load a meta-trained checkpoint, adapt it to five new symbols from one example each,
// classify new drawings of them. The TypeScript sources run as they are (deno.json maps "kshot" to
// src/index.ts; `npm run build` once generates the inlined wasm and shaders they import).
//
//   deno run -A examples/deno.ts [model.safetensors]     # a checkpoint from `npx kshot train --out ...`
//
// Without a checkpoint it meta-trains a small ProtoNet on the built-in glyphs first (seconds).
// The last line printed is a JSON summary.
import * as ks from "kshot";

/** A glyph of the built-in test classes (never seen in training) as 8-bit dark ink on white paper, like a scan. */
function drawing(split: ks.data.ClassSource, glyphClass: number, example: number): ks.RawImage {
  const ink = new Float32Array(28 * 28);
  split.writeExample(glyphClass, example, ink, 0);
  return { data: Uint8Array.from(ink, (v) => Math.round(255 * (1 - v))), width: 28, height: 28 };
}

async function smallCheckpoint(): Promise<Uint8Array> {
  const glyphs = ks.data.glyphs();
  const algorithm = ks.meta.protonet(ks.nn.conv4({ hidden: 16, ways: 0 }));
  const tasks = ks.data.tasks(glyphs.train, { ways: 5, shots: 5, queries: 5, seed: 1 });
  let bytes: Uint8Array | undefined;
  const run = await ks.train(algorithm, tasks, {
    iterations: 40, metaLr: 0.005,
    checkpoint: { write: (b) => void (bytes = b), metadata: { data: { dataset: "glyphs" } } },
  });
  for (const t of Object.values(run.params)) t.dispose();
  console.log(`trained a ProtoNet on glyphs: ${run.iterations} episodes in ${run.seconds.toFixed(1)} s`);
  return bytes!;
}

await ks.init(); // auto: WebGPU on a hardware adapter, else WebAssembly
const source = Deno.args[0] ?? (await smallCheckpoint());
const learner = await ks.Learner.load(source);
console.log(`loaded ${learner.algorithm} (${ks.getBackendName()} backend), input ${learner.inputShape.join("×")}`);

const test = ks.data.glyphs().test;
const ways = 5;
const examples = Array.from({ length: ways }, (_, c) => drawing(test, c, 0));
const names = ["alpha", "beta", "gamma", "delta", "epsilon"]; // any labels: class names or integer ids
const adaptation = await learner.adapt(examples, names);
console.log(`adapted to ${adaptation.ways} symbols from ${examples.length} examples in ${(adaptation.seconds * 1000).toFixed(0)} ms`);

const queries: ks.RawImage[] = [];
const truth: string[] = [];
for (let c = 0; c < ways; c++) {
  for (let e = 1; e <= 4; e++) {
    queries.push(drawing(test, c, e));
    truth.push(names[c]!);
  }
}
const predictions = await learner.predict(queries); // one { label, probabilities, ranking } per drawing
predictions.forEach(({ label, ranking }, i) => {
  const top = ranking.slice(0, 2).map((r) => `${r.label} ${r.probability.toFixed(2)}`).join(", ");
  console.log(`drawing ${String(i).padStart(2)} of ${truth[i]}: predicted ${label} ${label === truth[i] ? "✓" : "✗"}  (${top})`);
});
const labels = predictions.map((p) => p.label);
const accuracy = labels.filter((l, i) => l === truth[i]).length / truth.length;
console.log(`accuracy ${(100 * accuracy).toFixed(0)}% on ${truth.length} new drawings`);
console.log(JSON.stringify({ algorithm: learner.algorithm, backend: ks.getBackendName(), ways, shots: 1, adaptSeconds: adaptation.seconds, accuracy, labels }));
learner.dispose();
