/**
 * Reverse-mode differentiation, composable to any order. `grad(f)` differentiates a scalar function of a
 * record of named tensors. Every VJP is written with ops, so with `createGraph` the gradients are
 * themselves tracked and can be differentiated again: second-order MAML is just
 * `grad(θ => L(θ − α·grad(L_support)(θ)))`.
 *
 * createGraph defaults to "nested": on when the inputs are already being differentiated by an outer
 * `grad` (so the outer derivative sees through this one), off otherwise.
 */
import { enableGrad, isRecording, noGrad, tidy } from "./engine.ts";
import { KshotError } from "./errors.ts";
import { checkInput, inBackward, trackedAlias } from "./graph.ts";
import { add } from "./ops/elementwise.ts";
import { onesLike, zerosLike } from "./ops/creation.ts";
import { formatShape, sameShape } from "./shape.ts";
import { mapTensors } from "./tree.ts";
import { aliasOf, type Tensor, viewOf } from "./tensor.ts";

/** A record of named tensors: model parameters, fast weights, gradients. */
export type TensorRecord = Record<string, Tensor>;

export interface GradOptions {
  /** Keep the gradient differentiable (for higher-order derivatives). Default: nested use. */
  createGraph?: boolean;
}

/** Tensors reachable from `y` through graph nodes, in post-order (inputs before the tensors using them), not entering `stops`. */
function postOrder(y: Tensor, stops: ReadonlySet<Tensor>): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([y]);
  const stack: { t: Tensor; next: number }[] = [{ t: y, next: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const inputs = !stops.has(top.t) && top.t.node ? top.t.node.inputs : [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (!seen.has(child)) {
        seen.add(child);
        stack.push({ t: child, next: 0 });
      }
    } else {
      order.push(top.t);
      stack.pop();
    }
  }
  return order;
}

/**
 * Cotangents of `xs` for the output `y` seeded with `seed` (ones by default). `xs` must be tensors whose
 * dependence on y was recorded (e.g. aliases made by `grad`); ones y does not depend on get zeros.
 */
export function gradients(y: Tensor, xs: readonly Tensor[], options: { createGraph?: boolean; seed?: Tensor } = {}): Tensor[] {
  checkInput("gradients", y, "output");
  const createGraph = options.createGraph ?? false;
  const run = () => backward(y, xs, options.seed);
  return createGraph ? run() : noGrad(run);
}

function backward(y: Tensor, xs: readonly Tensor[], seed: Tensor | undefined): Tensor[] {
  const targets = new Set(xs);
  const order = postOrder(y, targets);
  const reaches = new Set<Tensor>();
  for (const t of order) {
    if (targets.has(t) || t.node?.inputs.some((i) => reaches.has(i))) reaches.add(t);
  }
  const cotangents = new Map<Tensor, Tensor>();
  if (reaches.has(y)) {
    if (seed && !sameShape(seed.shape, y.shape)) {
      throw new KshotError(`gradients: seed shape ${formatShape(seed.shape)} differs from the output's ${formatShape(y.shape)}`);
    }
    // An alias, so that releasing cotangents never releases the caller's seed.
    cotangents.set(y, seed ? aliasOf(seed) : onesLike(y));
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const g = cotangents.get(t);
    if (!g || targets.has(t) || !t.node) continue;
    const node = t.node;
    const needs = node.inputs.map((input) => reaches.has(input));
    const dxs = inBackward(() => tidy(() => node.vjp(g, t, needs)));
    const owned = new Set<Tensor>([g, t, ...node.inputs, ...node.saved]);
    node.inputs.forEach((input, k) => {
      // A VJP may return g itself or hand one tensor to several inputs (add: [g, g]): each cotangent
      // gets a handle of its own, so releasing one never releases another (or a forward tensor).
      const dx = dxs[k] && owned.has(dxs[k]) ? aliasOf(dxs[k]) : dxs[k];
      if (dx) owned.add(dx);
      if (!dx || !needs[k]) {
        dx?.dispose();
        return;
      }
      const prev = cotangents.get(input);
      cotangents.set(input, prev ? accumulate(prev, dx) : dx);
    });
    cotangents.delete(t);
    g.dispose();
  }
  const result = xs.map((x) => cotangents.get(x) ?? zerosLike(x));
  for (const [t, g] of cotangents) if (!xs.includes(t)) g.dispose();
  return result;
}

function accumulate(a: Tensor, b: Tensor): Tensor {
  const s = inBackward(() => add(a, b));
  a.dispose();
  b.dispose();
  return s;
}

function checkRecord(op: string, params: unknown): TensorRecord {
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw new KshotError(`${op}: expected a record of named tensors, got ${Array.isArray(params) ? "an array" : typeof params}`);
  }
  for (const [k, v] of Object.entries(params)) checkInput(op, v, `parameter "${k}"`);
  return params as TensorRecord;
}

/**
 * Value and gradient of a scalar function of named tensors. Returns the value and a record of gradients
 * with the same keys (zeros for inputs the value does not depend on). Every tensor f creates is released
 * at the end, except what the results need.
 */
export function valueAndGrad<P extends TensorRecord>(
  f: (params: P) => Tensor,
  options: GradOptions = {},
): (params: P) => { value: Tensor; grads: { [K in keyof P]: Tensor } } {
  const withAux = valueAndGradWithAux((p: P) => [f(p), null] as const, options);
  return (params: P) => {
    const { value, grads } = withAux(params);
    return { value, grads };
  };
}

/**
 * Like `valueAndGrad` for a function that returns [value, aux]: aux (tensors, or arrays / plain objects of
 * them) is returned alongside, e.g. predictions or adapted weights computed on the way. Without
 * createGraph the value and aux come back as constants (no graph kept alive).
 */
export function valueAndGradWithAux<P extends TensorRecord, A>(
  f: (params: P) => readonly [Tensor, A],
  options: GradOptions = {},
): (params: P) => { value: Tensor; grads: { [K in keyof P]: Tensor }; aux: A } {
  return (params: P) => {
    checkRecord("valueAndGrad", params);
    const keys = Object.keys(params) as (keyof P & string)[];
    const nested = isRecording() && keys.some((k) => params[k].tracked);
    const createGraph = options.createGraph ?? nested;
    return tidy(() => {
      const aliases = Object.fromEntries(keys.map((k) => [k, trackedAlias(params[k])])) as P;
      const [value, aux] = enableGrad(() => f(aliases));
      checkInput("valueAndGrad", value, "the function's result");
      if (value.size !== 1) throw new KshotError(`valueAndGrad: the function must return one number, got shape ${formatShape(value.shape)}`);
      const gs = gradients(value, keys.map((k) => aliases[k]), { createGraph });
      const grads = Object.fromEntries(keys.map((k, i) => [k, gs[i]])) as { [K in keyof P]: Tensor };
      const keepOrDetach = (t: Tensor) => (createGraph ? t : viewOf(t, t.shape));
      return { value: keepOrDetach(value), grads, aux: mapTensors<A, Tensor>(aux, keepOrDetach) };
    });
  };
}

/** The gradient of a scalar function of named tensors, as a record with the same keys. */
export function grad<P extends TensorRecord>(f: (params: P) => Tensor, options: GradOptions = {}): (params: P) => { [K in keyof P]: Tensor } {
  const vg = valueAndGrad(f, options);
  return (params: P) =>
    tidy(() => vg(params).grads);
}
