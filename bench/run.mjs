// Runs every bench/*.bench.mjs in its own process; each prints JSON lines (one object per measurement,
// each with a "name"). Extra arguments are passed through (e.g. --quick).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.env.KSHOT_BENCH ? new RegExp(process.env.KSHOT_BENCH) : null;
let failed = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".bench.mjs")).sort()) {
  if (only && !only.test(file)) continue;
  const r = spawnSync(process.execPath, [join(dir, file), ...process.argv.slice(2)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.error(`bench: ${file} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
