/** The kshot package folder (holding package.json), found upward from this file: `src/cli/` or `dist/`. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: { root: string; version: string } | undefined;

export function packageInfo(): { root: string; version: string } {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (json.name === "kshot") return (cached = { root: dir, version: json.version ?? "unknown" });
    }
    const parent = dirname(dir);
    if (parent === dir) return (cached = { root: process.cwd(), version: "unknown" });
    dir = parent;
  }
}
