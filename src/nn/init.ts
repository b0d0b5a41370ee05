/** Parameter initialisation as PyTorch does it by default, from kshot's seeded RNG. */
import { tensor } from "../ops/creation.ts";
import type { Rng } from "../rng.ts";
import { checkedSize } from "../shape.ts";
import type { Tensor } from "../tensor.ts";

/** U(−1/√fanIn, 1/√fanIn): PyTorch's default for Linear and Conv2d weights and biases (kaiming_uniform, a=√5). */
export function uniformFanIn(rng: Rng, shape: readonly number[], fanIn: number): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  const n = checkedSize(shape, "cannot initialise a parameter");
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = rng.uniformRange(-bound, bound);
  return tensor(values, shape);
}

export function constant(shape: readonly number[], value: number): Tensor {
  const n = checkedSize(shape, "cannot initialise a parameter");
  return tensor(new Float32Array(n).fill(value), shape);
}
