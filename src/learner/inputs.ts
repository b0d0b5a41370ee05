/**
 * What a page, a Deno program or a Node service has, turned into what a model takes: float32 images
 * [N, C, H, W] of the model's size with ink = 1 on background = 0 (every kshot dataset's convention).
 *
 * - Colour: 1-channel models get ITU-R BT.601 luma (as the `imagefolder` loader); 3-channel models get RGB
 *   (a gray source repeated).
 * - Alpha: a pixel of alpha a is composited over a background that contrasts with the drawing (white
 *   behind dark content, black behind light content), so strokes drawn on a transparent canvas survive in
 *   either colour. Canvas pixels (`getImageData`) are not premultiplied, so c·a + b·(1 − a) is exact.
 * - Size: resized by exact area averaging (src/data/resize.ts), stretched to the model's H×W.
 * - Polarity: `ink-light` keeps values, `ink-dark` inverts them (1 − v), `auto` (the default) inverts when
 *   the border of the image is mostly light, i.e. takes the border colour for the background. For
 *   3-channel models `auto` keeps the colours: photos are not ink on paper.
 *
 * Sources: encoded PNG or JPEG bytes (Uint8Array, Node's Buffer, ArrayBuffer, Blob or File), a file path
 * (Node, Deno) or a URL (fetched; in a page, relative to it), pixels in memory (`RawImage`, ImageData), a
 * PNG as fast-png decodes it (1-, 2- and 4-bit rows unpacked, palettes looked up), `ks.data.decodeImage`'s
 * planes. Encoded images are decoded by src/data/image-decode.ts, the same in every runtime. Canvases,
 * bitmaps and <img> elements are read through a 2D canvas (browsers). Tensors pass through unchanged
 * (they must already be [C, H, W] or [N, C, H, W] of the model's size and polarity).
 */
import { KshotError } from "../errors.ts";
import { type DecodedPngLike, decodedPngPlanes, decodeImage, type PixelPlanes } from "../data/image-decode.ts";
import { areaResize } from "../data/resize.ts";
import { readSource } from "../io/source.ts";
import { tensor } from "../ops/creation.ts";
import { reshape } from "../ops/shape.ts";
import { formatShape } from "../shape.ts";
import { Tensor } from "../tensor.ts";

/** Pixels in memory, row-major, channels interleaved: bytes 0–255 or floats 0–1. */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  width: number;
  height: number;
  /** 1 (gray), 3 (RGB) or 4 (RGBA); default data.length / (width·height). */
  channels?: 1 | 3 | 4;
}

/**
 * The instance type of the global class `K` where this platform's types declare it, else never: the DOM
 * classes below exist in browsers' types but not in Deno's, and `deno check` must pass on both.
 */
type PlatformClass<K extends string> = typeof globalThis extends Record<K, { prototype: infer T }> ? T : never;

/** What a 2D canvas can draw: HTMLCanvasElement, OffscreenCanvas, ImageBitmap, HTMLImageElement (where the platform has them). */
export type DrawableImage = PlatformClass<"HTMLCanvasElement"> | PlatformClass<"OffscreenCanvas"> | PlatformClass<"ImageBitmap"> | PlatformClass<"HTMLImageElement">;

/** Encoded PNG or JPEG: its bytes (a Node Buffer is a Uint8Array), a Blob or File, a file path or a URL. */
export type EncodedImage = Uint8Array | ArrayBuffer | PlatformClass<"Blob"> | string | URL;

/** Pixels already decoded: RawImage (ImageData is one), a PNG as fast-png decodes it, `ks.data.decodeImage`'s planes. */
export type DecodedImage = PlatformClass<"ImageData"> | RawImage | DecodedPngLike | PixelPlanes;

/** Anything `Learner.adapt` and `Learner.predict` take as one image. */
export type ImageLike = EncodedImage | DecodedImage | DrawableImage | Tensor;

/** What an error says is accepted. */
const ACCEPTED = "PNG or JPEG bytes (Uint8Array, Buffer, ArrayBuffer, Blob, File), a file path or URL, ImageData, a canvas, an ImageBitmap, an <img> or { data, width, height }";

/** The little of a 2D canvas this module uses (typed here so that it needs no DOM types). */
interface Canvas2D {
  getContext(kind: "2d", options?: { willReadFrequently?: boolean }): Context2D | null;
}
interface Context2D {
  drawImage(image: unknown, x: number, y: number): void;
  getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
}
interface CanvasHost {
  OffscreenCanvas?: new (width: number, height: number) => Canvas2D;
  document?: { createElement(tag: "canvas"): Canvas2D & { width: number; height: number } };
}

export type Polarity = "auto" | "ink-dark" | "ink-light";

export interface InputOptions {
  /** Which values are ink: see the module comment. Default "auto". */
  polarity?: Polarity;
}

/** [C, H, W] of the model's input. */
export type InputShape = readonly [number, number, number];

const POLARITIES: readonly Polarity[] = ["auto", "ink-dark", "ink-light"];

/** Interleaved pixels as floats in [0, 1]. */
interface Pixels {
  values: Float32Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

function isPixelArray(v: unknown): v is RawImage["data"] {
  return v instanceof Uint8Array || v instanceof Uint8ClampedArray || v instanceof Float32Array;
}

function isRawImage(x: unknown): x is RawImage {
  const r = x as Partial<RawImage> | null;
  return typeof r === "object" && r !== null && isPixelArray(r.data) && typeof r.width === "number" && typeof r.height === "number";
}

/** The browser classes a 2D canvas can draw, where this runtime has them. */
const DRAWABLE_CLASSES = ["HTMLCanvasElement", "OffscreenCanvas", "ImageBitmap", "HTMLImageElement", "SVGImageElement", "VideoFrame"];

function isDrawable(x: unknown): x is DrawableImage {
  const g = globalThis as unknown as Record<string, unknown>;
  return DRAWABLE_CLASSES.some((name) => typeof g[name] === "function" && x instanceof (g[name] as new () => unknown));
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x !== "object") return typeof x;
  const name = (x as object).constructor?.name;
  return name && name !== "Object" ? `a ${name}` : `an object with keys ${Object.keys(x as object).slice(0, 5).join(", ") || "(none)"}`;
}

function rawPixels(r: RawImage, index: number): Pixels {
  const { data, width, height } = r;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new KshotError(`image ${index}: expected a positive integer width and height, got ${width}×${height}`);
  }
  const channels = r.channels ?? data.length / (width * height);
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new KshotError(`image ${index}: expected 1, 3 or 4 channels (${width}×${height} × channels values), got ${data.length} values${r.channels ? ` for ${r.channels} channels` : ""}`);
  }
  if (data.length !== width * height * channels) {
    throw new KshotError(`image ${index}: expected ${width}×${height}×${channels} = ${width * height * channels} values, got ${data.length}`);
  }
  const values = new Float32Array(data.length);
  if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!(v >= 0 && v <= 1)) throw new KshotError(`image ${index}: float pixels must lie in [0, 1], found ${v} at ${i}`);
      values[i] = v;
    }
  } else {
    for (let i = 0; i < data.length; i++) values[i] = data[i]! / 255;
  }
  return { values, width, height, channels };
}

/** Size of a drawable (an <img> by its natural size). */
function drawableSize(d: object): [number, number] {
  const img = d as { naturalWidth?: number; naturalHeight?: number; displayWidth?: number; displayHeight?: number; width?: number | { baseVal?: { value: number } }; height?: unknown };
  if (typeof img.naturalWidth === "number") return [img.naturalWidth, img.naturalHeight ?? 0];
  if (typeof img.displayWidth === "number") return [img.displayWidth, img.displayHeight ?? 0];
  return [Number(img.width), Number(img.height)];
}

/** RGBA bytes of a canvas, bitmap or image, drawn into a 2D canvas (an OffscreenCanvas where there is one). */
function drawablePixels(d: DrawableImage, index: number): Pixels {
  const [width, height] = drawableSize(d as object);
  if (!(width > 0 && height > 0)) {
    throw new KshotError(`image ${index}: ${describe(d)} of size ${width}×${height} has no pixels (an <img> must be loaded first: await img.decode())`);
  }
  const host = globalThis as CanvasHost;
  const canvas = host.OffscreenCanvas ? new host.OffscreenCanvas(width, height) : host.document ? Object.assign(host.document.createElement("canvas"), { width, height }) : undefined;
  const context = canvas?.getContext("2d", { willReadFrequently: true });
  if (!context) throw new KshotError(`image ${index}: this runtime gives no 2D canvas context to read ${describe(d)}`);
  context.drawImage(d, 0, 0);
  const data = context.getImageData(0, 0, width, height).data;
  return rawPixels({ data, width, height, channels: 4 }, index);
}

const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/** Colour planes (1 or 3, each width·height) with alpha composited over a contrasting background. */
function planes(p: Pixels, wanted: 1 | 3): Float64Array[] {
  const { values, channels } = p;
  const n = p.width * p.height;
  const colour = channels >= 3;
  const gray = (i: number) => (colour ? luma(values[i * channels]!, values[i * channels + 1]!, values[i * channels + 2]!) : values[i * channels]!);
  let background = 0;
  if (channels === 4) {
    let weight = 0;
    let content = 0;
    for (let i = 0; i < n; i++) {
      const a = values[i * 4 + 3]!;
      weight += a;
      content += a * gray(i);
    }
    background = weight === 0 || content / weight < 0.5 ? 1 : 0;
  }
  const alpha = (i: number) => (channels === 4 ? values[i * 4 + 3]! : 1);
  const over = (v: number, i: number) => v * alpha(i) + background * (1 - alpha(i));
  if (wanted === 1) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = over(gray(i), i);
    return [out];
  }
  return [0, 1, 2].map((ch) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = over(colour ? values[i * channels + ch]! : values[i * channels]!, i);
    return out;
  });
}

/** Mean of the outermost pixels of the planes. */
function borderMean(ps: Float64Array[], width: number, height: number): number {
  let sum = 0;
  let count = 0;
  for (const plane of ps) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (y !== 0 && y !== height - 1 && x !== 0 && x !== width - 1) continue;
        sum += plane[y * width + x]!;
        count++;
      }
    }
  }
  return sum / count;
}

function shouldInvert(polarity: Polarity, ps: Float64Array[], width: number, height: number): boolean {
  if (polarity === "ink-dark") return true;
  if (polarity === "ink-light" || ps.length > 1) return false;
  return borderMean(ps, width, height) > 0.5;
}

/** One image as C·H·W floats of the model's shape. */
function convertImage(image: RawImage | DrawableImage, shape: InputShape, polarity: Polarity, index: number): Float32Array {
  const [c, h, w] = shape;
  if (c !== 1 && c !== 3) throw new KshotError(`the model takes ${c}-channel images; image inputs convert to 1 or 3 channels only: pass a Tensor`);
  const pixels = isRawImage(image) ? rawPixels(image, index) : drawablePixels(image, index);
  const ps = planes(pixels, c);
  const invert = shouldInvert(polarity, ps, pixels.width, pixels.height);
  const out = new Float32Array(c * h * w);
  ps.forEach((plane, ch) => {
    const resized = areaResize(plane, pixels.width, pixels.height, w, h);
    for (let i = 0; i < resized.length; i++) out[ch * h * w + i] = invert ? 1 - resized[i]! : resized[i]!;
  });
  return out;
}

function checkPolarity(p: unknown): Polarity {
  if (!POLARITIES.includes(p as Polarity)) throw new KshotError(`polarity: expected one of ${POLARITIES.join(", ")}, got ${JSON.stringify(p)}`);
  return p as Polarity;
}

function fromTensor(t: Tensor, shape: InputShape): Tensor {
  const wanted = `[${shape.join(", ")}] or [N, ${shape.join(", ")}]`;
  if (t.dtype !== "float32") throw new KshotError(`expected a float32 tensor ${wanted}, got ${t.dtype} ${formatShape(t.shape)}`);
  const image = t.shape.slice(-3);
  if ((t.rank !== 3 && t.rank !== 4) || image.some((d, i) => d !== shape[i])) {
    throw new KshotError(`expected a tensor ${wanted} (the model's input), got ${formatShape(t.shape)}`);
  }
  return reshape(t, [-1, ...shape]);
}

function isPixelPlanes(x: unknown): x is PixelPlanes {
  const p = x as Partial<PixelPlanes> | null;
  return typeof p === "object" && p !== null && Array.isArray(p.planes) && typeof p.maxValue === "number";
}

function isDecodedPng(x: unknown): x is DecodedPngLike {
  const p = x as Partial<DecodedPngLike> | null;
  return typeof p === "object" && p !== null && typeof p.depth === "number" && typeof p.channels === "number" && ArrayBuffer.isView(p.data);
}

/** Planes of integers 0..maxValue as an interleaved RawImage of floats in [0, 1]. */
function planesToRaw(p: PixelPlanes, index: number): RawImage {
  const { width, height, planes, maxValue } = p;
  const n = width * height;
  if ((planes.length !== 1 && planes.length !== 3) || planes.some((plane) => plane.length !== n) || !(maxValue > 0)) {
    throw new KshotError(`image ${index}: expected decoded planes (1 or 3 planes of ${width}×${height} values up to maxValue), got ${planes.length} planes of ${planes.map((plane) => plane.length).join(", ")} values, maxValue ${maxValue}`);
  }
  const data = new Float32Array(n * planes.length);
  planes.forEach((plane, ch) => {
    for (let i = 0; i < n; i++) data[i * planes.length + ch] = Math.min(plane[i]! / maxValue, 1);
  });
  return { data, width, height, channels: planes.length as 1 | 3 };
}

/** A fast-png result: rows of `depth`-bit samples (packed below 8 bits), checked before unpacking. */
function decodedPngToRaw(png: DecodedPngLike, index: number): RawImage {
  const { width, height, depth, channels, data } = png;
  if (![1, 2, 4, 8, 16].includes(depth) || !(channels >= 1 && channels <= 4) || !Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new KshotError(`image ${index}: expected a decoded PNG (depth 1, 2, 4, 8 or 16, 1 to 4 channels, a positive size), got depth ${depth}, ${channels} channels, ${width}×${height}`);
  }
  const rowSamples = png.palette ? width : width * channels;
  const needed = depth < 8 ? Math.ceil((rowSamples * depth) / 8) * height : rowSamples * height;
  if (data.length < needed) throw new KshotError(`image ${index}: a decoded ${width}×${height} PNG of ${depth}-bit samples needs ${needed} values, got ${data.length}`);
  return planesToRaw(decodedPngPlanes(png, `image ${index}`), index);
}

/** Decodes PNG or JPEG bytes; a failure says what the bytes were taken for. */
function decodeBytes(bytes: Uint8Array, name: string): RawImage {
  try {
    return planesToRaw(decodeImage(bytes, name), 0);
  } catch (err) {
    if (err instanceof KshotError && /expected a PNG or JPEG/.test(err.message)) {
      throw new KshotError(`${err.message} (bytes are taken as an encoded PNG or JPEG file; pass pixels as { data, width, height })`);
    }
    throw err;
  }
}

function isBlob(x: unknown): x is Blob {
  return typeof Blob === "function" && x instanceof Blob;
}

/** One input as pixels in memory or a drawable: encoded sources read and decoded, decoded forms unpacked. */
async function resolveImage(image: ImageLike, index: number, shape: InputShape): Promise<RawImage | DrawableImage> {
  if (image instanceof Tensor) throw new KshotError(`image ${index}: expected an image, got a Tensor inside an array (pass one Tensor [N, ${shape.join(", ")}] instead)`);
  if (typeof image === "string" || image instanceof URL) {
    const { bytes, name } = await readSource(image);
    return decodeBytes(bytes, name);
  }
  if (image instanceof Uint8Array) return decodeBytes(image, `image ${index} (${describe(image)} of ${image.length} bytes)`);
  if (image instanceof ArrayBuffer) return decodeBytes(new Uint8Array(image), `image ${index} (an ArrayBuffer of ${image.byteLength} bytes)`);
  if (isBlob(image)) {
    const file = (image as { name?: unknown }).name;
    return decodeBytes(new Uint8Array(await image.arrayBuffer()), typeof file === "string" ? file : `image ${index} (a Blob of ${image.size} bytes)`);
  }
  if (isPixelPlanes(image)) return planesToRaw(image, index);
  if (isDecodedPng(image)) return decodedPngToRaw(image, index);
  if (isRawImage(image) || isDrawable(image)) return image;
  throw new KshotError(`image ${index}: expected ${ACCEPTED}, got ${describe(image)}`);
}

/**
 * Images as one float32 tensor [N, C, H, W] of the model's shape (a new tensor: the caller disposes it).
 * A Tensor is taken as it is; anything else is read, decoded and converted (see the module comment).
 */
export async function imagesToTensor(x: ImageLike | readonly ImageLike[], shape: InputShape, options: InputOptions = {}): Promise<Tensor> {
  const polarity = checkPolarity(options.polarity ?? "auto");
  if (x instanceof Tensor) return fromTensor(x, shape);
  const images = Array.isArray(x) ? (x as readonly ImageLike[]) : [x as ImageLike];
  if (images.length === 0) throw new KshotError("expected at least one image, got an empty array");
  const resolved = await Promise.all(images.map((image, i) => resolveImage(image, i, shape)));
  const size = shape[0] * shape[1] * shape[2];
  const values = new Float32Array(images.length * size);
  resolved.forEach((image, i) => values.set(convertImage(image, shape, polarity, i), i * size));
  return tensor(values, [images.length, ...shape], "float32");
}
