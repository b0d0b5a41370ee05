// One golden case: read a PyTorch safetensors file, decide from its __metadata__ alone what to compute
// (model, algorithm, task count, steps, learning rates), compute it through kshot's algorithm modules on
// the active backend, and compare every expected.* tensor within the fixtures' tolerance
// (tools/golden/README.md): max|a − e| ≤ 1e-4 · max(max|e|, M/10), M the case's largest max|e|.
import * as ks from "../../src/index.ts";
import type { Tensor, TensorRecord } from "../../src/index.ts";
import { parseSafetensors, type SafetensorsEntry } from "../../src/io/safetensors.ts";

const KNOWN_METADATA = new Set([
  "case", "generator", "algorithm", "model", "sizes", "hidden", "ways", "shots", "queries", "tasks", "loss",
  "inner_lr", "inner_steps", "inner_params", "outer_step", "inner_data", "embed", "param_order", "metric", "ridge", "layers", "normalize",
]);
const ALGORITHMS = new Set(["maml", "fomaml", "metasgd", "anil", "reptile", "protonet", "matchingnet", "metalstm", "lstm-optimizer"]);
const TENSOR_KEY = /^(param|lr)\.[\w.]+$|^(support|query)\.[xy]$|^quadratic\.(w|y|theta)$|^expected\.(query_loss|loss|(grad|grad_lr|adapted|updated)\.[\w.]+)$/;

export class CaseError extends Error {}

export interface CaseResult {
  name: string;
  /** The worst error relative to the allowed bound (≤ 1 passes), and where. */
  worstRatio: number;
  worstKey: string;
  worstAbs: number;
  checked: number;
  passed: boolean;
}

function fail(message: string): never {
  throw new CaseError(message);
}

function num(meta: Record<string, string>, key: string): number {
  const v = meta[key];
  if (v === undefined) fail(`metadata lacks "${key}"`);
  const n = Number(v);
  if (!Number.isFinite(n)) fail(`metadata "${key}" is not a number: ${JSON.stringify(v)}`);
  return n;
}

function toHost(e: SafetensorsEntry): Float64Array | Int32Array {
  if (e.data instanceof Int32Array) return e.data;
  if (e.data instanceof BigInt64Array) return Int32Array.from(e.data, (v) => Number(v));
  return Float64Array.from(e.data as ArrayLike<number>);
}

/** Everything the case computes, keyed like the expected.* entries (without the prefix). */
type Results = Map<string, Float64Array>;
type Computed = Record<string, Tensor>;

export async function runCase(bytes: Uint8Array, fileName: string): Promise<CaseResult> {
  const { tensors, metadata } = parseSafetensors(bytes, fileName);
  for (const k of Object.keys(metadata)) if (!KNOWN_METADATA.has(k)) fail(`unknown metadata key "${k}"`);
  for (const k of tensors.keys()) if (!TENSOR_KEY.test(k)) fail(`unknown tensor key "${k}"`);
  const algorithm = metadata.algorithm;
  if (!ALGORITHMS.has(algorithm)) fail(`unknown algorithm ${JSON.stringify(algorithm)}`);
  const name = metadata.case ?? fileName;

  const floatType: ks.DType = ks.getBackendName() === "reference" ? "float64" : "float32";
  const computed = ks.tidy(() => compute(tensors, metadata, floatType));
  const results: Results = new Map();
  for (const [k, t] of Object.entries(computed)) {
    results.set(k, Float64Array.from(await t.data()));
    t.dispose();
  }
  const expected = [...tensors].filter(([k]) => k.startsWith("expected."));
  if (expected.length === 0) fail("no expected.* tensors");
  const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const M = Math.max(...expected.map(([, e]) => maxAbs(toHost(e))));
  let worst = { ratio: 0, key: "", abs: 0 };
  for (const [key, entry] of expected) {
    const want = toHost(entry);
    const got = results.get(key.slice("expected.".length));
    if (!got) fail(`${key}: kshot computed no such value (unknown expectation)`);
    if (got.length !== want.length) fail(`${key}: ${got.length} values computed, ${want.length} expected`);
    const bound = 1e-4 * Math.max(maxAbs(want), M / 10);
    let err = 0;
    for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]) || (Number.isNaN(got[i]) ? Infinity : 0));
    const ratio = bound > 0 ? err / bound : err === 0 ? 0 : Infinity;
    if (!(ratio <= worst.ratio)) worst = { ratio, key, abs: err };
  }
  return { name, worstRatio: worst.ratio, worstKey: worst.key, worstAbs: worst.abs, checked: expected.length, passed: worst.ratio <= 1 };
}

function compute(tensors: Map<string, SafetensorsEntry>, meta: Record<string, string>, dtype: ks.DType): Computed {
  const tasks = num(meta, "tasks");
  const entry = (k: string) => tensors.get(k) ?? fail(`missing tensor "${k}"`);
  const make = (k: string, as: ks.DType = dtype): Tensor => {
    const e = entry(k);
    const host = toHost(e);
    return ks.tensor(host instanceof Int32Array && as !== "int32" ? Float64Array.from(host) : host, e.shape, as);
  };
  if (!Number.isInteger(tasks) || tasks < 1) fail(`tasks must be a positive integer, got ${meta.tasks}`);
  if (meta.algorithm === "lstm-optimizer") return lstmOptimizerTruncation(meta, make);
  // With tasks = 1 the file has no task axis; kshot's algorithms always take [T, ...].
  const batched = (k: string, as?: ks.DType) => {
    const t = make(k, as);
    if (tasks === 1) return ks.expandDims(t, 0);
    if (t.shape[0] !== tasks) fail(`${k} has shape [${t.shape}], expected a leading task axis of ${tasks}`);
    return t;
  };
  const order = (meta.param_order ?? fail('metadata lacks "param_order"')).split(",");
  const params: TensorRecord = Object.fromEntries(order.map((n) => [n, make(`param.${n}`)]));
  const model = buildModel(meta, tensors, order);
  checkShapes(model, params);
  const loss = meta.loss === "mse" || meta.loss === "cross_entropy" ? meta.loss : fail(`unknown loss ${JSON.stringify(meta.loss)}`);
  const labels: ks.DType = loss === "mse" ? dtype : "int32";
  const batch: ks.meta.TaskBatch = {
    support: { x: batched("support.x"), y: batched("support.y", labels) },
    query: { x: batched("query.x"), y: batched("query.y", labels) },
    ways: meta.ways !== undefined ? num(meta, "ways") : undefined,
  };
  const algo = buildAlgorithm(meta, model, loss, order);
  if (meta.algorithm === "metasgd") for (const n of order) params[`lr.${n}`] = make(`lr.${n}`);
  const gates = Object.keys(Object.fromEntries(tensors)).filter((k) => k.startsWith(`param.${ks.meta.META_LSTM_PREFIX}`)).map((k) => k.slice("param.".length));
  if (meta.algorithm === "metalstm") for (const n of gates) params[n] = make(`param.${n}`);
  const step = algo.step(params, batch);
  const results: Computed = {};
  const isMetric = meta.algorithm === "protonet" || meta.algorithm === "matchingnet";
  if (meta.algorithm === "reptile") {
    const eps = num(meta, "outer_step");
    for (const n of order) results[`updated.${n}`] = ks.sub(params[n], ks.mul(step.grads[n], eps));
  } else {
    results[isMetric ? "loss" : "query_loss"] = step.loss;
    for (const n of order) results[`grad.${n}`] = step.grads[n];
    if (meta.algorithm === "metasgd") for (const n of order) results[`grad_lr.${n}`] = step.grads[`lr.${n}`];
    if (meta.algorithm === "metalstm") for (const n of gates) results[`grad.${n}`] = step.grads[n];
    if (step.adapted && tasks === 1) for (const n of order) results[`adapted.${n}`] = step.adapted[n];
  }
  return results;
}

function buildModel(meta: Record<string, string>, tensors: Map<string, SafetensorsEntry>, order: string[]): ks.nn.Model {
  if (meta.model === "mlp") {
    const sizes = (meta.sizes ?? fail('mlp needs "sizes"')).split(",").map(Number);
    return ks.nn.mlp(sizes);
  }
  if (meta.model === "conv4") {
    const hidden = num(meta, "hidden");
    const first = tensors.get("param.conv0.weight") ?? fail("conv4 needs param.conv0.weight");
    const sx = tensors.get("support.x") ?? fail("missing support.x");
    const size = sx.shape[sx.shape.length - 1];
    const head = order.includes("head.weight");
    return ks.nn.conv4({ hidden, ways: head ? num(meta, "ways") : 0, channels: first.shape[1], size });
  }
  fail(`unknown model ${JSON.stringify(meta.model)}`);
}

function checkShapes(model: ks.nn.Model, params: TensorRecord): void {
  const names = Object.keys(model.paramShapes);
  if (names.join(",") !== Object.keys(params).join(",")) fail(`param_order ${Object.keys(params).join(",")} does not match the ${model.name} parameters ${names.join(",")}`);
  for (const n of names) {
    const want = model.paramShapes[n];
    if (want.join(",") !== params[n].shape.join(",")) fail(`param.${n} has shape [${params[n].shape}], the model expects [${want}]`);
  }
}

function buildAlgorithm(meta: Record<string, string>, model: ks.nn.Model, loss: ks.meta.LossKind, order: string[]): ks.meta.MetaAlgorithm {
  const algorithm = meta.algorithm;
  if (algorithm === "protonet" || algorithm === "matchingnet") {
    if (meta.embed !== undefined && meta.embed !== "support+query") fail(`unknown embed ${JSON.stringify(meta.embed)}`);
    if (meta.inner_params !== undefined && meta.inner_params !== "none") fail(`${algorithm} has no inner loop, got inner_params ${meta.inner_params}`);
    if (algorithm === "matchingnet") {
      // Cases without the key predate it and compute a true cosine.
      const normalize = meta.normalize ?? "both";
      if (normalize !== "both" && normalize !== "support") fail(`unknown normalize ${JSON.stringify(normalize)}`);
      return ks.meta.matchingNet(model, { normalize });
    }
    const metric = meta.metric ?? "euclidean";
    if (metric !== "euclidean" && metric !== "mahalanobis") fail(`unknown metric ${JSON.stringify(metric)}`);
    return ks.meta.protonet(model, metric === "mahalanobis" ? { metric, ridge: num(meta, "ridge") } : {});
  }
  const innerSteps = num(meta, "inner_steps");
  const innerParams = meta.inner_params === undefined || meta.inner_params === "all" ? order : meta.inner_params.split(",");
  if (algorithm === "reptile") {
    if (meta.inner_data !== undefined && meta.inner_data !== "support+query") fail(`unknown inner_data ${JSON.stringify(meta.inner_data)}`);
    if (innerParams.length !== order.length) fail("reptile adapts every parameter");
    num(meta, "outer_step");
    return ks.meta.reptile(model, { innerLr: num(meta, "inner_lr"), innerSteps, loss });
  }
  if (algorithm === "metalstm") return ks.meta.metaLstm(model, { innerSteps, loss });
  if (algorithm === "metasgd") {
    if (meta.inner_lr !== "tensors") fail(`metasgd expects inner_lr "tensors", got ${JSON.stringify(meta.inner_lr)}`);
    return ks.meta.metaSgd(model, { innerSteps, innerParams, loss });
  }
  const options = { innerLr: num(meta, "inner_lr"), innerSteps, innerParams, loss };
  if (algorithm === "maml") return ks.meta.maml(model, options);
  if (algorithm === "fomaml") return ks.meta.fomaml(model, options);
  return ks.meta.anil(model, options);
}

/**
 * One truncation of the LSTM optimizer's meta-training on the case's quadratics: the meta-loss, its gradient
 * with respect to the LSTM's weights, and where θ ends.
 */
function lstmOptimizerTruncation(meta: Record<string, string>, make: (k: string) => Tensor): Computed {
  const order = (meta.param_order ?? fail('metadata lacks "param_order"')).split(",");
  const weights: TensorRecord = Object.fromEntries(order.map((n) => [n, make(`param.${n}`)]));
  const config = ks.optim.lstmOptimizerConfig({ hidden: num(meta, "hidden"), layers: num(meta, "layers") });
  const f = ks.optim.quadraticFunctions(make("quadratic.w"), make("quadratic.y"));
  const theta = { theta: make("quadratic.theta") };
  const dtype = theta.theta.dtype;
  const states = { theta: ks.optim.zeroLstmState(theta.theta.size, config).map((s) => ({ h: ks.cast(s.h, dtype), c: ks.cast(s.c, dtype) })) };
  const { value, grads, aux } = ks.valueAndGradWithAux((w: TensorRecord) => ks.optim.unrollLearnedOptimizer(f, w, theta, states, num(meta, "inner_steps"), config))(weights);
  const results: Computed = { loss: value, "adapted.theta": aux.params.theta };
  for (const n of order) results[`grad.${n}`] = grads[n];
  return results;
}
