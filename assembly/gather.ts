// Gather and scatter-add along one axis: data viewed as [outer, axis, inner], the other side as
// [outer, count, inner], indices as [count] or (batched) [outer, count]. Out-of-range indices read 0
// (gather) or are dropped (scatter), as in the reference. A call runs as part `part` of `parts`
// (parts.ts): a contiguous range of `outer` slices each, which read and write only their own slices.
import { at } from "./address";
import { partStart } from "./parts";
import { STATUS_OK } from "./status";

/** out[o, j, :] = data[o, idx[j], :]; part `part` of `parts`. */
export function gather(
  data: usize, indices: usize, out: usize, outer: i32, axis: i32, inner: i32, count: i32, batched: i32,
  part: i32, parts: i32,
): i32 {
  for (let o = partStart(outer, part, parts), end = partStart(outer, part + 1, parts); o < end; o++) {
    const idxRow = batched ? at(indices, o * count) : indices;
    for (let j = 0; j < count; j++) {
      const idx = load<i32>(at(idxRow, j));
      const dst = at(out, (o * count + j) * inner);
      if (idx >= 0 && idx < axis) memory.copy(dst, at(data, (o * axis + idx) * inner), <usize>inner << 2);
      else memory.fill(dst, 0, <usize>inner << 2);
    }
  }
  return STATUS_OK;
}

/**
 * out[o, idx[j], :] += src[o, j, :] after zeroing out, in the reference's order; float32 or int32.
 * Part `part` of `parts`.
 */
export function scatterAdd(
  src: usize, indices: usize, out: usize, outer: i32, axis: i32, inner: i32, count: i32, batched: i32,
  isInt: i32, part: i32, parts: i32,
): i32 {
  const first = partStart(outer, part, parts), end = partStart(outer, part + 1, parts);
  // Each slice is zeroed just before its adds, so it is still in cache for them.
  const slice = <usize>(axis * inner) << 2;
  if (inner == 1) {
    // One element per index (max-pool backward, one-hot gradients): a tight loop, same order.
    for (let o = first; o < end; o++) {
      const idxRow = batched ? at(indices, o * count) : indices;
      const s = at(src, o * count), d = at(out, o * axis);
      memory.fill(d, 0, slice);
      for (let j = 0; j < count; j++) {
        const idx = load<i32>(at(idxRow, j));
        if (<u32>idx >= <u32>axis) continue;
        const q = at(d, idx);
        if (isInt) store<i32>(q, load<i32>(q) + load<i32>(at(s, j)));
        else store<f32>(q, load<f32>(q) + load<f32>(at(s, j)));
      }
    }
    return STATUS_OK;
  }
  for (let o = first; o < end; o++) {
    const idxRow = batched ? at(indices, o * count) : indices;
    memory.fill(at(out, o * axis * inner), 0, slice);
    for (let j = 0; j < count; j++) {
      const idx = load<i32>(at(idxRow, j));
      if (idx < 0 || idx >= axis) continue;
      const s = at(src, (o * count + j) * inner);
      const d = at(out, (o * axis + idx) * inner);
      let i = 0;
      if (isInt) {
        for (; i + 4 <= inner; i += 4) v128.store(at(d, i), i32x4.add(v128.load(at(d, i)), v128.load(at(s, i))));
        for (; i < inner; i++) store<i32>(at(d, i), load<i32>(at(d, i)) + load<i32>(at(s, i)));
      } else {
        for (; i + 4 <= inner; i += 4) v128.store(at(d, i), f32x4.add(v128.load(at(d, i)), v128.load(at(s, i))));
        for (; i < inner; i++) store<f32>(at(d, i), load<f32>(at(d, i)) + load<f32>(at(s, i)));
      }
    }
  }
  return STATUS_OK;
}
