/** Gather and scatter-add along one axis (each the other's adjoint), and one-hot encoding. */
import type { GatherParams } from "../backend/backend.ts";
import { backend, tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { checkInput, record } from "../graph.ts";
import { formatShape, normalizeAxis, sizeOf } from "../shape.ts";
import { emptyTensor, type Tensor } from "../tensor.ts";
import { arange } from "./creation.ts";
import { cast, equal } from "./elementwise.ts";
import type { DType } from "../dtype.ts";
import { expandDims } from "./shape.ts";

/**
 * Indices are either 1-D (the same indices for every outer position: index_select) or "batched", with
 * the data's leading axes before `axis` and one more: [...x.shape[:axis], count] (take along axis,
 * broadcast over the trailing axes).
 */
function gatherParams(op: string, dataShape: readonly number[], axis: number, indices: Tensor): GatherParams {
  if (indices.dtype !== "int32") throw new KshotError(`${op}: expected int32 indices, got ${indices.dtype}`);
  const lead = dataShape.slice(0, axis);
  const batchedIndices = indices.rank === axis + 1 && axis > 0;
  if (!batchedIndices && indices.rank !== 1) {
    throw new KshotError(`${op}: expected 1-D indices or indices of shape [${[...lead, "count"].join(", ")}], got ${formatShape(indices.shape)}`);
  }
  if (batchedIndices && indices.shape.slice(0, axis).some((d, i) => d !== lead[i])) {
    throw new KshotError(`${op}: batched indices ${formatShape(indices.shape)} must start with the data's leading axes [${lead.join(", ")}]`);
  }
  return {
    outer: sizeOf(lead),
    axis: dataShape[axis],
    inner: sizeOf(dataShape.slice(axis + 1)),
    count: indices.shape[indices.rank - 1],
    batchedIndices,
  };
}

/** out[..., j, ...] = x[..., indices[j], ...] along `axis`; indices outside [0, size) give 0. */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  checkInput("gather", x);
  checkInput("gather", indices, "indices");
  const a = normalizeAxis("gather", axis, x.rank);
  const p = gatherParams("gather", x.shape, a, indices);
  const outShape = [...x.shape.slice(0, a), p.count, ...x.shape.slice(a + 1)];
  const y = emptyTensor(outShape, x.dtype);
  backend().gather(x.buffer, indices.buffer, y.buffer, p);
  const size = x.shape[a];
  return record("gather", y, [x], (g) => [scatterAdd(g, indices, a, size)], [indices]);
}

/** The adjoint of gather: zeros of size `size` along `axis`, with src[..., j, ...] added at indices[j]. */
export function scatterAdd(src: Tensor, indices: Tensor, axis: number, size: number): Tensor {
  checkInput("scatterAdd", src);
  checkInput("scatterAdd", indices, "indices");
  const a = normalizeAxis("scatterAdd", axis, src.rank);
  if (!Number.isInteger(size) || size < 0) throw new KshotError(`scatterAdd: expected a non-negative integer size, got ${size}`);
  const outShape = [...src.shape.slice(0, a), size, ...src.shape.slice(a + 1)];
  const p = gatherParams("scatterAdd", outShape, a, indices);
  if (p.count !== src.shape[a]) {
    throw new KshotError(`scatterAdd: ${p.count} indices for ${src.shape[a]} entries along axis ${a} of ${formatShape(src.shape)}`);
  }
  const y = emptyTensor(outShape, src.dtype);
  backend().scatterAdd(src.buffer, indices.buffer, y.buffer, p);
  return record("scatterAdd", y, [src], (g) => [gather(g, indices, a)], [indices]);
}

/** One-hot rows for int32 labels: shape [...labels.shape, depth], in a float dtype (default float32). */
export function oneHot(labels: Tensor, depth: number, dtype: DType = "float32"): Tensor {
  checkInput("oneHot", labels, "labels");
  if (labels.dtype !== "int32") throw new KshotError(`oneHot: expected int32 labels, got ${labels.dtype}`);
  if (!Number.isInteger(depth) || depth < 1) throw new KshotError(`oneHot: expected a positive integer depth, got ${depth}`);
  return tidy(() => cast(equal(expandDims(labels, -1), arange(depth, "int32")), dtype));
}
