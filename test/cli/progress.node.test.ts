// The progress line in a terminal of 80 columns: redrawn every second between reports, never wider than
// the terminal, and ended so that the summary printed after it starts on a clean line.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { episodeProgress, fitLine, progressView } from "../../src/cli/progress.ts";
import type { TrainProgress } from "../../src/train/train.ts";

/** A terminal screen: carriage returns, erase-to-end-of-line, newlines; writing past the last column wraps (recorded). */
class FakeTerminal {
  lines: string[] = [""];
  column = 0;
  wrapped = 0;
  writes = 0;
  constructor(readonly columns: number) {}

  write(text: string): boolean {
    this.writes++;
    for (let i = 0; i < text.length; i++) {
      const row = this.lines.length - 1;
      if (text.startsWith("\x1b[K", i)) {
        this.lines[row] = this.lines[row]!.slice(0, this.column);
        i += 2;
      } else if (text[i] === "\r") this.column = 0;
      else if (text[i] === "\n") {
        this.lines.push("");
        this.column = 0;
      } else {
        if (this.column === this.columns) {
          this.wrapped++;
          this.lines.push("");
          this.column = 0;
        }
        const line = this.lines[this.lines.length - 1]!.padEnd(this.column);
        this.lines[this.lines.length - 1] = line.slice(0, this.column) + text[i] + line.slice(this.column + 1);
        this.column++;
      }
    }
    return true;
  }

  /** The visible lines, without the empty one the cursor sits on after a newline. */
  screen(): string[] {
    return this.lines.at(-1) === "" ? this.lines.slice(0, -1) : this.lines;
  }
}

const report = (iteration: number, extra: Partial<TrainProgress> = {}): TrainProgress => ({
  iteration, iterations: 2000, loss: 0.35631234, accuracy: 0.8812, lr: 0.001, tasksPerSecond: 1.2345,
  seconds: iteration * 0.8, etaSeconds: (2000 - iteration) * 0.8, skipped: 0, ...extra,
});

describe("progress in an 80-column terminal", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] }));
  afterEach(() => vi.useRealTimers());

  it("redraws every second between reports (ETA moves), fits 80 columns, and the summary after it is clean", () => {
    const tty = new FakeTerminal(80);
    const out = (line: string) => void tty.write(line + "\n"); // stdout on the same terminal
    const view = progressView({ out, err: out, tty, env: {} });
    view.update(report(1));
    const first = tty.screen().at(-1)!;
    expect(first).toMatch(/^\[-+\] +0%  iteration 1\/2000  ETA 26m39s  loss 0\.3563/);
    const writes = tty.writes;
    vi.advanceTimersByTime(3000);
    expect(tty.writes - writes).toBeGreaterThanOrEqual(3);
    expect(tty.screen().at(-1)).toMatch(/ETA 26m36s/);
    view.update(report(48, { validation: { kind: "classification", accuracy: 0.9, ci95: 0.02, episodes: 50 } as TrainProgress["validation"] }));
    for (let i = 49; i <= 2000; i += 97) view.update(report(i));
    view.stop();
    const summary = "protonet on omniglot, lake split: saved proto-omni.safetensors";
    out(summary);
    const screen = tty.screen();
    expect(tty.wrapped).toBe(0);
    for (const line of screen) expect(line.length).toBeLessThanOrEqual(80);
    expect(screen.at(-1)).toBe(summary);
    expect(screen.at(-2)).toMatch(/^\[#+-*\] +\d+%  iteration 1989\/2000  ETA \S+  loss 0.3563  accuracy 88.1%/);
    expect(screen).toContain("  validation accuracy 90.00% ± 2.00% (50 episodes)");
    expect(screen.filter((l) => l.startsWith("["))).toHaveLength(1); // the validation line replaced the bar, redrawn below it
  });

  it("narrow terminals keep the most important parts; evaluation shows its episodes", () => {
    const tty = new FakeTerminal(40);
    const view = progressView({ out() {}, err() {}, tty, env: {} });
    view.update(report(10));
    view.stop();
    expect(tty.wrapped).toBe(0);
    expect(tty.screen().at(-1)).toMatch(/^\[#?-+\] +\d%  iteration 10\/2000$/);
    const wide = new FakeTerminal(80);
    const episodes = episodeProgress({ out() {}, err() {}, tty: wide, env: {} }, "omniglot test");
    episodes.update(150, 600);
    episodes.stop();
    expect(wide.screen().at(-1)).toMatch(/^\[#+-+\]  25%  episode 150\/600  ETA \S+  \S+ elapsed  omniglot test$/);
    expect(fitLine(["abc", "defgh"], 7)).toBe("abc");
    expect(fitLine(["abcdefghij"], 5)).toBe("abcd…");
  });

  it("without a terminal: plain lines, no control characters", () => {
    const lines: string[] = [];
    const view = progressView({ out() {}, err: (l) => void lines.push(l), env: {} });
    view.update(report(1));
    view.stop();
    expect(lines).toEqual(["iteration 1/2000  ETA 26m39s  loss 0.3563  accuracy 88.1%  1.23 tasks/s  0.8s elapsed"]);
  });
});
