// A convolution's shape as one tuple, and its Conv2dParams (output size by the floor formula): the wasm
// convolution and thread tests list their cases this way.
import type { Conv2dParams } from "../../../src/backend/backend.ts";

export type ConvShape = [batch: number, inC: number, inH: number, inW: number, outC: number, kh: number, kw: number,
  strideH: number, strideW: number, padH: number, padW: number, groups: number];

export function convParams([batch, inC, inH, inW, outC, kh, kw, strideH, strideW, padH, padW, groups]: ConvShape): Conv2dParams {
  const outH = Math.floor((inH + 2 * padH - kh) / strideH) + 1, outW = Math.floor((inW + 2 * padW - kw) / strideW) + 1;
  return { batch, inC, inH, inW, outC, outH, outW, kh, kw, strideH, strideW, padH, padW, groups };
}
