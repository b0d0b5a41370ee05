/**
 * How a GEMM (matmul or an implicit-GEMM convolution) is cut into workgroups: the tile shape, and
 * whether K is split across workgroups (for few output tiles over a long K, e.g. a filter gradient
 * summed over a whole batch of images). The plan depends only on shapes, so results are reproducible,
 * and only on one matrix's shape, not on the batch (groups) count: a meta-batch of 2 or 32 tasks as
 * groups issues the same dispatches.
 */
import { shaderSource } from "../codegen/shader-source.ts";
import { type Defines, specialize } from "../codegen/specialize.ts";
import { gridFor, type KernelContext, ParamWords } from "../kernel-context.ts";
import type { Grid } from "../command-recorder.ts";

export const TK = 16;
/** Output tiles per matrix below which K is split (a GPU needs this many workgroups to fill its cores). */
const MIN_WORKGROUPS = 128;
/** The least K a split-K workgroup takes, and the most parts (partial sums cost kSplit x the output). */
const MIN_K_CHUNK = 256;
const MAX_K_SPLIT = 16;

export interface GemmShape {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

export interface GemmPlan {
  /** Threads per workgroup along n and m; the tile is 4 TY x 4 TX. */
  readonly tx: number;
  readonly ty: number;
  readonly kSplit: number;
  readonly kChunk: number;
  readonly grid: Grid;
}

/**
 * Tile edge in threads for a matrix edge: 4 threads x 4 outputs cover 16, 16 threads cover 64; rows also
 * 1 thread (4 rows: a one-channel image's data gradient). Few sizes: every tile shape is a pipeline to
 * compile, and a CPU adapter takes seconds per GEMM pipeline.
 */
function threadsFor(extent: number, smallest: number): number {
  return extent <= 4 * smallest ? smallest : extent <= 16 ? 4 : 16;
}

export function planGemm(s: GemmShape, ctx: KernelContext, allowSplit: boolean): GemmPlan {
  const tx = threadsFor(s.n, 4);
  let ty = threadsFor(s.m, 1);
  while (tx * ty > ctx.maxInvocationsPerWorkgroup && ty > 1) ty /= 2;
  const tiles = Math.ceil(s.m / (4 * ty)) * Math.ceil(s.n / (4 * tx));
  let kSplit = 1;
  let kChunk = Math.max(TK, Math.ceil(s.k / TK) * TK);
  if (allowSplit && tiles < MIN_WORKGROUPS && s.k >= 2 * MIN_K_CHUNK) {
    const wanted = Math.min(Math.ceil(MIN_WORKGROUPS / tiles), Math.floor(s.k / MIN_K_CHUNK), MAX_K_SPLIT);
    kChunk = Math.ceil(s.k / wanted / TK) * TK;
    kSplit = Math.ceil(s.k / kChunk);
  }
  return { tx, ty, kSplit, kChunk, grid: gridFor(tiles * s.batch * kSplit, ctx.maxWorkgroupsPerDimension) };
}

/** A GEMM kernel's WGSL: its own file specialised, then the core. */
export function gemmSource(file: string, plan: GemmPlan, software: boolean, defines: Defines): string {
  const all = { ...defines, TX: `${plan.tx}u`, TY: `${plan.ty}u`, SOFTWARE: software };
  return specialize(shaderSource(file), all, `${file}.wgsl`) + "\n" + specialize(shaderSource("gemm_tile"), all, "gemm_tile.wgsl");
}

/** The core's params header (words 0-7: ..., groups_x, tk); kernel-specific fields start at word 8. */
export function gemmParams(s: GemmShape, plan: GemmPlan, words: number): ParamWords {
  return new ParamWords(words)
    .u32(0, s.batch).u32(1, s.m).u32(2, s.n).u32(3, s.k)
    .u32(4, plan.kSplit).u32(5, plan.kChunk).u32(6, plan.grid.x).u32(7, TK);
}
