import { afterAll, describe, it } from "vitest";
import type { Conv2dParams } from "../../../src/backend/backend.ts";
import { expectClose, randomFloats, runBoth, seeded } from "../kernel-harness.ts";
import { openWebGPU } from "./webgpu-harness.ts";

const gpu = await openWebGPU();
afterAll(() => gpu?.dispose());

interface Conv {
  batch: number; inC: number; outC: number; h: number; w: number; k: [number, number];
  stride: [number, number]; pad: [number, number]; groups: number;
}

function conv(c: Conv): Conv2dParams {
  const [kh, kw] = c.k;
  const [sh, sw] = c.stride;
  const [ph, pw] = c.pad;
  return {
    batch: c.batch, inC: c.inC, inH: c.h, inW: c.w, outC: c.outC,
    outH: Math.floor((c.h + 2 * ph - kh) / sh) + 1, outW: Math.floor((c.w + 2 * pw - kw) / sw) + 1,
    kh, kw, strideH: sh, strideW: sw, padH: ph, padW: pw, groups: c.groups,
  };
}

const CASES: [string, Conv][] = [
  ["3x3 pad 1 stride 1, groups 1", { batch: 2, inC: 3, outC: 8, h: 9, w: 7, k: [3, 3], stride: [1, 1], pad: [1, 1], groups: 1 }],
  ["3x3 pad 1, groups 4, 8 channels per group", { batch: 2, inC: 32, outC: 32, h: 6, w: 6, k: [3, 3], stride: [1, 1], pad: [1, 1], groups: 4 }],
  ["3x3 pad 1, groups 32 (meta-batch), 8 per group", { batch: 1, inC: 256, outC: 256, h: 5, w: 5, k: [3, 3], stride: [1, 1], pad: [1, 1], groups: 32 }],
  ["3x3 pad 1, 64 channels per group, groups 2", { batch: 1, inC: 128, outC: 128, h: 4, w: 4, k: [3, 3], stride: [1, 1], pad: [1, 1], groups: 2 }],
  ["stride 2, non-square kernel and input", { batch: 3, inC: 4, outC: 6, h: 11, w: 8, k: [3, 2], stride: [2, 2], pad: [1, 0], groups: 1 }],
  ["stride (2, 3), pad 2, 1x1 output channel", { batch: 1, inC: 2, outC: 1, h: 7, w: 10, k: [5, 4], stride: [2, 3], pad: [2, 2], groups: 1 }],
  ["1x1 kernel, 1-sized everything", { batch: 1, inC: 1, outC: 1, h: 1, w: 1, k: [1, 1], stride: [1, 1], pad: [0, 0], groups: 1 }],
];

describe.skipIf(!gpu)("webgpu conv2d", () => {
  const rand = seeded(5);

  for (const [what, c] of CASES) {
    it(`forward, backward-data and backward-filter: ${what}`, async () => {
      const p = conv(c);
      const xSize = p.batch * p.inC * p.inH * p.inW;
      const wSize = p.outC * (p.inC / p.groups) * p.kh * p.kw;
      const ySize = p.batch * p.outC * p.outH * p.outW;
      const x = randomFloats(xSize, rand, -1, 1);
      const w = randomFloats(wSize, rand, -1, 1);
      const dy = randomFloats(ySize, rand, -1, 1);
      const tol = { rtol: 1e-4, atol: 1e-4 };
      const fwd = await runBoth(gpu!, [x, w], [{ dtype: "float32", size: ySize }], (b, [xi, wi], [y]) => b.conv2d(xi, wi, y, p));
      expectClose(fwd.got[0], fwd.want[0], tol, `conv2d ${what}`);
      const bd = await runBoth(gpu!, [dy, w], [{ dtype: "float32", size: xSize }], (b, [d, wi], [dx]) => b.conv2dBackwardData(d, wi, dx, p));
      expectClose(bd.got[0], bd.want[0], tol, `backward-data ${what}`);
      const bf = await runBoth(gpu!, [x, dy], [{ dtype: "float32", size: wSize }], (b, [xi, d], [dw]) => b.conv2dBackwardFilter(xi, d, dw, p));
      expectClose(bf.got[0], bf.want[0], tol, `backward-filter ${what}`);
    });
  }

  it("backward-filter over a long K (many images) splits K and still matches", async () => {
    const p = conv({ batch: 40, inC: 2, outC: 4, h: 8, w: 8, k: [3, 3], stride: [1, 1], pad: [1, 1], groups: 1 });
    const x = randomFloats(p.batch * p.inC * 64, rand, -1, 1);
    const dy = randomFloats(p.batch * p.outC * 64, rand, -1, 1);
    const wSize = p.outC * p.inC * 9;
    const bf = await runBoth(gpu!, [x, dy], [{ dtype: "float32", size: wSize }], (b, [xi, d], [dw]) => b.conv2dBackwardFilter(xi, d, dw, p));
    expectClose(bf.got[0], bf.want[0], { rtol: 1e-4, atol: 1e-3 }, "split-K backward-filter");
  });

  it("propagates NaN and Inf from the input", async () => {
    const p = conv({ batch: 1, inC: 1, outC: 2, h: 5, w: 5, k: [3, 3], stride: [1, 1], pad: [1, 1], groups: 1 });
    const x = randomFloats(25, rand, -1, 1);
    x[0] = NaN;
    x[24] = Infinity;
    const w = randomFloats(18, rand, 0.1, 1);
    const fwd = await runBoth(gpu!, [x, w], [{ dtype: "float32", size: 50 }], (b, [xi, wi], [y]) => b.conv2d(xi, wi, y, p));
    expectClose(fwd.got[0], fwd.want[0], { rtol: 1e-4, atol: 1e-4 }, "conv2d NaN/Inf");
  });
});
