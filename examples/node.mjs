// kshot in Node: load a meta-trained checkpoint, adapt it to the classes of a folder of PNG (or JPEG)
// files from one image each, classify the folder's other images.
//
//   npm run build                                            # once: dist/kshot.mjs
//   node examples/node.mjs [model.safetensors] [folder]      # a checkpoint from `npx kshot train --out ...`
//
// The folder holds one subfolder of images per class (as Omniglot's character folders or the
// `imagefolder` dataset); the subfolder names are the labels. The first 5 classes are used: each one's
// first image (by name) adapts, the next 4 are classified. Without a folder it writes one of built-in
// glyph drawings first; without a checkpoint it meta-trains a small ProtoNet on the glyphs (seconds).
// The last line printed is a JSON summary.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import * as ks from "kshot";

const WAYS = 5;
const QUERIES = 4;

async function smallCheckpoint() {
  const glyphs = ks.data.glyphs();
  const algorithm = ks.meta.protonet(ks.nn.conv4({ hidden: 16, ways: 0 }));
  const tasks = ks.data.tasks(glyphs.train, { ways: 5, shots: 5, queries: 5, seed: 1 });
  const run = await ks.train(algorithm, tasks, { iterations: 40, metaLr: 0.005 });
  const bytes = await ks.io.serialize(run.params, { metadata: run.metadata });
  for (const t of Object.values(run.params)) t.dispose();
  console.log(`trained a ProtoNet on glyphs: ${run.iterations} episodes in ${run.seconds.toFixed(1)} s`);
  return bytes;
}

/** An 8-bit gray PNG file (filter 0 on every row, one zlib stream). */
function grayPng(pixels, width, height) {
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, "latin1");
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8 bits, gray, deflate, no filter method, no interlace
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) rows.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

/** A folder of glyph "scans" (dark ink on white) of the built-in test classes, never seen in training. */
async function glyphFolder() {
  const folder = await mkdtemp(join(tmpdir(), "kshot-glyphs-"));
  const test = ks.data.glyphs().test;
  const ink = new Float32Array(28 * 28);
  for (let c = 0; c < WAYS; c++) {
    const dir = join(folder, `symbol-${c}`);
    await mkdir(dir);
    for (let e = 0; e <= QUERIES; e++) {
      test.writeExample(c, e, ink, 0);
      await writeFile(join(dir, `${e}.png`), grayPng(Uint8Array.from(ink, (v) => Math.round(255 * (1 - v))), 28, 28));
    }
  }
  console.log(`wrote ${WAYS * (QUERIES + 1)} glyph drawings as PNG files to ${folder}`);
  return folder;
}

/** The first WAYS class subfolders of `folder` and their image files, by name. */
async function classes(folder) {
  const entries = (await readdir(folder, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(entries.slice(0, WAYS).map(async (name) => {
    const files = (await readdir(join(folder, name))).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
    return { name, files: files.slice(0, QUERIES + 1).map((f) => join(folder, name, f)) };
  }));
}

const args = process.argv.slice(2);
const model = args.find((a) => a.endsWith(".safetensors"));
const given = args.find((a) => !a.endsWith(".safetensors"));
const folder = given ?? (await glyphFolder());

await ks.init(); // auto: WebGPU on a hardware adapter, else WebAssembly
const learner = await ks.Learner.load(model ?? (await smallCheckpoint()));
console.log(`loaded ${learner.algorithm} (${ks.getBackendName()} backend), input ${learner.inputShape.join("×")}`);

const found = await classes(folder);
// Adapt from file paths, labelled by class name; any image source works (bytes, Blobs, URLs, canvases).
const support = found.map((c) => c.files[0]);
const adaptation = await learner.adapt(support, found.map((c) => c.name));
console.log(`adapted to ${adaptation.ways} symbols from ${support.length} examples in ${(adaptation.seconds * 1000).toFixed(0)} ms`);

// Classify the others from their bytes (a Buffer), to show that form too.
const queries = found.flatMap((c) => c.files.slice(1).map((file) => ({ file, truth: c.name })));
const predictions = await learner.predict(await Promise.all(queries.map((q) => readFile(q.file))));
predictions.forEach(({ label, ranking }, i) => {
  const top = ranking.slice(0, 2).map((r) => `${r.label} ${r.probability.toFixed(2)}`).join(", ");
  console.log(`${queries[i].file}: predicted ${label} ${label === queries[i].truth ? "✓" : "✗"}  (${top})`);
});
const labels = predictions.map((p) => p.label);
const accuracy = labels.filter((l, i) => l === queries[i].truth).length / queries.length;
console.log(`accuracy ${(100 * accuracy).toFixed(0)}% on ${queries.length} new images`);
console.log(JSON.stringify({ algorithm: learner.algorithm, backend: ks.getBackendName(), folder, ways: adaptation.ways, shots: 1, adaptSeconds: adaptation.seconds, accuracy, labels }));
learner.dispose();
if (!given) await rm(folder, { recursive: true });
