// What every bench line says about the machine it ran on: the CPU model and cores, the 1-minute load
// average before the run (and whether that means the cores were shared), and the process's peak memory.
import { cpus, loadavg } from "node:os";

const round = (v, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The CPU model as the OS names it, and the logical cores. */
export function machine() {
  const list = cpus();
  return { cpu: list[0]?.model?.trim() || "unknown CPU", cores: list.length };
}

/**
 * Taken right before a measurement: the load then and whether the machine was busy (other work held more
 * than half of the cores, so figures from it are slower and noisier than on an idle machine).
 */
export function loadBefore() {
  const load = loadavg()[0];
  return { load_before_1m: round(load), busy: load > cpus().length / 2 };
}

/** Peak resident memory of this process so far, MiB (maxRSS is in KiB); null where the runtime lacks it. */
export function peakRssMiB() {
  try {
    return Math.round(process.resourceUsage().maxRSS / 1024);
  } catch {
    return null;
  }
}
