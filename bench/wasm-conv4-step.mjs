// A Conv-4 forward + backward pass built from backend kernels (no autograd layer): 4 × (conv 3×3 64 +
// bias + ReLU + 2×2 max-pool), a linear head, and the gradients of a squared-error loss. Used by
// wasm-conv.bench.mjs to time a whole training step of a 60-way ProtoNet-sized batch.
import { randomArray } from "./wasm-harness.mjs";

const C = 64;
const SIZES = [28, 14, 7, 3];

export function conv4Flops(n, ways = 60) {
  let total = 0;
  SIZES.forEach((s, l) => {
    const fwd = 2 * n * C * s * s * (l === 0 ? 1 : C) * 9;
    total += fwd * (l === 0 ? 2 : 3);
  });
  return total + 3 * 2 * n * C * ways;
}

export function conv4Step(backend, n, ways) {
  const owned = [];
  const alloc = (dtype, size) => { const b = backend.allocate(dtype, size); owned.push(b); return b; };
  const param = (size, seed, scale) => { const b = alloc("float32", size); backend.write(b, randomArray(size, seed).map((v) => v * scale)); return b; };

  const layers = SIZES.map((s, l) => {
    const inC = l === 0 ? 1 : C, pooled = Math.floor(s / 2);
    return {
      s, inC, pooled,
      p: { batch: n, inC, inH: s, inW: s, outC: C, outH: s, outW: s, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, groups: 1 },
      pool: { batch: n, channels: C, inH: s, inW: s, outH: pooled, outW: pooled, kh: 2, kw: 2, strideH: 2, strideW: 2 },
      w: param(C * inC * 9, 10 + l, Math.sqrt(2 / (inC * 9))), b: param(C, 20 + l, 0.01),
      dw: alloc("float32", C * inC * 9), db: alloc("float32", C), dbRows: alloc("float32", n * C),
      z: alloc("float32", n * C * s * s), r: alloc("float32", n * C * s * s), mask: alloc("float32", n * C * s * s),
      a: alloc("float32", n * C * pooled * pooled), idx: alloc("int32", n * C * pooled * pooled),
      da: alloc("float32", n * C * pooled * pooled), dz: alloc("float32", n * C * s * s),
      dx: l === 0 ? null : alloc("float32", n * inC * s * s),
    };
  });
  const x = param(n * 28 * 28, 1, 1);
  const head = param(C * ways, 30, 0.1), dHead = alloc("float32", C * ways);
  const logits = alloc("float32", n * ways), target = param(n * ways, 31, 1), dLogits = alloc("float32", n * ways);
  const same = (shape) => ({ outShape: shape, strides: [shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1)), shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1))] });
  const biasBc = (s) => ({ outShape: [n, C, s * s], strides: [[C * s * s, s * s, 1], [0, 1, 0]] });
  let dispatches = 0;

  function run() {
    const before = backend.counters.dispatches;
    let input = x;
    for (const L of layers) {
      backend.conv2d(input, L.w, L.z, L.p);
      backend.binary("add", L.z, L.b, L.z, biasBc(L.s));
      backend.unary("relu", L.z, L.r);
      backend.maxPool2d(L.r, L.a, L.idx, L.pool);
      input = L.a;
    }
    const mm = (a, b, out, m, nn, k, transA, transB) => backend.matmul(a, b, out, { batch: 1, m, n: nn, k, transA, transB, aBatchStride: 0, bBatchStride: 0 });
    mm(input, head, logits, n, ways, C, false, false);
    backend.binary("sub", logits, target, dLogits, same([n, ways]));
    mm(input, dLogits, dHead, C, ways, n, true, false);
    mm(dLogits, head, layers[3].da, n, C, ways, false, true);
    for (let l = layers.length - 1; l >= 0; l--) {
      const L = layers[l];
      const plane = L.s * L.s, pooledPlane = L.pooled * L.pooled;
      backend.scatterAdd(L.da, L.idx, L.dz, { outer: n * C, axis: plane, inner: 1, count: pooledPlane, batchedIndices: true });
      backend.unary("step", L.z, L.mask);
      backend.binary("mul", L.dz, L.mask, L.dz, same([n * C * plane]));
      backend.reduce("sum", L.dz, L.dbRows, n * C, plane, 1);
      backend.reduce("sum", L.dbRows, L.db, 1, n, C);
      backend.conv2dBackwardFilter(l === 0 ? x : layers[l - 1].a, L.dz, L.dw, L.p);
      if (L.dx) {
        backend.conv2dBackwardData(L.dz, L.w, L.dx, L.p);
        // The previous layer's pooled-output gradient is this layer's input gradient.
        backend.copy(L.dx, layers[l - 1].da, { shape: [L.dx.size], srcStrides: [1], srcOffset: 0, dstStrides: [1], dstOffset: 0 });
      }
    }
    dispatches = backend.counters.dispatches - before;
  }
  run();
  return { run, get dispatches() { return dispatches; }, free: () => owned.forEach((b) => backend.free(b)) };
}
