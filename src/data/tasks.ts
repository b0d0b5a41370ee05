/**
 * The episode sampler: N-way K-shot Q-query classification tasks drawn from any class source, laid out as
 * host arrays ready to become tensors.
 *
 * Layout of a meta-batch of T episodes (contiguous, task-major):
 * - `support` [T, N·K, C, H, W], class-major: the K shots of way 0, then of way 1, ...; `supportLabels` [T, N·K];
 * - `query` [T, N·Q, C, H, W], class-major as well; `queryLabels` [T, N·Q];
 * - labels are the way index 0..N−1; `classes` [T, N] records the source class behind each way.
 *
 * Each episode draws N distinct classes (in random order, which is the label order), then K + Q distinct
 * examples of each class (the first K are the support). All choices come from one seeded Rng, so a seed
 * names the same episodes on every runtime, and `state()` / `restore()` resume a run exactly.
 *
 * `augment: "rot90"` makes every class four classes (rotated 0/90/180/270°) before sampling, as Vinyals et
 * al. and the ProtoNet authors' code do (two rotations of one character may then meet in an episode).
 * `augment: "rotate"` keeps the classes and turns all of a drawn class's examples by one random multiple of
 * 90° per episode (a transformation, not a new class: a common PyTorch recipe). A source whose classes are
 * already rotations (the `vinyals` split) is refused with a KshotError instead of rotated twice.
 */
import { checkChoice } from "../checks.ts";
import { KshotError } from "../errors.ts";
import { checkedSize } from "../shape.ts";
import { Rng, type RngState } from "../rng.ts";
import { type ClassSource, type ImageDataset, type ImageShape, datasetSource, imageSize } from "./dataset.ts";
import { rot90Classes, rotate90 } from "./rotation.ts";

/** The sampler's augmentations, declared once (see the module comment). */
export const AUGMENTATIONS = ["none", "rot90", "rotate"] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

/** Writes example `e` of one class, turned or not, at `out[offset..]`. */
type ExampleWriter = (e: number, out: Float32Array, offset: number) => void;

export interface TaskOptions {
  /** N: classes per episode. */
  ways: number;
  /** K: labelled examples per class (the support set). */
  shots: number;
  /** Q: examples per class to predict (the query set); 0 allowed. */
  queries: number;
  /** "rot90": rotations are new classes; "rotate": each episode turns each class at random; default "none". */
  augment?: Augmentation;
  /** Seed of the sampler's own Rng (default 0); ignored when `rng` is given. */
  seed?: number;
  /** The generator to draw from (it is advanced by sampling). */
  rng?: Rng;
}

/** T episodes laid out contiguously (see the module comment). */
export interface EpisodeBatch {
  tasks: number;
  ways: number;
  shots: number;
  queries: number;
  shape: ImageShape;
  support: Float32Array;
  supportLabels: Int32Array;
  query: Float32Array;
  queryLabels: Int32Array;
  classes: Int32Array;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new KshotError(`tasks: expected ${name} to be an integer >= ${min}, got ${String(value)}`);
  }
}

/** Draws episodes; see the module comment for the layout. */
export class TaskSampler {
  /** The source sampled from (after augmentation). */
  readonly source: ClassSource;
  readonly ways: number;
  readonly shots: number;
  readonly queries: number;
  private rng: Rng;
  /** `augment: "rotate"`: where an example is written before it is turned. */
  private readonly turnScratch?: Float32Array;

  constructor(source: ClassSource | ImageDataset, options: TaskOptions) {
    const { ways, shots, queries, augment = "none" } = options;
    checkCount("ways", ways, 1);
    checkCount("shots", shots, 1);
    checkCount("queries", queries, 0);
    const base = "images" in source ? datasetSource(source) : source;
    checkChoice("tasks", "augment", augment, AUGMENTATIONS);
    if (augment !== "none" && base.rotated) {
      throw new KshotError(
        `tasks: augment ${JSON.stringify(augment)} on classes that are already rotations (the vinyals split) would rotate twice; use augment "none"`,
      );
    }
    if (augment === "rotate" && base.shape[1] !== base.shape[2]) {
      throw new KshotError(`tasks: augment "rotate" needs square images, got ${base.shape[1]}×${base.shape[2]}`);
    }
    this.source = augment === "rot90" ? rot90Classes(base) : base;
    if (ways > this.source.numClasses) {
      throw new KshotError(`tasks: ${ways}-way episodes need ${ways} classes, the data has ${this.source.numClasses}`);
    }
    for (let c = 0; c < this.source.numClasses; c++) {
      const count = this.source.exampleCount(c);
      if (count < shots + queries) {
        throw new KshotError(
          `tasks: ${shots} shots + ${queries} queries need ${shots + queries} examples per class, ` +
            `class ${c} (${this.source.className(c)}) has ${count}`,
        );
      }
    }
    this.ways = ways;
    this.shots = shots;
    this.queries = queries;
    this.rng = options.rng ?? new Rng(options.seed ?? 0);
    if (augment === "rotate") this.turnScratch = new Float32Array(imageSize(base.shape));
  }

  /** The sampler's generator state, to resume exactly with `restore`. */
  state(): RngState {
    return this.rng.state();
  }

  /** Continues from a state returned by `state()`. */
  restore(state: readonly number[]): void {
    this.rng = Rng.fromState(state);
  }

  /** One episode (a batch of T = 1). */
  next(): EpisodeBatch {
    return this.nextBatch(1);
  }

  /**
   * T episodes. Pass a batch returned earlier with the same T as `into` to refill its arrays instead of
   * allocating new ones.
   */
  nextBatch(tasks: number, into?: EpisodeBatch): EpisodeBatch {
    checkCount("the number of tasks", tasks, 1);
    const batch = into ?? this.allocate(tasks);
    if (batch.tasks !== tasks || batch.ways !== this.ways || batch.shots !== this.shots || batch.queries !== this.queries) {
      throw new KshotError(
        `tasks: the batch to refill holds ${batch.tasks} × ${batch.ways}-way ${batch.shots}-shot ${batch.queries}-query, ` +
          `expected ${tasks} × ${this.ways}-way ${this.shots}-shot ${this.queries}-query`,
      );
    }
    for (let t = 0; t < tasks; t++) this.fillEpisode(batch, t);
    return batch;
  }

  /** Endless episodes, one at a time. */
  *[Symbol.iterator](): Iterator<EpisodeBatch> {
    for (;;) yield this.next();
  }

  private allocate(tasks: number): EpisodeBatch {
    const size = imageSize(this.source.shape);
    const { ways, shots, queries } = this;
    // The batch becomes tensors: a size no tensor can have is refused before the host arrays are made.
    checkedSize([tasks, ways, shots + queries, size], `tasks: a batch of ${tasks} ${ways}-way ${shots}-shot ${queries}-query episodes of ${size} values`);
    return {
      tasks,
      ways,
      shots,
      queries,
      shape: [...this.source.shape],
      support: new Float32Array(tasks * ways * shots * size),
      supportLabels: new Int32Array(tasks * ways * shots),
      query: new Float32Array(tasks * ways * queries * size),
      queryLabels: new Int32Array(tasks * ways * queries),
      classes: new Int32Array(tasks * ways),
    };
  }

  private writer(c: number, quarterTurns: number): ExampleWriter {
    const { source, turnScratch: scratch } = this;
    if (quarterTurns === 0 || !scratch) return (e, out, offset) => source.writeExample(c, e, out, offset);
    const [channels, , side] = source.shape;
    return (e, out, offset) => {
      source.writeExample(c, e, scratch, 0);
      rotate90(scratch, 0, out, offset, channels, side, quarterTurns);
    };
  }

  private fillEpisode(batch: EpisodeBatch, t: number): void {
    const { ways, shots, queries, source } = this;
    const size = imageSize(source.shape);
    const classes = this.rng.choice(source.numClasses, ways);
    for (let way = 0; way < ways; way++) {
      const c = classes[way]!;
      batch.classes[t * ways + way] = c;
      const picks = this.rng.choice(source.exampleCount(c), shots + queries);
      const write = this.writer(c, this.turnScratch ? this.rng.int(4) : 0);
      for (let i = 0; i < shots; i++) {
        const row = (t * ways + way) * shots + i;
        write(picks[i]!, batch.support, row * size);
        batch.supportLabels[row] = way;
      }
      for (let i = 0; i < queries; i++) {
        const row = (t * ways + way) * queries + i;
        write(picks[shots + i]!, batch.query, row * size);
        batch.queryLabels[row] = way;
      }
    }
  }
}

/** An episode sampler over `source` (a class source or a materialised dataset). */
export function tasks(source: ClassSource | ImageDataset, options: TaskOptions): TaskSampler {
  return new TaskSampler(source, options);
}
