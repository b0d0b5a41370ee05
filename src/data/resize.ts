/**
 * Exact area-averaging resize (as OpenCV INTER_AREA), for any ratio. In units where an input pixel is
 * `outSize` long and an output pixel `inSize` long, every overlap is an integer, so integer pixels give
 * integer weighted sums, exact in float64: `round-half-up` of their average is computed without error.
 */
import { KshotError } from "../errors.ts";

/** The input pixels an output pixel overlaps along one axis, with integer overlap lengths. */
interface AxisWeights {
  start: Int32Array; // first input pixel of each output pixel
  weights: Float64Array[]; // overlap length of each of those input pixels
}

const knownWeights = new Map<string, AxisWeights>();

/** The weights of one axis, computed once per (inSize, outSize): datasets resize many images alike. */
function axisWeights(inSize: number, outSize: number): AxisWeights {
  const key = `${inSize}>${outSize}`;
  let weights = knownWeights.get(key);
  if (!weights) {
    weights = computeAxisWeights(inSize, outSize);
    if (knownWeights.size > 64) knownWeights.clear();
    knownWeights.set(key, weights);
  }
  return weights;
}

function computeAxisWeights(inSize: number, outSize: number): AxisWeights {
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let j = 0; j < outSize; j++) {
    const lo = j * inSize; // output pixel j spans [lo, hi) in units of 1 / (inSize·outSize) of the image
    const hi = lo + inSize;
    const first = Math.floor(lo / outSize);
    const last = Math.ceil(hi / outSize) - 1;
    const w = new Float64Array(last - first + 1);
    for (let i = first; i <= last; i++) {
      w[i - first] = Math.min(hi, (i + 1) * outSize) - Math.max(lo, i * outSize);
    }
    start[j] = first;
    weights.push(w);
  }
  return { start, weights };
}

function checkSize(what: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new KshotError(`resize: expected a positive integer ${what} size, got ${width}×${height}`);
  }
}

/**
 * Area-weighted sums of one plane (row-major `inW`×`inH`) resized to `outW`×`outH`. Each output value is
 * the sum of input values times their overlap areas; the overlaps of one output pixel add up to
 * `inW·inH`, so dividing by that gives the area average. Integer inputs give exact integer sums.
 */
export function areaSums(
  plane: ArrayLike<number>,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
): Float64Array {
  checkSize("input", inW, inH);
  checkSize("output", outW, outH);
  if (plane.length !== inW * inH) {
    throw new KshotError(`resize: expected ${inW}×${inH} = ${inW * inH} values, got ${plane.length}`);
  }
  const xs = axisWeights(inW, outW);
  const ys = axisWeights(inH, outH);
  const rows = new Float64Array(inH * outW); // horizontal pass
  for (let y = 0; y < inH; y++) {
    for (let j = 0; j < outW; j++) {
      const w = xs.weights[j]!;
      const base = y * inW + xs.start[j]!;
      let sum = 0;
      for (let k = 0; k < w.length; k++) sum += plane[base + k]! * w[k]!;
      rows[y * outW + j] = sum;
    }
  }
  const out = new Float64Array(outH * outW); // vertical pass
  for (let i = 0; i < outH; i++) {
    const w = ys.weights[i]!;
    const first = ys.start[i]!;
    for (let j = 0; j < outW; j++) {
      let sum = 0;
      for (let k = 0; k < w.length; k++) sum += rows[(first + k) * outW + j]! * w[k]!;
      out[i * outW + j] = sum;
    }
  }
  return out;
}

/**
 * Resizes an integer plane with values in [0, maxValue] to 8-bit values: round-half-up(255 × average /
 * maxValue), computed in integers (the recipe of the compact Omniglot file).
 */
export function areaResizeToBytes(
  plane: ArrayLike<number>,
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  maxValue: number,
): Uint8Array {
  const sums = areaSums(plane, inW, inH, outW, outH);
  const denominator = 2 * inW * inH * maxValue;
  if (255 * 2 * inW * inH * maxValue > Number.MAX_SAFE_INTEGER) {
    throw new KshotError(`resize: ${inW}×${inH} images with values up to ${maxValue} are too large to resize exactly`);
  }
  const out = new Uint8Array(sums.length);
  for (let i = 0; i < sums.length; i++) {
    const numerator = 510 * sums[i]! + inW * inH * maxValue; // floor(x + 1/2) = floor((2x·D + D) / 2D)
    let q = Math.floor(numerator / denominator);
    if (q * denominator > numerator) q--; // correct a quotient that rounded up to the next integer
    else if ((q + 1) * denominator <= numerator) q++;
    out[i] = q;
  }
  return out;
}

/** Resizes a float plane by area averaging. */
export function areaResize(plane: ArrayLike<number>, inW: number, inH: number, outW: number, outH: number): Float64Array {
  const sums = areaSums(plane, inW, inH, outW, outH);
  const area = inW * inH;
  for (let i = 0; i < sums.length; i++) sums[i]! /= area;
  return sums;
}
