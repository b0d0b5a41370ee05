// The files edge-adapt.bench.mjs prepares for the runners, and how each runtime reads them back:
// maml.safetensors, protonet.safetensors (checkpoints), task.json (shape, labels, where the images come
// from) and task.bin (float32, ink = 1: the support images, then the query images).

/** The task and checkpoints from the files' contents. */
export function parseWorkFiles({ maml, protonet, taskJson, taskBin }) {
  const info = JSON.parse(taskJson);
  const pixels = info.size * info.size;
  const floats = new Float32Array(taskBin.buffer, taskBin.byteOffset, taskBin.byteLength / 4);
  const supportCount = info.ways * info.shots;
  const task = {
    size: info.size,
    labels: Int32Array.from(info.labels),
    support: floats.slice(0, supportCount * pixels),
    query: floats.slice(supportCount * pixels),
    deterministic: info.deterministic ?? true,
  };
  return { checkpoints: { maml, protonet }, task, info };
}

/** Node and Deno: from the work directory. */
export async function readWorkDir(dir) {
  const { readFile } = await import("node:fs/promises");
  const bytes = async (name) => new Uint8Array(await readFile(`${dir}/${name}`));
  return parseWorkFiles({
    maml: await bytes("maml.safetensors"),
    protonet: await bytes("protonet.safetensors"),
    taskJson: new TextDecoder().decode(await bytes("task.json")),
    taskBin: await bytes("task.bin"),
  });
}

/** A browser page: from the URL prefix the work directory is served at. */
export async function fetchWorkDir(base) {
  const bytes = async (name) => {
    const r = await fetch(`${base}${name}`);
    if (!r.ok) throw new Error(`GET ${base}${name}: ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  };
  return parseWorkFiles({
    maml: await bytes("maml.safetensors"),
    protonet: await bytes("protonet.safetensors"),
    taskJson: new TextDecoder().decode(await bytes("task.json")),
    taskBin: await bytes("task.bin"),
  });
}
