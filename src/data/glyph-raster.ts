/**
 * Draws pen strokes (cubic Bézier chains in pixel coordinates) as anti-aliased thick lines into an 8-bit
 * ink image (255 = full ink). Coverage of a pixel is clamp(halfWidth + ½ − distance to the stroke, 0, 1)
 * from its centre, strokes combine by maximum. Only + − × ÷ √ and comparisons: the same bytes everywhere.
 */
import type { Stroke } from "./glyph-strokes.ts";

/** Pieces per Bézier segment: enough that the polyline stays within a small fraction of a pixel. */
function piecesFor(stroke: Stroke, k: number): number {
  let length = 0;
  for (let i = 0; i < 3; i++) {
    const dx = stroke[k + 2 * i + 2]! - stroke[k + 2 * i]!;
    const dy = stroke[k + 2 * i + 3]! - stroke[k + 2 * i + 1]!;
    length += Math.sqrt(dx * dx + dy * dy);
  }
  const n = Math.ceil(length / 1.5);
  return n < 2 ? 2 : n > 24 ? 24 : n;
}

/** The polyline of a stroke: its Bézier segments evaluated at evenly spaced parameters, as x, y pairs. */
export function flatten(stroke: Stroke): Float64Array {
  const out: number[] = [stroke[0]!, stroke[1]!];
  for (let k = 0; k + 7 < stroke.length; k += 6) {
    const n = piecesFor(stroke, k);
    for (let i = 1; i <= n; i++) {
      const t = i / n;
      const u = 1 - t;
      const w0 = u * u * u;
      const w1 = 3 * u * u * t;
      const w2 = 3 * u * t * t;
      const w3 = t * t * t;
      out.push(
        w0 * stroke[k]! + w1 * stroke[k + 2]! + w2 * stroke[k + 4]! + w3 * stroke[k + 6]!,
        w0 * stroke[k + 1]! + w1 * stroke[k + 3]! + w2 * stroke[k + 5]! + w3 * stroke[k + 7]!,
      );
    }
  }
  return Float64Array.from(out);
}

/** Raises the coverage of the pixels near the segment (ax, ay)–(bx, by) in a float `canvas`. */
function drawSegment(
  canvas: Float64Array,
  size: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  halfWidth: number,
): void {
  const reach = halfWidth + 0.5;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
  const x1 = Math.min(size - 1, Math.ceil(Math.max(ax, bx) + reach));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach));
  const y1 = Math.min(size - 1, Math.ceil(Math.max(ay, by) + reach));
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSq = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5;
      let t = lengthSq > 0 ? ((px - ax) * dx + (py - ay) * dy) / lengthSq : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - (ax + t * dx);
      const ey = py - (ay + t * dy);
      const distSq = ex * ex + ey * ey;
      if (distSq >= reach * reach) continue;
      const coverage = Math.min(1, reach - Math.sqrt(distSq));
      const i = y * size + x;
      if (coverage > canvas[i]!) canvas[i] = coverage;
    }
  }
}

/** Renders strokes into `out[offset..offset + size²]` as ink bytes, round(255 × coverage). */
export function renderStrokes(
  strokes: readonly Stroke[],
  halfWidth: number,
  size: number,
  out: Uint8Array,
  offset: number,
): void {
  const canvas = new Float64Array(size * size);
  for (const stroke of strokes) {
    const line = flatten(stroke);
    for (let i = 0; i + 3 < line.length; i += 2) {
      drawSegment(canvas, size, line[i]!, line[i + 1]!, line[i + 2]!, line[i + 3]!, halfWidth);
    }
  }
  for (let i = 0; i < canvas.length; i++) out[offset + i] = Math.floor(255 * canvas[i]! + 0.5);
}
