/**
 * The sinusoid regression tasks of MAML §5.1 (Finn et al. 2017): y = A·sin(x − φ) with amplitude
 * A ~ U[0.1, 5], phase φ ~ U[0, π], inputs x ~ U[−5, 5]. A task has K support and Q query points, all of
 * one sine. Meta-batches of T tasks are host arrays: x and y [T, K, 1] for the support, [T, Q, 1] for the
 * query. (Math.sin is used here: identical across V8 engines, the supported runtimes.)
 */
import { KshotError } from "../errors.ts";
import { Rng, type RngState } from "../rng.ts";

export interface SinusoidOptions {
  /** K: support points per task. */
  shots: number;
  /** Q: query points per task (default K, as in MAML's training). */
  queries?: number;
  amplitude?: [number, number];
  phase?: [number, number];
  x?: [number, number];
  /** Seed of the sampler's own Rng (default 0); ignored when `rng` is given. */
  seed?: number;
  rng?: Rng;
}

export interface SinusoidBatch {
  tasks: number;
  shots: number;
  queries: number;
  /** [T, K, 1] */
  xSupport: Float32Array;
  ySupport: Float32Array;
  /** [T, Q, 1] */
  xQuery: Float32Array;
  yQuery: Float32Array;
  /** The sine behind each task, [T]. */
  amplitude: Float32Array;
  phase: Float32Array;
}

/** A·sin(x − φ). */
export function sinusoidValue(amplitude: number, phase: number, x: number): number {
  return amplitude * Math.sin(x - phase);
}

function checkRange(name: string, range: readonly number[]): [number, number] {
  const [lo, hi] = range;
  if (range.length !== 2 || !Number.isFinite(lo) || !Number.isFinite(hi) || lo! > hi!) {
    throw new KshotError(`sinusoid: expected ${name} as [lo, hi] with finite lo <= hi, got [${range}]`);
  }
  return [lo!, hi!];
}

export class SinusoidSampler {
  readonly shots: number;
  readonly queries: number;
  private readonly amplitudeRange: [number, number];
  private readonly phaseRange: [number, number];
  private readonly xRange: [number, number];
  private rng: Rng;

  constructor(options: SinusoidOptions) {
    const { shots, queries = shots } = options;
    if (!Number.isInteger(shots) || shots < 1) {
      throw new KshotError(`sinusoid: expected shots to be an integer >= 1, got ${String(shots)}`);
    }
    if (!Number.isInteger(queries) || queries < 0) {
      throw new KshotError(`sinusoid: expected queries to be an integer >= 0, got ${String(queries)}`);
    }
    this.shots = shots;
    this.queries = queries;
    this.amplitudeRange = checkRange("amplitude", options.amplitude ?? [0.1, 5]);
    this.phaseRange = checkRange("phase", options.phase ?? [0, Math.PI]);
    this.xRange = checkRange("x", options.x ?? [-5, 5]);
    this.rng = options.rng ?? new Rng(options.seed ?? 0);
  }

  state(): RngState {
    return this.rng.state();
  }

  restore(state: readonly number[]): void {
    this.rng = Rng.fromState(state);
  }

  next(): SinusoidBatch {
    return this.nextBatch(1);
  }

  /** T tasks; pass an earlier batch of the same T as `into` to refill it. */
  nextBatch(tasks: number, into?: SinusoidBatch): SinusoidBatch {
    if (!Number.isInteger(tasks) || tasks < 1) {
      throw new KshotError(`sinusoid: expected the number of tasks to be an integer >= 1, got ${String(tasks)}`);
    }
    const { shots, queries } = this;
    const batch = into ?? {
      tasks,
      shots,
      queries,
      xSupport: new Float32Array(tasks * shots),
      ySupport: new Float32Array(tasks * shots),
      xQuery: new Float32Array(tasks * queries),
      yQuery: new Float32Array(tasks * queries),
      amplitude: new Float32Array(tasks),
      phase: new Float32Array(tasks),
    };
    if (batch.tasks !== tasks || batch.shots !== shots || batch.queries !== queries) {
      throw new KshotError(
        `sinusoid: the batch to refill holds ${batch.tasks} tasks of ${batch.shots}+${batch.queries} points, expected ${tasks} of ${shots}+${queries}`,
      );
    }
    for (let t = 0; t < tasks; t++) {
      const amplitude = this.rng.uniformRange(...this.amplitudeRange);
      const phase = this.rng.uniformRange(...this.phaseRange);
      batch.amplitude[t] = amplitude;
      batch.phase[t] = phase;
      this.fillPoints(amplitude, phase, batch.xSupport, batch.ySupport, t * shots, shots);
      this.fillPoints(amplitude, phase, batch.xQuery, batch.yQuery, t * queries, queries);
    }
    return batch;
  }

  private fillPoints(amplitude: number, phase: number, xs: Float32Array, ys: Float32Array, start: number, n: number): void {
    for (let i = start; i < start + n; i++) {
      const x = Math.fround(this.rng.uniformRange(...this.xRange)); // y is computed at the stored x
      xs[i] = x;
      ys[i] = sinusoidValue(amplitude, phase, x);
    }
  }
}

/** A sampler of sinusoid regression tasks. */
export function sinusoid(options: SinusoidOptions): SinusoidSampler {
  return new SinusoidSampler(options);
}
