/**
 * Walking trees of tensors: a tensor, or arrays and plain objects of them (parameter records, gradients,
 * results of `tidy`). The one place that knows how such a structure is traversed; it knows tensors only
 * by their `isTensor` mark, so it sits below tensor.ts and the engine.
 */
import type { Disposable } from "./engine.ts";

function isTensorLike(value: unknown): value is Disposable {
  return (value as Partial<Disposable> | null)?.isTensor === true;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Calls fn(t) for every tensor in `value` (other leaves and class instances are skipped). */
export function forEachTensor<T extends Disposable = Disposable>(value: unknown, fn: (t: T) => void): void {
  if (value === null || typeof value !== "object") return;
  if (isTensorLike(value)) fn(value as T);
  else if (Array.isArray(value)) for (const v of value) forEachTensor(v, fn);
  else if (isPlainObject(value)) for (const v of Object.values(value)) forEachTensor(v, fn);
}

/** A copy of `value` with every tensor replaced by f(tensor); other leaves are copied as they are. */
export function mapTensors<A, T extends Disposable = Disposable>(value: A, f: (t: T) => T): A {
  if (value === null || typeof value !== "object") return value;
  if (isTensorLike(value)) return f(value as unknown as T) as unknown as A;
  if (Array.isArray(value)) return value.map((v) => mapTensors(v, f)) as unknown as A;
  if (!isPlainObject(value)) return value;
  return mapRecord(value as Record<string, unknown>, (v) => mapTensors(v, f)) as A;
}

/** The record with f applied to each entry (same keys, same order). */
export function mapRecord<A, B>(r: Readonly<Record<string, A>>, f: (v: A, key: string) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v, k)]));
}

/** Disposes every tensor in `value` (undefined: nothing). */
export function disposeTensors(value: unknown): void {
  forEachTensor(value, (t) => t.dispose());
}
