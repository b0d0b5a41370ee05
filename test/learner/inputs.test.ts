// Image conversion for the Learner (ks.imagesToTensor): luma, alpha, resizing, polarity, typed arrays,
// encoded PNG/JPEG sources (bytes, Blobs, paths, URLs), decoded PNGs, and in a browser the canvas-like sources.
import { decode as decodePng, encode as encodePng } from "fast-png";
import { describe, expect, it } from "vitest";
import * as ks from "../../src/index.ts";
import { currentRuntime } from "../../src/io/files-host.ts";
import { GRAY_128_JPEG } from "../data/jpeg-fixtures.ts";
import { fixtureExists, fixturePath, readFixtureBytes, SHARED_URL_PREFIX } from "../support/fixtures.ts";

const GRAY: [number, number, number] = [1, 4, 4];

async function convert(images: ks.ImageLike | ks.ImageLike[], shape = GRAY, options: ks.InputOptions = {}): Promise<number[]> {
  const t = await ks.imagesToTensor(images, shape, options);
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
    const out = await ks.imagesToTensor(t, GRAY);
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

/** An Omniglot-like 1-bit PNG: 105×105 gray, ink (0) on a square of rows 30..69, columns 40..59, paper (1) elsewhere. */
function oneBitPng(): { bytes: Uint8Array; pixels: ks.RawImage } {
  const size = 105;
  const stride = Math.ceil(size / 8);
  const packed = new Uint8Array(stride * size).fill(0xff);
  const pixels = new Uint8Array(size * size).fill(255);
  for (let y = 30; y < 70; y++) {
    for (let x = 40; x < 60; x++) {
      packed[y * stride + (x >> 3)]! &= ~(0x80 >> (x & 7));
      pixels[y * size + x] = 0;
    }
  }
  return { bytes: encodePng({ width: size, height: size, depth: 1, channels: 1, data: packed }), pixels: { data: pixels, width: size, height: size } };
}

const OMNIGLOT_PNG = "data/omniglot/original-sample/images_background/Greek/character10/0403_16.png";
const dataUrl = (bytes: Uint8Array, type: string) => `data:${type};base64,${btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""))}`;

describe("imagesToTensor: encoded and decoded sources", () => {
  const MODEL: [number, number, number] = [1, 28, 28];

  it("PNG bytes (Uint8Array, ArrayBuffer, Blob, data: URL) convert like their pixels; 1-bit rows arrive unpacked", async () => {
    const { bytes, pixels } = oneBitPng();
    const expected = await convert(pixels, MODEL);
    expect(Math.max(...expected)).toBeCloseTo(1, 6); // the square is ink
    expect(await convert(bytes, MODEL)).toEqual(expected);
    expect(await convert(bytes.slice().buffer, MODEL)).toEqual(expected);
    expect(await convert(new Blob([bytes], { type: "image/png" }), MODEL)).toEqual(expected);
    expect(await convert(dataUrl(bytes, "image/png"), MODEL)).toEqual(expected);
    expect(await convert(new URL(dataUrl(bytes, "image/png")), MODEL)).toEqual(expected);
  });

  it("a PNG as fast-png decodes it (packed 1-bit rows) and ks.data.decodeImage's planes convert like the bytes", async () => {
    const { bytes } = oneBitPng();
    const expected = await convert(bytes, MODEL);
    const decoded = decodePng(bytes);
    expect(decoded.data.length).toBe(14 * 105); // packed: what used to be rejected as "expected 11025 values"
    expect(await convert(decoded, MODEL)).toEqual(expected);
    expect(await convert(ks.data.decodeImage(bytes), MODEL)).toEqual(expected);
  });

  it("JPEG bytes decode too (gray 128 reads as 128/255 with polarity ink-light)", async () => {
    const v = await convert(GRAY_128_JPEG, [1, 4, 4], { polarity: "ink-light" });
    for (const x of v) expect(Math.abs(x - 128 / 255)).toBeLessThan(2 / 255);
  });

  it("a file path (Node, Deno) or a URL (in a page, also relative to it) of Omniglot's own 1-bit PNG", async (ctx) => {
    if (!(await fixtureExists(OMNIGLOT_PNG))) return ctx.skip(`${OMNIGLOT_PNG} is not in the shared folder`);
    const expected = await convert(await readFixtureBytes(OMNIGLOT_PNG), MODEL);
    expect(expected.some((v) => v > 0.5)).toBe(true);
    expect(await convert(fixturePath(OMNIGLOT_PNG), MODEL)).toEqual(expected);
    if (currentRuntime() === "browser") expect(await convert(`${SHARED_URL_PREFIX}/${OMNIGLOT_PNG}`, MODEL)).toEqual(expected);
    else expect(await convert(new URL(`file://${fixturePath(OMNIGLOT_PNG)}`), MODEL)).toEqual(expected);
  });

  it("errors name what was passed and what is accepted", async () => {
    const fails = async (x: unknown, message: RegExp) => {
      const err = await ks.imagesToTensor(x as ks.ImageLike, MODEL).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ks.KshotError);
      expect((err as Error).message).toMatch(message);
    };
    await fails(new Uint8Array([1, 2, 3, 4, 5]), /image 0 \(a Uint8Array of 5 bytes\): expected a PNG or JPEG file, the first bytes are 01 02 03 04 \(bytes are taken as an encoded PNG or JPEG file/);
    await fails([oneBitPng().bytes, new Blob(["GIF89a"])], /image 1 \(a Blob of 6 bytes\): expected a PNG or JPEG file/);
    await fails("data:image/png;base64,AAAA", /data:image\/png;base64,AAAA: expected a PNG or JPEG file, the first bytes are 00 00 00/);
    await fails({ width: 2, height: 2, depth: 3, channels: 1, data: new Uint8Array(4) }, /image 0: expected a decoded PNG \(depth 1, 2, 4, 8 or 16.*got depth 3/);
    await fails({ width: 105, height: 105, depth: 1, channels: 1, data: new Uint8Array(100) }, /a decoded 105×105 PNG of 1-bit samples needs 1470 values, got 100/);
    await fails(true, /expected PNG or JPEG bytes .* or \{ data, width, height \}, got boolean/);
    if (currentRuntime() !== "browser") await fails("no-such-image.png", /cannot read no-such-image.png: no such file or directory/);
  });
});
