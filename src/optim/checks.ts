/** Validation shared by the optimizers: hyper-parameters and matching parameter/gradient records. */
import type { TensorRecord } from "../autograd.ts";
import { KshotError } from "../errors.ts";
import { formatShape, sameShape } from "../shape.ts";

/** Throws unless `value` is a finite number in [min, max) (or [min, max] when `inclusiveMax`). */
export function checkRange(owner: string, name: string, value: number, min: number, max = Infinity, inclusiveMax = false): number {
  const ok = typeof value === "number" && Number.isFinite(value) && value >= min && (inclusiveMax ? value <= max : value < max);
  if (!ok) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}${inclusiveMax ? "]" : ")"}`;
    throw new KshotError(`${owner}: expected ${name} to be a finite number ${range}, got ${String(value)}`);
  }
  return value;
}

/** Every parameter has a gradient of its shape and dtype. */
export function checkGradients(owner: string, params: TensorRecord, grads: TensorRecord): void {
  for (const [name, p] of Object.entries(params)) {
    const g = grads[name];
    if (!g) throw new KshotError(`${owner}: no gradient for parameter ${name} (gradients: ${Object.keys(grads).join(", ") || "none"})`);
    if (!sameShape(p.shape, g.shape) || p.dtype !== g.dtype) {
      throw new KshotError(`${owner}: gradient of ${name} is ${formatShape(g.shape)} ${g.dtype}, the parameter ${formatShape(p.shape)} ${p.dtype}`);
    }
  }
}
