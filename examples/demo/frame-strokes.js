// What the model sees of a drawing: its strokes redrawn like kshot's glyphs are drawn, whatever size and
// place the person drew at: the ink's bounding box scaled so its longer side spans FILL of the frame,
// centred, with a pen of the glyphs' width, light ink on black. The model was meta-trained on glyphs framed
// this way; a drawing in one corner or filling the whole pad would otherwise look like nothing it knows.
import { drawStrokes } from "./sketchpad.js";

/** Longer side of the ink's bounding box, as a fraction of the frame (glyphs: 0.45 to 0.7 of 28 px). */
const FILL = 0.6;
/** Pen width as a fraction of the frame: the glyphs' strokes are about 2.5 px wide at 28 px. */
const PEN = 2.6 / 28;
/** Rendered larger than the model's 28 px: the Learner's area-averaging resize then anti-aliases. */
export const FRAME_SIZE = 112;

/** @param {Array<Array<[number, number]>>} strokes */
function bounds(strokes) {
  const points = strokes.flat();
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return { left: Math.min(...xs), right: Math.max(...xs), top: Math.min(...ys), bottom: Math.max(...ys) };
}

/**
 * A new canvas, `size` pixels square, with the strokes framed (see the module comment).
 * @param {Array<Array<[number, number]>>} strokes in the unit square (Sketchpad.strokes)
 */
export function frameStrokes(strokes, size = FRAME_SIZE) {
  if (strokes.length === 0) throw new Error("frameStrokes: the drawing is empty");
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  context.fillStyle = "#000";
  context.fillRect(0, 0, size, size);
  const b = bounds(strokes);
  const extent = Math.max(b.right - b.left, b.bottom - b.top);
  // A dot (no extent) is drawn as a dot, not blown up to the whole frame.
  const scale = extent > 0 ? (FILL * size) / extent : size;
  const dx = size / 2 - ((b.left + b.right) / 2) * scale;
  const dy = size / 2 - ((b.top + b.bottom) / 2) * scale;
  drawStrokes(context, strokes, { scale, dx, dy }, PEN * size, "#fff");
  return canvas;
}
