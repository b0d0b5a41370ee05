/**
 * A small stable number per GPUBuffer, in creation order. The buffer pool hands out the lowest-numbered
 * free buffer of a size class, so a program that allocates the same way twice gets the same buffers twice;
 * the bind-group cache names buffers by these numbers.
 */
const ids = new WeakMap<GPUBuffer, number>();
let next = 1;

export function bufferId(buffer: GPUBuffer): number {
  let id = ids.get(buffer);
  if (id === undefined) {
    id = next++;
    ids.set(buffer, id);
  }
  return id;
}
