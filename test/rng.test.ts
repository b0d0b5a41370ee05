import { describe, expect, it } from "vitest";
import { Rng } from "../src/rng.ts";
import { KshotError } from "../src/errors.ts";

// An independent, deliberately plain implementation in BigInt arithmetic, to cross-check the Math.imul one.
const MASK = 0xffffffffn;
const rotlBig = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & MASK;

function referenceXoshiro(state: bigint[]): () => number {
  const s = [...state];
  return () => {
    const result = (rotlBig((s[1]! * 5n) & MASK, 7n) * 9n) & MASK;
    const t = (s[1]! << 9n) & MASK;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s[1]!;
    s[1] = s[1]! ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotlBig(s[3]!, 11n);
    return Number(result);
  };
}

function referenceSeedState(seed: number): bigint[] {
  // splitmix32 over a counter starting at the seed (seeds below 2^32: the high word is 0 and mixes to 0)
  const fmix = (h: bigint): bigint => {
    h = ((h ^ (h >> 16n)) * 0x85ebca6bn) & MASK;
    h = ((h ^ (h >> 13n)) * 0xc2b2ae35n) & MASK;
    return h ^ (h >> 16n);
  };
  let counter = BigInt(seed);
  const words: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    counter = (counter + 0x9e3779b9n) & MASK;
    words.push(fmix(counter));
  }
  return words;
}

const draws = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.nextUint32());
const same = (a: readonly number[], b: readonly number[]): boolean => a.join(",") === b.join(",");

describe("Rng", () => {
  it("matches the published xoshiro128** sequence for the state {1, 2, 3, 4}", () => {
    expect(draws(Rng.fromState([1, 2, 3, 4]), 10)).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it("pins the sequences of seeds 0 and 42", () => {
    expect(new Rng(0).state()).toEqual([2462723854, 1020716019, 454327756, 1275600319]);
    expect(draws(new Rng(0), 8)).toEqual([
      3809008728, 1133695204, 53579671, 2891528803, 139681546, 2203266335, 104831812, 1587294886,
    ]);
    expect(draws(new Rng(42), 8)).toEqual([
      2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290, 65323186, 1112262688,
    ]);
  });

  it("agrees with a BigInt reference implementation over many draws and seeds", () => {
    for (const seed of [0, 1, 42, 123456789, 0xffffffff]) {
      const reference = referenceXoshiro(referenceSeedState(seed));
      const rng = new Rng(seed);
      let mismatches = 0;
      for (let i = 0; i < 2000; i++) if (rng.nextUint32() !== reference()) mismatches++;
      expect(mismatches).toBe(0);
    }
  });

  it("accepts any safe integer seed, and the high word of a seed matters", () => {
    const a = draws(new Rng(5), 4);
    expect(same(draws(new Rng(5 + 2 ** 32), 4), a)).toBe(false);
    expect(same(draws(new Rng(-1), 4), draws(new Rng(0xffffffff), 4))).toBe(false);
    expect(() => new Rng(1.5)).toThrow(KshotError);
    expect(() => new Rng(Number.NaN)).toThrow(KshotError);
    expect(() => new Rng(2 ** 60)).toThrow(KshotError);
  });

  it("produces uniform values in [0, 1) that pass a chi-square test", () => {
    const rng = new Rng(7);
    const bins = 64;
    const n = 64_000;
    const counts = new Array<number>(bins).fill(0);
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      counts[Math.floor(u * bins)]++;
    }
    expect(outside).toBe(0);
    const expected = n / bins;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // 63 degrees of freedom: mean 63, sd ~11.2; 120 is beyond the 99.99th percentile
    expect(chi2).toBeLessThan(120);
    expect(chi2).toBeGreaterThan(25);
  });

  it("uniform() uses 53 bits: values are multiples of 2^-53 and not all multiples of 2^-32", () => {
    const rng = new Rng(3);
    let fineBits = 0;
    let offGrid = 0;
    for (let i = 0; i < 100; i++) {
      const scaled = rng.uniform() * 2 ** 53;
      if (!Number.isInteger(scaled)) offGrid++;
      if (scaled % 2 ** 21 !== 0) fineBits++;
    }
    expect(offGrid).toBe(0);
    expect(fineBits).toBeGreaterThan(90);
  });

  it("uniformRange stays inside [lo, hi) and rejects bad bounds", () => {
    const rng = new Rng(11);
    let outside = 0;
    for (let i = 0; i < 1000; i++) {
      const x = rng.uniformRange(-5, 5);
      if (!(x >= -5 && x < 5)) outside++;
    }
    expect(outside).toBe(0);
    expect(rng.uniformRange(2, 2)).toBe(2);
    expect(() => rng.uniformRange(1, 0)).toThrow(KshotError);
    expect(() => rng.uniformRange(0, Infinity)).toThrow(KshotError);
  });

  it("int(n) is unbiased even when 2^32 is far from a multiple of n", () => {
    // n = 3·2^30: a plain modulo would return values below 2^30 half of the time instead of a third.
    const rng = new Rng(5);
    const n = 3 * 2 ** 30;
    let low = 0;
    const trials = 30_000;
    let invalid = 0;
    for (let i = 0; i < trials; i++) {
      const x = rng.int(n);
      if (!(x >= 0 && x < n && Number.isInteger(x))) invalid++;
      if (x < 2 ** 30) low++;
    }
    expect(invalid).toBe(0);
    expect(Math.abs(low / trials - 1 / 3)).toBeLessThan(0.015);
  });

  it("int(n) gives every value of a small range equally often (chi-square)", () => {
    const rng = new Rng(9);
    const n = 7;
    const counts = new Array<number>(n).fill(0);
    const trials = 70_000;
    for (let i = 0; i < trials; i++) counts[rng.int(n)]++;
    const chi2 = counts.reduce((acc, c) => acc + (c - trials / n) ** 2 / (trials / n), 0);
    expect(chi2).toBeLessThan(25); // 6 degrees of freedom
    expect(rng.int(1)).toBe(0);
    expect(() => rng.int(0)).toThrow(KshotError);
    expect(() => rng.int(2.5)).toThrow(KshotError);
    expect(() => rng.int(2 ** 32 + 1)).toThrow(KshotError);
  });

  it("normal() has the requested mean and standard deviation", () => {
    const rng = new Rng(13);
    const n = 40_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal(2, 3);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const std = Math.sqrt(sumSq / n - mean * mean);
    expect(Math.abs(mean - 2)).toBeLessThan(0.06); // standard error 0.015
    expect(Math.abs(std - 3)).toBeLessThan(0.05);
  });

  it("fillNormal fills odd and even lengths with standard normals", () => {
    const out = new Rng(17).fillNormal(new Float64Array(20_001));
    let sum = 0;
    let sumSq = 0;
    let nonFinite = 0;
    for (const x of out) {
      if (!Number.isFinite(x)) nonFinite++;
      sum += x;
      sumSq += x * x;
    }
    expect(nonFinite).toBe(0);
    expect(Math.abs(sum / out.length)).toBeLessThan(0.04);
    expect(Math.abs(sumSq / out.length - 1)).toBeLessThan(0.05);
    expect(out[20_000] === 0).toBe(false);
  });

  it("shuffle permutes in place and reaches every permutation of 3 about equally often", () => {
    const rng = new Rng(19);
    const counts = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const key = rng.shuffle([0, 1, 2]).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
    const typed = rng.shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(typed).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("choice(n, k) returns k distinct in-range indices, each position uniform", () => {
    const rng = new Rng(23);
    const lastCounts = new Array<number>(10).fill(0);
    let invalid = 0;
    for (let t = 0; t < 5000; t++) {
      const picked = rng.choice(10, 4);
      const valid = picked.length === 4 && new Set(picked).size === 4 && picked.every((x) => x >= 0 && x < 10);
      if (!valid) invalid++;
      lastCounts[picked[3]!]++;
    }
    expect(invalid).toBe(0);
    for (const c of lastCounts) expect(Math.abs(c - 500)).toBeLessThan(100);
    const all = rng.choice(50, 50);
    expect(Array.from(all).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(rng.choice(1_000_000_000, 3).length).toBe(3);
    expect(rng.choice(5, 0).length).toBe(0);
    expect(() => rng.choice(3, 4)).toThrow(KshotError);
    expect(() => rng.choice(-1, 0)).toThrow(KshotError);
  });

  it("fork gives reproducible children that do not advance the parent and differ by label", () => {
    const parent = new Rng(29);
    const before = parent.state();
    const a = draws(parent.fork("init"), 16);
    expect(parent.state()).toEqual(before);
    expect(draws(parent.fork("init"), 16)).toEqual(a);
    const b = draws(parent.fork("tasks"), 16);
    const c = draws(parent.fork(0), 16);
    const d = draws(parent.fork(1), 16);
    const own = draws(parent.clone(), 16);
    const streams = [a, b, c, d, own];
    for (let i = 0; i < streams.length; i++) {
      for (let j = i + 1; j < streams.length; j++) {
        const shared = streams[i]!.filter((x) => streams[j]!.includes(x)).length;
        expect(shared).toBe(0);
      }
    }
    expect(same(draws(parent.fork("0"), 4), c.slice(0, 4))).toBe(false); // strings and numbers are distinct labels
  });

  it("forked streams are uncorrelated with each other", () => {
    const parent = new Rng(31);
    const x = parent.fork(0);
    const y = parent.fork(1);
    const n = 20_000;
    let sxy = 0;
    for (let i = 0; i < n; i++) sxy += (x.uniform() - 0.5) * (y.uniform() - 0.5);
    // correlation = sxy / n / (1/12); its standard error is ~1/sqrt(n) = 0.007
    expect(Math.abs((sxy / n) * 12)).toBeLessThan(0.035);
  });

  it("state() and fromState() resume exactly, and fromState validates", () => {
    const rng = new Rng(37);
    draws(rng, 5);
    rng.normal();
    const saved = JSON.parse(JSON.stringify(rng.state())) as number[];
    const expected = [rng.nextUint32(), rng.uniform(), rng.int(1000), rng.normal()];
    const resumed = Rng.fromState(saved);
    expect([resumed.nextUint32(), resumed.uniform(), resumed.int(1000), resumed.normal()]).toEqual(expected);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(KshotError);
    expect(() => Rng.fromState([1, 2, 3])).toThrow(KshotError);
    expect(() => Rng.fromState([1, 2, 3, 2 ** 32])).toThrow(KshotError);
    expect(() => Rng.fromState([1, 2, 3, -1])).toThrow(KshotError);
  });
});
