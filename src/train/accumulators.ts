/**
 * Device-side running sums of a training run between two reports: the loss and accuracy of accepted
 * steps, and the counts of accepted and skipped steps. Reading them is one small read of 4 numbers.
 */
import { keep, tidy } from "../engine.ts";
import { scalar } from "../ops/creation.ts";
import { add, sub, where } from "../ops/elementwise.ts";
import { concat, reshape } from "../ops/shape.ts";
import type { Tensor } from "../tensor.ts";

export interface Sums {
  loss: number;
  accuracy: number;
  accepted: number;
  skipped: number;
}

export class Accumulators {
  private sums: Tensor[] = [];
  /** Steps added since the last `take` (known on the host, without reading anything). */
  steps = 0;

  constructor() {
    this.reset();
  }

  reset(): void {
    for (const t of this.sums) t.dispose();
    this.sums = [0, 0, 0, 0].map(() => keep(scalar(0)));
    this.steps = 0;
  }

  /** Adds one step: loss and accuracy where accepted (1), and the accepted / skipped counts. */
  add(loss: Tensor, accuracy: Tensor | undefined, accept: Tensor): void {
    const [l, a, ok, bad] = this.sums as [Tensor, Tensor, Tensor, Tensor];
    const next = tidy(() => [
      add(l, where(accept, loss, 0)),
      add(a, accuracy ? where(accept, accuracy, 0) : scalar(0)),
      add(ok, accept),
      add(bad, sub(1, accept)),
    ]);
    for (const t of this.sums) t.dispose();
    this.sums = next.map((t) => keep(t));
    this.steps++;
  }

  /** The skipped steps since the last `take` (one scalar read; the sums go on). */
  async skipped(): Promise<number> {
    return (await this.sums[3]!.data())[0]!;
  }

  /** Reads the sums back and starts new ones. */
  async take(): Promise<Sums> {
    const packed = tidy(() => concat(this.sums.map((t) => reshape(t, [1])), 0));
    const values = await packed.data();
    packed.dispose();
    this.reset();
    return { loss: values[0]!, accuracy: values[1]!, accepted: values[2]!, skipped: values[3]! };
  }

  dispose(): void {
    for (const t of this.sums) t.dispose();
    this.sums = [];
  }
}
