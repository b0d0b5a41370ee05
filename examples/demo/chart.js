// The live training chart: loss (left axis, from 0 to the largest seen) and training accuracy (right axis,
// 0 to 100%) against the iteration, drawn on a canvas at the screen's pixel density. No chart library.

const COLORS = { loss: "#d0463b", accuracy: "#2a7ab8", grid: "#e6e2da", text: "#5b6270" };
const PAD = { left: 48, right: 52, top: 26, bottom: 26 };

/** A "nice" axis maximum ≥ v: 1, 2 or 5 times a power of ten. */
function niceCeil(v) {
  if (!(v > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * power).find((c) => c >= v);
}

export class TrainingChart {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    /** @type {Array<{ iteration: number, loss: number, accuracy?: number }>} */
    this.points = [];
    /** The x axis's end; 0 until a run starts (the axis is then left unlabelled). */
    this.iterations = 0;
    this.resize();
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  /** Matches the backing store to the displayed size × devicePixelRatio, then redraws. */
  resize() {
    const ratio = globalThis.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    if (width === 0 || height === 0) return;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.draw();
  }

  /** Starts a new run with `iterations` on the x axis. */
  reset(iterations) {
    this.points = [];
    this.iterations = Math.max(1, iterations);
    this.draw();
  }

  /** Narrows the x axis to the iterations actually run (training stopped early). */
  finish(iterations) {
    this.iterations = Math.max(1, iterations);
    this.draw();
  }

  /** @param {{ iteration: number, loss: number, accuracy?: number }} point */
  push(point) {
    if (Number.isFinite(point.loss)) this.points.push(point);
    this.draw();
  }

  draw() {
    const { canvas } = this;
    const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    const ratio = canvas.width / Math.max(1, canvas.getBoundingClientRect().width || canvas.width);
    const w = canvas.width / ratio;
    const h = canvas.height / ratio;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, w, h);
    const plot = { x: PAD.left, y: PAD.top, w: w - PAD.left - PAD.right, h: h - PAD.top - PAD.bottom };
    const lossMax = niceCeil(Math.max(0, ...this.points.map((p) => p.loss)));
    const xOf = (i) => plot.x + (i / Math.max(1, this.iterations)) * plot.w;
    context.font = "12px system-ui, sans-serif";
    context.lineWidth = 1;
    for (let k = 0; k <= 4; k++) {
      const y = plot.y + plot.h - (k / 4) * plot.h;
      context.strokeStyle = COLORS.grid;
      context.beginPath();
      context.moveTo(plot.x, y);
      context.lineTo(plot.x + plot.w, y);
      context.stroke();
      context.textBaseline = "middle";
      context.fillStyle = COLORS.loss;
      context.textAlign = "right";
      context.fillText(String(+((lossMax * k) / 4).toPrecision(3)), plot.x - 6, y);
      context.fillStyle = COLORS.accuracy;
      context.textAlign = "left";
      context.fillText(`${k * 25}%`, plot.x + plot.w + 6, y);
    }
    context.fillStyle = COLORS.text;
    context.textAlign = "center";
    context.textBaseline = "top";
    if (this.iterations > 0) {
      context.fillText("0", xOf(0), plot.y + plot.h + 6);
      const unit = this.iterations === 1 ? "iteration" : "iterations";
      context.fillText(`${this.iterations} ${unit}`, xOf(this.iterations) - 30, plot.y + plot.h + 6);
    }
    context.textAlign = "left";
    context.textBaseline = "middle";
    context.fillStyle = COLORS.loss;
    context.fillText("● loss", plot.x + 6, PAD.top / 2 + 1);
    context.fillStyle = COLORS.accuracy;
    context.fillText("● training accuracy", plot.x + 62, PAD.top / 2 + 1);
    this.line(context, (p) => p.loss / lossMax, COLORS.loss, xOf, plot);
    this.line(context, (p) => p.accuracy, COLORS.accuracy, xOf, plot);
  }

  /** One series, values as fractions of the plot's height. */
  line(context, value, color, xOf, plot) {
    const points = this.points.filter((p) => Number.isFinite(value(p)));
    if (points.length === 0) return;
    context.strokeStyle = color;
    context.fillStyle = color;
    context.lineWidth = 2;
    context.beginPath();
    points.forEach((p, i) => {
      const x = xOf(p.iteration);
      const y = plot.y + plot.h - value(p) * plot.h;
      if (i === 0) context.moveTo(x, y);
      else context.lineTo(x, y);
    });
    context.stroke();
    const last = points.at(-1);
    context.beginPath();
    context.arc(xOf(last.iteration), plot.y + plot.h - value(last) * plot.h, 3, 0, 2 * Math.PI);
    context.fill();
  }
}
