/**
 * Every flag of the `kshot` command, once: its rule (type and range, checked before any work) and its line
 * of help. Commands list the flags they take (`flagSpec`), and `kshot <command> --help` prints them
 * (`flagHelp`). The ranges keep runs within what a machine can hold; they are not tuning advice.
 */
import { OMNIGLOT_SPLITS } from "../data/splits.ts";
import { AUGMENTATIONS } from "../data/tasks.ts";
import { EMBEDDINGS } from "../meta/metric.ts";
import { PROTONET_METRICS } from "../meta/protonet.ts";
import { ALGORITHMS } from "../train/algorithms.ts";
import { type FlagRule, type FlagSpec, rule } from "./args.ts";
import { BACKENDS } from "./backend.ts";
import { DATASETS } from "./data.ts";
import { DISTILLATION, EVAL_EPISODES, ROTATION_AUXILIARY } from "./defaults.ts";

interface FlagInfo {
  rule: FlagRule;
  /** The value's placeholder in help (none for switches). */
  value?: string;
  help: string;
}

const MAX_SEED = 2 ** 32 - 1;

export const FLAGS = {
  algo: { rule: rule.string, value: "A", help: `algorithm: ${ALGORITHMS.join(", ")} (default protonet)` },
  dataset: { rule: rule.string, value: "D", help: `dataset: ${DATASETS.join(", ")} (default glyphs, built in)` },
  data: { rule: rule.string, value: "PATH", help: "the dataset's folder (omniglot: omniglot-28.bin + .json or images_background/ + images_evaluation/; imagefolder: class subfolders)" },
  split: { rule: rule.string, value: "S", help: `omniglot's class split: ${OMNIGLOT_SPLITS.join(" or ")} (default ${OMNIGLOT_SPLITS[0]})` },
  augment: { rule: rule.string, value: AUGMENTATIONS.join("|"), help: "rotations by 90°: new classes (rot90), or each class turned at random per episode (rotate); default: the split's (lake: rot90)" },
  ways: { rule: rule.integer(1, 10000), value: "N", help: "classes per task" },
  shots: { rule: rule.integer(1, 1000), value: "K", help: "support examples per class" },
  queries: { rule: rule.integer(1, 1000), value: "Q", help: "query examples per class (sinusoid: query points)" },
  "meta-batch": { rule: rule.integer(1, 1000), value: "B", help: "tasks per meta-update" },
  "inner-steps": { rule: rule.integer(0, 10000), value: "S", help: "inner-loop (adaptation) steps" },
  "inner-lr": { rule: rule.positive(1e6), value: "X", help: "inner-loop step size" },
  "meta-lr": { rule: rule.positive(1e6), value: "Y", help: "meta-optimizer learning rate" },
  iterations: { rule: rule.integer(1, 1e9), value: "I", help: "meta-iterations to run (with --resume: the total to reach)" },
  minutes: { rule: rule.positive(1e6), value: "M", help: "training time budget instead of (or as well as) iterations" },
  seed: { rule: rule.integer(0, MAX_SEED), value: "S", help: "random seed (default 0)" },
  backend: { rule: rule.string, value: "B", help: `${BACKENDS.join(", ")} (default auto: WebGPU on a hardware GPU, else wasm)` },
  threads: { rule: rule.integer(1, 64), value: "T", help: "wasm worker threads (default: the cores, at most 8)" },
  fast: { rule: rule.switch, help: "wasm fast mode: fused multiply-add where the engine has relaxed SIMD (last bits may differ by engine)" },
  embedding: { rule: rule.string, value: EMBEDDINGS.join("|"), help: "protonet, matchingnet: support and query through the network in one batch (joint: one set of BatchNorm statistics, the default) or each alone" },
  metric: { rule: rule.string, value: "M", help: `protonet's distance: ${PROTONET_METRICS.join(" or ")} (Simple CNAPS: shrunk class covariances; default euclidean)` },
  shift: { rule: rule.string, value: "SPEC", help: "test on shifted images: dilate:R (strokes R pixels thicker), blur:S (Gaussian σ S pixels), or both, comma-separated" },
  normalize: { rule: rule.string, value: "support|both", help: `Matching Networks' cosine: normalise the support embeddings only (default, as the reference code) or query and support` },
  hidden: { rule: rule.integer(1, 1024), value: "H", help: "Conv-4 filters per layer (default 64)" },
  auxiliary: { rule: rule.string, value: "rotation|none", help: `protonet: rotation prediction as an auxiliary loss, weight ${ROTATION_AUXILIARY.weight} (default none; ${ROTATION_AUXILIARY.source})` },
  teacher: { rule: rule.string, value: "FILE", help: "the meta-trained teacher checkpoint (required)" },
  temperature: { rule: rule.positive(1e6), value: "T", help: `softmax temperature of the soft targets (default ${DISTILLATION.temperature})` },
  "hard-weight": { rule: rule.nonNegative(1e6), value: "W", help: `weight of the hard-label loss (default ${DISTILLATION.hardWeight})` },
  out: { rule: rule.string, value: "FILE", help: "where the checkpoint goes (required; written atomically, checked writable first)" },
  resume: { rule: rule.string, value: "FILE", help: "continue the run of this checkpoint exactly where it stopped" },
  "eval-every": { rule: rule.integer(1, 1e9), value: "N", help: "validate every N iterations (default: 5 times over an --iterations budget, else every budget/5 minutes)" },
  patience: { rule: rule.integer(1, 1e6), value: "P", help: "early stopping: stop after P validations without improvement, keeping the best model in --out" },
  eval: { rule: rule.switch, help: "test the trained model on the test split afterwards" },
  episodes: { rule: rule.integer(1, 1e6), value: "E", help: `test episodes (default ${EVAL_EPISODES})` },
  model: { rule: rule.string, value: "FILE", help: "the checkpoint to evaluate (required)" },
  to: { rule: rule.string, value: "DIR", help: "where the dataset goes (default $KSHOT_DATA/<dataset>, else ~/.cache/kshot/<dataset>)" },
  json: { rule: rule.switch, help: "print one JSON object as the last line of stdout" },
} satisfies Record<string, FlagInfo>;

export type FlagName = keyof typeof FLAGS;

/** The rules of the flags a command takes. */
export function flagSpec(names: readonly FlagName[]): FlagSpec {
  return Object.fromEntries(names.map((n) => [n, FLAGS[n].rule]));
}

/** Help lines for the flags a command takes: `  --name VALUE  what it does`, aligned. */
export function flagHelp(names: readonly FlagName[]): string {
  const left = names.map((n) => `  --${n}${"value" in FLAGS[n] ? ` ${(FLAGS[n] as FlagInfo).value}` : ""}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return names.map((n, i) => `${left[i]!.padEnd(width)}${FLAGS[n].help}`).join("\n");
}
