/**
 * Named state tensors that outlive every `tidy` scope: each `replace` keeps the new tensors (`keep`) and
 * disposes the ones they replace, so an optimizer's memory stays flat however many steps it takes.
 */
import type { TensorRecord } from "../autograd.ts";
import { keep } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { keptViews } from "../ops/elementwise.ts";
import { formatShape, sameShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { disposeTensors } from "../tree.ts";

export class StateStore {
  private tensors: TensorRecord = {};

  get(name: string): Tensor | undefined {
    return this.tensors[name];
  }

  /** All state tensors (still owned by the store). */
  all(): TensorRecord {
    return { ...this.tensors };
  }

  /** Takes ownership of `updates` (kept out of scopes); the tensors they replace are disposed. */
  replace(updates: TensorRecord): void {
    for (const [name, t] of Object.entries(updates)) {
      const old = this.tensors[name];
      this.tensors[name] = keep(t);
      if (old && old !== t) old.dispose();
    }
  }

  /**
   * Replaces everything by views of `tensors` (sharing memory, so the caller may dispose its own), after
   * checking that names the store already knows keep their shapes.
   */
  load(tensors: TensorRecord, expectedShape: (name: string) => readonly number[] | undefined): void {
    for (const [name, t] of Object.entries(tensors)) {
      const shape = expectedShape(name);
      if (shape && !sameShape(shape, t.shape)) {
        throw new KshotError(`optimizer state ${name}: expected shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
      }
    }
    this.dispose();
    this.tensors = keptViews(tensors);
  }

  dispose(): void {
    disposeTensors(this.tensors);
    this.tensors = {};
  }
}
