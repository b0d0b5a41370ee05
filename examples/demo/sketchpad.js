// A drawing pad: pointer events (mouse, pen, touch) on a canvas, recorded as strokes of points in the
// unit square, so a drawing can be re-rendered at any size (see frame-strokes.js) and not only as pixels.

/** Pen width as a fraction of the pad's side: roughly the glyphs' stroke at the size people draw. */
const PEN_WIDTH = 0.045;
const INK = "#1d2433";
const PAPER = "#fffdf8";

export class Sketchpad {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    /** @type {Array<Array<[number, number]>>} */
    this.strokes = [];
    /** @type {Array<[number, number]> | undefined} */
    this.current = undefined;
    /** Called after each finished stroke and after clear(). */
    this.onChange = () => {};
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("pointercancel", (e) => this.up(e));
    this.redraw();
  }

  /** Whether anything is drawn. */
  get isEmpty() {
    return this.strokes.length === 0;
  }

  /** Removes the last stroke. */
  undo() {
    if (this.current) return;
    this.strokes.pop();
    this.redraw();
    this.onChange();
  }

  clear() {
    this.strokes = [];
    this.current = undefined;
    this.redraw();
    this.onChange();
  }

  /** @param {PointerEvent} e @returns {[number, number]} the point in the unit square */
  point(e) {
    const box = this.canvas.getBoundingClientRect();
    const clamp = (v) => Math.min(1, Math.max(0, v));
    return [clamp((e.clientX - box.left) / box.width), clamp((e.clientY - box.top) / box.height)];
  }

  /** @param {PointerEvent} e */
  down(e) {
    if (e.button !== 0) return;
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.current = [this.point(e)];
    this.strokes.push(this.current);
    this.redraw();
  }

  /** @param {PointerEvent} e */
  move(e) {
    if (!this.current) return;
    e.preventDefault();
    const events = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
    for (const c of events.length ? events : [e]) this.current.push(this.point(c));
    this.redraw();
  }

  /** @param {PointerEvent} e */
  up(e) {
    if (!this.current) return;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.current = undefined;
    this.onChange();
  }

  redraw() {
    const { canvas, context } = this;
    context.fillStyle = PAPER;
    context.fillRect(0, 0, canvas.width, canvas.height);
    drawStrokes(context, this.strokes, { scale: canvas.width, dx: 0, dy: 0 }, PEN_WIDTH * canvas.width, INK);
  }
}

/**
 * Strokes through the transform p ↦ p·scale + (dx, dy), with round caps and joins; a stroke of one point
 * is a dot.
 * @param {CanvasRenderingContext2D} context
 * @param {Array<Array<[number, number]>>} strokes
 * @param {{ scale: number, dx: number, dy: number }} t
 * @param {number} width
 * @param {string} color
 */
export function drawStrokes(context, strokes, t, width, color) {
  context.strokeStyle = color;
  context.fillStyle = color;
  context.lineWidth = width;
  context.lineCap = "round";
  context.lineJoin = "round";
  for (const stroke of strokes) {
    const [x0, y0] = stroke[0];
    if (stroke.length === 1) {
      context.beginPath();
      context.arc(x0 * t.scale + t.dx, y0 * t.scale + t.dy, width / 2, 0, 2 * Math.PI);
      context.fill();
      continue;
    }
    context.beginPath();
    context.moveTo(x0 * t.scale + t.dx, y0 * t.scale + t.dy);
    for (const [x, y] of stroke.slice(1)) context.lineTo(x * t.scale + t.dx, y * t.scale + t.dy);
    context.stroke();
  }
}
