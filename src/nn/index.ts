/** Models as pure functions of named parameters (`ks.nn`). */
export { conv4, type Conv4Options, type Conv4Model, type Conv4ApplyOptions } from "./conv4.ts";
export type { BatchNormStatistics, BatchNormSource } from "./layers.ts";
export { mlp } from "./mlp.ts";
export type { Model } from "./model.ts";
