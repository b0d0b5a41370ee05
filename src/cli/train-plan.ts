/**
 * What `kshot train` will do, resolved from its flags and the published defaults (defaults.ts), or, when
 * resuming, from the checkpoint's metadata (flags may then only repeat it, or set the budget, the output,
 * the backend).
 */
import { AUGMENTATIONS, type Augmentation } from "../data/tasks.ts";
import { KshotError } from "../errors.ts";
import type { CheckpointMetadata, JsonRecord } from "../io/checkpoint.ts";
import type { AlgorithmName } from "../meta/algorithm.ts";
import { COSINE_NORMALIZATIONS, type CosineNormalization } from "../meta/matching-net.ts";
import { checkEmbedding } from "../meta/metric.ts";
import { checkSchedule, type Schedule } from "../optim/schedule.ts";
import { checkAlgorithmName } from "../train/algorithms.ts";
import { flag, type ParsedFlags } from "./args.ts";
import { checkDatasetName, type DatasetName } from "./data.ts";
import { CONV4_HIDDEN, type DatasetKind, EVAL_EPISODES, RECIPES, type Recipe, ROTATION_AUXILIARY } from "./defaults.ts";

export const DEFAULT_ALGORITHM: AlgorithmName = "protonet";
export const DEFAULT_DATASET: DatasetName = "glyphs";

export interface EvaluationPlan {
  ways: number;
  shots: number;
  queries: number;
  episodes: number;
  /** Inner steps and step size (MAML family, Reptile; fine-tuning: its SGD steps and rate). */
  steps?: number;
  lr?: number;
  /** Regression: the step counts to report (default 1, 5 and 10). */
  regressionSteps?: number[];
}

export interface TrainPlan {
  algorithm: AlgorithmName;
  dataset: DatasetName;
  kind: DatasetKind;
  data?: string;
  split?: string;
  /** undefined: the split's own default (lake: rot90). */
  augment?: Augmentation;
  ways: number;
  shots: number;
  queries: number;
  metaBatch: number;
  innerSteps?: number;
  innerLr?: number;
  evalSteps?: number;
  evalLr?: number;
  optimizer: { kind: "adam" | "sgd"; lr: number };
  schedule: Schedule;
  iterations?: number;
  minutes?: number;
  seed: number;
  hidden: number;
  evaluation: EvaluationPlan;
  /** Extra algorithm options (fine-tuning; Reptile's minibatches; ProtoNet's metric). */
  options: Record<string, number | string | boolean>;
  source: string;
}

function datasetKind(dataset: DatasetName): DatasetKind {
  return dataset === "sinusoid" ? "sinusoid" : "images";
}

export function recipeFor(algorithm: AlgorithmName, kind: DatasetKind): Recipe {
  const recipe = RECIPES[algorithm][kind];
  if (!recipe) {
    throw new KshotError(`${algorithm} classifies images; it has no setting for ${kind === "sinusoid" ? "sinusoid regression (use maml, fomaml, metasgd, anil or reptile)" : kind}`);
  }
  return recipe;
}

function checkAugment(v: string | undefined): Augmentation | undefined {
  if (v === undefined) return undefined;
  if (!(AUGMENTATIONS as readonly string[]).includes(v)) throw new KshotError(`--augment expects ${AUGMENTATIONS.join(", ")}, got ${JSON.stringify(v)}`);
  return v as Augmentation;
}

/** The algorithm options of --auxiliary: the loss and its published weight. */
function auxiliaryOptions(v: string | undefined): Record<string, string | number> {
  if (v === undefined || v === "none") return v === undefined ? {} : { auxiliary: "none" };
  if (v !== "rotation") throw new KshotError(`--auxiliary expects rotation or none, got ${JSON.stringify(v)}`);
  return { auxiliary: "rotation", rotationWeight: ROTATION_AUXILIARY.weight };
}

function checkNormalize(v: string): CosineNormalization {
  if (!(COSINE_NORMALIZATIONS as readonly string[]).includes(v)) throw new KshotError(`--normalize expects ${COSINE_NORMALIZATIONS.join(" or ")}, got ${JSON.stringify(v)}`);
  return v as CosineNormalization;
}

/** The plan of a fresh run. */
export function planFromFlags(f: ParsedFlags): TrainPlan {
  const algorithm = checkAlgorithmName(flag.string(f, "algo") ?? DEFAULT_ALGORITHM);
  const dataset = checkDatasetName(flag.string(f, "dataset") ?? DEFAULT_DATASET);
  const kind = datasetKind(dataset);
  const r = recipeFor(algorithm, kind);
  const n = (name: string) => flag.number(f, name);
  const ways = kind === "sinusoid" ? 1 : n("ways") ?? r.ways;
  if (kind === "sinusoid" && n("ways") !== undefined && n("ways") !== 1) throw new KshotError("sinusoid tasks are regression: --ways does not apply");
  const shots = n("shots") ?? r.shots;
  const queries = n("queries") ?? (r.queries === "shots" ? shots : r.queries);
  const innerSteps = n("inner-steps") ?? r.innerSteps;
  const innerLr = n("inner-lr") ?? r.innerLr;
  const usesInnerLoop = r.innerSteps !== undefined;
  // Without a meta-training inner loop, --inner-steps/--inner-lr set the recipe's test-time SGD where it has one (fine-tuning).
  const testTimeSgd = !usesInnerLoop && r.options?.steps !== undefined;
  if (!usesInnerLoop && !testTimeSgd && (n("inner-steps") !== undefined || n("inner-lr") !== undefined)) {
    throw new KshotError(`${algorithm} has no inner loop: --inner-steps and --inner-lr do not apply`);
  }
  if (innerSteps !== undefined && innerSteps < 0) throw new KshotError(`--inner-steps must be non-negative, got ${innerSteps}`);
  const options: Record<string, number | string | boolean> = { ...(r.options ?? {}), ...auxiliaryOptions(flag.string(f, "auxiliary")) };
  if (testTimeSgd) {
    if (n("inner-steps") !== undefined) options.steps = n("inner-steps")!;
    if (n("inner-lr") !== undefined) options.lr = n("inner-lr")!;
  }
  const metric = flag.string(f, "metric");
  if (metric !== undefined) options.metric = metric;
  const embedding = flag.string(f, "embedding");
  if (embedding !== undefined) options.embedding = checkEmbedding("--embedding", embedding);
  const normalize = flag.string(f, "normalize");
  if (normalize !== undefined) {
    if (r.options?.normalize === undefined) throw new KshotError(`--normalize applies to Matching Networks' cosine; ${algorithm} has none`);
    options.normalize = checkNormalize(normalize);
  }
  const evalWays = r.evaluation.ways === "train" ? ways : r.evaluation.ways;
  const evalShots = r.evaluation.shots === "train" ? shots : r.evaluation.shots;
  // More steps at test time than in training is the papers' convention: keep at least the recipe's.
  const evalSteps = usesInnerLoop ? Math.max(innerSteps!, r.evalSteps!) : (options.steps as number | undefined);
  const evalLr = usesInnerLoop ? (n("inner-lr") !== undefined ? innerLr : r.evalLr) : (options.lr as number | undefined);
  return {
    algorithm, dataset, kind,
    data: flag.string(f, "data"),
    split: flag.string(f, "split"),
    augment: checkAugment(flag.string(f, "augment")),
    ways, shots, queries,
    metaBatch: n("meta-batch") ?? r.metaBatch,
    innerSteps: usesInnerLoop ? innerSteps : undefined,
    innerLr: usesInnerLoop ? innerLr : undefined,
    evalSteps, evalLr,
    optimizer: { kind: r.optimizer, lr: n("meta-lr") ?? r.metaLr },
    schedule: r.schedule,
    iterations: n("iterations") ?? (n("minutes") === undefined ? r.iterations : undefined),
    minutes: n("minutes"),
    seed: n("seed") ?? 0,
    hidden: n("hidden") ?? CONV4_HIDDEN,
    evaluation: {
      ways: evalWays, shots: evalShots, queries: r.evaluation.queries, episodes: n("episodes") ?? EVAL_EPISODES,
      ...(evalSteps !== undefined ? { steps: evalSteps } : {}),
      ...(evalLr !== undefined ? { lr: evalLr } : {}),
    },
    options,
    source: r.source,
  };
}

/** What a checkpoint stores of the plan (its `training`, `data` and `evaluation` metadata). */
export function planMetadata(
  plan: TrainPlan,
  augment: Augmentation,
  data: { split: string; path?: string },
): Pick<CheckpointMetadata, "training" | "data" | "evaluation"> {
  const training: JsonRecord = {
    ways: plan.ways, shots: plan.shots, queries: plan.queries, metaBatch: plan.metaBatch, augment,
    hidden: plan.hidden, source: plan.source,
  };
  const stored: JsonRecord = { dataset: plan.dataset, split: data.split, ...(data.path ? { path: data.path } : {}) };
  return { training, data: stored, evaluation: { ...plan.evaluation } };
}

/** The algorithm options a plan carries in `options`: fine-tuning's test-time SGD, Reptile's minibatches, Matching Networks' cosine, ProtoNet's metric and auxiliary loss. */
const EXTRA_OPTIONS = ["steps", "lr", "momentum", "headInit", "wholeNetwork", "innerBatch", "evalBatch", "auxiliary", "rotationWeight", "metric", "ridge", "covarianceDecay", "normalize", "embedding"];

/** Flags that describe the run and so must agree with a checkpoint being resumed. */
const RUN_FLAGS = ["algo", "dataset", "data", "split", "augment", "ways", "shots", "queries", "meta-batch", "inner-steps", "inner-lr", "meta-lr", "seed", "hidden", "auxiliary", "metric", "normalize", "embedding"];

/** The plan of a resumed run: the checkpoint's settings, with flags allowed only to repeat them. */
export function planFromCheckpoint(f: ParsedFlags, m: CheckpointMetadata): TrainPlan {
  const t = m.training ?? {};
  const d = m.data ?? {};
  if (!m.algorithm || !m.model || typeof d.dataset !== "string" || typeof t.ways !== "number") {
    throw new KshotError("--resume: the checkpoint lacks the training metadata kshot train writes (algorithm, model, training, data)");
  }
  const o = m.algorithm.options;
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const plan: TrainPlan = {
    algorithm: checkAlgorithmName(m.algorithm.name),
    dataset: checkDatasetName(d.dataset),
    kind: datasetKind(d.dataset as DatasetName),
    data: typeof d.path === "string" ? d.path : undefined,
    split: typeof d.split === "string" ? d.split : undefined,
    augment: checkAugment(typeof t.augment === "string" ? t.augment : undefined),
    ways: t.ways, shots: num(t.shots)!, queries: num(t.queries)!, metaBatch: num(t.metaBatch)!,
    innerSteps: num(o.innerSteps), innerLr: num(o.innerLr), evalSteps: num(o.evalSteps), evalLr: num(o.evalLr),
    optimizer: { kind: m.optimizer?.kind === "sgd" ? "sgd" : "adam", lr: num(m.optimizer?.lr) ?? 1e-3 },
    schedule: checkSchedule(t.schedule ?? { kind: "constant" }),
    iterations: flag.number(f, "iterations") ?? (flag.number(f, "minutes") === undefined ? num(t.iterations) : undefined),
    minutes: flag.number(f, "minutes"),
    seed: m.seed ?? 0,
    hidden: num(t.hidden) ?? CONV4_HIDDEN,
    evaluation: { ...(m.evaluation ?? {}), ...(flag.number(f, "episodes") ? { episodes: flag.number(f, "episodes") } : {}) } as unknown as EvaluationPlan,
    options: Object.fromEntries(Object.entries(o).filter(([k]) => EXTRA_OPTIONS.includes(k))),
    source: typeof t.source === "string" ? t.source : "",
  };
  const stored: Record<string, unknown> = {
    algo: plan.algorithm, dataset: plan.dataset, data: plan.data, split: plan.split, augment: plan.augment,
    ways: plan.ways, shots: plan.shots, queries: plan.queries, "meta-batch": plan.metaBatch,
    "inner-steps": plan.innerSteps ?? plan.options.steps,
    "inner-lr": plan.innerLr ?? plan.options.lr,
    "meta-lr": plan.optimizer.lr, seed: plan.seed, hidden: plan.hidden, auxiliary: plan.options.auxiliary, metric: plan.options.metric, normalize: plan.options.normalize,
    embedding: plan.options.embedding,
  };
  for (const name of RUN_FLAGS) {
    const given = f[name];
    if (given !== undefined && given !== stored[name]) {
      throw new KshotError(`--resume: --${name} ${given} conflicts with the checkpoint's ${stored[name] === undefined ? "settings (it has none)" : stored[name]}; a resumed run keeps its settings`);
    }
  }
  if (plan.iterations === undefined && plan.minutes === undefined) throw new KshotError("--resume: give a budget (--iterations TOTAL or --minutes M)");
  if (plan.iterations !== undefined && plan.minutes === undefined && m.iteration !== undefined && plan.iterations <= m.iteration) {
    throw new KshotError(`--resume: the checkpoint is at iteration ${m.iteration} already; --iterations is the total to reach, give more than ${m.iteration} (or --minutes M)`);
  }
  return plan;
}
