// Image conversion for the Learner (ks.imagesToTensor): luma, alpha, resizing, polarity, typed arrays,
// and in a browser the canvas-like sources.
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";

const GRAY: [number, number, number] = [1, 4, 4];

async function convert(images: ks.ImageLike | ks.ImageLike[], shape = GRAY, options: ks.InputOptions = {}): Promise<number[]> {
  const t = ks.imagesToTensor(images, shape, options);
  const values = Array.from(await t.data());
  t.dispose();
  return values;
}

/** A 4×4 gray image: ink value `ink` on the 2×2 centre, `paper` elsewhere (bytes). */
function square(ink: number, paper: number): Uint8Array {
  const data = new Uint8Array(16).fill(paper);
  for (const i of [5, 6, 9, 10]) data[i] = ink;
  return data;
}

const INK_CENTRE = [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0];
const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));

describe("imagesToTensor", () => {
  it("polarity: auto takes the border colour for the background; ink-dark inverts; ink-light keeps", async () => {
    close(await convert({ data: square(0, 255), width: 4, height: 4 }), INK_CENTRE);
    close(await convert({ data: square(255, 0), width: 4, height: 4 }), INK_CENTRE);
    close(await convert({ data: square(0, 255), width: 4, height: 4 }, GRAY, { polarity: "ink-dark" }), INK_CENTRE);
    close(await convert({ data: square(0, 255), width: 4, height: 4 }, GRAY, { polarity: "ink-light" }), INK_CENTRE.map((v) => 1 - v));
    close(await convert({ data: square(255, 0), width: 4, height: 4 }, GRAY, { polarity: "ink-dark" }), INK_CENTRE.map((v) => 1 - v));
  });

  it("RGB becomes BT.601 luma for a 1-channel model", async () => {
    const rgb = new Uint8Array(16 * 3);
    for (let i = 0; i < 16; i++) rgb.set([255, 0, 0], i * 3);
    rgb.set([0, 255, 0], 0);
    const v = await convert({ data: rgb, width: 4, height: 4 }, GRAY, { polarity: "ink-light" });
    expect(v[0]).toBeCloseTo(0.587, 6);
    expect(v[1]).toBeCloseTo(0.299, 6);
  });

  it("RGBA: strokes on a transparent canvas survive in either colour (composited over a contrasting background)", async () => {
    const rgba = (r: number, g: number, b: number) => {
      const data = new Uint8ClampedArray(16 * 4);
      for (const i of [5, 6, 9, 10]) data.set([r, g, b, 255], i * 4);
      return { data, width: 4, height: 4 };
    };
    close(await convert(rgba(0, 0, 0)), INK_CENTRE);
    close(await convert(rgba(255, 255, 255)), INK_CENTRE);
    // Half-transparent black ink over the white background it gets: luma 0.5, inverted to ink 0.5.
    const half = rgba(0, 0, 0);
    half.data[5 * 4 + 3] = 128;
    expect((await convert(half))[5]).toBeCloseTo(128 / 255, 6);
  });

  it("resizes by area averaging to the model's size; a batch may mix sizes", async () => {
    const big = new Uint8Array(64);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) big[y * 8 + x] = x < 2 && y < 2 ? 255 : x === 2 && y === 0 ? 255 : 0;
    const v = await convert([{ data: big, width: 8, height: 8 }, { data: square(255, 0), width: 4, height: 4 }], GRAY, { polarity: "ink-light" });
    expect(v).toHaveLength(32);
    expect(v[0]).toBeCloseTo(1, 6);
    expect(v[1]).toBeCloseTo(0.25, 6); // one inked pixel of the four it covers
    expect(v[2]).toBeCloseTo(0, 6);
    close(v.slice(16), INK_CENTRE);
  });

  it("typed arrays: bytes, clamped bytes and floats in [0, 1] give the same tensor", async () => {
    const bytes = square(255, 0);
    const floats = Float32Array.from(bytes, (b) => b / 255);
    const a = await convert({ data: bytes, width: 4, height: 4 });
    expect(await convert({ data: new Uint8ClampedArray(bytes), width: 4, height: 4 })).toEqual(a);
    expect(await convert({ data: floats, width: 4, height: 4 })).toEqual(a);
  });

  it("3-channel models: gray repeated into RGB, colours kept by auto", async () => {
    const v = await convert({ data: square(0, 255), width: 4, height: 4 }, [3, 4, 4]);
    expect(v).toHaveLength(48);
    const plane = INK_CENTRE.map((x) => 1 - x);
    close(v.slice(0, 16), plane);
    close(v.slice(16, 32), plane);
    close(v.slice(32), plane);
  });

  it("a tensor passes through as it is ([C, H, W] becomes [1, C, H, W])", async () => {
    const t = ks.tensor(Float32Array.from(INK_CENTRE), [1, 4, 4]);
    const out = ks.imagesToTensor(t, GRAY);
    expect(out.shape).toEqual([1, 1, 4, 4]);
    expect(Array.from(await out.data())).toEqual(INK_CENTRE);
    out.dispose();
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });

  it("browsers: a canvas, its ImageData and an ImageBitmap convert like the same pixels in memory", async (ctx) => {
    const canvas = typeof OffscreenCanvas === "function" ? new OffscreenCanvas(8, 8) : undefined;
    const c2d = canvas?.getContext("2d");
    if (!canvas || !c2d) return ctx.skip("no 2D canvas in this runtime (browsers only)");
    c2d.fillStyle = "#fff";
    c2d.fillRect(0, 0, 8, 8);
    c2d.fillStyle = "#000";
    c2d.fillRect(2, 2, 4, 4);
    const expected = await convert({ data: c2d.getImageData(0, 0, 8, 8).data, width: 8, height: 8 });
    close(expected, INK_CENTRE);
    expect(await convert(canvas)).toEqual(expected);
    expect(await convert(c2d.getImageData(0, 0, 8, 8))).toEqual(expected);
    if (typeof createImageBitmap === "function") expect(await convert(await createImageBitmap(canvas))).toEqual(expected);
    if (typeof document !== "undefined") {
      const element = document.createElement("canvas");
      element.width = 8;
      element.height = 8;
      element.getContext("2d")!.drawImage(canvas, 0, 0);
      expect(await convert(element)).toEqual(expected);
    }
  });
});
