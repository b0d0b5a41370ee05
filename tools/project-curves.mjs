// What each Omniglot run's validation curve projects at its recipe's full budget.
//
// Reads the table of `## Omniglot reproductions` in bench/RESULTS.md (budget, test accuracies, validation
// curve as `iteration: accuracy` points) and the recipes' iteration budgets from src/cli/defaults.ts (bundled
// with esbuild), fits a power law to the validation error, err(n) = a·n^(−b) (least squares in log–log, the
// usual shape of learning curves), and scales each measured test error by (N / n)^(−b), where n is the run's
// iterations and N the recipe's. A straight-line extrapolation in log–log over one to two decades from two to
// five points of ±2–3.5: an order of magnitude, not a result. Prints one JSON line per row, then a Markdown
// table.
//
// usage: node tools/project-curves.mjs [RESULTS.md]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const results = process.argv[2] ?? join(root, "bench/RESULTS.md");

/** The model column's words → the algorithm whose recipe budget applies. */
const ALGORITHMS = [
  [/^MAML/, "maml"], [/^FOMAML/, "fomaml"], [/^Meta-SGD/, "metasgd"], [/^ANIL/, "anil"], [/ProtoNet/, "protonet"],
  [/^Matching Networks/, "matchingnet"], [/Reptile/, "reptile"], [/^fine-tuning/, "finetune"],
];

async function recipes() {
  const esbuild = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "kshot-recipes-"));
  try {
    const outfile = join(dir, "defaults.mjs");
    await esbuild.build({ entryPoints: [join(root, "src/cli/defaults.ts")], bundle: true, format: "esm", platform: "node", outfile, logLevel: "warning" });
    return (await import(pathToFileURL(outfile).href)).RECIPES;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const number = (s) => Number(s.replace(/,/g, ""));
/** A table cell's leading percentage ("96.07% ± 0.36" → 96.07), or undefined. */
const accuracy = (cell) => {
  const m = /^([\d.]+)%/.exec(cell ?? "");
  return m ? Number(m[1]) : undefined;
};

/** Rows of the reproduction table as { model, iterations, oneShot, fiveShot, curve: [[n, acc]] }. */
function tableRows(markdown) {
  const section = markdown.split(/^## /m).find((s) => s.startsWith("Omniglot reproductions"));
  if (!section) throw new Error(`${results}: no "## Omniglot reproductions" section`);
  const rows = [];
  for (const line of section.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| model") && !l.startsWith("| ---"))) {
    const [model, , budget, one, five, curve] = line.split("|").slice(1).map((c) => c.trim());
    const iterations = /([\d,]+) (?:it\.|episodes|steps)/.exec(budget ?? "");
    const points = [...(curve ?? "").matchAll(/([\d,]+): ([\d.]+)/g)].map((m) => [number(m[1]), Number(m[2])]);
    if (!iterations || points.length < 2) continue;
    rows.push({ model, iterations: number(iterations[1]), oneShot: accuracy(one), fiveShot: accuracy(five), curve: points });
  }
  return rows;
}

/** The exponent b of err = a·n^(−b), least squares on (ln n, ln err). */
function powerLawExponent(points) {
  const xs = points.map(([n]) => Math.log(n));
  const ys = points.map(([, acc]) => Math.log(100 - acc));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return -sxy / sxx;
}

const recipe = await recipes();
const lines = [];
for (const row of tableRows(readFileSync(results, "utf8"))) {
  const algorithm = ALGORITHMS.find(([re]) => re.test(row.model))?.[1];
  if (!algorithm) throw new Error(`${results}: no algorithm for the row "${row.model}"`);
  const budget = recipe[algorithm].images.iterations;
  const b = powerLawExponent(row.curve);
  const project = (acc) => (acc === undefined || b <= 0 ? undefined : Math.round((100 - (100 - acc) * (budget / row.iterations) ** -b) * 10) / 10);
  const out = { model: row.model, algorithm, iterations: row.iterations, recipeIterations: budget, exponent: Math.round(b * 100) / 100, oneShot: row.oneShot, fiveShot: row.fiveShot, projectedOneShot: project(row.oneShot), projectedFiveShot: project(row.fiveShot) };
  console.log(JSON.stringify(out));
  lines.push(out);
}
console.log("\n| model | iterations run | recipe's budget | exponent b | 5w1s now → projected | 5w5s now → projected |\n| --- | --- | --- | --- | --- | --- |");
const cell = (now, projected) => (now === undefined ? "" : `${now}% → ${projected === undefined ? "flat curve" : `${projected}%`}`);
for (const r of lines) {
  console.log(`| ${r.model} | ${r.iterations.toLocaleString("en-US")} | ${r.recipeIterations.toLocaleString("en-US")} | ${r.exponent} | ${cell(r.oneShot, r.projectedOneShot)} | ${cell(r.fiveShot, r.projectedFiveShot)} |`);
}
