/**
 * The engine: the active backend, the `tidy` scope stack, the gradient-recording switch and the live
 * tensor count. It knows tensors only through the small `Disposable` shape, so it sits below tensor.ts.
 */
import type { Backend } from "./backend/backend.ts";
import { KshotError } from "./errors.ts";

/** What the engine needs of a tensor: a way to give up the user's reference. */
export interface Disposable {
  readonly isTensor: true;
  dispose(): void;
}

interface EngineState {
  backend: Backend | null;
  scopes: Set<Disposable>[];
  liveTensors: number;
  noGradDepth: number;
  checkNumerics: boolean;
  deterministic: boolean;
}

const state: EngineState = {
  backend: null,
  scopes: [],
  liveTensors: 0,
  noGradDepth: 0,
  checkNumerics: false,
  deterministic: true,
};

/** The active backend; throws when `ks.init` has not run. */
export function backend(): Backend {
  if (!state.backend) throw new KshotError("no backend: call `await ks.init()` first");
  return state.backend;
}

/**
 * Runs fn with `b` as the active backend, then restores the previous one. Tensors made inside live on
 * `b`; ops refuse to mix backends. (Tests use it to compute oracle values on the reference backend.)
 */
export function withBackend<T>(b: Backend, fn: () => T): T {
  const saved = state.backend;
  state.backend = b;
  try {
    return fn();
  } finally {
    state.backend = saved;
  }
}

/** The active backend object (its name, counters, bytes in use). */
export function backendInUse(): Backend {
  return backend();
}

export function hasBackend(): boolean {
  return state.backend !== null;
}

/** Makes `b` the active backend. Tensors of the previous backend must not be used with the new one. */
export function setActiveBackend(b: Backend | null): void {
  state.backend = b;
}

export function engineOptions(): { checkNumerics: boolean; deterministic: boolean } {
  return { checkNumerics: state.checkNumerics, deterministic: state.deterministic };
}

/** Changes engine options without restarting the backend (`checkNumerics`: every op checks its output). */
export function configure(o: { checkNumerics?: boolean; deterministic?: boolean }): void {
  if (o.checkNumerics !== undefined) state.checkNumerics = o.checkNumerics;
  if (o.deterministic !== undefined) state.deterministic = o.deterministic;
}

/** Registers a new user-visible tensor with the innermost tidy scope. */
export function registerTensor(t: Disposable): void {
  state.liveTensors++;
  const scope = state.scopes[state.scopes.length - 1];
  if (scope) scope.add(t);
}

/** Called when a tensor's last reference (user's or graph's) is gone. */
export function unregisterTensor(): void {
  state.liveTensors--;
}

/** Removes `t` from every open scope, so no `tidy` disposes it. */
export function keep<T extends Disposable>(t: T): T {
  for (const scope of state.scopes) scope.delete(t);
  return t;
}

/** Calls fn(t) for every tensor inside a result: a tensor, or arrays / plain objects of them. */
export function forEachTensorIn(value: unknown, fn: (t: Disposable) => void): void {
  if (value === null || typeof value !== "object") return;
  if ((value as Partial<Disposable>).isTensor === true) {
    fn(value as Disposable);
  } else if (Array.isArray(value)) {
    for (const v of value) forEachTensorIn(v, fn);
  } else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    for (const v of Object.values(value as Record<string, unknown>)) forEachTensorIn(v, fn);
  }
}

/**
 * Runs fn and disposes every tensor it created that is not part of its result (tensors inside returned
 * arrays and plain objects are kept and handed to the enclosing scope). fn must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  state.scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) {
      throw new KshotError("tidy: the function must be synchronous (it returned a Promise); await outside tidy");
    }
  } catch (err) {
    // A failed call leaves no tensor behind: everything made in the scope is freed.
    for (const t of scope) t.dispose();
    throw err;
  } finally {
    state.scopes.pop();
  }
  const kept = new Set<Disposable>();
  forEachTensorIn(result, (t) => kept.add(t));
  for (const t of scope) if (!kept.has(t)) t.dispose();
  const parent = state.scopes[state.scopes.length - 1];
  if (parent) for (const t of kept) if (scope.has(t)) parent.add(t);
  return result;
}

/** Starts the work enqueued so far (e.g. at the end of a training step) without waiting for it. */
export function flush(): void {
  state.backend?.flush?.();
}

/** Counts of what is alive now: tensors not yet fully released, and the backend's bytes. */
export function memory(): { tensors: number; bytes: number } {
  return { tensors: state.liveTensors, bytes: state.backend ? state.backend.bytesInUse() : 0 };
}

/** Whether ops record gradient nodes now. */
export function isRecording(): boolean {
  return state.noGradDepth === 0;
}

/** Runs fn with gradient recording off (nothing it computes is differentiable). */
export function noGrad<T>(fn: () => T): T {
  state.noGradDepth++;
  try {
    return fn();
  } finally {
    state.noGradDepth--;
  }
}

/** Runs fn with gradient recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  const saved = state.noGradDepth;
  state.noGradDepth = 0;
  try {
    return fn();
  } finally {
    state.noGradDepth = saved;
  }
}
