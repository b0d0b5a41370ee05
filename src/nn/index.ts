/** Models as pure functions of named parameters (`ks.nn`). */
export { conv4, type Conv4Options } from "./conv4.ts";
export { mlp } from "./mlp.ts";
export type { Model } from "./model.ts";
