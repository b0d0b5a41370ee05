/**
 * Training progress on the command line: a bar (cli-progress) when stderr is a terminal, else a plain line
 * at most every few seconds, plus one line per validation. Always on stderr, so stdout keeps only results.
 */
import cliProgress from "cli-progress";
import type { TrainProgress } from "../train/train.ts";
import { duration, loss, percent, rate } from "./format.ts";
import type { CliIO } from "./io.ts";

export interface ProgressView {
  update(p: TrainProgress): void;
  stop(): void;
}

function validationText(p: TrainProgress): string | undefined {
  const v = p.validation;
  if (!v) return undefined;
  if (v.kind === "classification") return `validation accuracy ${percent(v.accuracy)} ± ${percent(v.ci95)} (${v.episodes} episodes)`;
  return `validation MSE ${Object.entries(v.mse).map(([k, m]) => `${k} step${k === "1" ? "" : "s"} ${loss(m)}`).join(", ")}`;
}

function line(p: TrainProgress): string {
  const parts = [
    `iteration ${p.iteration}${p.iterations !== undefined ? `/${p.iterations}` : ""}`,
    `loss ${loss(p.loss)}`,
    ...(p.accuracy !== undefined ? [`accuracy ${percent(p.accuracy, 1)}`] : []),
    `${rate(p.tasksPerSecond)} tasks/s`,
    `ETA ${duration(p.etaSeconds)}`,
    ...(p.skipped ? [`${p.skipped} non-finite steps skipped`] : []),
  ];
  return parts.join("  ");
}

/** `budgetSeconds`: the minutes budget, when there is no iteration budget (the bar then fills with time). */
export function progressView(io: CliIO, budgetSeconds?: number): ProgressView {
  if (!io.tty) {
    let last = -Infinity;
    return {
      update(p) {
        const now = performance.now();
        const v = validationText(p);
        if (now - last >= 5000 || v) {
          io.err(line(p) + (v ? `  ${v}` : ""));
          last = now;
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({
    stream: io.tty,
    format: "{bar} {percentage}% | {detail}",
    hideCursor: true,
    clearOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  bar.start(100, 0, { detail: "starting" });
  return {
    update(p) {
      const fraction = p.iterations !== undefined ? p.iteration / p.iterations : budgetSeconds ? p.seconds / budgetSeconds : 0;
      bar.update(Math.min(100, Math.round(fraction * 1000) / 10), { detail: line(p) });
      const v = validationText(p);
      if (v) io.tty!.write(`\n  ${v}\n`);
    },
    stop() {
      bar.stop();
    },
  };
}
