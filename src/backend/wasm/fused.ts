/**
 * Fused elementwise programs on a backend without a fused kernel: the program's steps run one by one
 * through the backend's own fill/unary/binary/where kernels on temporaries, so the result is bit-identical
 * to the same ops run unfused (the saving is in the tensor layer above, not in kernel calls).
 * A value is a buffer with its strides over the output's axes: inputs keep their broadcast strides, a
 * constant is one element broadcast everywhere, a unary step keeps its operand's layout, and binary and
 * `where` steps make full-size contiguous values.
 */
import type { Backend, BackendBuffer, Broadcast, ElementwiseProgram } from "../backend.ts";
import { KshotError } from "../../errors.ts";

interface Value {
  readonly buffer: BackendBuffer;
  readonly strides: readonly number[];
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = shape[d] === 1 ? 0 : stride;
    stride *= shape[d];
  }
  return strides;
}

export function runProgramByParts(
  b: Backend, program: ElementwiseProgram, inputs: readonly BackendBuffer[], out: BackendBuffer, bc: Broadcast,
): void {
  if (program.steps.length === 0) throw new KshotError("elementwise: expected a program with at least one step, got none");
  const { outShape } = bc;
  const size = outShape.reduce((p, e) => p * e, 1);
  const full = rowMajorStrides(outShape);
  const zeros = outShape.map(() => 0);
  const dtype = out.dtype;
  const temporaries: BackendBuffer[] = [];
  const temp = (n: number): BackendBuffer => {
    const t = b.allocate(dtype, n);
    temporaries.push(t);
    return t;
  };
  const values: Value[] = inputs.map((buffer, j) => ({ buffer, strides: bc.strides[j] }));
  try {
    program.steps.forEach((step, k) => {
      const last = k === program.steps.length - 1;
      switch (step.kind) {
        case "const": {
          const buffer = temp(1);
          b.fill(buffer, step.value);
          values.push({ buffer, strides: zeros });
          break;
        }
        case "unary": {
          const x = values[step.x];
          const buffer = last && x.buffer.size === size && sameStrides(x.strides, full) ? out : temp(x.buffer.size);
          b.unary(step.op, x.buffer, buffer);
          values.push({ buffer, strides: x.strides });
          break;
        }
        case "binary": {
          const [x, y] = [values[step.a], values[step.b]];
          const buffer = last ? out : temp(size);
          b.binary(step.op, x.buffer, y.buffer, buffer, { outShape, strides: [x.strides, y.strides] });
          values.push({ buffer, strides: full });
          break;
        }
        case "where": {
          const [c, x, y] = [values[step.cond], values[step.a], values[step.b]];
          const buffer = last ? out : temp(size);
          b.where(c.buffer, x.buffer, y.buffer, buffer, { outShape, strides: [c.strides, x.strides, y.strides] });
          values.push({ buffer, strides: full });
          break;
        }
      }
    });
    const result = values[values.length - 1];
    if (result.buffer !== out) {
      b.copy(result.buffer, out, { shape: outShape, srcStrides: result.strides, srcOffset: 0, dstStrides: full, dstOffset: 0 });
    }
  } finally {
    for (const t of temporaries) b.free(t);
  }
}

function sameStrides(a: readonly number[], b: readonly number[]): boolean {
  return a.every((s, d) => s === b[d]);
}
