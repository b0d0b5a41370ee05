import { describe, expect, it } from "vitest";
import { sinusoid, sinusoidValue } from "../../src/data/sinusoid.ts";
import { KshotError } from "../../src/errors.ts";

describe("sinusoid tasks (MAML §5.1)", () => {
  it("lays out [T, K, 1] support and [T, Q, 1] query points of one sine per task", () => {
    const batch = sinusoid({ shots: 10, queries: 7, seed: 1 }).nextBatch(25);
    expect(batch.xSupport.length).toBe(250);
    expect(batch.yQuery.length).toBe(175);
    let worst = 0;
    for (let t = 0; t < 25; t++) {
      const a = batch.amplitude[t]!;
      const p = batch.phase[t]!;
      expect(a >= 0.1 && a <= 5).toBe(true);
      expect(p >= 0 && p <= Math.PI + 1e-6).toBe(true);
      for (let i = 0; i < 10; i++) {
        const x = batch.xSupport[t * 10 + i]!;
        expect(x >= -5 && x <= 5).toBe(true);
        worst = Math.max(worst, Math.abs(batch.ySupport[t * 10 + i]! - sinusoidValue(a, p, x)));
      }
      for (let i = 0; i < 7; i++) {
        const x = batch.xQuery[t * 7 + i]!;
        worst = Math.max(worst, Math.abs(batch.yQuery[t * 7 + i]! - sinusoidValue(a, p, x)));
      }
    }
    expect(worst).toBeLessThan(1e-5); // float32 rounding of A and φ only
  });

  it("spreads amplitudes, phases and inputs over their ranges", () => {
    const batch = sinusoid({ shots: 20, seed: 2 }).nextBatch(2000);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(batch.amplitude) - 2.55)).toBeLessThan(0.1);
    expect(Math.abs(mean(batch.phase) - Math.PI / 2)).toBeLessThan(0.06);
    expect(Math.abs(mean(batch.xSupport))).toBeLessThan(0.06);
    expect(batch.queries).toBe(20); // Q defaults to K
  });

  it("is deterministic, resumable, refillable, and checks its options", () => {
    const a = sinusoid({ shots: 5, seed: 3 });
    const b = sinusoid({ shots: 5, seed: 3 });
    expect(Array.from(a.nextBatch(4).ySupport)).toEqual(Array.from(b.nextBatch(4).ySupport));
    const state = a.state();
    const expected = Array.from(a.next().xQuery);
    b.restore(state);
    const batch = b.next();
    expect(Array.from(batch.xQuery)).toEqual(expected);
    expect(b.nextBatch(1, batch)).toBe(batch);
    expect(() => b.nextBatch(2, batch)).toThrow(KshotError);
    expect(() => sinusoid({ shots: 0 })).toThrow(/shots/);
    expect(() => sinusoid({ shots: 5, amplitude: [5, 1] })).toThrow(/amplitude/);
    expect(sinusoid({ shots: 2, x: [1, 1], seed: 0 }).next().xSupport[0]).toBe(1);
  });
});
