/**
 * Batch normalisation with the statistics of the batch (training mode), per channel of an NCHW or [N, C]
 * input: one kernel forward (statistics, normalisation and affine map) and one kernel backward (the
 * per-channel sums Σdy and Σdy·x̂, then dx, dγ and dβ). The backward is an op of its own whose two outputs
 * (dx, and dβ and dγ as rows of one [2, C] tensor) record VJPs, so gradients of gradients (second-order
 * MAML) see how they depend on x. Where those VJPs are not themselves differentiated (nothing records:
 * second-order MAML's outer backward) they reuse the forward's statistics and the backward kernel; where
 * they are (third order), they are written with ops that recompute the statistics from x.
 */
import type { BatchNormParams } from "../backend/backend.ts";
import { backend, isRecording, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { formatShape } from "../shape.ts";
import { emptyTensor, type Tensor } from "../tensor.ts";
import { add, mul, rsqrt, square, sub } from "./elementwise.ts";
import { fused } from "./fused.ts";
import { mean } from "./reduce.ts";
import { reshape, slice } from "./shape.ts";

export interface BatchNormOptions {
  /** Added to the variance inside the square root; default 1e-5 (PyTorch). */
  eps?: number;
}

/** How x [N, C] or [N, C, H, W] is normalised: its kernel parameters, reduced axes and per-channel shape. */
interface Layout {
  readonly p: BatchNormParams;
  readonly axes: number[];
  readonly channelShape: number[];
  /** Values per channel (N·H·W). */
  readonly count: number;
}

function layoutOf(x: Tensor, eps: number): Layout {
  const [batch, channels] = x.shape;
  const spatial = x.rank === 4 ? x.shape[2] * x.shape[3] : 1;
  return {
    p: { batch, channels, spatial, eps },
    axes: x.rank === 4 ? [0, 2, 3] : [0],
    channelShape: x.rank === 4 ? [1, channels, 1, 1] : [1, channels],
    count: batch * spatial,
  };
}

/**
 * Batch normalisation with the statistics of this batch (biased variance), per channel of an NCHW or
 * [N, C] input; `gamma` and `beta` hold C values. This is MAML's "transductive" BatchNorm: no running
 * statistics.
 *
 * @example
 * const y = ks.batchNorm(x, gamma, beta); // x [N, C, H, W], gamma and beta [C]
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, options: BatchNormOptions = {}): Tensor {
  checkInput("batchNorm", x, "x");
  checkInput("batchNorm", gamma, "gamma");
  checkInput("batchNorm", beta, "beta");
  const c = x.shape[1];
  if ((x.rank !== 2 && x.rank !== 4) || gamma.size !== c || beta.size !== c) {
    throw new KshotError(`batchNorm: expected x [N, C] or [N, C, H, W] with gamma and beta [C], got ${formatShape(x.shape)}, ${formatShape(gamma.shape)}, ${formatShape(beta.shape)}`);
  }
  if (x.dtype === "int32" || gamma.dtype !== x.dtype || beta.dtype !== x.dtype) {
    throw new KshotError(`batchNorm: expected float x, gamma and beta of one dtype, got ${x.dtype}, ${gamma.dtype}, ${beta.dtype}`);
  }
  const eps = options.eps ?? 1e-5;
  if (!Number.isFinite(eps) || eps < 0) throw new KshotError(`batchNorm: expected a finite eps ≥ 0, got ${eps}`);
  const layout = layoutOf(x, eps);
  const y = emptyTensor(x.shape, x.dtype);
  const stats = emptyTensor([2, c], x.dtype);
  backend().batchNorm(x.buffer, gamma.buffer, beta.buffer, y.buffer, stats.buffer, layout.p);
  const out = record("batchNorm", y, [x, gamma, beta], (g, _out, needs) => {
    const [dx, sums] = batchNormBackward(g, x, gamma, stats, layout);
    const row = (r: number) => (needs[2 - r] ? reshape(slice(sums, [r, 0], [1, c]), gamma.shape) : null);
    return [dx, row(1), row(0)];
  }, [stats]);
  stats.dispose();
  return out;
}

/** The backward kernel for the cotangent dy with per-channel factor γ: [dx, (Σdy, Σdy·x̂)], unrecorded. */
function backwardKernel(dy: Tensor, x: Tensor, gamma: Tensor, stats: Tensor, layout: Layout): [Tensor, Tensor] {
  const dx = emptyTensor(x.shape, x.dtype);
  const sums = emptyTensor([2, layout.p.channels], x.dtype);
  backend().batchNormBackward(dy.buffer, x.buffer, gamma.buffer, stats.buffer, dx.buffer, sums.buffer, layout.p);
  return [dx, sums];
}

/**
 * The adjoint of batchNorm for the cotangent g, from the forward's statistics: [dx, sums] with sums [2, C]
 * holding Σg (dβ) and Σg·x̂ (dγ), each output recorded with its own VJP.
 */
function batchNormBackward(g: Tensor, x: Tensor, gamma: Tensor, stats: Tensor, layout: Layout): [Tensor, Tensor] {
  const [dx, sums] = backwardKernel(g, x, gamma, stats, layout);
  const saved = { g, x, gamma, stats, sums, layout };
  return [
    record("batchNormBackward", dx, [g, x, gamma], (a, out, needs) => tidy(() => (isRecording() ? inputGradientVjp(a, g, x, gamma, layout, needs) : inputGradientVjpFromStats(a, out, saved, needs))), [stats, sums]),
    record("batchNormBackward sums", sums, [g, x], (b, _out, needs) => tidy(() => (isRecording() ? sumsVjp(b, g, x, layout, needs) : sumsVjpFromStats(b, saved, needs))), [stats]),
  ];
}

/** What the backward's VJPs read: its inputs, the forward's stats (μ, s) and the backward's sums (Σg, Σg·x̂). */
interface Saved {
  readonly g: Tensor;
  readonly x: Tensor;
  readonly gamma: Tensor;
  readonly stats: Tensor;
  readonly sums: Tensor;
  readonly layout: Layout;
}

/** Row r of a [2, C] tensor of per-channel values, shaped to broadcast against x. */
function channelRow(t: Tensor, r: number, layout: Layout): Tensor {
  return reshape(slice(t, [r, 0], [1, layout.p.channels]), layout.channelShape);
}

/** x̂ and s = 1/√(var + eps) [1, C, 1, 1] as ops of x, so that their dependence on x is recorded. */
function normalized(x: Tensor, layout: Layout): { xhat: Tensor; s: Tensor } {
  const centered = sub(x, mean(x, layout.axes, true));
  const s = rsqrt(add(mean(square(centered), layout.axes, true), Math.fround(layout.p.eps)));
  return { xhat: mul(centered, s), s };
}

/** The adjoint of x ↦ x̂ applied to u: s·(u − mean(u) − x̂·mean(u·x̂)) (BatchNorm's backward with γ = 1). */
function throughNormalization(u: Tensor, xhat: Tensor, s: Tensor, layout: Layout): Tensor {
  const m = (t: Tensor) => mean(t, layout.axes, true);
  return mul(sub(sub(u, m(u)), mul(xhat, m(mul(u, xhat)))), s);
}

/**
 * VJP of dx = γs·(g − mean(g) − x̂·mean(g·x̂)) for the cotangent a, in g, x and γ. With ⟨a, dx⟩ =
 * γs·M·K, K = mean(a·g) − mean(a)·mean(g) − mean(a·x̂)·mean(g·x̂):
 * in g, γs·(a − mean(a) − x̂·mean(a·x̂)); in γ, s·M·K; in x, through x̂ with u = −γs·(a·mean(g·x̂) + g·mean(a·x̂))
 * and through s (∂s/∂x = −s²x̂/M) with ∂/∂s = γ·M·K.
 */
function inputGradientVjp(a: Tensor, g: Tensor, x: Tensor, gamma: Tensor, layout: Layout, needs: readonly boolean[]): (Tensor | null)[] {
  const m = (t: Tensor) => mean(t, layout.axes, true);
  const { xhat, s } = normalized(x, layout);
  const gs = mul(reshape(gamma, layout.channelShape), s);
  const [ma, maxhat, mg, mgxhat] = [m(a), m(mul(a, xhat)), m(g), m(mul(g, xhat))];
  const k = sub(sub(m(mul(a, g)), mul(ma, mg)), mul(maxhat, mgxhat));
  const dg = needs[0] ? mul(sub(sub(a, ma), mul(xhat, maxhat)), gs) : null;
  let dx: Tensor | null = null;
  if (needs[1]) {
    const u = mul(add(mul(a, mgxhat), mul(g, maxhat)), mul(gs, -1));
    const viaS = mul(mul(xhat, mul(mul(s, s), reshape(gamma, layout.channelShape))), k);
    dx = sub(throughNormalization(u, xhat, s, layout), viaS);
  }
  const dgamma = needs[2] ? reshape(mul(mul(s, k), layout.count), gamma.shape) : null;
  return [dg, dx, dgamma];
}

/** VJP of sums = (Σg, Σg·x̂) for the cotangent b [2, C], in g and x. */
function sumsVjp(b: Tensor, g: Tensor, x: Tensor, layout: Layout, needs: readonly boolean[]): (Tensor | null)[] {
  const c = layout.p.channels;
  const row = (r: number) => reshape(slice(b, [r, 0], [1, c]), layout.channelShape);
  const { xhat, s } = normalized(x, layout);
  const [bBeta, bGamma] = [row(0), row(1)];
  const dg = needs[0] ? add(mul(xhat, bGamma), bBeta) : null;
  const dx = needs[1] ? throughNormalization(mul(g, bGamma), xhat, s, layout) : null;
  return [dg, dx];
}

/**
 * inputGradientVjp where nothing records: the same formulas (see there) from the forward's μ and s and the
 * backward kernel. The kernel gives dg = γ·N(a) with N(u) = s·(u − mean(u) − x̂·mean(u·x̂)), and the op's own
 * output is γ·N(g); N is linear and commutes with per-channel factors, so the x̂ path of dx,
 * N(−γs·(a·mean(g·x̂) + g·mean(a·x̂))), is −s·(mean(g·x̂)·dg + mean(a·x̂)·out): two kernels' outputs scaled,
 * where the composite form makes some thirty passes over x-sized tensors.
 */
function inputGradientVjpFromStats(a: Tensor, out: Tensor, v: Saved, needs: readonly boolean[]): (Tensor | null)[] {
  const { layout } = v;
  const perCount = 1 / layout.count;
  const [dg, aSums] = backwardKernel(a, v.x, v.gamma, v.stats, layout);
  const [ma, maxhat] = [mul(channelRow(aSums, 0, layout), perCount), mul(channelRow(aSums, 1, layout), perCount)];
  const [mg, mgxhat] = [mul(channelRow(v.sums, 0, layout), perCount), mul(channelRow(v.sums, 1, layout), perCount)];
  const s = channelRow(v.stats, 1, layout);
  const k = sub(sub(mean(mul(a, v.g), layout.axes, true), mul(ma, mg)), mul(maxhat, mgxhat));
  let dx: Tensor | null = null;
  if (needs[1]) {
    // −(s·mean(g·x̂)·dg + s·mean(a·x̂)·out + x̂·s²γ·k), with x̂·s²γk = (x − μ)·s³γk: one pass.
    const s3gk = mul(mul(mul(s, s), mul(s, reshape(v.gamma, layout.channelShape))), k);
    const inputs = [dg, mul(s, mgxhat), out, mul(s, maxhat), v.x, channelRow(v.stats, 0, layout), s3gk];
    dx = fused("batchNorm second-order dx", inputs, (f, dg, c1, out, c2, x, mu, c3) => f.neg(f.add(f.add(f.mul(dg, c1), f.mul(out, c2)), f.mul(f.sub(x, mu), c3))));
  }
  const dgamma = needs[2] ? reshape(mul(mul(s, k), layout.count), v.gamma.shape) : null;
  return [needs[0] ? dg : null, dx, dgamma];
}

/** sumsVjp where nothing records: in g, x̂·bγ + bβ = (x − μ)·(s·bγ) + bβ; in x, N(g·bγ) = bγ·N(g), the kernel with γ = bγ. */
function sumsVjpFromStats(b: Tensor, v: Saved, needs: readonly boolean[]): (Tensor | null)[] {
  const { layout } = v;
  const [bBeta, bGamma] = [channelRow(b, 0, layout), channelRow(b, 1, layout)];
  const stats = (r: number) => channelRow(v.stats, r, layout);
  const dg = needs[0] ? fused("batchNorm second-order dg", [v.x, stats(0), mul(stats(1), bGamma), bBeta], (f, x, mu, c, b) => f.add(f.mul(f.sub(x, mu), c), b)) : null;
  const dx = needs[1] ? backwardKernel(v.g, v.x, reshape(bGamma, [layout.p.channels]), v.stats, layout)[0] : null;
  return [dg, dx];
}

