// Step 1: reads the training form, runs train-worker.js, and shows its progress (status line, progress bar,
// live chart). The trained checkpoint goes to `onTrained`; the page decides what to do with it.
import { TrainingChart } from "./chart.js";

const $ = (id) => /** @type {any} */ (document.getElementById(id));

/**
 * @typedef {{ backend: string, iterations: number, hidden: number, ways: number, shots: number, queries: number,
 *             metric: string, seed: number, metaLr: number, evalEpisodes: number }} TrainingSettings
 */

function intSetting(id, min, max) {
  const value = Number($(id).value);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${id} must be an integer from ${min} to ${max}, got ${$(id).value}`);
  return value;
}

/**
 * The form's settings; `extra` (from the query string) may give queries, seed and eval.
 * @param {URLSearchParams} extra
 * @returns {TrainingSettings}
 */
export function trainingSettings(extra) {
  const shots = intSetting("shots", 1, 10);
  return {
    backend: $("backend").value,
    iterations: intSetting("iterations", 1, 100000),
    hidden: intSetting("hidden", 4, 128),
    ways: intSetting("ways", 2, 60),
    shots,
    queries: Number(extra.get("queries") ?? shots),
    metric: $("metric").value,
    seed: Number(extra.get("seed") ?? 0),
    metaLr: 1e-3,
    evalEpisodes: Number(extra.get("eval") ?? 20),
  };
}

export class TrainingPanel {
  /**
   * @param {{ onTrained: (bytes: Uint8Array, iterations: number) => void, onError: (context: string, error: unknown) => void,
   *           onRunningChange: () => void }} events
   */
  constructor(events) {
    this.events = events;
    this.chart = new TrainingChart($("chart"));
    /** @type {Worker | undefined} */
    this.worker = undefined;
  }

  get running() {
    return this.worker !== undefined;
  }

  /** @param {TrainingSettings} settings */
  start(settings) {
    this.end();
    const worker = new Worker(new URL("./train-worker.js", import.meta.url), { type: "module" });
    worker.onmessage = (event) => this.onMessage(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.end();
      this.events.onError("the training worker failed", event.message || "it could not start (is dist/kshot.mjs built?)");
    };
    this.worker = worker;
    this.chart.reset(settings.iterations);
    $("train-progress").value = 0;
    $("train-status").textContent = `Starting: ${settings.ways}-way ${settings.shots}-shot episodes, Conv-4 with ${settings.hidden} filters, ${settings.metric} distance…`;
    worker.postMessage({ type: "train", settings });
    this.events.onRunningChange();
  }

  /** Asks the worker to stop; it still evaluates and sends the checkpoint of what it learned so far. */
  stop() {
    if (!this.worker) return;
    this.worker.postMessage({ type: "stop" });
    $("train-status").textContent += " Stopping…";
  }

  /** Ends the worker at once. */
  end() {
    if (!this.worker) return;
    this.worker.terminate();
    this.worker = undefined;
    this.events.onRunningChange();
  }

  onMessage(m) {
    if (m.type === "ready") {
      $("train-status").textContent = `Training on the ${m.backend} backend…`;
    } else if (m.type === "progress") {
      this.chart.push(m);
      $("train-progress").value = m.iteration / m.iterations;
      const accuracy = m.accuracy !== undefined ? `, accuracy ${(m.accuracy * 100).toFixed(1)}%` : "";
      $("train-status").textContent = `iteration ${m.iteration} / ${m.iterations}: loss ${m.loss.toFixed(3)}${accuracy}, ` +
        `${m.tasksPerSecond.toFixed(1)} episodes/s, ${m.seconds.toFixed(0)} s`;
    } else if (m.type === "done") {
      const held = m.heldOut ? `; on unseen glyphs (5-way 1-shot, ${m.heldOut.episodes} episodes): ${(m.heldOut.accuracy * 100).toFixed(1)}%` : "";
      $("train-status").textContent = `${m.stopped === "aborted" ? "Stopped" : "Done"} after ${m.iterations} iterations in ${m.seconds.toFixed(0)} s, ` +
        `loss ${m.loss.toFixed(3)}${held}.`;
      $("train-progress").value = 1;
      this.chart.finish(m.iterations);
      this.end();
      this.events.onTrained(new Uint8Array(m.checkpoint), m.iterations);
    } else if (m.type === "error") {
      this.end();
      this.events.onError("training failed", m.message);
    }
  }
}
