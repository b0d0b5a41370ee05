/**
 * A shifted image domain: the same classes drawn with thicker strokes (a (2r+1)×(2r+1) max filter, `dilate`
 * r pixels) and/or blurred (a separable Gaussian of σ `blur` pixels, cut at 3σ, zero background outside the
 * image). Used to test how a model meta-trained on one drawing style copes with another (`kshot eval
 * --shift dilate:1`), the domain change of covariance-aware prototypes' comparison in bench/RESULTS.md.
 */
import { KshotError } from "../errors.ts";
import { type ClassSource, checkExample } from "./dataset.ts";

export interface DomainShift {
  /** Stroke growth in pixels (max filter radius), an integer from 0 to 8. */
  dilate?: number;
  /** Gaussian blur σ in pixels, from 0 to 8. */
  blur?: number;
}

const MAX_SHIFT = 8;

function checkShift(s: DomainShift): DomainShift {
  const { dilate = 0, blur = 0 } = s;
  if (!Number.isInteger(dilate) || dilate < 0 || dilate > MAX_SHIFT) throw new KshotError(`domain shift: expected dilate to be an integer from 0 to ${MAX_SHIFT} (pixels), got ${dilate}`);
  if (!(blur >= 0 && blur <= MAX_SHIFT)) throw new KshotError(`domain shift: expected blur to be a σ from 0 to ${MAX_SHIFT} (pixels), got ${blur}`);
  return { dilate, blur };
}

/** `dilate:R`, `blur:S`, or both separated by a comma (e.g. `dilate:1,blur:0.8`). */
export function parseShift(spec: string): DomainShift {
  const shift: DomainShift = {};
  for (const part of spec.split(",")) {
    const [key, value, extra] = part.split(":");
    const n = Number(value);
    if ((key !== "dilate" && key !== "blur") || value === undefined || value === "" || extra !== undefined || !Number.isFinite(n) || key in shift) {
      throw new KshotError(`domain shift: expected dilate:R and/or blur:S separated by a comma (e.g. dilate:1,blur:0.8), got ${JSON.stringify(spec)}`);
    }
    shift[key] = n;
  }
  return checkShift(shift);
}

/** The shift in words: `strokes +1 px, blur σ 0.8 px`. */
export function describeShift(s: DomainShift): string {
  return [s.dilate ? `strokes +${s.dilate} px` : "", s.blur ? `blur σ ${s.blur} px` : ""].filter(Boolean).join(", ") || "none";
}

/** Max over a (2r+1)² window of each channel of a C×H×W image, in place through `scratch`. */
function dilate(img: Float32Array, at: number, [c, h, w]: readonly number[], r: number, scratch: Float32Array): void {
  for (let ch = 0; ch < c!; ch++) {
    const base = at + ch * h! * w!;
    for (let y = 0; y < h!; y++) {
      for (let x = 0; x < w!; x++) {
        let m = 0;
        for (let dy = Math.max(0, y - r); dy <= Math.min(h! - 1, y + r); dy++) {
          for (let dx = Math.max(0, x - r); dx <= Math.min(w! - 1, x + r); dx++) m = Math.max(m, img[base + dy * w! + dx]!);
        }
        scratch[y * w! + x] = m;
      }
    }
    img.set(scratch.subarray(0, h! * w!), base);
  }
}

function gaussian(sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const k = Float32Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / total);
}

/** Separable Gaussian blur of each channel (zero outside the image), in place through `scratch`. */
function blur(img: Float32Array, at: number, [c, h, w]: readonly number[], kernel: Float32Array, scratch: Float32Array): void {
  const r = (kernel.length - 1) / 2;
  const pass = (src: Float32Array, sBase: number, dst: Float32Array, dBase: number, horizontal: boolean) => {
    for (let y = 0; y < h!; y++) {
      for (let x = 0; x < w!; x++) {
        let s = 0;
        for (let k = -r; k <= r; k++) {
          const yy = horizontal ? y : y + k;
          const xx = horizontal ? x + k : x;
          if (yy >= 0 && yy < h! && xx >= 0 && xx < w!) s += kernel[k + r]! * src[sBase + yy * w! + xx]!;
        }
        dst[dBase + y * w! + x] = s;
      }
    }
  };
  for (let ch = 0; ch < c!; ch++) {
    const base = at + ch * h! * w!;
    pass(img, base, scratch, 0, true);
    pass(scratch, 0, img, base, false);
  }
}

/**
 * `source` with every image shifted as `shift` says (dilation first, then blur); the classes, counts and
 * names are the source's.
 *
 * @example
 * const thick = ks.data.shiftedSource(ks.data.glyphs().test, { dilate: 1 });
 */
export function shiftedSource(source: ClassSource, shift: DomainShift): ClassSource {
  const s = checkShift(shift);
  const [, h, w] = source.shape;
  const scratch = new Float32Array(h * w);
  const kernel = s.blur ? gaussian(s.blur) : undefined;
  const view: ClassSource = {
    numClasses: source.numClasses,
    shape: source.shape,
    rotated: source.rotated,
    exampleCount: (c) => source.exampleCount(c),
    className: (c) => source.className(c),
    writeExample(c, e, out, offset) {
      checkExample(view, c, e);
      source.writeExample(c, e, out, offset);
      if (s.dilate) dilate(out, offset, source.shape, s.dilate, scratch);
      if (kernel) blur(out, offset, source.shape, kernel, scratch);
    },
  };
  return view;
}
