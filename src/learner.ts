/**
 * `Learner`: the edge API. Load a meta-trained checkpoint, adapt it to a new task from a few labelled
 * examples, classify new examples, save the adapted learner.
 *
 * @example
 * const learner = await ks.Learner.load("glyphs-protonet.safetensors");   // path, URL or bytes
 * await learner.adapt(images, [0, 0, 1, 1, 2, 2]);                          // canvases, ImageData, {data,width,height}
 * const { probabilities, labels } = await learner.predict(canvas);
 * learner.reset();    // back to the loaded meta-parameters (adaptation never changes them)
 * learner.dispose();
 *
 * Adaptation by algorithm, BatchNorm statistics and the state's tensors: src/learner/adaptation.ts.
 * Input conversion (luma, alpha, resizing, polarity): src/learner/inputs.ts.
 */
import type { TensorRecord } from "./autograd.ts";
import { backend, engineOptions, hasBackend, tidy } from "./engine.ts";
import { KshotError } from "./errors.ts";
import { init, type BackendName } from "./init.ts";
import { type Checkpoint, type CheckpointMetadata, disposeCheckpoint, load, serialize } from "./io/checkpoint.ts";
import { currentRuntime } from "./io/files-host.ts";
import { type AdaptationKind, type AdaptedState, adaptationKind, adaptToTask, type AdaptSettings, predictProbabilities, requiredTensors } from "./learner/adaptation.ts";
import { type ImageLike, type InputOptions, imagesToTensor } from "./learner/inputs.ts";
import { checkLabels } from "./learner/labels.ts";
import type { AlgorithmName, MetaAlgorithm } from "./meta/algorithm.ts";
import { tensor } from "./ops/creation.ts";
import { reshape } from "./ops/shape.ts";
import type { Tensor } from "./tensor.ts";
import { fromMetadata, storedEvaluation } from "./train/algorithms.ts";

export { type ImageLike, type InputOptions, type Polarity, type RawImage, imagesToTensor } from "./learner/inputs.ts";

export interface LoadOptions {
  /** The backend to start when none runs yet (default "auto"); if one runs, it must be this one. */
  backend?: BackendName;
  /**
   * When the learner starts the backend: false runs the fast mode (the wasm backend's relaxed-SIMD fused
   * multiply-add where the engine validates it, as `ks.init({ deterministic: false })`). Default true.
   */
  deterministic?: boolean;
}

export interface AdaptOptions extends AdaptSettings, InputOptions {}

export interface Adaptation {
  /** Wall time of the adaptation, input conversion included. */
  seconds: number;
  /** Gradient steps taken (0 for ProtoNet and Matching Net). */
  steps: number;
  /** Classes of the task. */
  ways: number;
  /** Cross-entropy of the support set under the adapted learner. */
  loss?: number;
}

export interface Prediction {
  /** One row of class probabilities per example (each sums to 1). */
  probabilities: Float32Array[];
  /** The most probable class of each example. */
  labels: number[];
}

/** Tensors of a saved adapted state are stored under this prefix; metadata `learner` says its kind and ways. */
const STATE_PREFIX = "learner.";
const STATE_METADATA = "learner";

async function startBackend(wanted: BackendName | undefined, deterministic: boolean | undefined): Promise<void> {
  if (!hasBackend()) {
    await init({ backend: wanted ?? "auto", deterministic });
    return;
  }
  const running = backend().name;
  if (wanted !== undefined && wanted !== "auto" && wanted !== running) {
    throw new KshotError(`Learner.load: the ${running} backend is running; it cannot switch to ${wanted} (call ks.init({ backend: "${wanted}" }) before creating any tensor)`);
  }
  if (deterministic !== undefined && deterministic !== engineOptions().deterministic) {
    throw new KshotError(`Learner.load: expected deterministic: ${deterministic}, but the running backend was started with deterministic: ${!deterministic} (call ks.init({ deterministic: ${deterministic} }) before creating any tensor)`);
  }
}

/** Where to read the checkpoint from; in a page, a relative string is a URL relative to the page. */
function checkpointSource(source: unknown): Uint8Array | string | URL {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  const page = (globalThis as { location?: { href: string } }).location;
  if (typeof source === "string" && currentRuntime() === "browser" && page && !/^[a-z][a-z0-9+.-]*:/i.test(source)) return new URL(source, page.href);
  if (source instanceof Uint8Array || typeof source === "string" || source instanceof URL) return source;
  throw new KshotError(`Learner.load: expected a file path, a URL, a Uint8Array or an ArrayBuffer, got ${source === null ? "null" : typeof source}`);
}

/** The model and algorithm of a checkpoint, checked to be something the Learner can adapt. */
function rebuild(metadata: CheckpointMetadata, params: TensorRecord): MetaAlgorithm {
  if (!metadata.model || !metadata.algorithm) {
    throw new KshotError(`Learner.load: expected a checkpoint written by kshot train (its metadata names the model and algorithm), found no ${metadata.model ? "algorithm" : "model"}`);
  }
  const { algorithm } = fromMetadata(metadata);
  if (algorithm.loss !== "cross_entropy") {
    throw new KshotError(`Learner.load: the Learner classifies, but this is a regression checkpoint (${algorithm.name} with ${algorithm.loss} loss, e.g. sinusoid): adapt it with ks.meta and algorithm.evaluate`);
  }
  if (algorithm.model.inputShape.length !== 3) {
    throw new KshotError(`Learner.load: the Learner takes image models [C, H, W]; this ${algorithm.model.name} takes inputs [${algorithm.model.inputShape.join(", ")}]`);
  }
  const missing = Object.keys(algorithm.model.paramShapes).filter((k) => !params[k]);
  if (missing.length > 0) throw new KshotError(`Learner.load: the checkpoint lacks the ${algorithm.model.name} parameters ${missing.join(", ")}`);
  return algorithm;
}

/** A saved adapted state (tensors under `learner.`), or undefined when the checkpoint holds none. */
function savedState(c: Checkpoint, kind: AdaptationKind): AdaptedState | undefined {
  const raw = c.metadata.extra?.[STATE_METADATA];
  if (raw === undefined) return undefined;
  let info: { kind?: unknown; ways?: unknown };
  try {
    info = JSON.parse(raw) as typeof info;
  } catch {
    throw new KshotError(`Learner.load: metadata ${STATE_METADATA}: expected JSON { kind, ways }, found ${raw.slice(0, 40)}`);
  }
  if (info.kind !== kind || typeof info.ways !== "number") {
    throw new KshotError(`Learner.load: metadata ${STATE_METADATA}: expected an adapted state of kind ${kind} with ways, found ${raw.slice(0, 80)}`);
  }
  const tensors: TensorRecord = {};
  for (const [name, t] of Object.entries(c.params)) if (name.startsWith(STATE_PREFIX)) tensors[name.slice(STATE_PREFIX.length)] = t;
  const missing = requiredTensors(kind).filter((k) => !tensors[k]);
  if (missing.length > 0) throw new KshotError(`Learner.load: the saved adapted state lacks ${missing.map((k) => STATE_PREFIX + k).join(", ")}`);
  return { kind, ways: info.ways, tensors };
}

function disposeRecord(r: TensorRecord): void {
  for (const t of Object.values(r)) t.dispose();
}

export class Learner {
  readonly algorithm: AlgorithmName;
  /** [C, H, W] of the model's input: images are converted to it. */
  readonly inputShape: readonly [number, number, number];
  /** The checkpoint's metadata (model, algorithm, training and evaluation settings). */
  readonly metadata: CheckpointMetadata;
  readonly #algo: MetaAlgorithm;
  readonly #params: TensorRecord;
  #state: AdaptedState | undefined;
  #disposed = false;

  private constructor(algo: MetaAlgorithm, params: TensorRecord, metadata: CheckpointMetadata, state: AdaptedState | undefined) {
    this.#algo = algo;
    this.#params = params;
    this.#state = state;
    this.algorithm = algo.name;
    const [c, h, w] = algo.model.inputShape;
    this.inputShape = [c!, h!, w!];
    this.metadata = metadata;
  }

  /**
   * Loads a checkpoint written by `kshot train` (or `save()`): a file path (Node, Deno), an http(s), blob,
   * data or file URL (in a page, also a URL relative to the page), or its bytes. Starts a backend if none runs. A saved adapted learner comes back adapted.
   */
  static async load(source: string | URL | Uint8Array | ArrayBuffer, options: LoadOptions = {}): Promise<Learner> {
    const from = checkpointSource(source);
    await startBackend(options.backend, options.deterministic);
    const c = await load(from);
    try {
      const algo = rebuild(c.metadata, c.params);
      const state = savedState(c, adaptationKind(algo.name));
      for (const t of Object.values(c.optimizer ?? {})) t.dispose();
      const params: TensorRecord = {};
      for (const [name, t] of Object.entries(c.params)) if (!name.startsWith(STATE_PREFIX)) params[name] = t;
      const { [STATE_METADATA]: _, ...extra } = c.metadata.extra ?? {};
      const metadata: CheckpointMetadata = { ...c.metadata };
      if (Object.keys(extra).length > 0) metadata.extra = extra;
      else delete metadata.extra;
      return new Learner(algo, params, metadata, state);
    } catch (err) {
      disposeCheckpoint(c);
      throw err;
    }
  }

  /** Classes of the task adapted to; undefined before `adapt` (and after `reset`). */
  get ways(): number | undefined {
    return this.#state?.ways;
  }

  #alive(what: string): void {
    if (this.#disposed) throw new KshotError(`Learner.${what}: this learner was disposed`);
  }

  /**
   * Adapts to a task from labelled examples (labels 0..N−1, every class present): gradient steps for the
   * MAML family and Reptile (default: the checkpoint's evaluation steps and step size), prototypes for
   * ProtoNet, the support embeddings for Matching Net, a new head for fine-tuning. Replaces any previous
   * adaptation; the meta-parameters stay as loaded.
   */
  async adapt(examples: readonly ImageLike[] | Tensor, labels: ArrayLike<number>, options: AdaptOptions = {}): Promise<Adaptation> {
    this.#alive("adapt");
    const start = performance.now();
    const x = imagesToTensor(examples, this.inputShape, options);
    let result: ReturnType<typeof adaptToTask>;
    try {
      const checked = checkLabels(labels, x.shape[0]!);
      const stored = storedEvaluation(this.metadata);
      result = tidy(() => {
        const y = tensor(checked.labels, [1, checked.labels.length], "int32");
        const settings = { steps: options.steps, lr: options.lr };
        return adaptToTask(this.#algo, this.#params, reshape(x, [1, ...x.shape]), y, checked.ways, settings, { steps: stored.steps, lr: stored.lr });
      });
    } finally {
      x.dispose();
    }
    this.reset();
    this.#state = result.state;
    const loss = (await result.loss.data())[0]!;
    result.loss.dispose();
    return { seconds: (performance.now() - start) / 1000, steps: result.steps, ways: result.state.ways, loss };
  }

  /**
   * Class probabilities of one example or many (any batch size: BatchNorm uses the statistics of the
   * support set adapted on, so each example's result is independent of the others in the batch).
   */
  async predict(x: ImageLike | readonly ImageLike[] | Tensor, options: InputOptions = {}): Promise<Prediction> {
    this.#alive("predict");
    const state = this.#state;
    if (!state) throw new KshotError("Learner.predict: adapt the learner to a task first (learner.adapt(examples, labels))");
    const probabilities = tidy(() => {
      const input = imagesToTensor(x, this.inputShape, options);
      return predictProbabilities(this.#algo, this.#params, state, reshape(input, [1, ...input.shape]));
    });
    const [, count, ways] = probabilities.shape as [number, number, number];
    const values = await probabilities.data();
    probabilities.dispose();
    const rows: Float32Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < count; i++) {
      const row = Float32Array.from(values.subarray(i * ways, (i + 1) * ways));
      rows.push(row);
      labels.push(row.indexOf(Math.max(...row)));
    }
    return { probabilities: rows, labels };
  }

  /** Forgets the adaptation: back to the loaded meta-parameters (which adaptation never changes). */
  reset(): void {
    this.#alive("reset");
    if (this.#state) disposeRecord(this.#state.tensors);
    this.#state = undefined;
  }

  /**
   * The learner as checkpoint bytes: the meta-parameters and metadata as loaded, plus the adapted state
   * (under `learner.`), so `Learner.load(bytes)` predicts exactly as this learner does.
   */
  async save(): Promise<Uint8Array> {
    this.#alive("save");
    const state = this.#state;
    const tensors: TensorRecord = { ...this.#params };
    const metadata: CheckpointMetadata = { ...this.metadata };
    if (state) {
      for (const [name, t] of Object.entries(state.tensors)) tensors[STATE_PREFIX + name] = t;
      metadata.extra = { ...this.metadata.extra, [STATE_METADATA]: JSON.stringify({ kind: state.kind, ways: state.ways }) };
    }
    return serialize(tensors, { metadata });
  }

  /** Frees every tensor the learner holds. */
  dispose(): void {
    if (this.#disposed) return;
    this.reset();
    disposeRecord(this.#params);
    this.#disposed = true;
  }
}
