/** `kshot data omniglot [--to DIR] [--json]`: downloads and converts a dataset into kshot's data folder. */
import { resolve } from "node:path";
import { flag, type ParsedFlags, UsageError } from "../args.ts";
import type { Command } from "../command.ts";
import { datasetFolder } from "../data-cache.ts";
import type { DownloadProgress } from "../download.ts";
import type { CliIO } from "../io.ts";
import { downloadOmniglot, hasCompactOmniglot, omniglotArchives, OMNIGLOT_FILES } from "../omniglot-download.ts";
import { fractionProgress } from "../progress.ts";

const MB = 1024 * 1024;

export const dataCommand: Command = {
  name: "data",
  summary: "download a dataset's official archives (MD5-checked, resumable) and convert them to what --dataset reads",
  synopsis: "omniglot [--to DIR] [--json]",
  operands: 1,
  flags: ["to", "json"],
  notes: "Prints the folder; kshot train --dataset omniglot finds it there without --data.",
  run: dataRun,
};

/** Download progress: megabytes received (of the total, when known). */
function downloadProgress(io: CliIO): { update(p: DownloadProgress): void; stop(): void } {
  const bar = fractionProgress(io);
  return {
    update: (p) => bar.update(p.total ? p.received / p.total : undefined, `${(p.received / MB).toFixed(1)}${p.total ? ` of ${(p.total / MB).toFixed(1)}` : ""} MB`),
    stop: () => bar.stop(),
  };
}

async function dataRun(f: ParsedFlags, io: CliIO, operands: readonly string[]): Promise<number> {
  const [dataset] = operands;
  if (dataset !== "omniglot") {
    throw new UsageError(`kshot data: expected a dataset to download, omniglot, got ${dataset === undefined ? "nothing" : JSON.stringify(dataset)}`);
  }
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
