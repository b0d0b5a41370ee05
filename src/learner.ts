/**
 * `Learner`: the edge API. Load a meta-trained checkpoint, adapt it to a new task from a few labelled
 * examples, classify new examples, save the adapted learner.
 *
 * @example
 * const learner = await ks.Learner.load("glyphs-protonet.safetensors");   // path, URL or bytes
 * await learner.adapt(["a1.png", "a2.png", "b1.png", "b2.png"], ["alpha", "alpha", "beta", "beta"]);
 * const { label, probabilities, ranking } = await learner.predict(canvas);  // PNG/JPEG bytes, files, URLs, canvases, ImageData
 * learner.reset();    // back to the loaded meta-parameters (adaptation never changes them)
 * learner.dispose();
 *
 * Adaptation is the algorithm's own (`adapt` and `predict` of src/meta); BatchNorm statistics and the
 * adapted task's tensors: src/meta/adapted-task.ts.
 * Input conversion (decoding, luma, alpha, resizing, polarity): src/learner/inputs.ts; labels: src/learner/labels.ts.
 */
import type { TensorRecord } from "./autograd.ts";
import { backend, engineOptions, hasBackend, tidy } from "./engine.ts";
import { KshotError } from "./errors.ts";
import { init, type BackendName } from "./init.ts";
import { type Checkpoint, type CheckpointMetadata, disposeCheckpoint, load, parseMetadataJson, serialize } from "./io/checkpoint.ts";
import { classProbabilities, isBalanced, supportLoss, withStoredDefaults } from "./learner/adapted.ts";
import { type ImageLike, type InputOptions, imagesToTensor } from "./learner/inputs.ts";
import { type ClassLabel, checkClasses, knownLabels, taskLabels } from "./learner/labels.ts";
import { checkAdaptOptions } from "./meta/adapted-task.ts";
import type { AdaptedTask, AlgorithmName, EvaluationOptions, MetaAlgorithm } from "./meta/algorithm.ts";
import { tensor } from "./ops/creation.ts";
import { reshape } from "./ops/shape.ts";
import { Tensor } from "./tensor.ts";
import { fromMetadata, storedEvaluation } from "./train/algorithms.ts";
import { disposeTensors } from "./tree.ts";

export { type DecodedImage, type EncodedImage, type ImageLike, type InputOptions, type Polarity, type RawImage, imagesToTensor } from "./learner/inputs.ts";
export type { ClassLabel } from "./learner/labels.ts";

export interface LoadOptions {
  /** The backend to start when none runs yet (default "auto"); if one runs, it must be this one. */
  backend?: BackendName;
  /**
   * When the learner starts the backend: false runs the fast mode (the wasm backend's relaxed-SIMD fused
   * multiply-add where the engine validates it, as `ks.init({ deterministic: false })`). Default true.
   */
  deterministic?: boolean;
}

/** Gradient steps and their size (default: the checkpoint's evaluation protocol), and how to read the images. */
export interface AdaptOptions extends EvaluationOptions, InputOptions {
  /**
   * Add the examples to the task adapted so far instead of adapting anew (their labels must be among its
   * classes), as when a device receives examples one batch at a time. Algorithms that can
   * (`MetaAlgorithm.accumulate`: ProtoNet with `metric: "mahalanobis"`) update what they keep: class
   * means exactly, covariances by their running estimate. Default false.
   */
  accumulate?: boolean;
}

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

/** What `predict` says about one example. */
export interface Prediction {
  /** The most probable class (a label as given to `adapt`). */
  label: ClassLabel;
  /** The probability of each class, keyed by its label (numbers as their decimal strings); they sum to 1. */
  probabilities: Record<string, number>;
  /** Every class with its probability, most probable first. */
  ranking: { label: ClassLabel; probability: number }[];
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

/** Where to read the checkpoint from (ks.io.load resolves paths and URLs, in a page relative to it). */
function checkpointSource(source: unknown): Uint8Array | string | URL {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (source instanceof Uint8Array || typeof source === "string" || source instanceof URL) return source;
  throw new KshotError(`Learner.load: expected a file path, a URL, a Uint8Array or an ArrayBuffer, got ${source === null ? "null" : typeof source}`);
}

/** The model and algorithm of a checkpoint, checked to be something the Learner can adapt. */
function rebuild(metadata: CheckpointMetadata, params: TensorRecord): MetaAlgorithm {
  if (!metadata.model || !metadata.algorithm) {
    throw new KshotError(`Learner.load: expected a checkpoint whose metadata names the model and algorithm (written by kshot train, ks.train's checkpoint option, or ks.io.save(result.params, path, { metadata: result.metadata }) after ks.train), found no ${metadata.model ? "algorithm" : "model"}`);
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

/** An adapted task and the labels of its classes. */
interface Adapted {
  state: AdaptedTask;
  classes: ClassLabel[];
}

/** A saved adapted task (tensors under `learner.`, classes in metadata), or undefined when the checkpoint holds none. */
function savedState(c: Checkpoint, algo: MetaAlgorithm, params: TensorRecord): Adapted | undefined {
  const kind = algo.adaptation.kind;
  const raw = c.metadata.extra?.[STATE_METADATA];
  if (raw === undefined) return undefined;
  const info = parseMetadataJson(raw, (message) => {
    throw new KshotError(`Learner.load: metadata ${STATE_METADATA}: ${message}`);
  }) as { kind?: unknown; ways?: unknown; classes?: unknown } | null;
  if (info?.kind !== kind || !Number.isSafeInteger(info.ways) || (info.ways as number) < 2) {
    throw new KshotError(`Learner.load: metadata ${STATE_METADATA}: expected an adapted state of kind ${kind} with ways, found ${raw.slice(0, 80)}`);
  }
  const ways = info.ways as number;
  const classes = info.classes === undefined ? Array.from({ length: ways }, (_, i) => i) : checkClasses(info.classes, ways, `Learner.load: metadata ${STATE_METADATA} classes`);
  const tensors: TensorRecord = {};
  for (const [name, t] of Object.entries(c.params)) if (name.startsWith(STATE_PREFIX)) tensors[name.slice(STATE_PREFIX.length)] = t;
  const missing = algo.adaptation.tensors.filter((k) => !tensors[k]);
  if (missing.length > 0) throw new KshotError(`Learner.load: the saved adapted state lacks ${missing.map((k) => STATE_PREFIX + k).join(", ")}`);
  return { state: { params, ways, tensors, steps: 0 }, classes };
}

/** One example's prediction from its row of class probabilities (refused when one is not finite). */
function prediction(row: ArrayLike<number>, classes: readonly ClassLabel[], example: number): Prediction {
  classes.forEach((label, c) => {
    if (!Number.isFinite(row[c]!)) {
      throw new KshotError(`Learner.predict: the probabilities of example ${example} are not finite (${row[c]} for class ${JSON.stringify(label)}): the inputs or the learner's parameters hold NaN/Infinity`);
    }
  });
  const ranking = classes.map((label, i) => ({ label, probability: row[i]! })).sort((a, b) => b.probability - a.probability);
  const probabilities: Record<string, number> = {};
  classes.forEach((label, i) => (probabilities[String(label)] = row[i]!));
  return { label: ranking[0]!.label, probabilities, ranking };
}

export class Learner {
  readonly algorithm: AlgorithmName;
  /** [C, H, W] of the model's input: images are converted to it. */
  readonly inputShape: readonly [number, number, number];
  /** The checkpoint's metadata (model, algorithm, training and evaluation settings). */
  readonly metadata: CheckpointMetadata;
  readonly #algo: MetaAlgorithm;
  readonly #params: TensorRecord;
  #adapted: Adapted | undefined;
  #disposed = false;

  private constructor(algo: MetaAlgorithm, params: TensorRecord, metadata: CheckpointMetadata, adapted: Adapted | undefined) {
    this.#algo = algo;
    this.#params = params;
    this.#adapted = adapted;
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
      const params: TensorRecord = {};
      for (const [name, t] of Object.entries(c.params)) if (!name.startsWith(STATE_PREFIX)) params[name] = t;
      const state = savedState(c, algo, params);
      disposeTensors(c.optimizer);
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
    return this.#adapted?.state.ways;
  }

  /** The labels of the task's classes, in class-index order; undefined before `adapt` (and after `reset`). */
  get classes(): readonly ClassLabel[] | undefined {
    return this.#adapted?.classes;
  }

  #alive(what: string): void {
    if (this.#disposed) throw new KshotError(`Learner.${what}: this learner was disposed`);
  }

  /**
   * Adapts to a task from labelled examples: images in any form `predict` takes, and one label per
   * example, class names (strings) or integer class ids, at least 2 classes. Gradient steps for the MAML
   * family and Reptile (default: the checkpoint's evaluation steps and step size), prototypes for
   * ProtoNet, the support embeddings for Matching Net, a new head for fine-tuning. Replaces any previous
   * adaptation (or, with `accumulate: true`, adds to it); the meta-parameters stay as loaded.
   * Asynchronous: files, URLs and Blobs are read first.
   */
  async adapt(examples: readonly ImageLike[] | Tensor, labels: ArrayLike<ClassLabel>, options: AdaptOptions = {}): Promise<Adaptation> {
    this.#alive("adapt");
    const start = performance.now();
    if (options.accumulate) return this.#accumulate(examples, labels, options, start);
    const x = await imagesToTensor(examples, this.inputShape, options);
    let result: { task: AdaptedTask; loss: Tensor };
    let classes: ClassLabel[];
    try {
      const checked = taskLabels(labels, x.shape[0]!);
      classes = checked.classes;
      const given = { steps: options.steps, lr: options.lr };
      checkAdaptOptions(this.#algo, given);
      const settings = {
        ...withStoredDefaults(this.#algo, given, storedEvaluation(this.metadata)), balanced: isBalanced(checked.indices, classes.length), supportPredictions: true,
      };
      result = tidy(() => {
        const y = tensor(checked.indices, [1, checked.indices.length], "int32");
        const support = { x: reshape(x, [1, ...x.shape]), y, ways: classes.length };
        // The support predictions serve the loss only: the scope frees them.
        const { supportPredictions, ...task } = this.#algo.adapt(this.#params, support, settings);
        return { task, loss: supportLoss(this.#algo, { ...task, supportPredictions }, support) };
      });
    } finally {
      x.dispose();
    }
    return this.#replace(result, classes, start);
  }

  /** Makes `result` the adapted task once its support loss is finite (else keeps the previous one). */
  async #replace(result: { task: AdaptedTask; loss: Tensor }, classes: ClassLabel[], start: number): Promise<Adaptation> {
    const loss = (await result.loss.data())[0]!;
    result.loss.dispose();
    if (!Number.isFinite(loss)) {
      disposeTensors(result.task.tensors);
      throw new KshotError(`Learner.adapt: the support loss is ${loss}, not finite: the examples, the step size or the checkpoint's parameters hold or produce NaN/Infinity (the previous adaptation is kept)`);
    }
    this.reset();
    this.#adapted = { state: result.task, classes };
    return { seconds: (performance.now() - start) / 1000, steps: result.task.steps, ways: result.task.ways, loss };
  }

  /** `adapt` with `accumulate: true`: the examples join the adapted task (the loss is that of the new examples). */
  async #accumulate(examples: readonly ImageLike[] | Tensor, labels: ArrayLike<ClassLabel>, options: AdaptOptions, start: number): Promise<Adaptation> {
    const adapted = this.#adapted;
    if (!adapted) throw new KshotError("Learner.adapt: accumulate adds examples to the adapted task; adapt once without it first");
    const accumulate = this.#algo.accumulate;
    if (!accumulate) throw new KshotError(`Learner.adapt: ${this.#algo.name} (${this.#algo.adaptation.kind}) cannot add examples to an adapted task; ProtoNet with metric "mahalanobis" can`);
    checkAdaptOptions(this.#algo, { steps: options.steps, lr: options.lr });
    const x = await imagesToTensor(examples, this.inputShape, options);
    let result: { task: AdaptedTask; loss: Tensor };
    try {
      const indices = knownLabels(labels, adapted.classes, x.shape[0]!);
      result = tidy(() => {
        const support = { x: reshape(x, [1, ...x.shape]), y: tensor(indices, [1, indices.length], "int32"), ways: adapted.state.ways };
        const task = accumulate(adapted.state, support);
        return { task, loss: supportLoss(this.#algo, task, support) };
      });
    } finally {
      x.dispose();
    }
    return this.#replace(result, adapted.classes, start);
  }

  /**
   * Classifies one image (gives one `Prediction`) or many (an array, or a Tensor [N, C, H, W]: one
   * `Prediction` each, in order). Any batch size: BatchNorm uses the statistics of the support set
   * adapted on, so each example's result is independent of the others in the batch.
   */
  predict(x: readonly ImageLike[] | Tensor, options?: InputOptions): Promise<Prediction[]>;
  predict(x: Exclude<ImageLike, Tensor>, options?: InputOptions): Promise<Prediction>;
  async predict(x: ImageLike | readonly ImageLike[], options: InputOptions = {}): Promise<Prediction | Prediction[]> {
    this.#alive("predict");
    const adapted = this.#adapted;
    if (!adapted) throw new KshotError("Learner.predict: adapt the learner to a task first (learner.adapt(examples, labels))");
    const input = await imagesToTensor(x, this.inputShape, options);
    let probabilities: Tensor;
    try {
      probabilities = tidy(() => classProbabilities(this.#algo, adapted.state, reshape(input, [1, ...input.shape])));
    } finally {
      input.dispose();
    }
    const [, count, ways] = probabilities.shape as [number, number, number];
    const values = await probabilities.data();
    probabilities.dispose();
    const rows = Array.from({ length: count }, (_, i) => prediction(values.subarray(i * ways, (i + 1) * ways), adapted.classes, i));
    return Array.isArray(x) || x instanceof Tensor ? rows : rows[0]!;
  }

  /** Forgets the adaptation: back to the loaded meta-parameters (which adaptation never changes). */
  reset(): void {
    this.#alive("reset");
    if (this.#adapted) disposeTensors(this.#adapted.state.tensors);
    this.#adapted = undefined;
  }

  /**
   * The learner as checkpoint bytes: the meta-parameters and metadata as loaded, plus the adapted state
   * (under `learner.`, with the class labels in metadata), so `Learner.load(bytes)` predicts exactly as
   * this learner does.
   */
  async save(): Promise<Uint8Array> {
    this.#alive("save");
    const adapted = this.#adapted;
    const tensors: TensorRecord = { ...this.#params };
    const metadata: CheckpointMetadata = { ...this.metadata };
    if (adapted) {
      const { ways, tensors: state } = adapted.state;
      for (const [name, t] of Object.entries(state)) tensors[STATE_PREFIX + name] = t;
      metadata.extra = { ...this.metadata.extra, [STATE_METADATA]: JSON.stringify({ kind: this.#algo.adaptation.kind, ways, classes: adapted.classes }) };
    }
    return serialize(tensors, { metadata });
  }

  /** Frees every tensor the learner holds. */
  dispose(): void {
    if (this.#disposed) return;
    this.reset();
    disposeTensors(this.#params);
    this.#disposed = true;
  }
}
