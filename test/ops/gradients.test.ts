// Every op's gradient against central finite differences (float64 oracle), every op's second derivative
// (Hessian-vector products against differences of gradients), and forward parity with the oracle.
import { describe } from "vitest";
import * as ks from "../../src/index.ts";
import type { Tensor } from "../../src/index.ts";
import { type GradientCase, input, itChecksGradients } from "../support/gradcheck.ts";


const idx = (values: number[], shape?: number[]) => ks.tensor(values, shape ?? [values.length], "int32");

const unary: GradientCase[] = [
  ["neg", ks.neg], ["abs", ks.abs], ["exp", ks.exp], ["square", ks.square], ["relu", ks.relu],
  ["tanh", ks.tanh], ["sigmoid", ks.sigmoid], ["sin", ks.sin], ["cos", ks.cos],
  ["softplus", ks.softplus], ["logSigmoid", ks.logSigmoid], ["expm1", ks.expm1],
].map(([name, f]) => ({ name: name as string, f: ([x]: Tensor[]) => (f as (t: Tensor) => Tensor)(x), inputs: [input([3, 4], 11)] }));

const positive: GradientCase[] = [
  ["log", ks.log], ["sqrt", ks.sqrt], ["rsqrt", ks.rsqrt], ["reciprocal", ks.reciprocal],
].map(([name, f]) => ({ name: name as string, f: ([x]: Tensor[]) => (f as (t: Tensor) => Tensor)(x), inputs: [input([2, 5], 12, 0.5, 2)] }));

/** The stable forms far from 0, where the naive formulas overflow or cancel. */
const wide: GradientCase[] = [
  { name: "softplus (wide)", f: ([x]) => ks.softplus(x), inputs: [input([8], 13, -30, 30)] },
  { name: "logSigmoid (wide)", f: ([x]) => ks.logSigmoid(x), inputs: [input([8], 14, -30, 30)] },
  { name: "log1p near -1 and 0", f: ([x]) => ks.log1p(x), inputs: [input([2, 5], 15, -0.9, 1)] },
  { name: "clamp", f: ([x]) => ks.clamp(x, -0.5, 0.25), inputs: [input([3, 4], 16)] },
];

const binary: GradientCase[] = [
  { name: "add (broadcast)", f: ([a, b]) => ks.add(a, b), inputs: [input([2, 3, 4], 1), input([3, 1], 2)] },
  { name: "sub (broadcast)", f: ([a, b]) => ks.sub(a, b), inputs: [input([4], 3), input([2, 3, 4], 4)] },
  { name: "mul (broadcast)", f: ([a, b]) => ks.mul(a, b), inputs: [input([2, 1, 4], 5), input([3, 1], 6)] },
  { name: "div", f: ([a, b]) => ks.div(a, b), inputs: [input([3, 4], 7), input([3, 4], 8, 0.5, 2)] },
  { name: "pow", f: ([a, b]) => ks.pow(a, b), inputs: [input([3, 3], 9, 0.5, 2), input([3, 3], 10, -1.5, 1.5)] },
  { name: "maximum", f: ([a, b]) => ks.maximum(a, b), inputs: [input([3, 4], 13), input([4], 14)] },
  { name: "minimum", f: ([a, b]) => ks.minimum(a, b), inputs: [input([3, 4], 15), input([3, 4], 16)] },
  { name: "mul by a number", f: ([a]) => ks.mul(ks.add(a, 0.5), 3), inputs: [input([5], 17)] },
  { name: "where", f: ([a, b]) => ks.where(ks.greater(a, 0), ks.mul(a, b), ks.square(b)), inputs: [input([3, 4], 18), input([4], 19)] },
];

const reductions: GradientCase[] = [
  { name: "sum all", f: ([x]) => ks.sum(ks.square(x)), inputs: [input([2, 3, 4], 20)] },
  { name: "sum axes [0, 2]", f: ([x]) => ks.square(ks.sum(x, [0, 2])), inputs: [input([2, 3, 4], 21)] },
  { name: "sum axis 1 keepDims", f: ([x]) => ks.mul(ks.sum(x, 1, true), x), inputs: [input([2, 3, 4], 22)] },
  { name: "mean", f: ([x]) => ks.square(ks.mean(x, [1, 2])), inputs: [input([2, 3, 4], 23)] },
  { name: "max", f: ([x]) => ks.square(ks.max(x, 1)), inputs: [input([3, 5], 24)] },
  { name: "min", f: ([x]) => ks.square(ks.min(x, [0, 1])), inputs: [input([3, 5], 25)] },
  { name: "logsumexp", f: ([x]) => ks.logsumexp(x, 1), inputs: [input([3, 5], 26, -3, 3)] },
];

const movement: GradientCase[] = [
  { name: "reshape", f: ([x]) => ks.mul(ks.reshape(x, [4, -1]), ks.reshape(x, [4, 3])), inputs: [input([2, 6], 30)] },
  { name: "transpose", f: ([x]) => ks.mul(ks.transpose(x, [2, 0, 1]), ks.transpose(x, [2, 0, 1])), inputs: [input([2, 3, 4], 31)] },
  { name: "slice", f: ([x]) => ks.square(ks.slice(x, [1, 0, 1], [1, -1, 2])), inputs: [input([2, 3, 4], 32)] },
  { name: "pad", f: ([x]) => ks.square(ks.pad(x, [[1, 0], [2, 1]], 0.5)), inputs: [input([2, 3], 33)] },
  { name: "concat", f: ([a, b]) => ks.square(ks.concat([a, b, a], 1)), inputs: [input([2, 3], 34), input([2, 1], 35)] },
  { name: "stack", f: ([a, b]) => ks.square(ks.stack([a, b], 1)), inputs: [input([2, 3], 36), input([2, 3], 37)] },
  { name: "broadcastTo", f: ([x]) => ks.square(ks.broadcastTo(x, [2, 3, 4])), inputs: [input([3, 1], 38)] },
];

const linear: GradientCase[] = [
  { name: "matmul", f: ([a, b]) => ks.matmul(a, b), inputs: [input([3, 4], 40), input([4, 5], 41)] },
  { name: "matmul transA", f: ([a, b]) => ks.matmul(a, b, { transA: true }), inputs: [input([4, 3], 42), input([4, 2], 43)] },
  { name: "matmul transB", f: ([a, b]) => ks.matmul(a, b, { transB: true }), inputs: [input([3, 4], 44), input([2, 4], 45)] },
  { name: "matmul transA transB", f: ([a, b]) => ks.matmul(a, b, { transA: true, transB: true }), inputs: [input([4, 3], 46), input([2, 4], 47)] },
  { name: "matmul batched, broadcast b", f: ([a, b]) => ks.matmul(a, b), inputs: [input([2, 3, 4], 48), input([4, 2], 49)] },
  { name: "matmul batch-axis broadcast", f: ([a, b]) => ks.matmul(a, b, { transB: true }), inputs: [input([2, 1, 2, 3], 50), input([3, 2, 3], 51)] },
  { name: "matmul squared (second order)", f: ([a]) => ks.matmul(a, a), inputs: [input([3, 3], 52)] },
];

const conv: GradientCase[] = [
  { name: "conv2d 3x3 pad 1", f: ([x, w]) => ks.conv2d(x, w, { padding: 1 }), inputs: [input([2, 2, 5, 5], 60), input([3, 2, 3, 3], 61)] },
  { name: "conv2d stride 2, non-square", f: ([x, w]) => ks.conv2d(x, w, { stride: [2, 1], padding: [0, 1] }), inputs: [input([1, 2, 6, 5], 62), input([2, 2, 3, 2], 63)] },
  { name: "conv2d groups 2", f: ([x, w]) => ks.conv2d(x, w, { padding: 1, groups: 2 }), inputs: [input([2, 4, 4, 4], 64), input([4, 2, 3, 3], 65)] },
  { name: "conv2d squared (second order)", f: ([x, w]) => ks.square(ks.conv2d(x, w, { padding: 1 })), inputs: [input([1, 2, 4, 4], 66), input([2, 2, 3, 3], 67)] },
  { name: "conv2dBackwardData", f: ([dy, w]) => ks.conv2dBackwardData(dy, w, [2, 2, 5, 5], { padding: 1, stride: 2 }), inputs: [input([2, 3, 3, 3], 68), input([3, 2, 3, 3], 69)] },
  { name: "conv2dBackwardFilter", f: ([x, dy]) => ks.conv2dBackwardFilter(x, dy, [4, 1, 3, 3], { padding: 1, groups: 2 }), inputs: [input([1, 2, 4, 4], 70), input([1, 4, 4, 4], 71)] },
];

const indexing: GradientCase[] = [
  { name: "maxPool2d", f: ([x]) => ks.square(ks.maxPool2d(x)), inputs: [input([2, 2, 5, 4], 80)] },
  { name: "maxPool2d 3x3 stride 2", f: ([x]) => ks.maxPool2d(x, { kernel: 3, stride: 2 }), inputs: [input([1, 2, 7, 7], 81)] },
  {
    name: "affinePoolRelu",
    f: ([x, a, m, s, b]) => ks.square(ks.affinePoolRelu(x, { add: a, sub: m, mul: s, plus: b })),
    inputs: [input([2, 3, 4, 4], 87), input([3], 88), input([3], 89), input([3], 90, 0.5, 2), input([3], 91, 0.5, 1)],
  },
  { name: "gather", f: ([x]) => ks.square(ks.gather(x, idx([2, 0, 2, 1]), 1)), inputs: [input([2, 3, 2], 82)] },
  { name: "gather batched", f: ([x]) => ks.square(ks.gather(x, idx([1, 0, 2, 2], [2, 2]), 1)), inputs: [input([2, 3], 83)] },
  { name: "scatterAdd", f: ([x]) => ks.square(ks.scatterAdd(x, idx([1, 1, 3]), 0, 4)), inputs: [input([3, 2], 84)] },
];

const nn: GradientCase[] = [
  { name: "softmax", f: ([x]) => ks.softmax(x, 1), inputs: [input([3, 4], 90, -2, 2)] },
  { name: "logSoftmax", f: ([x]) => ks.logSoftmax(x, 0), inputs: [input([3, 4], 91, -2, 2)] },
  { name: "crossEntropy", f: ([x]) => ks.crossEntropy(x, idx([0, 3, 1])), inputs: [input([3, 4], 92, -2, 2)] },
  { name: "mse", f: ([a, b]) => ks.mse(a, b), inputs: [input([4, 1], 93), input([4], 94)] },
  { name: "batchNorm NCHW", f: ([x, g, b]) => ks.batchNorm(x, g, b), inputs: [input([3, 2, 2, 2], 95), input([2], 96), input([2], 97)] },
  { name: "batchNorm [N, C]", f: ([x, g, b]) => ks.batchNorm(x, g, b), inputs: [input([4, 3], 98), input([3], 99), input([3], 100)] },
  // The cotangent depends on the inputs: second derivatives pass through the backward's cotangent input too.
  { name: "batchNorm squared", f: ([x, g, b]) => ks.square(ks.batchNorm(x, g, b)), inputs: [input([3, 2, 3, 2], 101), input([2], 102), input([2], 103)] },
];

const groups: [string, GradientCase[]][] = [
  ["unary", [...unary, ...positive, ...wide]], ["binary", binary], ["reductions", reductions], ["movement", movement],
  ["linear", linear], ["convolution", conv], ["indexing", indexing], ["nn", nn],
];

for (const [group, cases] of groups) {
  describe(`op gradients: ${group}`, () => {
    for (const c of cases) itChecksGradients(c);
  });
}
