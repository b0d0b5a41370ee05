/**
 * The shapes of procedural glyphs. A glyph class is a few pen strokes, each a chain of cubic Bézier
 * segments (straight lines, bends, S-curves and loops) in a box around the origin; an example of the class
 * is the same strokes redrawn by "another hand": every control point jittered, each stroke shifted a
 * little, and the whole glyph put through a small random affine map (rotation, scale, shear, translation).
 *
 * Only + − × ÷ √ and comparisons are used (the rotation comes from the rational parametrisation
 * cos = (1 − t²)/(1 + t²), sin = 2t/(1 + t²)), so the same seed gives the same numbers on every engine.
 */
import type { Rng } from "../rng.ts";

/**
 * A 2-D affine map [a, b, c, d, e, f]: x' = a·x + c·y + e, y' = b·x + d·y + f (the first two columns and
 * the translation of a 3×3 matrix whose last row is 0 0 1).
 */
export type Affine = Float64Array;

const affine = (a: number, b: number, c: number, d: number, e: number, f: number): Affine => Float64Array.of(a, b, c, d, e, f);

/** The map `m` after `n` (m · n as matrices). */
function compose(m: Affine, n: Affine): Affine {
  const [a, b, c, d, e, f] = m as unknown as [number, number, number, number, number, number];
  return affine(
    a * n[0]! + c * n[1]!, b * n[0]! + d * n[1]!,
    a * n[2]! + c * n[3]!, b * n[2]! + d * n[3]!,
    a * n[4]! + c * n[5]! + e, b * n[4]! + d * n[5]! + f,
  );
}

/** A stroke: a chain of cubic Bézier segments, points [p0, c1, c2, p1, c1, c2, p2, ...] as x, y pairs. */
export type Stroke = Float64Array;

export interface GlyphShape {
  strokes: Stroke[];
  /** Pen half-width in pixels at 28×28. */
  halfWidth: number;
}

/** Stroke counts to draw from, uniformly: two or three strokes most often. */
const STROKE_COUNTS = [1, 2, 2, 3, 3, 4];
/** The glyph fills at most this much of the [-1, 1] box before the per-example transform. */
const EXTENT = 1.45;

/** Triangular noise in [-a, a] (sum of two uniforms): softer tails than a uniform, no transcendental. */
function jitter(rng: Rng, a: number): number {
  return (rng.uniform() + rng.uniform() - 1) * a;
}

/** A uniformly random unit vector, by rejection sampling in the unit disc (no trigonometry). */
function direction(rng: Rng): [number, number] {
  for (;;) {
    const x = 2 * rng.uniform() - 1;
    const y = 2 * rng.uniform() - 1;
    const r2 = x * x + y * y;
    if (r2 > 0.01 && r2 <= 1) {
      const r = Math.sqrt(r2);
      return [x / r, y / r];
    }
  }
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** Appends one cubic segment from (x0, y0) to `points`: a line, a bend, an S-curve or a loop. */
function addSegment(rng: Rng, points: number[], x0: number, y0: number): void {
  const kind = rng.uniform();
  if (kind < 0.15) {
    // a loop: the segment returns near its start, its two controls spread apart
    const [dx, dy] = direction(rng);
    const r = rng.uniformRange(0.5, 0.9);
    const spread = rng.uniformRange(0.6, 1.1) * (rng.uniform() < 0.5 ? -1 : 1);
    points.push(x0 + r * (dx - spread * dy), y0 + r * (dy + spread * dx));
    points.push(x0 + r * (dx + spread * dy), y0 + r * (dy - spread * dx));
    points.push(x0 + jitter(rng, 0.15), y0 + jitter(rng, 0.15));
    return;
  }
  const [dx, dy] = direction(rng);
  const length = rng.uniformRange(0.5, 1.3);
  const x1 = clamp(x0 + dx * length, -1, 1);
  const y1 = clamp(y0 + dy * length, -1, 1);
  const ex = x1 - x0;
  const ey = y1 - y0;
  // bends perpendicular to the chord: zero for a line, same sign for an arc, opposite for an S
  const straight = kind < 0.45;
  const b1 = straight ? 0 : rng.uniformRange(-0.7, 0.7);
  const b2 = straight ? 0 : rng.uniform() < 0.7 ? b1 + jitter(rng, 0.2) : -b1;
  points.push(x0 + ex / 3 - ey * b1, y0 + ey / 3 + ex * b1);
  points.push(x0 + (2 * ex) / 3 - ey * b2, y0 + (2 * ey) / 3 + ex * b2);
  points.push(x1, y1);
}

/** A start point for a new stroke: on an earlier stroke half the time (strokes touch), else anywhere. */
function strokeStart(rng: Rng, strokes: readonly number[][]): [number, number] {
  if (strokes.length > 0 && rng.uniform() < 0.5) {
    const stroke = strokes[rng.int(strokes.length)]!;
    const knot = rng.int((stroke.length - 2) / 6 + 1) * 6; // a segment end point, on the curve
    return [stroke[knot]!, stroke[knot + 1]!];
  }
  return [rng.uniformRange(-0.7, 0.7), rng.uniformRange(-0.7, 0.7)];
}

/** Centres the glyph's control points on the origin and scales them to fit EXTENT. */
function normalise(strokes: number[][]): void {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const s of strokes) {
    for (let i = 0; i < s.length; i += 2) {
      minX = Math.min(minX, s[i]!);
      maxX = Math.max(maxX, s[i]!);
      minY = Math.min(minY, s[i + 1]!);
      maxY = Math.max(maxY, s[i + 1]!);
    }
  }
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const scale = Math.min(EXTENT / Math.max(maxX - minX, maxY - minY, 1e-9), 2.5);
  for (const s of strokes) {
    for (let i = 0; i < s.length; i += 2) {
      s[i] = (s[i]! - cx) * scale;
      s[i + 1] = (s[i + 1]! - cy) * scale;
    }
  }
}

/** The strokes of a new glyph class. */
export function randomGlyph(rng: Rng): GlyphShape {
  const count = STROKE_COUNTS[rng.int(STROKE_COUNTS.length)]!;
  const strokes: number[][] = [];
  for (let s = 0; s < count; s++) {
    const [x0, y0] = strokeStart(rng, strokes);
    const points = [x0, y0];
    const segments = 1 + rng.int(2);
    for (let k = 0; k < segments; k++) {
      addSegment(rng, points, points[points.length - 2]!, points[points.length - 1]!);
    }
    strokes.push(points);
  }
  normalise(strokes);
  return { strokes: strokes.map((s) => Float64Array.from(s)), halfWidth: rng.uniformRange(0.85, 1.3) };
}

/** Per-example variation: how far another hand strays from the class's strokes. */
export interface JitterOptions {
  /** Control-point noise (triangular, in glyph units: the glyph spans about 1.45). */
  point: number;
  /** Per-stroke shift. */
  stroke: number;
  /** Rotation parameter t (angle = 2·atan t): ±0.28 is about ±31°. */
  rotation: number;
  /** Scale factor range, and anisotropy and shear amplitudes. */
  scale: [number, number];
  aspect: number;
  shear: number;
  /** Translation amplitude in glyph units. */
  translation: number;
  /** Pen width factor range. */
  width: [number, number];
}

/**
 * Calibrated so that glyphs are a little easier than Omniglot for a plain nearest-neighbour on blurred
 * pixels (5-way 1-shot: about 0.7 here against 0.6 on Omniglot's evaluation alphabets; 0.95 with half this
 * jitter), leaving room for learning to matter.
 */
export const DEFAULT_JITTER: JitterOptions = {
  point: 0.18,
  stroke: 0.1,
  rotation: 0.28,
  scale: [0.75, 1.15],
  aspect: 0.15,
  shear: 0.3,
  translation: 0.18,
  width: [0.85, 1.15],
};

/**
 * The affine map of one example, from glyph units to pixels of a `size`×`size` image:
 * pixel ← centre + (size · 0.4) · T · R · Sh · S · glyph.
 */
export function exampleTransform(rng: Rng, jitterOptions: JitterOptions, size: number): Affine {
  const t = jitter(rng, jitterOptions.rotation);
  const cos = (1 - t * t) / (1 + t * t);
  const sin = (2 * t) / (1 + t * t);
  const scale = rng.uniformRange(...jitterOptions.scale);
  const aspect = 1 + jitter(rng, jitterOptions.aspect);
  const shear = jitter(rng, jitterOptions.shear);
  const tx = jitter(rng, jitterOptions.translation);
  const ty = jitter(rng, jitterOptions.translation);
  const toPixels = compose(affine(1, 0, 0, 1, size / 2, size / 2), affine(size * 0.4, 0, 0, size * 0.4, 0, 0));
  const rotation = affine(cos, sin, -sin, cos, 0, 0);
  const shearing = affine(1, 0, shear, 1, 0, 0);
  const scaling = affine(scale * aspect, 0, 0, scale / aspect, 0, 0);
  let m = compose(toPixels, affine(1, 0, 0, 1, tx, ty));
  m = compose(m, rotation);
  m = compose(m, shearing);
  return compose(m, scaling);
}

/** One example's strokes in pixel coordinates: jittered control points mapped through `transform`. */
export function jitteredStrokes(
  rng: Rng,
  glyph: GlyphShape,
  jitterOptions: JitterOptions,
  transform: Affine,
): Stroke[] {
  return glyph.strokes.map((stroke) => {
    const sx = jitter(rng, jitterOptions.stroke);
    const sy = jitter(rng, jitterOptions.stroke);
    const out = new Float64Array(stroke.length);
    for (let i = 0; i < stroke.length; i += 2) {
      const x = stroke[i]! + sx + jitter(rng, jitterOptions.point);
      const y = stroke[i + 1]! + sy + jitter(rng, jitterOptions.point);
      out[i] = transform[0]! * x + transform[2]! * y + transform[4]!;
      out[i + 1] = transform[1]! * x + transform[3]! * y + transform[5]!;
    }
    return out;
  });
}
