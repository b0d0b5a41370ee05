/**
 * Recording of the gradient graph. An op computes its output with kernels, then calls `record` with its
 * inputs and VJP; the node is attached only when recording is on and some input is tracked, so code that
 * differentiates nothing builds no graph at all.
 */
import { backend, isRecording } from "./engine.ts";
import { KshotError } from "./errors.ts";
import { GradNode, Tensor, viewOf, type Vjp } from "./tensor.ts";

let backwardDepth = 0;

/** Runs fn as part of a backward pass (VJPs may use tensors the user already disposed). */
export function inBackward<T>(fn: () => T): T {
  backwardDepth++;
  try {
    return fn();
  } finally {
    backwardDepth--;
  }
}

/** Validates an op's tensor input: a Tensor, not disposed (outside backward passes), on live memory. */
export function checkInput(op: string, t: unknown, name = "input"): Tensor {
  if (!(t instanceof Tensor)) {
    throw new KshotError(`${op}: expected ${name} to be a Tensor, got ${t === null ? "null" : typeof t}`);
  }
  if (backwardDepth === 0) t.assertUsable();
  else t.assertAlive();
  const active = backend();
  if (t.storage.backend !== active) {
    throw new KshotError(`${op}: ${name} lives on the ${t.storage.backend.name} backend, but the active backend is ${active.name}`);
  }
  return t;
}

/** Attaches a gradient node to `out` when recording and any input is tracked; returns the tensor to use. */
export function record(op: string, out: Tensor, inputs: readonly Tensor[], vjp: Vjp, saved: readonly Tensor[] = []): Tensor {
  if (!isRecording() || !inputs.some((t) => t.tracked)) return out;
  out.node = new GradNode(op, inputs, saved, vjp);
  return out;
}

/**
 * A tracked alias of `x` sharing its memory: the leaf that `grad` differentiates with respect to. When `x`
 * is itself tracked (nested differentiation) the alias passes gradients through to it.
 */
export function trackedAlias(x: Tensor): Tensor {
  const inputs = x.tracked && isRecording() ? [x] : [];
  // (A leaf alias is tracked even when recording is off, so that `grad` inside `noGrad` still works.)
  return viewOf(x, x.shape, new GradNode("leaf", inputs, [], (g) => [g]));
}
