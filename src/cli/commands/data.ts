/** `kshot data omniglot [--to DIR] [--json]`: downloads and converts a dataset into kshot's data folder. */
import cliProgress from "cli-progress";
import { resolve } from "node:path";
import { flag, type FlagSpec, parseFlags, UsageError } from "../args.ts";
import { datasetFolder } from "../data-cache.ts";
import type { DownloadProgress } from "../download.ts";
import type { CliIO } from "../io.ts";
import { downloadOmniglot, hasCompactOmniglot, omniglotArchives, OMNIGLOT_FILES } from "../omniglot-download.ts";

export const DATA_FLAGS: FlagSpec = { to: "string", json: "switch" };

const MB = 1024 * 1024;

/** Download progress: a bar on a terminal, else a line every few seconds. */
function downloadProgress(io: CliIO): { update(p: DownloadProgress): void; stop(): void } {
  const text = (p: DownloadProgress) => `${(p.received / MB).toFixed(1)}${p.total ? ` of ${(p.total / MB).toFixed(1)}` : ""} MB`;
  if (!io.tty) {
    let last = -Infinity;
    return {
      update(p) {
        if (performance.now() - last < 5000) return;
        last = performance.now();
        io.err(`  ${text(p)}`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({ stream: io.tty, format: "{bar} {percentage}% | {detail}", hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(p) {
      if (!started) bar.start(100, 0, { detail: "" });
      started = true;
      bar.update(p.total ? Math.min(100, Math.round((1000 * p.received) / p.total) / 10) : 0, { detail: text(p) });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

export async function dataCommand(args: readonly string[], io: CliIO): Promise<number> {
  const [dataset, ...rest] = args;
  if (dataset !== "omniglot") {
    throw new UsageError(`kshot data: expected a dataset to download, omniglot, got ${dataset === undefined ? "nothing" : JSON.stringify(dataset)}`);
  }
  const f = parseFlags("data", rest, DATA_FLAGS);
  const to = resolve(flag.string(f, "to") ?? datasetFolder(io.env, "omniglot"));
  const report = (images: number | undefined) => {
    if (flag.on(f, "json")) io.out(JSON.stringify({ dataset, path: to, files: OMNIGLOT_FILES, ...(images !== undefined ? { images } : {}) }));
    else io.out(to);
  };
  if (await hasCompactOmniglot(to)) {
    io.err(`omniglot is already in ${to}`);
    report(undefined);
    return 0;
  }
  const progress = downloadProgress(io);
  try {
    const images = await downloadOmniglot({
      to,
      archives: omniglotArchives(io.env),
      onProgress: (p) => progress.update(p),
      onStep: (message) => {
        progress.stop();
        io.err(message);
      },
      signal: io.interrupt,
    });
    report(images);
  } finally {
    progress.stop();
  }
  return 0;
}
