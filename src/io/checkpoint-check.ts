/**
 * A checkpoint checked against its own metadata, before any of its tensors is made: the model that
 * `model` + `model_config` describe must have exactly the stored parameters (names, shapes, floating-point
 * dtypes), the algorithm must suit the model, and the algorithm's own meta-parameters (Meta-SGD's step
 * sizes, fine-tuning's head) must be there with their shapes. Every loader goes through `parseCheckpoint`,
 * so `ks.io.load`, `Learner.load`, `kshot eval` and `--resume` all refuse the same files.
 * Checkpoints of models kshot does not build (a user's own) are checked by their user.
 */
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { formatShape } from "../shape.ts";
import { BUILT_IN_MODELS, createAlgorithm, createModel, needsHead, checkAlgorithmName } from "../train/algorithms.ts";
import type { Model } from "../nn/model.ts";
import type { CheckpointMetadata } from "./checkpoint.ts";
import type { SafetensorsEntry } from "./safetensors.ts";

/** Most input elements per example a stored model may declare (a 2^13 × 2^13 × 3 image). */
const MAX_INPUT_ELEMENTS = 3 * 2 ** 26;
const FLOAT_DTYPES = new Set(["F32", "F16", "BF16", "F64"]);

type Fail = (message: string) => never;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkTensor(name: string, shape: readonly number[], entry: SafetensorsEntry | undefined, owner: string, fail: Fail): void {
  if (!entry) fail(`${owner} has a parameter ${name} ${formatShape(shape)}, which the checkpoint lacks`);
  if (!FLOAT_DTYPES.has(entry.dtype)) fail(`parameter ${name}: expected a floating-point tensor, found ${entry.dtype}`);
  if (!sameShape(shape, entry.shape)) fail(`parameter ${name}: ${owner} expects shape ${formatShape(shape)}, the checkpoint has ${formatShape(entry.shape)}`);
}

function storedModel(m: NonNullable<CheckpointMetadata["model"]>, fail: Fail): Model {
  let model: Model;
  try {
    model = createModel(m.name, m.config);
  } catch (err) {
    if (err instanceof KshotError) fail(`model_config: ${err.message}`);
    throw err;
  }
  const inputs = model.inputShape.reduce((a, b) => a * b, 1);
  if (inputs > MAX_INPUT_ELEMENTS) fail(`model_config: the ${m.name} takes inputs ${formatShape(model.inputShape)} (${inputs} values each); at most ${MAX_INPUT_ELEMENTS} are allowed`);
  return model;
}

/** Throws a KshotError starting with `source` unless the tensors are what the metadata says. */
export function checkAgainstMetadata(tensors: ReadonlyMap<string, SafetensorsEntry>, metadata: CheckpointMetadata, source: string): void {
  const fail: Fail = (message) => {
    throw new KshotError(`${source}: ${message}`);
  };
  if (!metadata.model || !BUILT_IN_MODELS.includes(metadata.model.name)) return;
  const model = storedModel(metadata.model, fail);
  const owner = `the ${model.name} of model_config ${JSON.stringify(model.config)}`;
  for (const [name, shape] of Object.entries(model.paramShapes)) checkTensor(name, shape, tensors.get(name), owner, fail);
  if (!metadata.algorithm) return;
  const name = checkAlgorithmName(metadata.algorithm.name);
  const head = Object.keys(model.paramShapes).filter((k) => k.startsWith("head."));
  if (!needsHead(name) && head.length > 0) {
    fail(`${name} uses the model as an embedding, without a head, but the model has ${head.join(", ")}: parameters of another algorithm?`);
  }
  let algorithm;
  try {
    algorithm = createAlgorithm(name, model, metadata.algorithm.options);
  } catch (err) {
    if (err instanceof KshotError) fail(`algorithm_options: ${err.message}`);
    throw err;
  }
  // The model's parameters match, so the meta-parameters are about the size of the file's tensors.
  const expected = tidy(() => {
    const params = algorithm.init(new Rng(0));
    return Object.entries(params).map(([k, t]) => [k, [...t.shape]] as const);
  });
  for (const [k, shape] of expected) checkTensor(k, shape, tensors.get(k), `${name} on this model`, fail);
}
