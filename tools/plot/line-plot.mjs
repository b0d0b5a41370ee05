// Line plots drawn to PNG without dependencies: series of (x, y) points on linear x and log10 y axes,
// grid lines at every power of ten and at x ticks, tick labels in a 3×5 pixel font, a legend of coloured
// swatches with labels. Used by bench/learned-optimizer.mjs for the loss-against-step figure.
import { encodePng } from "./png.mjs";

// 3×5 glyphs, one string of 15 bits per character, rows top to bottom.
const FONT = {
  0: "111101101101111", 1: "010110010010111", 2: "111001111100111", 3: "111001111001111", 4: "101101111001001",
  5: "111100111001111", 6: "111100111101111", 7: "111001001001001", 8: "111101111101111", 9: "111101111001111",
  "-": "000000111000000", ".": "000000000000010", e: "000111101110011", " ": "000000000000000",
};
const LETTERS = {
  a: "000011101101011", f: "011100110100100", b: "100100111101111", c: "000111100100111", d: "001001111101111", g: "111101111001111",
  h: "100100111101101", i: "010000010010010", k: "100101110101101", l: "110010010010111", m: "000111111101101",
  n: "000110101101101", o: "000111101101111", p: "000111101111100", q: "000111101111001", r: "000111100100100", s: "000011110001110",
  t: "010111010010011", u: "000101101101111", v: "000101101101010", w: "000101101111111", x: "000101010101101",
  y: "000101111001111", z: "000111010100111", "(": "010100100100010", ")": "010001001001010", "%": "101001010100101",
  ",": "000000000010100", "=": "000111000111000", "×": "000101010101000", ":": "000010000010000", "/": "001001010100100",
};
Object.assign(FONT, LETTERS);

export const COLOURS = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [23, 190, 207]];

function canvas(width, height) {
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const set = (x, y, c) => {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    rgb.set(c, (y * width + x) * 3);
  };
  const text = (x, y, s, c = [0, 0, 0], scale = 2) => {
    let cx = x;
    for (const ch of s.toLowerCase()) {
      const bits = FONT[ch] ?? FONT[" "];
      for (let r = 0; r < 5; r++) for (let q = 0; q < 3; q++) {
        if (bits[r * 3 + q] === "1") for (let a = 0; a < scale; a++) for (let b = 0; b < scale; b++) set(cx + q * scale + a, y + r * scale + b, c);
      }
      cx += 4 * scale;
    }
    return cx - x;
  };
  const line = (x0, y0, x1, y1, c, thick = 1) => {
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    for (let i = 0; i <= n; i++) {
      const x = x0 + ((x1 - x0) * i) / n;
      const y = y0 + ((y1 - y0) * i) / n;
      for (let a = 0; a < thick; a++) for (let b = 0; b < thick; b++) set(x + a - (thick >> 1), y + b - (thick >> 1), c);
    }
  };
  return { rgb, set, text, line };
}

/**
 * PNG bytes of a plot. `series`: [{ label, points: [[x, y], ...] }] with y > 0 (log scale).
 * Options: width, height, xLabel, yLabel, xTicks (values).
 */
export function linePlot(series, options = {}) {
  const width = options.width ?? 720;
  const height = options.height ?? 480;
  const c = canvas(width, height);
  const left = 70, right = width - 20, top = 20, bottom = height - 50;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((y) => y > 0 && Number.isFinite(y));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [ly0, ly1] = [Math.floor(Math.log10(Math.min(...ys))), Math.ceil(Math.log10(Math.max(...ys)))];
  const px = (x) => left + ((x - x0) / (x1 - x0 || 1)) * (right - left);
  const py = (y) => bottom - ((Math.log10(y) - ly0) / (ly1 - ly0 || 1)) * (bottom - top);
  const grey = [220, 220, 220];
  for (let e = ly0; e <= ly1; e++) {
    c.line(left, py(10 ** e), right, py(10 ** e), grey);
    c.text(8, py(10 ** e) - 5, `1e${e}`);
  }
  for (const t of options.xTicks ?? [x0, x1]) {
    c.line(px(t), top, px(t), bottom, grey);
    c.text(px(t) - 8, bottom + 8, String(t));
  }
  c.line(left, bottom, right, bottom, [0, 0, 0]);
  c.line(left, top, left, bottom, [0, 0, 0]);
  if (options.xLabel) c.text((left + right) / 2 - 4 * options.xLabel.length, bottom + 28, options.xLabel);
  if (options.yLabel) c.text(8, 4, options.yLabel);
  series.forEach((s, k) => {
    const colour = COLOURS[k % COLOURS.length];
    const pts = s.points.filter((p) => p[1] > 0 && Number.isFinite(p[1]));
    for (let i = 1; i < pts.length; i++) c.line(px(pts[i - 1][0]), py(pts[i - 1][1]), px(pts[i][0]), py(pts[i][1]), colour, 2);
    const ly = top + 10 + k * 16;
    c.line(right - 200, ly + 4, right - 180, ly + 4, colour, 3);
    c.text(right - 172, ly, s.label);
  });
  return encodePng(width, height, c.rgb);
}
