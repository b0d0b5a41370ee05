/**
 * Progress on the command line, always on stderr (stdout keeps only results). On a terminal: one status
 * line, redrawn at least once a second (elapsed time and ETA move between reports) and cut to the
 * terminal's width, so it never wraps; lines that must stay (validation results) are printed above it;
 * `stop()` leaves the last state on its own line, so what follows starts on a fresh one. Elsewhere: a plain
 * line at most every few seconds, plus each line that must stay.
 */
import type { TrainProgress } from "../train/train.ts";
import { duration, loss, percent, rate } from "./format.ts";
import type { CliIO } from "./io.ts";

export interface ProgressView {
  update(p: TrainProgress): void;
  stop(): void;
}

/** The terminal stream: written to, with a width (columns) when it knows one. */
export interface TerminalStream {
  write(text: string): unknown;
  columns?: number;
}

const REDRAW_MS = 1000;
const PLAIN_EVERY_MS = 5000;
const CLEAR_LINE = "\r\x1b[K";

/** Parts of a status line, most important first: dropped from the end until the line fits. */
type Parts = string[];

/** `[#####-----] 45%`, `width` characters of bar. */
function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}%`;
}

/** The parts joined by two spaces, the least important dropped until the line has at most `width` characters. */
export function fitLine(parts: Parts, width: number): string {
  const kept = [...parts];
  let line = kept.join("  ");
  while (line.length > width && kept.length > 1) {
    kept.pop();
    line = kept.join("  ");
  }
  return line.length > width ? line.slice(0, Math.max(0, width - 1)) + "…" : line;
}

/**
 * One redrawn status line on a terminal. `render(now)` gives the parts and the fraction done; it is called
 * on every `refresh()` and once a second by a timer that never keeps the process alive.
 */
class StatusLine {
  readonly #tty: TerminalStream;
  readonly #render: () => { fraction: number; parts: Parts };
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(tty: TerminalStream, render: () => { fraction: number; parts: Parts }) {
    this.#tty = tty;
    this.#render = render;
    this.#timer = setInterval(() => this.refresh(), REDRAW_MS);
    (this.#timer as { unref?: () => void }).unref?.();
    this.refresh();
  }

  refresh(): void {
    // One column short of the width: a line that fills it would wrap on some terminals.
    const width = Math.max(20, (this.#tty.columns ?? 80) - 1);
    const { fraction, parts } = this.#render();
    const barWidth = Math.max(5, Math.min(20, Math.floor(width / 8)));
    this.#tty.write(CLEAR_LINE + fitLine([bar(fraction, barWidth), ...parts], width));
  }

  /** A line that stays, printed above the status line. */
  print(line: string): void {
    this.#tty.write(`${CLEAR_LINE}${line}\n`);
    this.refresh();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.refresh();
    this.#tty.write("\n");
  }
}

function validationText(p: TrainProgress): string | undefined {
  const v = p.validation;
  if (!v) return undefined;
  if (v.kind === "classification") return `validation accuracy ${percent(v.accuracy)} ± ${percent(v.ci95)} (${v.episodes} episodes)`;
  return `validation MSE ${Object.entries(v.mse).map(([k, m]) => `${k} step${k === "1" ? "" : "s"} ${loss(m)}`).join(", ")}`;
}

/** The parts of a training status, most important first; `since`: seconds since the report. */
function trainParts(p: TrainProgress, since: number): Parts {
  return [
    `iteration ${p.iteration}${p.iterations !== undefined ? `/${p.iterations}` : ""}`,
    `ETA ${duration(Math.max(0, p.etaSeconds - since))}`,
    `loss ${loss(p.loss)}`,
    ...(p.accuracy !== undefined ? [`accuracy ${percent(p.accuracy, 1)}`] : []),
    `${rate(p.tasksPerSecond)} tasks/s`,
    `${duration(p.seconds + since)} elapsed`,
    ...(p.skipped ? [`${p.skipped} non-finite steps skipped`] : []),
  ];
}

/** Training progress; `budgetSeconds`: the minutes budget, when there is no iteration budget (the bar then fills with time). */
export function progressView(io: CliIO, budgetSeconds?: number): ProgressView {
  if (!io.tty) {
    let last = -Infinity;
    return {
      update(p) {
        const now = performance.now();
        const v = validationText(p);
        if (now - last >= PLAIN_EVERY_MS || v) {
          io.err(trainParts(p, 0).join("  ") + (v ? `  ${v}` : ""));
          last = now;
        }
      },
      stop() {},
    };
  }
  const started = performance.now();
  let latest: { p: TrainProgress; at: number } | undefined;
  const line = new StatusLine(io.tty, () => {
    const now = performance.now();
    if (!latest) return { fraction: 0, parts: [`starting (${duration((now - started) / 1000)})`] };
    const { p, at } = latest;
    const since = (now - at) / 1000;
    const fraction = p.iterations !== undefined ? p.iteration / p.iterations : budgetSeconds ? (p.seconds + since) / budgetSeconds : 0;
    return { fraction, parts: trainParts(p, since) };
  });
  return {
    update(p) {
      latest = { p, at: performance.now() };
      const v = validationText(p);
      if (v) line.print(`  ${v}`);
      else line.refresh();
    },
    stop: () => line.stop(),
  };
}

/**
 * Progress as a fraction (undefined: unknown) and a text, e.g. bytes downloaded: the status line on a
 * terminal, else the text every few seconds. `stop()` ends the line; a later `update` starts a new one.
 */
export function fractionProgress(io: CliIO): { update(fraction: number | undefined, text: string): void; stop(): void } {
  let latest = { fraction: 0, text: "" };
  if (!io.tty) {
    let last = -Infinity;
    return {
      update(_, text) {
        if (performance.now() - last < PLAIN_EVERY_MS) return;
        last = performance.now();
        io.err(`  ${text}`);
      },
      stop() {},
    };
  }
  const tty = io.tty;
  let line: StatusLine | undefined;
  return {
    update(fraction, text) {
      latest = { fraction: fraction ?? 0, text };
      if (line) line.refresh();
      else line = new StatusLine(tty, () => ({ fraction: latest.fraction, parts: [latest.text] }));
    },
    stop() {
      line?.stop();
      line = undefined;
    },
  };
}

/** Test-episode progress (`done` of `total`), or nothing where stderr is not a terminal. */
export function episodeProgress(io: CliIO, what: string): { update(done: number, total: number): void; stop(): void } {
  if (!io.tty) return { update() {}, stop() {} };
  const started = performance.now();
  let state = { done: 0, total: 0, at: started };
  const line = new StatusLine(io.tty, () => {
    const { done, total, at } = state;
    const elapsed = (performance.now() - started) / 1000;
    const eta = done > 0 ? ((at - started) / 1000 / done) * (total - done) - (performance.now() - at) / 1000 : Number.NaN;
    const parts = [`episode ${done}/${total || "?"}`, `ETA ${done > 0 ? duration(Math.max(0, eta)) : "?"}`, `${duration(elapsed)} elapsed`, what];
    return { fraction: total ? done / total : 0, parts };
  });
  return {
    update(done, total) {
      state = { done, total, at: performance.now() };
      line.refresh();
    },
    stop: () => line.stop(),
  };
}
