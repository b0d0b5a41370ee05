// The convolution being computed (Conv2dParams of src/backend/backend.ts), as globals the conv kernels
// share. `load` reads it from PARAMS; backward-data by the forward path swaps in the transposed problem.
import { param } from "./params";

export class ConvShape {
  static batch: i32 = 0;
  static inC: i32 = 0;
  static inH: i32 = 0;
  static inW: i32 = 0;
  static outC: i32 = 0;
  static outH: i32 = 0;
  static outW: i32 = 0;
  static kh: i32 = 0;
  static kw: i32 = 0;
  static strideH: i32 = 1;
  static strideW: i32 = 1;
  static padH: i32 = 0;
  static padW: i32 = 0;
  static groups: i32 = 1;

  /** Reads [batch, inC, inH, inW, outC, outH, outW, kh, kw, strideH, strideW, padH, padW, groups]. */
  static load(): void {
    ConvShape.batch = param(0);
    ConvShape.inC = param(1);
    ConvShape.inH = param(2);
    ConvShape.inW = param(3);
    ConvShape.outC = param(4);
    ConvShape.outH = param(5);
    ConvShape.outW = param(6);
    ConvShape.kh = param(7);
    ConvShape.kw = param(8);
    ConvShape.strideH = param(9);
    ConvShape.strideW = param(10);
    ConvShape.padH = param(11);
    ConvShape.padW = param(12);
    ConvShape.groups = param(13);
  }
}
