/**
 * Small MLP classifiers as optimizees: the role MNIST plays in Andrychowicz et al. 2016 (§3.2). Each
 * function is a one-hidden-layer sigmoid MLP (the paper: 20 hidden units) classifying a random draw of 10
 * classes of a class source (default kshot's glyphs, 28×28, flattened), with its own random start. Each
 * function's loss is the mean cross-entropy on a batch of its classes' examples: by default ONE FIXED batch
 * drawn once per function (deterministic: the gradient and the loss refer to the same function), or with
 * `minibatch: "fresh"` a new minibatch per step drawn from all of its classes' examples, as the paper does
 * (`advance()` moves to the next one; the loss is then a stochastic training loss).
 */
import type { TensorRecord } from "../../autograd.ts";
import { keep, tidy } from "../../engine.ts";
import { KshotError } from "../../errors.ts";
import { type ClassSource, imageSize } from "../../data/dataset.ts";
import { glyphs } from "../../data/glyphs.ts";
import { tensor } from "../../ops/creation.ts";
import { gather } from "../../ops/gather.ts";
import { reshape } from "../../ops/shape.ts";
import { add, mul, sigmoid } from "../../ops/elementwise.ts";
import { matmul } from "../../ops/matmul.ts";
import { logSoftmax } from "../../ops/nn.ts";
import { sum } from "../../ops/reduce.ts";
import type { Rng } from "../../rng.ts";
import type { Tensor } from "../../tensor.ts";
import type { Optimizee } from "./optimizee.ts";
import { normals } from "./quadratic.ts";

export interface MlpClassifierOptions {
  /** Where the classes come from (default `glyphs().train`, 28×28). Pass one source to reuse its rendered classes. */
  source?: ClassSource;
  /** Classes per function (default 10). */
  classes?: number;
  /** Hidden units (default 20, the paper's; 40 for its wider-network test). */
  hidden?: number;
  /** Examples in each function's fixed batch (default 128, the paper's minibatch). */
  batch?: number;
  /** Standard deviation of the starting weights; biases start at 0 (default 0.1). */
  initStd?: number;
  /** "fixed" (default): one batch per function; "fresh": a new minibatch every step (the paper's). */
  minibatch?: "fixed" | "fresh";
}

/** The parameter shapes of `count` MLPs with `inputs` inputs, `hidden` units and `classes` outputs. */
function parameterShapes(count: number, inputs: number, hidden: number, classes: number): Record<string, number[]> {
  return { w1: [count, inputs, hidden], b1: [count, 1, hidden], w2: [count, hidden, classes], b2: [count, 1, classes] };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new KshotError(`mlpClassifiers: expected ${name} to be a positive integer, got ${String(value)}`);
  return value;
}

/** Each function's batch: images x [count, batch, inputs] and one-hot labels [count, batch, classes]. */
function drawBatches(rng: Rng, source: ClassSource, count: number, classes: number, batch: number): { x: Float32Array; y: Float32Array } {
  const inputs = imageSize(source.shape);
  const x = new Float32Array(count * batch * inputs);
  const y = new Float32Array(count * batch * classes);
  for (let f = 0; f < count; f++) {
    const picked = rng.choice(source.numClasses, classes);
    const perClass = Math.min(...Array.from(picked, (c) => source.exampleCount(c)));
    if (batch > classes * perClass) throw new KshotError(`mlpClassifiers: a batch of ${batch} needs more than the ${classes * perClass} examples of ${classes} classes`);
    rng.choice(classes * perClass, batch).forEach((j, i) => {
      const row = f * batch + i;
      source.writeExample(picked[Math.floor(j / perClass)], j % perClass, x, row * inputs);
      y[row * classes + Math.floor(j / perClass)] = 1;
    });
  }
  return { x, y };
}

/**
 * Each function's examples, all of them (the pool its fresh minibatches come from): x [count · pool,
 * inputs], one-hot y [count · pool, classes], pool = classes × the fewest examples of a picked class.
 */
function drawPools(rng: Rng, source: ClassSource, count: number, classes: number, batch: number): { x: Float32Array; y: Float32Array; pool: number } {
  const inputs = imageSize(source.shape);
  const picks = Array.from({ length: count }, () => rng.choice(source.numClasses, classes));
  const perClass = Math.min(...picks.flatMap((p) => Array.from(p, (c) => source.exampleCount(c))));
  const pool = classes * perClass;
  if (batch > pool) throw new KshotError(`mlpClassifiers: a minibatch of ${batch} needs more than the ${pool} examples of ${classes} classes`);
  const x = new Float32Array(count * pool * inputs);
  const y = new Float32Array(count * pool * classes);
  picks.forEach((picked, f) => {
    for (let j = 0; j < pool; j++) {
      const row = f * pool + j;
      source.writeExample(picked[Math.floor(j / perClass)], j % perClass, x, row * inputs);
      y[row * classes + Math.floor(j / perClass)] = 1;
    }
  });
  return { x, y, pool };
}

/** The examples each function's loss sees: fixed, or a fresh minibatch per `advance()`. */
interface Batches {
  /** Images [count, batch, inputs] and one-hot labels [count, batch, classes] of the current batch. */
  current(): { x: Tensor; y: Tensor };
  advance?(): void;
  dispose(): void;
}

function fixedBatches(rng: Rng, source: ClassSource, count: number, classes: number, batch: number): Batches {
  const data = drawBatches(rng, source, count, classes, batch);
  const x = tensor(data.x, [count, batch, imageSize(source.shape)]);
  const y = tensor(data.y, [count, batch, classes]);
  return { current: () => ({ x, y }), dispose: () => { x.dispose(); y.dispose(); } };
}

function freshBatches(rng: Rng, source: ClassSource, count: number, classes: number, batch: number): Batches {
  const inputs = imageSize(source.shape);
  const data = drawPools(rng.fork("pools"), source, count, classes, batch);
  const x = tensor(data.x, [count * data.pool, inputs]);
  const y = tensor(data.y, [count * data.pool, classes]);
  const draws = rng.fork("minibatches");
  // Every step's row indices stay alive until dispose(): a truncation's backward pass reads them.
  const indices: Tensor[] = [];
  const draw = () => {
    const rows = new Int32Array(count * batch);
    for (let f = 0; f < count; f++) draws.choice(data.pool, batch).forEach((j, i) => { rows[f * batch + i] = f * data.pool + j; });
    indices.push(keep(tensor(rows, [count * batch], "int32")));
  };
  draw();
  return {
    current: () => {
      const rows = indices.at(-1)!;
      return { x: reshape(gather(x, rows), [count, batch, inputs]), y: reshape(gather(y, rows), [count, batch, classes]) };
    },
    advance: draw,
    dispose: () => { x.dispose(); y.dispose(); indices.forEach((t) => t.dispose()); },
  };
}

/**
 * `count` random MLP classifiers (see the file comment) as one optimizee with parameters
 * `{ w1: [count, inputs, hidden], b1: [count, 1, hidden], w2: [count, hidden, classes], b2: [count, 1, classes] }`.
 *
 * @param rng draws each function's classes and batch (held-out functions: a different fork)
 * @param count functions in the batch
 * @param options source, classes, hidden units, batch size, starting weights' spread
 * @example
 * const source = ks.data.glyphs().train;
 * const f = ks.optim.mlpClassifiers(new ks.Rng(1), 16, { source });
 * const params = f.init(new ks.Rng(2));         // w1 [16, 784, 20], b1, w2, b2
 * const losses = f.losses(params);              // [16], ≈ ln 10 at the start
 */
export function mlpClassifiers(rng: Rng, count: number, options: MlpClassifierOptions = {}): Optimizee {
  positiveInteger("count", count);
  const classes = positiveInteger("classes", options.classes ?? 10);
  const hidden = positiveInteger("hidden", options.hidden ?? 20);
  const batch = positiveInteger("batch", options.batch ?? 128);
  const initStd = options.initStd ?? 0.1;
  const source = options.source ?? glyphs().train;
  const inputs = imageSize(source.shape);
  const minibatch = options.minibatch ?? "fixed";
  if (minibatch !== "fixed" && minibatch !== "fresh") throw new KshotError(`mlpClassifiers: expected minibatch "fixed" or "fresh", got ${JSON.stringify(minibatch)}`);
  const batches = (minibatch === "fresh" ? freshBatches : fixedBatches)(rng, source, count, classes, batch);
  const shapes = parameterShapes(count, inputs, hidden, classes);
  return {
    count,
    init: (r: Rng): TensorRecord => Object.fromEntries(Object.entries(shapes).map(([name, shape]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return [name, tensor(name.startsWith("w") ? normals(r.fork(name), n, initStd) : new Float32Array(n), shape)];
    })),
    losses(params: TensorRecord): Tensor {
      for (const [name, shape] of Object.entries(shapes)) {
        const p = params[name];
        if (p?.shape.join() !== shape.join()) {
          throw new KshotError(`mlpClassifiers: expected ${name} [${shape.join(", ")}], got ${p ? `[${p.shape.join(", ")}]` : "nothing"}`);
        }
      }
      return tidy(() => {
        const { x, y } = batches.current();
        const h = sigmoid(add(matmul(x, params.w1), params.b1));
        const logits = add(matmul(h, params.w2), params.b2);
        return mul(sum(mul(y, logSoftmax(logits, 2)), [1, 2]), -1 / batch);
      });
    },
    ...(batches.advance ? { advance: batches.advance } : {}),
    dispose: batches.dispose,
  };
}
