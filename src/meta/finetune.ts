/**
 * The transfer-learning baseline the few-shot literature compares against (Chen et al. A Closer Look at
 * Few-shot Classification. ICLR 2019, "Baseline"; Tian et al. Rethinking Few-Shot Image Classification.
 * ECCV 2020): pre-train an ordinary classifier — the backbone plus a linear head over ALL training classes —
 * then, for each test task, fine-tune a NEW N-way head (zero or random initialisation) on the support set
 * with SGD + momentum for `steps` steps (optionally the whole network), and predict the query set.
 *
 * Pre-training (`step`): the batch's support and query examples of every task are pooled into ONE
 * minibatch (one BatchNorm batch), each labelled with its source class: way n of task t is source class
 * `batch.classes[t, n]` (ks.train's batches carry `classes`). So a meta-batch of T episodes of N ways with
 * K + Q examples per class is a minibatch of T·N·(K + Q) images from T·N classes drawn without replacement
 * within an episode; `algorithm.options.numClasses` must cover every source class.
 *
 * Evaluation follows the papers' BatchNorm convention: support features use the support batch's
 * statistics, query features the query batch's. With the backbone frozen (the default) the features are
 * computed once and only the head trains.
 *
 * @example
 * const algo = ks.meta.finetune(ks.nn.conv4({ ways: 0 }), { numClasses: 1500, steps: 100, lr: 0.01 });
 */
import { grad, type TensorRecord, valueAndGradWithAux } from "../autograd.ts";
import { noGrad, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { zeros } from "../ops/creation.ts";
import { add, cast, mul, sub } from "../ops/elementwise.ts";
import { oneHot } from "../ops/gather.ts";
import { matmul } from "../ops/matmul.ts";
import { concat, reshape } from "../ops/shape.ts";
import { uniformFanIn } from "../nn/init.ts";
import { linear } from "../nn/layers.ts";
import type { Model } from "../nn/model.ts";
import { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";
import type { Evaluation, EvaluationOptions, MetaAlgorithm, MetaStep } from "./algorithm.ts";
import { accuracy, meanTaskLoss } from "./losses.ts";
import { perTask, pick } from "./params.ts";
import { type TaskBatch, taskCount, waysOf } from "./task-batch.ts";

export interface FinetuneOptions {
  /** Outputs of the pre-training head: the number of training classes. Required. */
  numClasses: number;
  /** SGD steps on each test task's support set. Default 100 (Chen et al.). */
  steps?: number;
  /** Their step size. Default 0.01 (Chen et al.). */
  lr?: number;
  /** Their momentum. Default 0.9 (Chen et al.). */
  momentum?: number;
  /** Initialisation of the new head: "zeros" (default) or "random" (PyTorch's Linear init, seeded). */
  headInit?: "zeros" | "random";
  /** Fine-tune the backbone as well as the new head. Default false. */
  wholeNetwork?: boolean;
  /** Seed of the random head initialisation. Default 0. */
  seed?: number;
}

const HEAD_W = "head.weight";
const HEAD_B = "head.bias";

/** A classification batch that names each way's source class ([T, N] int32), as ks.train's batches do. */
export interface SourceClassBatch extends TaskBatch {
  classes?: Tensor;
}

function checkOptions(o: FinetuneOptions): Required<FinetuneOptions> {
  const r = {
    numClasses: o.numClasses, steps: o.steps ?? 100, lr: o.lr ?? 0.01, momentum: o.momentum ?? 0.9,
    headInit: o.headInit ?? "zeros", wholeNetwork: o.wholeNetwork ?? false, seed: o.seed ?? 0,
  };
  const bad = (what: string, v: unknown) => new KshotError(`finetune: expected ${what}, got ${String(v)}`);
  if (!Number.isInteger(r.numClasses) || r.numClasses < 2) throw bad("numClasses (training classes) to be an integer >= 2", r.numClasses);
  if (!Number.isInteger(r.steps) || r.steps < 0) throw bad("steps to be a non-negative integer", r.steps);
  if (!(r.lr >= 0) || !Number.isFinite(r.lr)) throw bad("lr to be a non-negative number", r.lr);
  if (!(r.momentum >= 0 && r.momentum < 1)) throw bad("momentum in [0, 1)", r.momentum);
  if (r.headInit !== "zeros" && r.headInit !== "random") throw bad('headInit "zeros" or "random"', r.headInit);
  return r;
}

/**
 * `steps` of SGD with momentum (PyTorch's: the buffer starts at the gradient) on `loss`, for every task at
 * once: `loss` is the mean over tasks, scaled by T so each task steps on its own mean loss. Memory stays
 * flat whatever the step count: each step frees what the previous one made.
 */
function sgdAdapt(start: TensorRecord, loss: (p: TensorRecord) => Tensor, tasks: number, steps: number, lr: number, momentum: number): TensorRecord {
  let current = start;
  let buffers: TensorRecord | undefined;
  for (let s = 0; s < steps; s++) {
    const next = tidy(() => {
      const g = grad((p: TensorRecord) => mul(loss(p), tasks), { createGraph: false })(current);
      const b: TensorRecord = {};
      const p: TensorRecord = {};
      for (const k of Object.keys(current)) {
        b[k] = buffers && momentum ? add(mul(buffers[k]!, momentum), g[k]!) : g[k]!;
        p[k] = sub(current[k]!, mul(b[k]!, lr));
      }
      return { p, b };
    });
    if (s > 0) for (const t of Object.values(current)) t.dispose();
    for (const t of Object.values(buffers ?? {})) t.dispose();
    current = next.p;
    buffers = next.b;
  }
  for (const t of Object.values(buffers ?? {})) t.dispose();
  return current;
}

export function finetune(backbone: Model, options: FinetuneOptions): MetaAlgorithm {
  const o = checkOptions(options);
  const backboneNames = Object.keys(backbone.paramShapes);
  if (backboneNames.some((k) => k.startsWith("head."))) {
    throw new KshotError(`finetune: expected a backbone without a head (e.g. conv4({ ways: 0 })), got parameters ${backboneNames.filter((k) => k.startsWith("head.")).join(", ")}`);
  }
  const backboneParams = (p: TensorRecord) => pick(p, backboneNames);

  /** Pooled minibatch of all the batch's examples [1, M, ...] and their source classes [1, M]. */
  function pooled(batch: SourceClassBatch): { x: Tensor; y: Tensor } {
    const tasks = taskCount(batch, true); // pre-training pools support and query
    const ways = waysOf(batch);
    const classes = batch.classes;
    if (!classes || classes.dtype !== "int32" || classes.rank !== 2 || classes.shape[0] !== tasks || classes.shape[1] !== ways) {
      throw new KshotError(`finetune: pre-training needs the batch's source classes \`classes\` as int32 [${tasks}, ${ways}] (ks.train's batches carry them), got ${classes ? `${classes.dtype} [${classes.shape.join(", ")}]` : "none"}`);
    }
    const parts = batch.query.x.shape[1] > 0 ? [batch.support, batch.query] : [batch.support];
    const x = concat(parts.map((s) => s.x), 1);
    const y = concat(parts.map((s) => s.y), 1);
    // way → source class per task, as a one-hot product (class ids < 2^24 are exact in float32).
    const source = matmul(oneHot(y, ways), reshape(cast(classes, "float32"), [tasks, ways, 1]));
    return { x: reshape(x, [1, -1, ...x.shape.slice(2)]), y: reshape(cast(source, "int32"), [1, -1]) };
  }

  function classify(p: TensorRecord, features: Tensor): Tensor {
    return linear(features, p[HEAD_W]!, p[HEAD_B]!);
  }

  return {
    name: "finetune",
    model: backbone,
    loss: "cross_entropy",
    options: { numClasses: o.numClasses, steps: o.steps, lr: o.lr, momentum: o.momentum, headInit: o.headInit, wholeNetwork: o.wholeNetwork, seed: o.seed },
    init(rng: Rng): TensorRecord {
      const p = backbone.init(rng);
      const features = tidy(() => noGrad(() => backbone.apply(perTask(p, 1), zeros([1, 2, ...backbone.inputShape]))).shape[2]!);
      p[HEAD_W] = uniformFanIn(rng, [o.numClasses, features], features);
      p[HEAD_B] = uniformFanIn(rng, [o.numClasses], features);
      return p;
    },
    step(params: TensorRecord, batch: SourceClassBatch): MetaStep {
      pick(params, [...backboneNames, HEAD_W, HEAD_B]);
      return tidy(() => {
        const { x, y } = pooled(batch);
        const { value, grads, aux } = valueAndGradWithAux((p: TensorRecord) => {
          const logits = classify(perTask(p, 1), backbone.apply(perTask(backboneParams(p), 1), x));
          return [meanTaskLoss("cross_entropy", logits, y), logits] as const;
        }, { createGraph: false })(params);
        const acc = accuracy(aux, y);
        aux.dispose();
        return { loss: value, grads, accuracy: acc };
      });
    },
    evaluate(params: TensorRecord, batch: TaskBatch, e: EvaluationOptions = {}): Evaluation {
      const tasks = taskCount(batch);
      const ways = waysOf(batch);
      const steps = e.steps ?? o.steps;
      const lr = e.lr ?? o.lr;
      return tidy(() => {
        const base = perTask(backboneParams(params), tasks);
        const features = params[HEAD_W]!.shape[1]!;
        const head: TensorRecord = o.headInit === "zeros"
          ? { [HEAD_W]: zeros([tasks, ways, features]), [HEAD_B]: zeros([tasks, ways]) }
          : (() => {
              const rng = new Rng(o.seed);
              return { [HEAD_W]: uniformFanIn(rng, [tasks, ways, features], features), [HEAD_B]: uniformFanIn(rng, [tasks, ways], features) };
            })();
        const { support, query } = batch;
        let adapted: TensorRecord;
        if (o.wholeNetwork) {
          const loss = (p: TensorRecord) => meanTaskLoss("cross_entropy", classify(p, backbone.apply(p, support.x)), support.y);
          adapted = sgdAdapt({ ...base, ...head }, loss, tasks, steps, lr, o.momentum);
        } else {
          const zs = noGrad(() => backbone.apply(base, support.x));
          const loss = (p: TensorRecord) => meanTaskLoss("cross_entropy", classify(p, zs), support.y);
          adapted = { ...base, ...sgdAdapt(head, loss, tasks, steps, lr, o.momentum) };
        }
        const predictions = noGrad(() => classify(adapted, backbone.apply(adapted, query.x)));
        return {
          predictions,
          loss: meanTaskLoss("cross_entropy", predictions, query.y),
          accuracy: accuracy(predictions, query.y),
        };
      });
    },
  };
}
