/**
 * Rotation prediction as an auxiliary loss (Gidaris, Bursuc, Komodakis, Pérez, Cord. Boosting Few-Shot
 * Visual Learning with Self-Supervision. ICCV 2019): a 4-way linear head on the embedding learns which of
 * 0°, 90°, 180°, 270° an image was turned by, and the meta-training loss becomes
 *
 *   L = L_few-shot + α · L_rotation        (the paper's Eq. 4 form, α = 1)
 *
 * kshot's variant: every image of the episode (support and query) is turned once, by (i mod 4) quarter
 * turns for its index i, and embedded in a second pass (its own BatchNorm batch); the paper turns each
 * image four times. Half the cost, the same four balanced classes. The head (`rotation.weight` [4, D],
 * `rotation.bias` [4]) is a meta-parameter, stored in checkpoints; adaptation and prediction ignore it.
 */
import { type TensorRecord, valueAndGrad } from "../autograd.ts";
import { noGrad, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkNumber } from "../checks.ts";
import { tensor, zeros } from "../ops/creation.ts";
import { add, mul } from "../ops/elementwise.ts";
import { gather } from "../ops/gather.ts";
import { concat, matrixTranspose, reshape } from "../ops/shape.ts";
import { uniformFanIn } from "../nn/init.ts";
import { linear } from "../nn/layers.ts";
import type { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";
import type { MetaAlgorithm, MetaStep } from "./algorithm.ts";
import { meanTaskLoss } from "./losses.ts";
import { perTask, pick } from "./params.ts";
import { type TaskBatch, taskCount } from "./task-batch.ts";

/** α of L = L_few + α·L_self: Gidaris et al. 2019 weigh the rotation loss equally with the few-shot loss. */
export const ROTATION_WEIGHT = 1;

const HEAD_W = "rotation.weight";
const HEAD_B = "rotation.bias";
const ROTATIONS = 4;

export interface RotationOptions {
  /** α, the rotation loss's weight (≥ 0). Default 1 (Gidaris et al. 2019). */
  weight?: number;
}

/** x reversed along `axis`. */
function flip(x: Tensor, axis: number): Tensor {
  const n = x.shape.at(axis)!;
  return gather(x, tensor(Int32Array.from({ length: n }, (_, i) => n - 1 - i), [n], "int32"), axis);
}

/**
 * Square images [..., H, W] turned counter-clockwise by `quarterTurns` × 90° (as numpy.rot90 and
 * ks.data's rotate90): an exact permutation of pixels.
 */
export function rotateImages(x: Tensor, quarterTurns: number): Tensor {
  const [h, w] = x.shape.slice(-2);
  if (x.rank < 2 || h !== w) throw new KshotError(`rotateImages: expected square images [..., H, W], got [${x.shape.join(", ")}]`);
  const k = ((quarterTurns % ROTATIONS) + ROTATIONS) % ROTATIONS;
  return tidy(() => {
    if (k === 0) return reshape(x, x.shape);
    if (k === 2) return flip(flip(x, -1), -2);
    return flip(matrixTranspose(x), k === 1 ? -2 : -1);
  });
}

/**
 * The rotation task of images x [T, M, C, H, W]: image i turned by (i mod 4) quarter turns, grouped by
 * rotation, and the rotation labels [T, M] (int32 0..3).
 */
export function rotationBatch(x: Tensor): { x: Tensor; labels: Tensor } {
  const [tasks, m] = x.shape;
  return tidy(() => {
    const parts: Tensor[] = [];
    const labels: number[] = [];
    for (let k = 0; k < ROTATIONS && k < m!; k++) {
      const picked = Int32Array.from({ length: Math.ceil((m! - k) / ROTATIONS) }, (_, j) => k + ROTATIONS * j);
      parts.push(rotateImages(gather(x, tensor(picked, [picked.length], "int32"), 1), k));
      labels.push(...Array.from(picked, () => k));
    }
    const row = Int32Array.from({ length: tasks! * m! }, (_, i) => labels[i % m!]!);
    return { x: concat(parts, 1), labels: tensor(row, [tasks!, m!], "int32") };
  });
}

/**
 * `algo` (an algorithm on an embedding network) with rotation prediction as an auxiliary loss of its
 * meta-training step; see the module comment. Its options record `auxiliary: "rotation"` and
 * `rotationWeight`, so checkpoints rebuild it.
 *
 * @param algo the algorithm whose step gains the auxiliary loss (ProtoNet: `ks.meta.protonet(model, { auxiliary: "rotation" })`)
 * @param options the loss weight α (default 1, Gidaris et al. 2019)
 * @example
 * const algo = ks.meta.withRotation(ks.meta.protonet(ks.nn.conv4({ ways: 0 })));
 * const params = algo.init(new ks.Rng(0));           // the model's parameters and rotation.weight, rotation.bias
 * const { loss, grads } = algo.step(params, batch);  // few-shot loss + α · rotation loss
 */
export function withRotation(algo: MetaAlgorithm, options: RotationOptions = {}): MetaAlgorithm {
  const weight = checkNumber(algo.name, "rotationWeight", options.weight ?? ROTATION_WEIGHT, "non-negative number");
  const model = algo.model;
  const own = (p: TensorRecord) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== HEAD_W && k !== HEAD_B));

  function rotationLoss(params: TensorRecord, batch: TaskBatch): Tensor {
    const tasks = taskCount(batch);
    const { x, labels } = rotationBatch(concat([batch.support.x, batch.query.x], 1));
    const z = model.apply(perTask(pick(params, Object.keys(model.paramShapes)), tasks), x);
    const head = perTask(pick(params, [HEAD_W, HEAD_B]), tasks);
    return meanTaskLoss("cross_entropy", linear(z, head[HEAD_W]!, head[HEAD_B]!), labels);
  }

  return {
    ...algo,
    options: { ...algo.options, auxiliary: "rotation", rotationWeight: weight },
    init(rng: Rng): TensorRecord {
      const p = algo.init(rng);
      const out = tidy(() => noGrad(() => model.apply(perTask(pick(p, Object.keys(model.paramShapes)), 1), zeros([1, 2, ...model.inputShape]))).shape);
      if (out.length !== 3) throw new KshotError(`${algo.name} with rotation: expected an embedding network with outputs [T, B, D], got [${out.join(", ")}]`);
      p[HEAD_W] = uniformFanIn(rng, [ROTATIONS, out[2]!], out[2]!);
      p[HEAD_B] = uniformFanIn(rng, [ROTATIONS], out[2]!);
      return p;
    },
    step(params: TensorRecord, batch: TaskBatch): MetaStep {
      pick(params, [HEAD_W, HEAD_B]);
      return tidy(() => {
        const few = algo.step(own(params), batch);
        const rot = valueAndGrad((p: TensorRecord) => mul(rotationLoss(p, batch), weight), { createGraph: false })(params);
        const grads = Object.fromEntries(Object.keys(params).map((k) => [k, few.grads[k] ? add(few.grads[k]!, rot.grads[k]!) : rot.grads[k]!]));
        return { loss: add(few.loss, rot.value), grads, ...(few.accuracy ? { accuracy: few.accuracy } : {}) };
      });
    },
  };
}
