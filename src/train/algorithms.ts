/**
 * Algorithms and models by name, from plain option records: what the command line builds from flags and
 * what a checkpoint's metadata rebuilds (`model` + `model_config`, `algorithm` + `algorithm_options`).
 */
import { KshotError } from "../errors.ts";
import type { CheckpointMetadata } from "../io/checkpoint.ts";
import type { AlgorithmName, MetaAlgorithm } from "../meta/algorithm.ts";
import { finetune } from "../meta/finetune.ts";
import type { LossKind } from "../meta/losses.ts";
import { anil, fomaml, maml, type MamlOptions, metaSgd } from "../meta/maml.ts";
import { matchingNet } from "../meta/matching-net.ts";
import { protonet } from "../meta/protonet.ts";
import { reptile } from "../meta/reptile.ts";
import { conv4 } from "../nn/conv4.ts";
import { mlp } from "../nn/mlp.ts";
import type { Model } from "../nn/model.ts";

export const ALGORITHMS: readonly AlgorithmName[] = ["maml", "fomaml", "metasgd", "anil", "reptile", "protonet", "matchingnet", "finetune"];

export type AlgorithmOptions = Readonly<Record<string, string | number | boolean | undefined>>;

/** Whether the algorithm's model has a classification head (MAML family, Reptile) or is an embedding. */
export function needsHead(name: AlgorithmName): boolean {
  return !["protonet", "matchingnet", "finetune"].includes(name);
}

export function checkAlgorithmName(name: string): AlgorithmName {
  if (!(ALGORITHMS as readonly string[]).includes(name)) {
    throw new KshotError(`unknown algorithm ${JSON.stringify(name)} (expected one of ${ALGORITHMS.join(", ")})`);
  }
  return name as AlgorithmName;
}

function field<T extends "number" | "boolean" | "string">(o: AlgorithmOptions, key: string, type: T) {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new KshotError(`algorithm option ${key}: expected a ${type}, got ${JSON.stringify(v)}`);
  return v as T extends "number" ? number : T extends "boolean" ? boolean : string;
}

function lossOf(o: AlgorithmOptions): LossKind | undefined {
  const loss = field(o, "loss", "string");
  if (loss !== undefined && loss !== "cross_entropy" && loss !== "mse") {
    throw new KshotError(`algorithm option loss: expected "cross_entropy" or "mse", got ${JSON.stringify(loss)}`);
  }
  return loss;
}

/** The algorithm `name` on `model` with options as stored in checkpoints (unknown keys are ignored). */
export function createAlgorithm(name: string, model: Model, o: AlgorithmOptions = {}): MetaAlgorithm {
  const algorithm = checkAlgorithmName(name);
  const num = (k: string) => field(o, k, "number");
  const loss = lossOf(o);
  if (loss === "mse" && !["maml", "fomaml", "metasgd", "anil", "reptile"].includes(algorithm)) {
    throw new KshotError(`${algorithm} classifies; regression (mse loss, e.g. sinusoid) needs maml, fomaml, metasgd, anil or reptile`);
  }
  const shared = { innerLr: num("innerLr"), innerSteps: num("innerSteps"), evalSteps: num("evalSteps"), evalLr: num("evalLr"), loss };
  switch (algorithm) {
    case "maml":
    case "fomaml":
    case "metasgd":
    case "anil": {
      const innerParams = field(o, "innerParams", "string");
      const options: MamlOptions = { ...shared, innerParams: innerParams ? innerParams.split(",") : undefined };
      return { maml, fomaml, metasgd: metaSgd, anil }[algorithm](model, options);
    }
    case "reptile":
      return reptile(model, { ...shared, innerBatch: num("innerBatch"), evalBatch: num("evalBatch") });
    case "protonet":
      return protonet(model);
    case "matchingnet":
      return matchingNet(model);
    case "finetune": {
      const numClasses = num("numClasses");
      if (numClasses === undefined) throw new KshotError("finetune: the option numClasses (training classes of the pre-training head) is required");
      const headInit = field(o, "headInit", "string");
      if (headInit !== undefined && headInit !== "zeros" && headInit !== "random") {
        throw new KshotError(`finetune: expected headInit "zeros" or "random", got ${JSON.stringify(headInit)}`);
      }
      return finetune(model, {
        numClasses, steps: num("steps"), lr: num("lr"), momentum: num("momentum"), headInit,
        wholeNetwork: field(o, "wholeNetwork", "boolean"), seed: num("seed"),
      });
    }
  }
}

/** The options to store for an algorithm: its hyper-parameters and its loss. */
export function algorithmOptions(algo: MetaAlgorithm): Record<string, string | number | boolean> {
  return { ...algo.options, loss: algo.loss };
}

/** The models `createModel` builds from a checkpoint's `model` and `model_config`. */
export const BUILT_IN_MODELS: readonly string[] = ["conv4", "mlp"];

/** A built-in model from its name and config (as `model.config` gives them and checkpoints store them). */
export function createModel(name: string, config: Readonly<Record<string, string | number>>): Model {
  const int = (key: string, fallback?: number): number => {
    const v = config[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v)) throw new KshotError(`${name} config: expected an integer ${key}, got ${JSON.stringify(config[key])}`);
    return v;
  };
  if (name === "conv4") return conv4({ hidden: int("hidden"), ways: int("ways"), channels: int("channels", 1), size: int("size", 28) });
  if (name === "mlp") {
    const sizes = String(config.sizes ?? "").split(",").map(Number);
    if (!sizes.every((s) => Number.isInteger(s) && s > 0)) throw new KshotError(`mlp config: expected sizes like "1,40,40,1", got ${JSON.stringify(config.sizes)}`);
    return mlp(sizes);
  }
  throw new KshotError(`model ${JSON.stringify(name)} is not built in (${BUILT_IN_MODELS.join(", ")}): build it yourself and pass it with the checkpoint's parameters`);
}

/** The model and algorithm a checkpoint was trained with. */
export function fromMetadata(metadata: CheckpointMetadata): { model: Model; algorithm: MetaAlgorithm } {
  if (!metadata.model) throw new KshotError("checkpoint: the metadata names no model (`model`, `model_config`)");
  if (!metadata.algorithm) throw new KshotError("checkpoint: the metadata names no algorithm (`algorithm`, `algorithm_options`)");
  const model = createModel(metadata.model.name, metadata.model.config);
  return { model, algorithm: createAlgorithm(metadata.algorithm.name, model, metadata.algorithm.options) };
}

/** The evaluation protocol a checkpoint stores (`evaluation` metadata): its numeric entries (ways, shots, queries, steps, lr). */
export function storedEvaluation(metadata: CheckpointMetadata): { ways?: number; shots?: number; queries?: number; steps?: number; lr?: number } {
  const e = metadata.evaluation ?? {};
  const num = (key: string) => (typeof e[key] === "number" ? (e[key] as number) : undefined);
  return { ways: num("ways"), shots: num("shots"), queries: num("queries"), steps: num("steps"), lr: num("lr") };
}
