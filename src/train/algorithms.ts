/**
 * Algorithms and models by name, from plain option records: what the command line builds from flags and
 * what a checkpoint's metadata rebuilds (`model` + `model_config`, `algorithm` + `algorithm_options`).
 */
import { KshotError } from "../errors.ts";
import type { CheckpointMetadata } from "../io/checkpoint.ts";
import type { MetaAlgorithm } from "../meta/algorithm.ts";
import { createAlgorithm } from "../meta/registry.ts";
import { conv4 } from "../nn/conv4.ts";
import { mlp } from "../nn/mlp.ts";
import type { Model } from "../nn/model.ts";

export { ALGORITHMS, type AlgorithmOptions, checkAlgorithmName, createAlgorithm, needsHead } from "../meta/registry.ts";

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
