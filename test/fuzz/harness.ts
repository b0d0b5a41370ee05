/**
 * Seeded fuzzing: each fuzzer turns valid inputs into hostile ones with an Rng and checks that the code
 * under test either succeeds with a sound result or throws a KshotError: never another exception type.
 * `KSHOT_FUZZ_CASES` sets the cases per fuzzer (`npm run fuzz` runs ≥ 100,000 in all); the unit suite runs
 * a few hundred each. A failure names the seed and case, which replay it exactly.
 */
import { Rng } from "../../src/rng.ts";
import { getEnv } from "../shims/env.ts";

/** Cases per fuzzer: KSHOT_FUZZ_CASES, else `unitCases` (the unit suite's share). */
export function fuzzCases(unitCases: number): number {
  const n = Number(getEnv("KSHOT_FUZZ_CASES") ?? unitCases);
  return Number.isInteger(n) && n > 0 ? n : unitCases;
}

export interface FuzzReport {
  cases: number;
  accepted: number;
  rejected: number;
  /** The slowest case in milliseconds (reported by `npm run fuzz`; never asserted). */
  slowestMs: number;
}

/**
 * Runs `cases` cases: `run(rng, i)` returns normally (input accepted) or throws; a throw that is not an
 * instance of `errorClass` fails with the seed and case number.
 */
export async function fuzz(
  name: string,
  seed: number,
  cases: number,
  errorClass: new (...args: never[]) => Error,
  run: (rng: Rng, i: number) => unknown,
): Promise<FuzzReport> {
  const report: FuzzReport = { cases, accepted: 0, rejected: 0, slowestMs: 0 };
  for (let i = 0; i < cases; i++) {
    const rng = new Rng(seed).fork(i);
    const start = performance.now();
    try {
      await run(rng, i);
      report.accepted++;
    } catch (err) {
      if (!(err instanceof errorClass)) {
        const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        throw new Error(`fuzz ${name}: seed ${seed} case ${i} threw ${what} instead of a ${errorClass.name}`, { cause: err });
      }
      report.rejected++;
    }
    report.slowestMs = Math.max(report.slowestMs, performance.now() - start);
  }
  if (getEnv("KSHOT_FUZZ_CASES")) console.log(`fuzz ${name}: ${JSON.stringify(report)}`);
  return report;
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x20, 0x22, 0x5b, 0x7b];

/** 1–4 random edits of a copy of `bytes`: bit flips, interesting bytes, truncation, insertion, deletion, repetition. */
export function mutate(bytes: Uint8Array, rng: Rng): Uint8Array {
  let out = bytes.slice();
  for (let edits = 1 + rng.int(4); edits > 0; edits--) {
    const at = rng.int(Math.max(1, out.length));
    switch (rng.int(6)) {
      case 0:
        if (out.length > 0) out[at]! ^= 1 << rng.int(8);
        break;
      case 1:
        if (out.length > 0) out[at] = INTERESTING[rng.int(INTERESTING.length)]!;
        break;
      case 2:
        out = out.slice(0, at);
        break;
      case 3: {
        const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
        out = concat(out.subarray(0, at), extra, out.subarray(at));
        break;
      }
      case 4:
        out = concat(out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + rng.int(16))));
        break;
      default: {
        const piece = out.subarray(at, at + 1 + rng.int(32));
        out = concat(out.subarray(0, at), piece, piece, out.subarray(at + piece.length));
      }
    }
  }
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A random JSON value, nested up to `depth`, for replacing parts of structured inputs. */
export function randomJson(rng: Rng, depth = 2): unknown {
  switch (rng.int(depth > 0 ? 9 : 7)) {
    case 0: return null;
    case 1: return rng.int(2) === 1;
    case 2: return rng.int(5) - 1;
    case 3: return [1e300, -0, 0.5, 2 ** 32, Number.MAX_SAFE_INTEGER + 2, -1e9][rng.int(6)];
    case 4: return ["", "x", "background", "evaluation", "character01", "__proto__"][rng.int(6)];
    case 5: return "a".repeat(rng.int(50));
    case 6: return undefined;
    case 7: return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth - 1));
    default: return Object.fromEntries(Array.from({ length: rng.int(4) }, (_, i) => [`k${i}`, randomJson(rng, depth - 1)]));
  }
}
