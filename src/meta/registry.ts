/**
 * Every built-in algorithm by name: how to rebuild it from stored options (checkpoint metadata, the
 * command line), whether its model has a classification head, whether it regresses.
 */
import { KshotError } from "../errors.ts";
import type { Model } from "../nn/model.ts";
import type { AlgorithmContext, AlgorithmEntry, AlgorithmName, MetaAlgorithm, StoredOptions } from "./algorithm.ts";
import { FINETUNE_ENTRY } from "./finetune.ts";
import { MAML_ENTRIES } from "./maml.ts";
import { MATCHING_NET_ENTRY } from "./matching-net.ts";
import { L2L_LSTM_ENTRY } from "./l2l-lstm.ts";
import { META_LSTM_ENTRY } from "./meta-lstm.ts";
import { PROTONET_ENTRY } from "./protonet.ts";
import { REPTILE_ENTRY } from "./reptile.ts";
import { storedLoss } from "./stored-options.ts";

const ENTRIES: Readonly<Record<AlgorithmName, AlgorithmEntry>> = {
  ...MAML_ENTRIES,
  reptile: REPTILE_ENTRY,
  protonet: PROTONET_ENTRY,
  matchingnet: MATCHING_NET_ENTRY,
  finetune: FINETUNE_ENTRY,
  metalstm: META_LSTM_ENTRY,
  "l2l-lstm": L2L_LSTM_ENTRY,
};

export const ALGORITHMS = Object.keys(ENTRIES) as readonly AlgorithmName[];

/** Options as the command line and checkpoints give them (undefined entries are left out). */
export type AlgorithmOptions = Readonly<Record<string, string | number | boolean | undefined>>;

export function checkAlgorithmName(name: string): AlgorithmName {
  if (!(ALGORITHMS as readonly string[]).includes(name)) {
    throw new KshotError(`unknown algorithm ${JSON.stringify(name)} (expected one of ${ALGORITHMS.join(", ")})`);
  }
  return name as AlgorithmName;
}

/** The registry entry of a built-in algorithm. */
export function algorithmEntry(name: string): AlgorithmEntry {
  return ENTRIES[checkAlgorithmName(name)];
}

/** Whether the algorithm's model has a classification head (MAML family, Reptile) or is an embedding. */
export function needsHead(name: AlgorithmName): boolean {
  return algorithmEntry(name).head;
}

/** The algorithm `name` on `model` with options as stored in checkpoints (unknown keys are ignored). */
export function createAlgorithm(name: string, model: Model, options: AlgorithmOptions = {}, context: AlgorithmContext = {}): MetaAlgorithm {
  const entry = algorithmEntry(name);
  const stored = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as StoredOptions;
  if (storedLoss(stored) === "mse" && !entry.regression) {
    const regressors = ALGORITHMS.filter((a) => ENTRIES[a].regression);
    throw new KshotError(`${name} classifies; regression (mse loss, e.g. sinusoid) needs ${regressors.slice(0, -1).join(", ")} or ${regressors.at(-1)}`);
  }
  return entry.create(model, stored, context);
}
