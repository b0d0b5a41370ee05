/**
 * The reference backend: every kernel in the plainest TypeScript, written to be obviously correct. It is
 * the oracle the wasm and WebGPU backends are tested against, and the only backend with float64.
 */
import type {
  Backend, BackendBuffer, BackendCounters, BatchNormParams, BinaryOp, Broadcast, Conv2dParams, CopyParams, ElementwiseProgram,
  GatherParams, MatmulParams, Pool2dParams, ProgramStep, ReduceOp, UnaryOp,
} from "../backend.ts";
import { allocHost, bytesPerElement, type DType, type TypedArrayFor } from "../../dtype.ts";
import { KshotError } from "../../errors.ts";
import { BINARY_OPS, binaryReference, UNARY } from "../../optable/index.ts";
import {
  checkAffinePoolCall, checkBatchNormCall, checkBinary, checkCast, checkConvCall, checkCopy, checkElementwise, checkGatherCall, checkMatmulCall, checkPoolCall,
  checkReduce, checkUnary, checkWhere,
} from "../call-checks.ts";

interface RefBuffer extends BackendBuffer {
  data: TypedArrayFor;
  freed: boolean;
}

// Each binary op's element function, as the op table declares it (comparisons give 1 or 0).
const BINARY = Object.fromEntries(BINARY_OPS.map((op) => [op, binaryReference(op)])) as Record<BinaryOp, (a: number, b: number) => number>;

/** Calls fn(outIndex, inputOffsets) for every element of the broadcast output, in row-major order. */
function forEachBroadcast(bc: Broadcast, fn: (i: number, offsets: number[]) => void): void {
  const rank = bc.outShape.length;
  const size = bc.outShape.reduce((a, b) => a * b, 1);
  const index = new Array<number>(rank).fill(0);
  const offsets = bc.strides.map(() => 0);
  for (let i = 0; i < size; i++) {
    fn(i, offsets);
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      for (let k = 0; k < offsets.length; k++) offsets[k] += bc.strides[k][d];
      if (index[d] < bc.outShape[d]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= bc.strides[k][d] * bc.outShape[d];
      index[d] = 0;
    }
  }
}

export class ReferenceBackend implements Backend {
  readonly name = "reference";
  readonly dtypes: readonly DType[] = ["float32", "int32", "float64"];
  readonly canReadSync = true;
  readonly counters: BackendCounters = { dispatches: 0, allocations: 0, bytesAllocated: 0, bytesUploaded: 0, bytesReadBack: 0 };
  private live = 0;

  resetCounters(): void {
    Object.assign(this.counters, { dispatches: 0, allocations: 0, bytesAllocated: 0, bytesUploaded: 0, bytesReadBack: 0 });
  }

  bytesInUse(): number {
    return this.live;
  }

  allocate(dtype: DType, size: number): BackendBuffer {
    const bytes = size * bytesPerElement(dtype);
    this.counters.allocations++;
    this.counters.bytesAllocated += bytes;
    this.live += bytes;
    const buffer: RefBuffer = { dtype, size, data: allocHost(dtype, size), freed: false };
    return buffer;
  }

  free(buffer: BackendBuffer): void {
    const b = this.buf(buffer);
    b.freed = true;
    this.live -= b.size * bytesPerElement(b.dtype);
  }

  write(buffer: BackendBuffer, data: TypedArrayFor): void {
    const b = this.buf(buffer);
    if (data.length !== b.size) throw new KshotError(`write: expected ${b.size} elements, got ${data.length}`);
    b.data.set(data);
    this.counters.bytesUploaded += data.byteLength;
  }

  read(buffer: BackendBuffer): Promise<TypedArrayFor> {
    return Promise.resolve(this.readSync(buffer));
  }

  readSync(buffer: BackendBuffer): TypedArrayFor {
    const b = this.buf(buffer);
    this.counters.bytesReadBack += b.data.byteLength;
    return b.data.slice();
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  dispose(): void {
    this.live = 0;
  }

  fill(out: BackendBuffer, value: number): void {
    this.count();
    this.buf(out).data.fill(value);
  }

  unary(op: UnaryOp, x: BackendBuffer, out: BackendBuffer): void {
    checkUnary(op, this.buf(x), this.buf(out));
    this.count();
    const f = UNARY[op].ref;
    const xs = this.buf(x).data;
    const ys = this.buf(out).data;
    for (let i = 0; i < xs.length; i++) ys[i] = f(xs[i]);
  }

  binary(op: BinaryOp, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, bc: Broadcast): void {
    checkBinary(op, this.buf(a), this.buf(b), this.buf(out), bc);
    this.count();
    const f = BINARY[op];
    const as = this.buf(a).data;
    const bs = this.buf(b).data;
    const ys = this.buf(out).data;
    forEachBroadcast(bc, (i, [ia, ib]) => {
      ys[i] = f(as[ia], bs[ib]);
    });
  }

  where(cond: BackendBuffer, a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, bc: Broadcast): void {
    checkWhere(this.buf(cond), this.buf(a), this.buf(b), this.buf(out), bc);
    this.count();
    const cs = this.buf(cond).data;
    const as = this.buf(a).data;
    const bs = this.buf(b).data;
    const ys = this.buf(out).data;
    forEachBroadcast(bc, (i, [ic, ia, ib]) => {
      ys[i] = cs[ic] !== 0 ? as[ia] : bs[ib];
    });
  }

  /** Element by element, every step's value rounded to out's dtype as the unfused kernels store it. */
  elementwise(program: ElementwiseProgram, inputs: readonly BackendBuffer[], out: BackendBuffer, bc: Broadcast): void {
    checkElementwise(program, inputs.map((b) => this.buf(b)), this.buf(out), bc);
    this.count();
    const round = out.dtype === "float32" ? Math.fround : (x: number) => x;
    const data = inputs.map((b) => this.buf(b).data);
    const ys = this.buf(out).data;
    const values = new Array<number>(program.inputs + program.steps.length);
    const evaluate = (step: ProgramStep): number => {
      switch (step.kind) {
        case "const": return step.value;
        case "unary": return UNARY[step.op].ref(values[step.x]);
        case "binary": return BINARY[step.op](values[step.a], values[step.b]);
        case "where": return values[step.cond] !== 0 ? values[step.a] : values[step.b];
      }
    };
    forEachBroadcast(bc, (i, offsets) => {
      for (let j = 0; j < program.inputs; j++) values[j] = data[j][offsets[j]];
      program.steps.forEach((step, k) => (values[program.inputs + k] = round(evaluate(step))));
      ys[i] = values[values.length - 1];
    });
  }

  reduce(op: ReduceOp, x: BackendBuffer, out: BackendBuffer, outer: number, reduce: number, inner: number): void {
    checkReduce(op, this.buf(x), this.buf(out), outer, reduce, inner);
    this.count();
    const xs = this.buf(x).data;
    const ys = this.buf(out).data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * reduce * inner + i;
        let acc = op === "sum" ? 0 : op === "min" ? Infinity : -Infinity;
        let arg = 0;
        for (let r = 0; r < reduce; r++) {
          const v = xs[base + r * inner];
          if (op === "sum") acc += v;
          else if (v !== v) {
            // NaN wins max/min, and argmax points at the first NaN.
            if (acc === acc) { acc = v; arg = r; }
          } else if (acc === acc && (op === "min" ? v < acc : v > acc)) {
            acc = v;
            arg = r;
          }
        }
        ys[o * inner + i] = op === "argmax" ? arg : acc;
      }
    }
  }

  matmul(a: BackendBuffer, b: BackendBuffer, out: BackendBuffer, p: MatmulParams): void {
    checkMatmulCall(this.buf(a), this.buf(b), this.buf(out), p);
    this.count();
    const as = this.buf(a).data;
    const bs = this.buf(b).data;
    const ys = this.buf(out).data;
    const { m, n, k } = p;
    for (let t = 0; t < p.batch; t++) {
      const ao = t * p.aBatchStride;
      const bo = t * p.bBatchStride;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let l = 0; l < k; l++) {
            const av = as[ao + (p.transA ? l * m + i : i * k + l)];
            const bv = bs[bo + (p.transB ? j * k + l : l * n + j)];
            acc += av * bv;
          }
          ys[t * m * n + i * n + j] = acc;
        }
      }
    }
  }

  /** Calls fn(xIndex, wIndex, yIndex) for every multiply-add of the convolution. */
  private forEachConvTerm(p: Conv2dParams, fn: (xi: number, wi: number, yi: number) => void): void {
    const icg = p.inC / p.groups;
    const ocg = p.outC / p.groups;
    for (let n = 0; n < p.batch; n++) {
      for (let oc = 0; oc < p.outC; oc++) {
        const g = Math.floor(oc / ocg);
        for (let oy = 0; oy < p.outH; oy++) {
          for (let ox = 0; ox < p.outW; ox++) {
            const yi = ((n * p.outC + oc) * p.outH + oy) * p.outW + ox;
            for (let c = 0; c < icg; c++) {
              const ic = g * icg + c;
              for (let ky = 0; ky < p.kh; ky++) {
                const iy = oy * p.strideH - p.padH + ky;
                if (iy < 0 || iy >= p.inH) continue;
                for (let kx = 0; kx < p.kw; kx++) {
                  const ix = ox * p.strideW - p.padW + kx;
                  if (ix < 0 || ix >= p.inW) continue;
                  const xi = ((n * p.inC + ic) * p.inH + iy) * p.inW + ix;
                  const wi = ((oc * icg + c) * p.kh + ky) * p.kw + kx;
                  fn(xi, wi, yi);
                }
              }
            }
          }
        }
      }
    }
  }

  conv2d(x: BackendBuffer, w: BackendBuffer, y: BackendBuffer, p: Conv2dParams): void {
    checkConvCall("conv2d", p, [this.buf(x), this.buf(w), this.buf(y)], ["x", "w", "y"]);
    this.count();
    const xs = this.buf(x).data;
    const ws = this.buf(w).data;
    const ys = this.buf(y).data;
    ys.fill(0);
    this.forEachConvTerm(p, (xi, wi, yi) => {
      ys[yi] += xs[xi] * ws[wi];
    });
  }

  conv2dBackwardData(dy: BackendBuffer, w: BackendBuffer, dx: BackendBuffer, p: Conv2dParams): void {
    checkConvCall("conv2dBackwardData", p, [this.buf(dx), this.buf(w), this.buf(dy)], ["dx", "w", "dy"]);
    this.count();
    const dys = this.buf(dy).data;
    const ws = this.buf(w).data;
    const dxs = this.buf(dx).data;
    dxs.fill(0);
    this.forEachConvTerm(p, (xi, wi, yi) => {
      dxs[xi] += dys[yi] * ws[wi];
    });
  }

  conv2dBackwardFilter(x: BackendBuffer, dy: BackendBuffer, dw: BackendBuffer, p: Conv2dParams): void {
    checkConvCall("conv2dBackwardFilter", p, [this.buf(x), this.buf(dw), this.buf(dy)], ["x", "dw", "dy"]);
    this.count();
    const xs = this.buf(x).data;
    const dys = this.buf(dy).data;
    const dws = this.buf(dw).data;
    dws.fill(0);
    this.forEachConvTerm(p, (xi, wi, yi) => {
      dws[wi] += xs[xi] * dys[yi];
    });
  }

  maxPool2d(x: BackendBuffer, y: BackendBuffer, indices: BackendBuffer, p: Pool2dParams): void {
    checkPoolCall(this.buf(x), this.buf(y), this.buf(indices), p);
    this.count();
    const xs = this.buf(x).data;
    const ys = this.buf(y).data;
    const is = this.buf(indices).data;
    this.forEachWindow(p, (nc, flat) => xs[nc * p.inH * p.inW + flat]!, (o, best, arg) => {
      ys[o] = best;
      is[o] = arg;
    });
  }

  batchNorm(x: BackendBuffer, gamma: BackendBuffer, beta: BackendBuffer, y: BackendBuffer, stats: BackendBuffer, p: BatchNormParams): void {
    checkBatchNormCall("batchNorm", p, [this.buf(x), this.buf(y)], [this.buf(gamma), this.buf(beta)], [this.buf(stats)]);
    this.count();
    const [xs, gs, bs, ys, ss] = [x, gamma, beta, y, stats].map((b) => this.buf(b).data);
    const round = this.buf(x).dtype === "float32" ? Math.fround : (v: number) => v;
    const { batch, channels: C, spatial } = p;
    const m = batch * spatial;
    const at = (n: number, c: number, i: number): number => (n * C + c) * spatial + i;
    for (let c = 0; c < C; c++) {
      const shift = m > 0 ? xs[at(0, c, 0)]! : 0;
      let a = 0, b = 0;
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < spatial; i++) {
          const d = xs[at(n, c, i)]! - shift;
          a += d;
          b += d * d;
        }
      }
      const variance = (b - a * (a / m)) / m;
      const mean = round(shift + a / m);
      const s = round(1 / Math.sqrt((variance < 0 ? 0 : variance) + Math.fround(p.eps)));
      ss[c] = mean;
      ss[C + c] = s;
      const k = round(s * gs[c]!);
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < spatial; i++) ys[at(n, c, i)] = round(round(round(xs[at(n, c, i)]! - mean) * k) + bs[c]!);
      }
    }
  }

  batchNormBackward(
    dy: BackendBuffer, x: BackendBuffer, gamma: BackendBuffer, stats: BackendBuffer, dx: BackendBuffer, sums: BackendBuffer, p: BatchNormParams,
  ): void {
    checkBatchNormCall("batchNormBackward", p, [this.buf(dy), this.buf(x), this.buf(dx)], [this.buf(gamma)], [this.buf(stats), this.buf(sums)]);
    this.count();
    const [gys, xs, gs, ss, dxs, sums_] = [dy, x, gamma, stats, dx, sums].map((b) => this.buf(b).data);
    const round = this.buf(x).dtype === "float32" ? Math.fround : (v: number) => v;
    const { batch, channels: C, spatial } = p;
    const m = batch * spatial;
    const at = (n: number, c: number, i: number): number => (n * C + c) * spatial + i;
    for (let c = 0; c < C; c++) {
      const mean = ss[c]!, s = ss[C + c]!;
      let a = 0, b = 0;
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < spatial; i++) {
          a += gys[at(n, c, i)]!;
          b += gys[at(n, c, i)]! * (xs[at(n, c, i)]! - mean);
        }
      }
      sums_[c] = a;
      sums_[C + c] = s * b;
      const gsc = gs[c]! * s;
      const [k1, k2, k3] = [gsc, (-gsc * s * s * b) / m, (-gsc * a) / m].map(round);
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < spatial; i++) {
          const j = at(n, c, i);
          dxs[j] = round(round(round(gys[j]! * k1) + round(round(xs[j]! - mean) * k2)) + k3);
        }
      }
    }
  }

  affinePoolRelu(x: BackendBuffer, channel: BackendBuffer, y: BackendBuffer, p: Pool2dParams): void {
    checkAffinePoolCall(this.buf(x), this.buf(channel), this.buf(y), p);
    this.count();
    const xs = this.buf(x).data;
    const cs = this.buf(channel).data;
    const ys = this.buf(y).data;
    const round = this.buf(x).dtype === "float32" ? Math.fround : (v: number) => v;
    const c = p.channels;
    this.forEachWindow(p, (nc, flat) => {
      const k = nc % c;
      return round(round(round(round(xs[nc * p.inH * p.inW + flat]! + cs[k]!) - cs[c + k]!) * cs[2 * c + k]!) + cs[3 * c + k]!);
    }, (o, best) => {
      ys[o] = best > 0 ? best : best !== best ? best : 0;
    });
  }

  /** Each pooling window's first maximum of value(plane, flat index) in row-major scan order (a NaN wins). */
  private forEachWindow(p: Pool2dParams, value: (nc: number, flat: number) => number, done: (o: number, best: number, arg: number) => void): void {
    for (let nc = 0; nc < p.batch * p.channels; nc++) {
      for (let oy = 0; oy < p.outH; oy++) {
        for (let ox = 0; ox < p.outW; ox++) {
          let best = -Infinity;
          let arg = (oy * p.strideH) * p.inW + ox * p.strideW;
          for (let ky = 0; ky < p.kh; ky++) {
            for (let kx = 0; kx < p.kw; kx++) {
              const flat = (oy * p.strideH + ky) * p.inW + ox * p.strideW + kx;
              const v = value(nc, flat);
              // The first maximum wins; a NaN wins over everything and propagates.
              if (best === best && (v > best || v !== v)) {
                best = v;
                arg = flat;
              }
            }
          }
          done((nc * p.outH + oy) * p.outW + ox, best, arg);
        }
      }
    }
  }

  gather(data: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, p: GatherParams): void {
    checkGatherCall("gather", this.buf(data), this.buf(indices), this.buf(out), p);
    this.count();
    const ds = this.buf(data).data;
    const is = this.buf(indices).data;
    const ys = this.buf(out).data;
    for (let o = 0; o < p.outer; o++) {
      for (let j = 0; j < p.count; j++) {
        const idx = is[p.batchedIndices ? o * p.count + j : j];
        for (let i = 0; i < p.inner; i++) {
          const inRange = idx >= 0 && idx < p.axis;
          ys[(o * p.count + j) * p.inner + i] = inRange ? ds[(o * p.axis + idx) * p.inner + i] : 0;
        }
      }
    }
  }

  scatterAdd(src: BackendBuffer, indices: BackendBuffer, out: BackendBuffer, p: GatherParams): void {
    checkGatherCall("scatterAdd", this.buf(out), this.buf(indices), this.buf(src), p);
    this.count();
    const ss = this.buf(src).data;
    const is = this.buf(indices).data;
    const ys = this.buf(out).data;
    ys.fill(0);
    for (let o = 0; o < p.outer; o++) {
      for (let j = 0; j < p.count; j++) {
        const idx = is[p.batchedIndices ? o * p.count + j : j];
        if (idx < 0 || idx >= p.axis) continue;
        for (let i = 0; i < p.inner; i++) {
          ys[(o * p.axis + idx) * p.inner + i] += ss[(o * p.count + j) * p.inner + i];
        }
      }
    }
  }

  copy(src: BackendBuffer, dst: BackendBuffer, p: CopyParams): void {
    checkCopy(this.buf(src), this.buf(dst), p);
    this.count();
    const ss = this.buf(src).data;
    const ds = this.buf(dst).data;
    const bc: Broadcast = { outShape: p.shape, strides: [p.srcStrides, p.dstStrides] };
    forEachBroadcast(bc, (_i, [si, di]) => {
      ds[p.dstOffset + di] = ss[p.srcOffset + si];
    });
  }

  cast(x: BackendBuffer, out: BackendBuffer): void {
    checkCast(this.buf(x), this.buf(out));
    this.count();
    const xs = this.buf(x).data;
    const ys = this.buf(out).data;
    const toInt = out.dtype === "int32";
    for (let i = 0; i < xs.length; i++) ys[i] = toInt ? Math.trunc(xs[i]) : xs[i];
  }

  private count(): void {
    this.counters.dispatches++;
  }

  private buf(b: BackendBuffer): RefBuffer {
    const r = b as RefBuffer;
    if (r.freed) throw new KshotError("reference backend: use of a freed buffer");
    return r;
  }
}
