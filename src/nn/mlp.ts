/** A multilayer perceptron with ReLU between layers (MAML's sinusoid regressor: sizes 1, 40, 40, 1). */
import type { TensorRecord } from "../autograd.ts";
import { tidy } from "../engine.ts";
import { KshotError } from "../errors.ts";
import { relu } from "../ops/elementwise.ts";
import type { Rng } from "../rng.ts";
import { formatShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { uniformFanIn } from "./init.ts";
import { linear } from "./layers.ts";
import type { Model } from "./model.ts";

export function mlp(sizes: readonly number[] = [1, 40, 40, 1]): Model {
  if (sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
    throw new KshotError(`mlp: expected at least two positive integer layer sizes, got ${JSON.stringify(sizes)}`);
  }
  const layers = sizes.length - 1;
  const shapes: Record<string, number[]> = {};
  for (let i = 0; i < layers; i++) {
    shapes[`fc${i}.weight`] = [sizes[i + 1], sizes[i]];
    shapes[`fc${i}.bias`] = [sizes[i + 1]];
  }
  return {
    name: "mlp",
    config: { sizes: sizes.join(",") },
    inputShape: [sizes[0]],
    paramShapes: shapes,
    init(rng: Rng): TensorRecord {
      return tidy(() => { // a parameter too large to make frees the ones made before it
        const p: TensorRecord = {};
        for (const [name, shape] of Object.entries(shapes)) {
          const i = Number(name.slice(2, name.indexOf(".")));
          p[name] = uniformFanIn(rng, shape, sizes[i]);
        }
        return p;
      });
    },
    apply(params: TensorRecord, x: Tensor): Tensor {
      if (x.rank !== 3 || x.shape[2] !== sizes[0]) {
        throw new KshotError(`mlp: expected x [tasks, batch, ${sizes[0]}], got ${formatShape(x.shape)}`);
      }
      return tidy(() => {
        let h = x;
        for (let i = 0; i < layers; i++) {
          h = linear(h, params[`fc${i}.weight`], params[`fc${i}.bias`]);
          if (i < layers - 1) h = relu(h);
        }
        return h;
      });
    },
  };
}
