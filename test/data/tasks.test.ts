import { describe, expect, it } from "vitest";
import { type ClassSource, type ImageDataset, datasetSource } from "../../src/data/dataset.ts";
import { rot90Classes } from "../../src/data/rotation.ts";
import { tasks } from "../../src/data/tasks.ts";
import { KshotError } from "../../src/errors.ts";
import { Rng } from "../../src/rng.ts";

/** `classes` classes of `examples` 1×3×3 images; pixel 0 = class, pixel 1 = example, pixel 2 = a marker. */
function coded(classes: number, examples: number): ImageDataset {
  const n = classes * examples;
  const images = new Float32Array(n * 9);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes; // interleaved on purpose: the sampler must not assume grouped storage
    images[i * 9] = i % classes;
    images[i * 9 + 1] = Math.floor(i / classes);
    images[i * 9 + 2] = 1;
  }
  return { images, labels, numClasses: classes, shape: [1, 3, 3] };
}

describe("episode sampler", () => {
  it("lays out T episodes class-major with labels 0..N-1 and distinct classes and examples", () => {
    const [ways, shots, queries, T] = [5, 2, 3, 4];
    const batch = tasks(coded(12, 7), { ways, shots, queries, seed: 1 }).nextBatch(T);
    expect(batch.support.length).toBe(T * ways * shots * 9);
    expect(batch.query.length).toBe(T * ways * queries * 9);
    expect(batch.shape).toEqual([1, 3, 3]);
    for (let t = 0; t < T; t++) {
      const classes = Array.from(batch.classes.subarray(t * ways, (t + 1) * ways));
      expect(new Set(classes).size).toBe(ways);
      for (let way = 0; way < ways; way++) {
        const seen = new Set<number>();
        for (let i = 0; i < shots; i++) {
          const row = (t * ways + way) * shots + i;
          expect(batch.supportLabels[row]).toBe(way);
          expect(batch.support[row * 9]).toBe(classes[way]);
          expect(batch.support[row * 9 + 2]).toBe(1);
          seen.add(batch.support[row * 9 + 1]!);
        }
        for (let i = 0; i < queries; i++) {
          const row = (t * ways + way) * queries + i;
          expect(batch.queryLabels[row]).toBe(way);
          expect(batch.query[row * 9]).toBe(classes[way]);
          seen.add(batch.query[row * 9 + 1]!);
        }
        expect(seen.size).toBe(shots + queries); // support and query never share an example
      }
    }
  });

  it("is deterministic for a seed, different across seeds, and resumable from its state", () => {
    const data = coded(20, 6);
    const a = tasks(data, { ways: 5, shots: 1, queries: 2, seed: 7 });
    const b = tasks(data, { ways: 5, shots: 1, queries: 2, seed: 7 });
    const c = tasks(data, { ways: 5, shots: 1, queries: 2, seed: 8 });
    const first = a.nextBatch(3);
    expect(Array.from(b.nextBatch(3).support)).toEqual(Array.from(first.support));
    expect(Array.from(c.nextBatch(3).classes).join() === Array.from(first.classes).join()).toBe(false);
    const saved = a.state();
    const expected = a.nextBatch(2);
    const resumed = tasks(data, { ways: 5, shots: 1, queries: 2, seed: 99 });
    resumed.restore(saved);
    const again = resumed.nextBatch(2);
    expect(Array.from(again.query)).toEqual(Array.from(expected.query));
    expect(Array.from(again.classes)).toEqual(Array.from(expected.classes));
  });

  it("draws from a given Rng and refills a batch passed back to it", () => {
    const sampler = tasks(coded(10, 5), { ways: 3, shots: 2, queries: 1, rng: new Rng(3) });
    const batch = sampler.nextBatch(2);
    const before = Array.from(batch.classes);
    const refilled = sampler.nextBatch(2, batch);
    expect(refilled).toBe(batch);
    expect(Array.from(refilled.classes).join() === before.join()).toBe(false);
    expect(() => sampler.nextBatch(3, batch)).toThrow(KshotError);
    const episodes = sampler[Symbol.iterator]();
    expect(episodes.next().value!.tasks).toBe(1);
  });

  it("uses every class and example over many episodes", () => {
    const sampler = tasks(coded(8, 4), { ways: 2, shots: 1, queries: 1, seed: 0 });
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const { support } = sampler.next();
      seen.add(`${support[0]}:${support[1]}`);
    }
    expect(seen.size).toBe(32);
  });

  it("explains when N exceeds the classes or K + Q the examples of a class", () => {
    const data = coded(4, 3);
    expect(() => tasks(data, { ways: 5, shots: 1, queries: 1 })).toThrow(/5-way episodes need 5 classes, the data has 4/);
    expect(() => tasks(data, { ways: 2, shots: 2, queries: 2 })).toThrow(/need 4 examples per class, class 0 .* has 3/);
    expect(() => tasks(data, { ways: 0, shots: 1, queries: 1 })).toThrow(KshotError);
    expect(() => tasks(data, { ways: 2, shots: 1.5, queries: 1 })).toThrow(KshotError);
    expect(() => tasks(data, { ways: 2, shots: 1, queries: -1 })).toThrow(KshotError);
    expect(() => tasks(data, { ways: 2, shots: 1, queries: 1, augment: "flip" as "none" })).toThrow(KshotError);
    expect(tasks(data, { ways: 4, shots: 1, queries: 0 }).next().query.length).toBe(0);
  });

  it("rot90 augmentation makes four rotated classes per class, and refuses already rotated classes", () => {
    const images = new Float32Array(2 * 9);
    images.set([1, 2, 3, 4, 5, 6, 7, 8, 9], 0);
    images.set([11, 12, 13, 14, 15, 16, 17, 18, 19], 9);
    const data: ImageDataset = { images, labels: Int32Array.from([0, 0]), numClasses: 1, shape: [1, 3, 3] };
    const sampler = tasks(data, { ways: 4, shots: 1, queries: 1, augment: "rot90", seed: 2 });
    expect(sampler.source.numClasses).toBe(4);
    const batch = sampler.next();
    const firstPixels = new Set<number>();
    for (let way = 0; way < 4; way++) {
      const rotation = batch.classes[way]! % 4;
      const shot = Array.from(batch.support.subarray(way * 9, way * 9 + 9));
      const offset = shot[4] === 15 ? 10 : 0;
      // numpy.rot90 of [[1,2,3],[4,5,6],[7,8,9]] by k quarter-turns starts with 1, 3, 9, 7
      expect(shot[0]).toBe([1, 3, 9, 7][rotation]! + offset);
      expect(shot[1]).toBe([2, 6, 8, 4][rotation]! + offset);
      firstPixels.add(rotation);
    }
    expect(firstPixels.size).toBe(4);
    const rotated: ClassSource = rot90Classes(datasetSource(data));
    expect(() => tasks(rotated, { ways: 2, shots: 1, queries: 1, augment: "rot90" })).toThrow(/rotate twice/);
    expect(tasks(rotated, { ways: 2, shots: 1, queries: 1 }).source.numClasses).toBe(4);
  });

  it("rotate augmentation turns all of a class's examples by one random quarter-turn per episode", () => {
    // Each example: a 3×3 image whose pixels are 1..9 plus 10·example, so a turn shows in pixels 0 and 1.
    const images = new Float32Array(3 * 6 * 9);
    const labels = new Int32Array(3 * 6);
    for (let i = 0; i < 18; i++) {
      labels[i] = i % 3;
      for (let p = 0; p < 9; p++) images[i * 9 + p] = p + 1 + 10 * Math.floor(i / 3) + 100 * (i % 3);
    }
    const data: ImageDataset = { images, labels, numClasses: 3, shape: [1, 3, 3] };
    const sampler = tasks(data, { ways: 3, shots: 2, queries: 2, augment: "rotate", seed: 5 });
    expect(sampler.source.numClasses).toBe(3); // rotations are not classes
    const turnOf = (image: Float32Array): number => {
      const base = image[4]! - 5; // the centre pixel never moves
      const k = [1, 3, 9, 7].indexOf(image[0]! - base);
      expect([2, 6, 8, 4][k]).toBe(image[1]! - base);
      return k;
    };
    const seen = new Set<number>();
    for (let episode = 0; episode < 12; episode++) {
      const batch = sampler.next();
      for (let way = 0; way < 3; way++) {
        const turns = [0, 1].map((i) => turnOf(batch.support.subarray((way * 2 + i) * 9, (way * 2 + i + 1) * 9)));
        turns.push(...[0, 1].map((i) => turnOf(batch.query.subarray((way * 2 + i) * 9, (way * 2 + i + 1) * 9))));
        expect(new Set(turns).size).toBe(1); // one turn for the whole class in this episode
        expect(Math.floor(batch.support[way * 2 * 9 + 4]! / 100)).toBe(batch.classes[way]);
        seen.add(turns[0]!);
      }
    }
    expect(seen.size).toBe(4);
    const again = tasks(data, { ways: 3, shots: 2, queries: 2, augment: "rotate", seed: 5 }).next();
    const first = tasks(data, { ways: 3, shots: 2, queries: 2, augment: "rotate", seed: 5 }).next();
    expect(Array.from(again.support)).toEqual(Array.from(first.support));
    expect(() => tasks(rot90Classes(datasetSource(data)), { ways: 2, shots: 1, queries: 1, augment: "rotate" })).toThrow(/rotate twice/);
    const wide: ImageDataset = { images: new Float32Array(2 * 6), labels: Int32Array.from([0, 0]), numClasses: 1, shape: [1, 2, 3] };
    expect(() => tasks(wide, { ways: 1, shots: 1, queries: 1, augment: "rotate" })).toThrow(/square images, got 2×3/);
  });
});
