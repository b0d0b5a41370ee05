/**
 * kshot checkpoints: a safetensors file holding parameters (under their own names, PyTorch layouts, so
 * other tools can read the weights), optionally the optimizer's state (under `optimizer.`), and a
 * `__metadata__` whose `format` is `kshot/1`. The other metadata entries, each a string (objects as JSON):
 *
 * | key | content |
 * | --- | --- |
 * | `model`, `model_config` | the model's name (`conv4`, `mlp`) and its config (JSON) |
 * | `algorithm`, `algorithm_options` | the algorithm and its hyper-parameters, training and evaluation (JSON) |
 * | `training` | episode shape, meta-batch, meta-optimizer, schedule, clipping (JSON) |
 * | `evaluation` | the evaluation protocol: ways, shots, queries, inner steps and step size (JSON) |
 * | `data` | dataset, split, augmentation, path (JSON) |
 * | `optimizer` | the meta-optimizer's config (JSON) |
 * | `seed`, `iteration`, `seconds` | numbers as text |
 * | `state` | what an exact resume needs besides tensors: the task sampler's RNG state... (JSON) |
 * | `history` | the learning curve: validation results by iteration (JSON) |
 *
 * Entries kshot does not know are kept as `extra`.
 */
import type { TensorRecord } from "../autograd.ts";
import { backend } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { tensor } from "../ops/creation.ts";
import type { Tensor } from "../tensor.ts";
import { checkAgainstMetadata } from "./checkpoint-check.ts";
import { writeFileAtomic } from "./files.ts";
import { readSource } from "./source.ts";
import { parseSafetensors, serializeSafetensors, type SafetensorsEntry } from "./safetensors.ts";

export const CHECKPOINT_FORMAT = "kshot/1";
const OPTIMIZER_PREFIX = "optimizer.";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonRecord = { [key: string]: Json };

export interface CheckpointMetadata {
  model?: { name: string; config: Readonly<Record<string, string | number>> };
  algorithm?: { name: string; options: Readonly<Record<string, string | number | boolean>> };
  training?: JsonRecord;
  evaluation?: JsonRecord;
  data?: JsonRecord;
  optimizer?: JsonRecord;
  seed?: number;
  iteration?: number;
  seconds?: number;
  state?: JsonRecord;
  /** The learning curve so far: `{ validation: [{ iteration, seconds, accuracy | mse }, ...] }`. */
  history?: JsonRecord;
  /** Other `__metadata__` entries, as they are. */
  extra?: Record<string, string>;
}

export interface Checkpoint {
  /** The model's (and algorithm's) parameters. */
  params: TensorRecord;
  /** The optimizer's state tensors by their own names (`step`, `exp_avg.conv0.weight`, ...), if saved. */
  optimizer?: TensorRecord;
  metadata: CheckpointMetadata;
}

export interface SaveOptions {
  metadata?: CheckpointMetadata;
  /** Optimizer state tensors (`optimizer.stateTensors()`), stored under `optimizer.`. */
  optimizer?: TensorRecord;
}

const OBJECT_KEYS = ["training", "evaluation", "data", "optimizer", "state", "history"] as const;
const NUMBER_KEYS = ["seed", "iteration", "seconds"] as const;
const NUMBER_RANGES: Record<(typeof NUMBER_KEYS)[number], { integer: boolean; min: number }> = {
  seed: { integer: true, min: -Infinity },
  iteration: { integer: true, min: 0 },
  seconds: { integer: false, min: 0 },
};
const KNOWN = new Set(["format", "model", "model_config", "algorithm", "algorithm_options", ...OBJECT_KEYS, ...NUMBER_KEYS]);

/** Far more tensors than any model kshot builds (a Conv-4 with Adam's state has under 100). */
const MAX_TENSORS = 100_000;
/** kshot writes a few levels of nesting; deeper JSON is a corrupt or hostile file (and slow to parse). */
const MAX_JSON_DEPTH = 32;
/** Most characters of one metadata entry. */
const MAX_JSON_CHARS = 2 ** 24;

/** The deepest nesting of arrays and objects in JSON text (brackets inside strings do not count). */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** JSON.parse of a metadata entry, with its size and nesting checked first; `fail` gets what was wrong. */
export function parseMetadataJson(text: string, fail: (message: string) => never): unknown {
  checkJsonLimits(text, fail);
  try {
    return JSON.parse(text);
  } catch {
    return fail(`expected JSON, found ${JSON.stringify(text.slice(0, 40))}`);
  }
}

/** A metadata entry as JSON, refused (like loading would refuse it) when too large or too deeply nested. */
function stringify(key: string, value: unknown): string {
  const fail = (message: string): never => {
    throw new KshotError(`checkpoint metadata ${key}: cannot be written (${message})`);
  };
  let text = "";
  try {
    text = JSON.stringify(value);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  checkJsonLimits(text, fail);
  return text;
}

function checkJsonLimits(text: string, fail: (message: string) => never): void {
  if (text.length > MAX_JSON_CHARS) fail(`expected at most ${MAX_JSON_CHARS} characters of JSON, found ${text.length}`);
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) fail(`expected JSON nested at most ${MAX_JSON_DEPTH} levels deep, found ${depth}`);
}

/** The `__metadata__` strings of a checkpoint. */
export function encodeMetadata(m: CheckpointMetadata): Record<string, string> {
  const raw: Record<string, string> = { format: CHECKPOINT_FORMAT };
  if (m.model) {
    raw.model = m.model.name;
    raw.model_config = stringify("model_config", m.model.config);
  }
  if (m.algorithm) {
    raw.algorithm = m.algorithm.name;
    raw.algorithm_options = stringify("algorithm_options", m.algorithm.options);
  }
  for (const key of OBJECT_KEYS) if (m[key] !== undefined) raw[key] = stringify(key, m[key]);
  for (const key of NUMBER_KEYS) if (m[key] !== undefined) raw[key] = String(m[key]);
  for (const [key, value] of Object.entries(m.extra ?? {})) {
    if (KNOWN.has(key)) throw new KshotError(`checkpoint metadata: extra key ${JSON.stringify(key)} is one kshot writes itself`);
    raw[key] = value;
  }
  return raw;
}

/** Parses and validates `__metadata__` strings; `source` names the file in errors. */
export function decodeMetadata(raw: Readonly<Record<string, string>>, source = "checkpoint"): CheckpointMetadata {
  const fail = (message: string): never => {
    throw new KshotError(`${source}: ${message}`);
  };
  if (raw.format !== CHECKPOINT_FORMAT) {
    fail(`expected a kshot checkpoint (__metadata__ format "${CHECKPOINT_FORMAT}"), found ${raw.format === undefined ? "no format" : `format ${JSON.stringify(raw.format)}`}`);
  }
  const object = (key: string): JsonRecord | undefined => {
    const text = raw[key];
    if (text === undefined) return undefined;
    const value = parseMetadataJson(text, (message) => fail(`metadata ${key}: ${message}`));
    if (typeof value !== "object" || value === null || Array.isArray(value)) fail(`metadata ${key}: expected a JSON object, found ${text.slice(0, 40)}`);
    return value as JsonRecord;
  };
  const m: CheckpointMetadata = {};
  if (raw.model !== undefined) m.model = { name: raw.model, config: (object("model_config") ?? {}) as Record<string, string | number> };
  if (raw.algorithm !== undefined) {
    m.algorithm = { name: raw.algorithm, options: (object("algorithm_options") ?? {}) as Record<string, string | number | boolean> };
  }
  for (const key of OBJECT_KEYS) {
    const value = object(key);
    if (value !== undefined) m[key] = value;
  }
  for (const key of NUMBER_KEYS) {
    if (raw[key] === undefined) continue;
    const n = Number(raw[key]);
    if (raw[key]!.trim() === "" || !Number.isFinite(n)) fail(`metadata ${key}: expected a number, found ${JSON.stringify(raw[key].slice(0, 40))}`);
    const { integer, min } = NUMBER_RANGES[key];
    if ((integer && !Number.isSafeInteger(n)) || n < min) {
      fail(`metadata ${key}: expected ${integer ? "an integer" : "a number"}${min > -Infinity ? ` ≥ ${min}` : ""}, found ${JSON.stringify(raw[key])}`);
    }
    m[key] = n;
  }
  const extra = Object.fromEntries(Object.entries(raw).filter(([k]) => !KNOWN.has(k)));
  if (Object.keys(extra).length > 0) m.extra = extra;
  return m;
}

async function entry(name: string, t: Tensor): Promise<[string, SafetensorsEntry]> {
  const data = await t.data();
  const dtype = t.dtype === "float32" ? "F32" : t.dtype === "int32" ? "I32" : "F64";
  return [name, { dtype, shape: [...t.shape], data }];
}

/** The checkpoint's bytes (reads every tensor back: await it outside `tidy`). */
export async function serialize(params: TensorRecord, options: SaveOptions = {}): Promise<Uint8Array> {
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [name, t] of Object.entries(params)) {
    if (name.startsWith(OPTIMIZER_PREFIX)) {
      throw new KshotError(`checkpoint: parameter names may not start with "${OPTIMIZER_PREFIX}" (reserved for the optimizer's state), got ${name}`);
    }
    tensors.set(...(await entry(name, t)));
  }
  for (const [name, t] of Object.entries(options.optimizer ?? {})) tensors.set(...(await entry(OPTIMIZER_PREFIX + name, t)));
  return serializeSafetensors(tensors, encodeMetadata(options.metadata ?? {}));
}

/** Writes a checkpoint file atomically (temp file, then rename): a crash never leaves half a file (Node, Deno). */
export async function save(params: TensorRecord, path: string, options: SaveOptions = {}): Promise<void> {
  await writeFileAtomic(path, await serialize(params, options));
}

function toTensor(name: string, e: SafetensorsEntry, source: string): Tensor {
  if (e.data instanceof Float32Array) return tensor(e.data, e.shape, "float32");
  if (e.data instanceof Int32Array) return tensor(e.data, e.shape, "int32");
  if (e.data instanceof Float64Array) {
    if (!backend().dtypes.includes("float64")) {
      throw new KshotError(`${source}: tensor ${name} is F64, which the ${backend().name} backend cannot hold (only float32 and int32)`);
    }
    return tensor(e.data, e.shape, "float64");
  }
  throw new KshotError(`${source}: tensor ${name} is ${e.dtype}; kshot checkpoints hold F32, F16, BF16, F64 or I32 tensors`);
}

/** Checkpoint contents from bytes (validates the format and every tensor; tensors on the active backend). */
export function parseCheckpoint(bytes: Uint8Array, source = "checkpoint"): Checkpoint {
  if (!(bytes instanceof Uint8Array)) throw new KshotError(`${source}: expected the checkpoint's bytes as a Uint8Array, got ${bytes === null ? "null" : typeof bytes}`);
  const { tensors, metadata: raw } = parseSafetensors(bytes, source);
  if (tensors.size > MAX_TENSORS) throw new KshotError(`${source}: ${tensors.size} tensors; a kshot checkpoint holds at most ${MAX_TENSORS}`);
  const metadata = decodeMetadata(raw, source);
  checkAgainstMetadata(tensors, metadata, source);
  const params: TensorRecord = {};
  const optimizer: TensorRecord = {};
  try {
    for (const [name, e] of tensors) {
      if (name.startsWith(OPTIMIZER_PREFIX)) optimizer[name.slice(OPTIMIZER_PREFIX.length)] = toTensor(name, e, source);
      else params[name] = toTensor(name, e, source);
    }
  } catch (err) {
    disposeCheckpoint({ params, optimizer, metadata }); // no tensor outlives a failed parse
    throw err;
  }
  return Object.keys(optimizer).length > 0 ? { params, optimizer, metadata } : { params, metadata };
}

/**
 * Loads a checkpoint from bytes, a file path (Node, Deno), a `file:` URL, or an http(s)/blob/data URL
 * (fetched; in a page, a relative URL too). Throws a KshotError naming the source when it cannot be read
 * or is not a kshot checkpoint.
 */
export async function load(source: Uint8Array | string | URL): Promise<Checkpoint> {
  if (source instanceof Uint8Array) return parseCheckpoint(source);
  if (typeof source !== "string" && !(source instanceof URL)) throw new KshotError(`load: expected bytes, a path or a URL, got ${typeof source}`);
  const { bytes, name } = await readSource(source);
  return parseCheckpoint(bytes, name);
}

/** Frees every tensor of a loaded checkpoint. */
export function disposeCheckpoint(c: Checkpoint): void {
  for (const t of Object.values(c.params)) t.dispose();
  for (const t of Object.values(c.optimizer ?? {})) t.dispose();
}
