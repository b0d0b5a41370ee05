// The WebGPU backend's host-side logic that needs no GPU: template specialisation, axis merging, size
// classes, dispatch grids and GEMM plans.
import { describe, expect, it } from "vitest";
import { KshotError } from "../../../src/errors.ts";
import { sizeClass } from "../../../src/backend/webgpu/buffer-pool.ts";
import { specialize } from "../../../src/backend/webgpu/codegen/specialize.ts";
import { binaryExpr, unaryExpr } from "../../../src/backend/webgpu/codegen/elementwise-ops.ts";
import { gridFor, type KernelContext } from "../../../src/backend/webgpu/kernel-context.ts";
import { planGemm } from "../../../src/backend/webgpu/kernels/gemm-plan.ts";
import { collapseAxes, isContiguous } from "../../../src/backend/webgpu/strided-shape.ts";

describe("webgpu code generation and planning", () => {
  it("specialises templates: nested //#if blocks, negation, markers outside comments", () => {
    const template = [
      "a $X // $NOT_A_MARKER",
      "//#if F",
      "f",
      "//#if !G",
      "not g",
      "//#else",
      "g",
      "//#endif",
      "//#endif",
      "//#if !F",
      "not f",
      "//#endif",
    ].join("\n");
    expect(specialize(template, { X: 7, F: true, G: false }, "t")).toBe("a 7 // $NOT_A_MARKER\nf\nnot g");
    expect(specialize(template, { X: "y", F: false, G: true }, "t")).toBe("a y // $NOT_A_MARKER\nnot f");
    expect(() => specialize("$MISSING", {}, "t")).toThrow(KshotError);
    expect(() => specialize("//#if F\nx", { F: true }, "t")).toThrow(/unclosed/);
    expect(() => specialize("//#if F\n//#endif", {}, "t")).toThrow(/no flag F/);
  });

  it("composes op expressions, so a chain of ops is one expression", () => {
    const chain = unaryExpr("exp", "f32", binaryExpr("add", "f32", "f32", "x0", "x1"));
    expect(chain).toBe("keep_nan((x0 + x1), exp((x0 + x1)))");
    expect(binaryExpr("greater", "i32", "f32", "a", "b")).toBe("select(f32(0), f32(1), (a > b))");
    expect(() => unaryExpr("exp", "i32", "x")).toThrow(/float32/);
  });

  it("merges axes that every operand walks as one, drops extent-1 axes", () => {
    expect(collapseAxes([64, 1, 28, 28], [[784, 784, 28, 1], [0, 0, 28, 1]])).toEqual({ shape: [64, 784], strides: [[784, 1], [0, 1]] });
    expect(collapseAxes([2, 3, 4], [[12, 4, 1]])).toEqual({ shape: [24], strides: [[1]] });
    expect(collapseAxes([1, 1], [[5, 9]])).toEqual({ shape: [1], strides: [[0]] });
    expect(collapseAxes([3, 0, 2], [[0, 2, 1]]).shape).toEqual([0]);
    expect(isContiguous(collapseAxes([5, 6], [[6, 1], [6, 1]]))).toBe(true);
    expect(isContiguous(collapseAxes([5, 6], [[1, 5], [6, 1]]))).toBe(false);
    expect(() => collapseAxes(new Array(9).fill(2), [[256, 1, 128, 2, 64, 4, 32, 8, 16]])).toThrow(/at most 8 axes/);
  });

  it("serves sizes from classes of at most 25% slack", () => {
    expect(sizeClass(0)).toBe(256);
    expect(sizeClass(4)).toBe(256);
    expect(sizeClass(257)).toBe(512);
    expect(sizeClass(4096)).toBe(4096);
    for (const bytes of [4097, 5000, 100_000, 3_000_000, 123_456_789]) {
      const c = sizeClass(bytes);
      expect(c).toBeGreaterThanOrEqual(bytes);
      expect(c).toBeLessThanOrEqual(bytes * 1.25 + 256);
      expect(sizeClass(c)).toBe(c);
    }
  });

  it("lays out dispatch grids within the per-dimension limit", () => {
    expect(gridFor(0, 65535)).toEqual({ x: 0, y: 0 });
    expect(gridFor(100, 65535)).toEqual({ x: 100, y: 1 });
    const g = gridFor(65536 * 3 + 1, 65535);
    expect(g.x).toBeLessThanOrEqual(65535);
    expect(g.x * g.y).toBeGreaterThanOrEqual(65536 * 3 + 1);
  });

  it("plans GEMM tiles by shape and splits long K only over few tiles", () => {
    const ctx = { maxWorkgroupsPerDimension: 65535, maxInvocationsPerWorkgroup: 256 } as KernelContext;
    expect(planGemm({ batch: 1, m: 256, n: 256, k: 256 }, ctx, true)).toMatchObject({ tx: 16, ty: 16, kSplit: 1 });
    expect(planGemm({ batch: 1, m: 1, n: 1000, k: 9 }, ctx, true)).toMatchObject({ tx: 16, ty: 1 });
    const split = planGemm({ batch: 1, m: 64, n: 576, k: 125_440 }, ctx, true);
    expect(split.kSplit).toBeGreaterThan(1);
    expect(split.kChunk % 16).toBe(0);
    expect(split.kChunk * (split.kSplit - 1)).toBeLessThan(125_440);
    expect(planGemm({ batch: 1, m: 64, n: 576, k: 125_440 }, ctx, false).kSplit).toBe(1);
    // The split never depends on the batch (groups = tasks of a meta-batch): same dispatches at 2 and 32.
    expect(planGemm({ batch: 32, m: 64, n: 576, k: 7840 }, ctx, true).kSplit).toBe(planGemm({ batch: 2, m: 64, n: 576, k: 7840 }, ctx, true).kSplit);
    expect(split.kSplit).toBeLessThanOrEqual(16);
    const small = { ...ctx, maxInvocationsPerWorkgroup: 128 };
    const p = planGemm({ batch: 1, m: 256, n: 256, k: 16 }, small, true);
    expect(p.tx * p.ty).toBeLessThanOrEqual(128);
  });
});
