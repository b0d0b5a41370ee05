// Run by scripts/test-consumer.mjs in an empty project where the packed kshot is installed, in Node and in
// Deno: a short meta-training run, then a Learner adapted, saved and loaded back, predicting the same; a
// PNG the script wrote (glyph.png, 28×28 gray) decoded by the bundled decoder.
import * as ks from "kshot";

const png = ks.data.decodeImage(new Uint8Array(await (await import("node:fs/promises")).readFile("glyph.png")), "glyph.png");
if (png.width !== 28 || png.height !== 28) throw new Error(`glyph.png decoded as ${png.width}×${png.height}`);

await ks.init({ backend: "wasm" });
const glyphs = ks.data.glyphs();
const algorithm = ks.meta.protonet(ks.nn.conv4({ hidden: 8, ways: 0 }));
const tasks = ks.data.tasks(glyphs.train, { ways: 3, shots: 1, queries: 2, seed: 1 });
let checkpoint;
const run = await ks.train(algorithm, tasks, {
  iterations: 2,
  checkpoint: { write: (bytes) => void (checkpoint = bytes), metadata: { data: { dataset: "glyphs" } } },
});
if (!(checkpoint instanceof Uint8Array)) throw new Error("ks.train wrote no checkpoint");

/** Example `e` of test glyph class `c` as 8-bit dark ink on white. */
function drawing(c, e) {
  const ink = new Float32Array(28 * 28);
  glyphs.test.writeExample(c, e, ink, 0);
  return { data: Uint8Array.from(ink, (v) => Math.round(255 * (1 - v))), width: 28, height: 28 };
}

const learner = await ks.Learner.load(checkpoint);
await learner.adapt([0, 1, 2].map((c) => drawing(c, 0)), [0, 1, 2]);
const queries = [0, 1, 2].map((c) => drawing(c, 1));
const before = JSON.stringify(await learner.predict(queries));
const reloaded = await ks.Learner.load(await learner.save());
const after = JSON.stringify(await reloaded.predict(queries));
if (before !== after) throw new Error(`the reloaded learner predicts differently:\n${before}\n${after}`);
console.log(`ok ${JSON.stringify({ backend: ks.getBackendName(), iterations: run.iterations, algorithm: learner.algorithm })}`);
