/**
 * The one seeded random number generator of kshot: xoshiro128** (Blackman & Vigna, 2018) in 32-bit integer
 * arithmetic only (Math.imul, shifts, xor), seeded through splitmix32, so a seed names the same sequence on
 * every JavaScript engine. It drives initialisation, task sampling and augmentation.
 *
 * Precision: `uniform()` returns doubles in [0, 1) with 53 random bits (two 32-bit draws), every value a
 * multiple of 2^-53. `normal()` uses Box–Muller (Math.log/sqrt/cos/sin: identical across V8 engines).
 */
import { KshotError } from "./errors.ts";

/** The four 32-bit words of xoshiro128**'s state, as unsigned integers (JSON-serialisable, for checkpoints). */
export type RngState = [number, number, number, number];

/** Anything indexable with a length: plain arrays and typed arrays. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_26 = 67108864;
const TWO_POW_MINUS_53 = 1 / 9007199254740992;
const GOLDEN_GAMMA = 0x9e3779b9;

/** murmur3's 32-bit finaliser: a bijection of uint32 with full avalanche. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** splitmix32: a counter stepped by the golden gamma, each step finalised; expands a seed into a state. */
function splitmix32Words(seed: number, count: number): number[] {
  let counter = seed >>> 0;
  const words: number[] = [];
  for (let i = 0; i < count; i++) {
    counter = (counter + GOLDEN_GAMMA) >>> 0;
    words.push(fmix32(counter));
  }
  return words;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The 32-bit words of a safe integer (low word, then high word; negatives in two's complement). */
function integerWords(value: number, what: string): [number, number] {
  if (!Number.isSafeInteger(value)) {
    throw new KshotError(`${what}: expected a safe integer, got ${String(value)}`);
  }
  const high = Math.floor(value / TWO_POW_32);
  return [value >>> 0, high >>> 0];
}

/** The words a fork label contributes: a tag (number or string), then its contents. */
function labelWords(label: string | number): number[] {
  if (typeof label === "number") return [1, ...integerWords(label, "Rng.fork label")];
  const words = [2, label.length];
  for (let i = 0; i < label.length; i++) words.push(label.charCodeAt(i));
  return words;
}

/** murmur3-style hash of a word sequence with a given seed. */
function hashWords(words: readonly number[], seed: number): number {
  let h = seed >>> 0;
  for (const word of words) {
    let k = Math.imul(word >>> 0, 0xcc9e2d51);
    k = Math.imul(rotl(k, 15), 0x1b873593);
    h = Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64;
  }
  return fmix32(h ^ words.length);
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * A generator for `seed`: any safe integer (0 and negatives included). Both 32-bit halves of the seed
   * count, so seeds that differ only above bit 31 give different streams.
   */
  constructor(seed = 0) {
    const [low, high] = integerWords(seed, "Rng seed");
    const [a, b, c, d] = splitmix32Words(low ^ fmix32(high), 4) as RngState;
    // splitmix32 outputs of distinct counters are distinct, so at most one word is zero: never all four.
    this.s0 = a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = d;
  }

  /** A generator continuing exactly from `state` (as returned by `state()`). */
  static fromState(state: readonly number[]): Rng {
    const ok =
      Array.isArray(state) &&
      state.length === 4 &&
      state.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32);
    if (!ok) {
      throw new KshotError(`Rng.fromState: expected 4 unsigned 32-bit integers, got ${JSON.stringify(state)}`);
    }
    if (state.every((w) => w === 0)) {
      throw new KshotError("Rng.fromState: the all-zero state is not a valid xoshiro128** state");
    }
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state;
    return rng;
  }

  /** The current state: `Rng.fromState(rng.state())` continues with the same numbers. */
  state(): RngState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** An independent copy at the same position. */
  clone(): Rng {
    return Rng.fromState(this.state());
  }

  /** The next 32 random bits as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * TWO_POW_26 + low) * TWO_POW_MINUS_53;
  }

  /** A double in [lo, hi). */
  uniformRange(lo: number, hi: number): number {
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) {
      throw new KshotError(`Rng.uniformRange: expected finite lo <= hi, got lo=${lo}, hi=${hi}`);
    }
    const value = lo + (hi - lo) * this.uniform();
    return value < hi ? value : lo; // rounding can reach hi when hi - lo is large relative to lo
  }

  /** An integer in [0, n), every value equally likely (rejection sampling), for 1 <= n <= 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new KshotError(`Rng.int: expected an integer n with 1 <= n <= 2^32, got ${String(n)}`);
    }
    // Accept draws below the largest multiple of n that fits in 2^32; the rest would favour small values.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** A normally distributed double (Box–Muller; one pair of uniforms per call, the sine half discarded). */
  normal(mean = 0, std = 1): number {
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform())); // 1 - u is in (0, 1]: log is finite
    return mean + std * radius * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Fills `out` with normal values, using both halves of each Box–Muller pair. Returns `out`. */
  fillNormal<A extends MutableArrayLike<number>>(out: A, mean = 0, std = 1): A {
    for (let i = 0; i < out.length; i += 2) {
      const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
      const angle = 2 * Math.PI * this.uniform();
      out[i] = mean + std * radius * Math.cos(angle);
      if (i + 1 < out.length) out[i + 1] = mean + std * radius * Math.sin(angle);
    }
    return out;
  }

  /** Fills `out` with uniform values in [lo, hi). Returns `out`. */
  fillUniform<A extends MutableArrayLike<number>>(out: A, lo = 0, hi = 1): A {
    for (let i = 0; i < out.length; i++) out[i] = this.uniformRange(lo, hi);
    return out;
  }

  /** Shuffles `array` in place (Fisher–Yates), every permutation equally likely. Returns `array`. */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /**
   * `k` distinct integers from [0, n) in random order (every ordered selection equally likely): a partial
   * Fisher–Yates over a virtual array 0..n-1, O(k) time and memory however large n is.
   */
  choice(n: number, k: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new KshotError(`Rng.choice: expected an integer n in [0, 2^31), got ${String(n)}`);
    }
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new KshotError(`Rng.choice: expected an integer k in [0, n=${n}], got ${String(k)}`);
    }
    const moved = new Map<number, number>(); // virtual array entries that differ from their index
    const out = new Int32Array(k);
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const atJ = moved.get(j) ?? j;
      out[i] = atJ;
      moved.set(j, moved.get(i) ?? i);
    }
    return out;
  }

  /**
   * A child generator, independent of this one and of children with other labels, for per-purpose or
   * per-worker streams (`rng.fork("init")`, `rng.fork(taskIndex)`). It is a pure function of this
   * generator's current state and the label: forking does not advance this generator, and the same label
   * at the same position gives the same child.
   */
  fork(label: string | number): Rng {
    const words = [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0, ...labelWords(label)];
    const state: RngState = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) state[i] = hashWords(words, Math.imul(i + 1, GOLDEN_GAMMA));
    if (state.every((w) => w === 0)) state[0] = 1; // astronomically unlikely; keeps the state valid
    return Rng.fromState(state);
  }
}
