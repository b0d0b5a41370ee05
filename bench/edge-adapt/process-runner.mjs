// Runs the edge-adaptation measurement (measure.mjs) in this process: Node (`node process-runner.mjs
// KSHOT_MODULE WORK_DIR`) or Deno (`deno run -A process-runner.mjs KSHOT_MODULE WORK_DIR`; Deno provides
// node:fs and node:process too). WORK_DIR holds what edge-adapt.bench.mjs prepared (see task-files.mjs).
// Prints one JSON line.
import { argv } from "node:process";
import { peakRssMiB } from "../machine.mjs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { measureEdgeAdaptation } from "./measure.mjs";
import { readWorkDir } from "./task-files.mjs";

const [modulePath, workDir] = argv.slice(2);
const ks = await import(pathToFileURL(resolve(modulePath)).href);
const { checkpoints, task } = await readWorkDir(workDir);
const result = await measureEdgeAdaptation(ks, checkpoints, task);
console.log(JSON.stringify({ ...result, peakRssMiB: peakRssMiB() }));
