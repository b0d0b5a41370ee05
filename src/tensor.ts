/**
 * Tensor: a shape, a dtype and a reference-counted handle on backend memory, plus an optional gradient
 * node. References are counted so that a gradient graph keeps alive exactly what its VJPs need: the user
 * holds one reference (given up by `dispose()` or a `tidy` scope), and every graph node that saves the
 * tensor holds one more. Memory returns to the backend when the last reference goes.
 */
import type { Backend, BackendBuffer } from "./backend/backend.ts";
import type { DType, TypedArrayFor } from "./dtype.ts";
import { backend, registerTensor, unregisterTensor } from "./engine.ts";
import { KshotError } from "./errors.ts";
import { checkedSize, formatShape, sizeOf, type Shape } from "./shape.ts";

/** Backend memory shared by a tensor and its views (reshapes, gradient-tracking aliases). */
export class Storage {
  private refs = 1;
  constructor(readonly backend: Backend, readonly buffer: BackendBuffer) {}
  retain(): void {
    this.refs++;
  }
  release(): void {
    if (--this.refs === 0) this.backend.free(this.buffer);
  }
}

/**
 * A vector-Jacobian product: given the cotangent `g` of the output `out`, the cotangents of the inputs
 * (null where an input gets none, or where `needs[i]` is false: nobody asked for it). Written with ops, so
 * it is itself differentiable.
 */
export type Vjp = (g: Tensor, out: Tensor, needs: readonly boolean[]) => (Tensor | null)[];

/** A recorded operation: its inputs, extra tensors its VJP needs, and the VJP. */
export class GradNode {
  private refs = 1;
  constructor(
    readonly op: string,
    readonly inputs: readonly Tensor[],
    readonly saved: readonly Tensor[],
    readonly vjp: Vjp,
  ) {
    for (const t of inputs) t.retain();
    for (const t of saved) t.retain();
  }
  retain(): void {
    this.refs++;
  }
  release(): void {
    if (--this.refs > 0) return;
    for (const t of this.inputs) t.release();
    for (const t of this.saved) t.release();
  }
}

let nextId = 0;

export class Tensor {
  readonly isTensor = true as const;
  readonly id = nextId++;
  readonly size: number;
  private refs = 1;
  private userDisposed = false;

  /** Internal: use ops (`ks.tensor`, `ks.zeros`, ...) to make tensors. */
  constructor(
    readonly storage: Storage,
    readonly shape: Shape,
    readonly dtype: DType,
    /** The operation that produced this tensor, when it is being differentiated (set once, by `record`). */
    public node: GradNode | null = null,
  ) {
    this.size = sizeOf(shape);
    registerTensor(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** True once `dispose()` ran (or a `tidy` scope disposed it). */
  get isDisposed(): boolean {
    return this.userDisposed;
  }

  /** Whether gradients flow through this tensor (it was computed from a tensor being differentiated). */
  get tracked(): boolean {
    return this.node !== null;
  }

  get buffer(): BackendBuffer {
    this.assertAlive();
    return this.storage.buffer;
  }

  /** Reads the values back to the host, after all work enqueued before. */
  async data(): Promise<TypedArrayFor> {
    this.assertUsable();
    return this.storage.backend.read(this.storage.buffer);
  }

  /** Synchronous read; only on backends that can (wasm, reference). */
  dataSync(): TypedArrayFor {
    this.assertUsable();
    if (!this.storage.backend.canReadSync) {
      throw new KshotError(`dataSync: the ${this.storage.backend.name} backend reads asynchronously; use \`await t.data()\``);
    }
    return this.storage.backend.readSync(this.storage.buffer);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new KshotError(`item: expected a tensor with one element, got shape ${formatShape(this.shape)}`);
    return (await this.data())[0];
  }

  /** Gives up the user's reference; memory is freed once no gradient graph needs it either. Idempotent. */
  dispose(): void {
    if (this.userDisposed) return;
    this.userDisposed = true;
    this.release();
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}${this.node ? ", tracked" : ""})`;
  }

  /** Internal: a graph node starts holding this tensor. */
  retain(): void {
    this.assertAlive();
    this.refs++;
  }

  /** Internal: a holder lets go; the last one frees the memory and the node. */
  release(): void {
    if (this.refs === 0) return;
    if (--this.refs > 0) return;
    this.storage.release();
    this.node?.release();
    unregisterTensor();
  }

  /** Throws unless the tensor still has memory (graph nodes may keep a user-disposed tensor alive). */
  assertAlive(): void {
    if (this.refs === 0) throw new KshotError(`${this}: used after dispose()`);
  }

  /** Throws if the user disposed the tensor. */
  assertUsable(): void {
    if (this.userDisposed) throw new KshotError(`${this}: used after dispose()`);
    this.assertAlive();
  }
}

/** A new tensor on fresh memory of the active backend; contents unspecified until a kernel writes them. */
export function emptyTensor(shape: Shape, dtype: DType): Tensor {
  const b = backend();
  if (!b.dtypes.includes(dtype)) {
    throw new KshotError(`the ${b.name} backend does not support ${dtype} (it has ${b.dtypes.join(", ")})`);
  }
  return new Tensor(new Storage(b, allocate(b, dtype, shape)), [...shape], dtype);
}

/** The backend's memory for a tensor; an engine's RangeError (a size no array can have) becomes a KshotError. */
function allocate(b: Backend, dtype: DType, shape: Shape): BackendBuffer {
  const size = checkedSize(shape, "cannot allocate a tensor");
  try {
    return b.allocate(dtype, size);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new KshotError(`cannot allocate a ${dtype} tensor of shape ${formatShape(shape)} (${size} elements) on the ${b.name} backend: ${err.message}`);
  }
}

/** Another handle on the same value: same memory, same gradient node (so it differentiates the same). */
export function aliasOf(t: Tensor): Tensor {
  t.node?.retain();
  return viewOf(t, t.shape, t.node);
}

/** A tensor sharing `t`'s memory, with another shape of the same size and an optional node. */
export function viewOf(t: Tensor, shape: Shape, node: GradNode | null = null): Tensor {
  t.storage.retain();
  return new Tensor(t.storage, [...shape], t.dtype, node);
}
