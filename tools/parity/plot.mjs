#!/usr/bin/env node
// Plots every bench/parity/<name>.json (tools/parity/run.mjs) as one panel of validation accuracy against
// meta-iterations, kshot beside the PyTorch reference with their 95% intervals, to bench/parity/curves.svg
// and, through headless Chromium (the browser tests' launcher), bench/parity/curves.png.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findChromium, launchChromium } from "../../test/browser/chromium.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dir = join(root, "bench/parity");
const PANEL = { w: 420, h: 300, left: 56, right: 16, top: 48, bottom: 44 };
const SERIES = [["kshot", "#1f6fb4"], ["torch", "#e07b00"]];

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");

function panel(r, x0, y0) {
  const { w, h, left, right, top, bottom } = PANEL;
  const all = SERIES.flatMap(([k]) => r[k].curve);
  const xMax = Math.max(...all.map((p) => p.iteration));
  const lo = Math.max(0, Math.floor((Math.min(...all.map((p) => p.accuracy - p.ci95)) * 100) / 10) * 10);
  const hi = Math.min(100, Math.ceil((Math.max(...all.map((p) => p.accuracy + p.ci95)) * 100) / 10) * 10);
  const X = (i) => x0 + left + (i / xMax) * (w - left - right);
  const Y = (a) => y0 + top + (1 - (a * 100 - lo) / (hi - lo)) * (h - top - bottom);
  const out = [];
  const t = r.run.train;
  out.push(`<text x="${x0 + w / 2}" y="${y0 + 18}" text-anchor="middle" font-size="14" font-weight="bold">${esc(r.name)}</text>`);
  const v = r.run.validation;
  out.push(`<text x="${x0 + w / 2}" y="${y0 + 34}" text-anchor="middle" font-size="11">training ${t.ways}w${t.shots}s${t.queries}q × ${t.tasks}; validation ${v.ways}w${v.shots}s${v.queries}q, ${v.episodes} episodes</text>`);
  for (let a = lo; a <= hi; a += 10) {
    out.push(`<line x1="${X(0)}" x2="${X(xMax)}" y1="${Y(a / 100)}" y2="${Y(a / 100)}" stroke="#ddd"/>`);
    out.push(`<text x="${X(0) - 6}" y="${Y(a / 100) + 4}" text-anchor="end" font-size="11">${a}%</text>`);
  }
  for (const p of r.kshot.curve) out.push(`<text x="${X(p.iteration)}" y="${y0 + h - bottom + 16}" text-anchor="middle" font-size="11">${p.iteration}</text>`);
  out.push(`<text x="${x0 + w / 2}" y="${y0 + h - 8}" text-anchor="middle" font-size="11">meta-iterations (same episodes, same initial parameters)</text>`);
  out.push(`<line x1="${X(0)}" x2="${X(xMax)}" y1="${Y(lo / 100)}" y2="${Y(lo / 100)}" stroke="#333"/>`);
  SERIES.forEach(([k, color], s) => {
    const dx = (s - 0.5) * 6;
    const pts = r[k].curve.map((p) => `${X(p.iteration) + dx},${Y(p.accuracy)}`).join(" ");
    out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of r[k].curve) {
      out.push(`<line x1="${X(p.iteration) + dx}" x2="${X(p.iteration) + dx}" y1="${Y(p.accuracy - p.ci95)}" y2="${Y(p.accuracy + p.ci95)}" stroke="${color}"/>`);
      out.push(`<circle cx="${X(p.iteration) + dx}" cy="${Y(p.accuracy)}" r="3" fill="${color}"/>`);
    }
  });
  return out.join("\n");
}

async function main() {
  const results = readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
  const cols = Math.min(2, results.length);
  const rows = Math.ceil(results.length / cols);
  const width = cols * PANEL.w;
  const height = rows * PANEL.h + 30;
  const body = results.map((r, i) => panel(r, (i % cols) * PANEL.w, Math.floor(i / cols) * PANEL.h)).join("\n");
  const legend = SERIES.map(([k, color], i) => `<rect x="${20 + i * 200}" y="${height - 22}" width="14" height="4" fill="${color}"/><text x="${40 + i * 200}" y="${height - 16}" font-size="12">${k === "kshot" ? "kshot (wasm, 1 thread)" : "PyTorch reference (tools/parity)"}</text>`).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><title>Validation accuracy against meta-iterations: kshot and the PyTorch reference</title><rect width="100%" height="100%" fill="white"/>${body}${legend}</svg>\n`;
  writeFileSync(join(dir, "curves.svg"), svg);
  const chromium = findChromium();
  if (!chromium) throw new Error("no Chromium for the PNG (the SVG is written)");
  const { browser, close } = await launchChromium(chromium);
  try {
    const page = await browser.newPage();
    await page.setViewport({ width, height });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await page.screenshot({ path: join(dir, "curves.png"), clip: { x: 0, y: 0, width, height } });
  } finally {
    await close();
  }
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});
