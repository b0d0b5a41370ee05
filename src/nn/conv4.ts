/**
 * Conv-4 (Vinyals et al. 2016; Finn et al. 2017; Snell et al. 2017): four blocks of 3×3 convolution with
 * `hidden` filters, BatchNorm (batch statistics), ReLU and 2×2 max-pool; 28×28 → 14 → 7 → 3 → 1, then an
 * optional linear head with `ways` outputs (metric methods use the embedding without a head).
 */
import { KshotError } from "../errors.ts";
import { tidy } from "../engine.ts";
import type { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";
import { constant, uniformFanIn } from "./init.ts";
import { type BatchNormSource, type BatchNormStatistics, convBlock, fromGrouped, linear, toGrouped } from "./layers.ts";
import type { Model } from "./model.ts";
import type { TensorRecord } from "../autograd.ts";
import { formatShape } from "../shape.ts";

export interface Conv4Options {
  /** Filters per convolution; default 64. */
  hidden?: number;
  /** Head outputs; 0 (or omitted with `head: false`) for an embedding network. Default 5. */
  ways?: number;
  /** Input channels; default 1. */
  channels?: number;
  /** Input height and width; default 28. */
  size?: number;
}

/** Options of Conv-4's apply: where its four BatchNorm layers take their statistics from (layers.ts). */
export interface Conv4ApplyOptions {
  batchNorm?: BatchNormSource;
}

/** Conv-4 as a Model whose apply also takes BatchNorm statistics (or collects them). */
export interface Conv4Model extends Model {
  apply(params: TensorRecord, x: Tensor, options?: Conv4ApplyOptions): Tensor;
}

/** Conv-4's BatchNorm layers: one per block. */
export const CONV4_BATCH_NORM_LAYERS = 4;

/** `model` as a Conv-4 (whose apply takes Conv4ApplyOptions), or undefined for any other model. */
export function asConv4(model: Model): Conv4Model | undefined {
  return model.name === "conv4" ? (model as Conv4Model) : undefined;
}

export function conv4(options: Conv4Options = {}): Conv4Model {
  const hidden = options.hidden ?? 64;
  const ways = options.ways ?? 5;
  const channels = options.channels ?? 1;
  const size = options.size ?? 28;
  for (const [k, v] of Object.entries({ hidden, ways, channels, size })) {
    if (!Number.isInteger(v) || v < (k === "ways" ? 0 : 1)) throw new KshotError(`conv4: ${k} must be a ${k === "ways" ? "non-negative" : "positive"} integer, got ${v}`);
  }
  let spatial = size;
  for (let i = 0; i < 4; i++) spatial = Math.floor(spatial / 2);
  if (spatial < 1) throw new KshotError(`conv4: inputs of ${size}×${size} are too small for four 2×2 pools`);
  const features = hidden * spatial * spatial;
  const shapes: Record<string, number[]> = {};
  for (let i = 0; i < 4; i++) {
    const inC = i === 0 ? channels : hidden;
    shapes[`conv${i}.weight`] = [hidden, inC, 3, 3];
    shapes[`conv${i}.bias`] = [hidden];
    shapes[`bn${i}.weight`] = [hidden];
    shapes[`bn${i}.bias`] = [hidden];
  }
  if (ways > 0) {
    shapes["head.weight"] = [ways, features];
    shapes["head.bias"] = [ways];
  }
  const inputShape = [channels, size, size];
  return {
    name: "conv4",
    config: { hidden, ways, channels, size },
    inputShape,
    paramShapes: shapes,
    init(rng: Rng): TensorRecord {
      return tidy(() => { // a parameter too large to make frees the ones made before it
        const p: TensorRecord = {};
        for (const [name, shape] of Object.entries(shapes)) {
          if (name.startsWith("bn")) p[name] = constant(shape, name.endsWith("weight") ? 1 : 0);
          else {
            const fanIn = name.startsWith("head") ? features : shapes[name.replace("bias", "weight")].slice(1).reduce((a, b) => a * b, 1);
            p[name] = uniformFanIn(rng, shape, fanIn);
          }
        }
        return p;
      });
    },
    apply(params: TensorRecord, x: Tensor, applyOptions: Conv4ApplyOptions = {}): Tensor {
      if (x.rank !== 5 || x.shape.slice(2).some((d, i) => d !== inputShape[i])) {
        throw new KshotError(`conv4: expected x [tasks, batch, ${inputShape.join(", ")}], got ${formatShape(x.shape)}`);
      }
      const tasks = x.shape[0];
      const given = applyOptions.batchNorm?.statistics;
      if (given && given.length !== CONV4_BATCH_NORM_LAYERS) {
        throw new KshotError(`conv4: expected BatchNorm statistics for ${CONV4_BATCH_NORM_LAYERS} layers, got ${given.length}`);
      }
      const collect = applyOptions.batchNorm?.collect;
      // Collected statistics are returned from the tidy scope with the output, so it keeps them alive.
      const [out, collected] = tidy((): [Tensor, BatchNormStatistics[]] => {
        const norm: BatchNormSource = given ? { statistics: given } : collect ? { collect: [] } : {};
        let h = toGrouped(x);
        for (let i = 0; i < 4; i++) {
          h = convBlock(h, params[`conv${i}.weight`], params[`conv${i}.bias`], params[`bn${i}.weight`], params[`bn${i}.bias`], norm, i);
        }
        const f = fromGrouped(h, tasks);
        return [ways > 0 ? linear(f, params["head.weight"], params["head.bias"]) : f, norm.collect ?? []];
      });
      collect?.push(...collected);
      return out;
    },
  };
}
