/** Tiny, fast tasks for the training tests: Gaussian class clusters in a few dimensions, and sinusoids. */
import type { ImageDataset } from "../../src/data/dataset.ts";
import { sinusoid } from "../../src/data/sinusoid.ts";
import { tasks } from "../../src/data/tasks.ts";
import { Rng } from "../../src/rng.ts";

/** `classes` clusters of `examples` points in `dim` dimensions (images [1, 1, dim]): centre ± noise. */
export function clusters(classes: number, examples: number, dim = 4, seed = 0, noise = 0.3): ImageDataset {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => rng.normal()));
  const images = new Float32Array(classes * examples * dim);
  const labels = new Int32Array(classes * examples);
  for (let c = 0; c < classes; c++) {
    for (let e = 0; e < examples; e++) {
      const i = c * examples + e;
      labels[i] = c;
      for (let d = 0; d < dim; d++) images[i * dim + d] = centres[c]![d]! + noise * rng.normal();
    }
  }
  return { images, labels, numClasses: classes, shape: [1, 1, dim] };
}

export const clusterTasks = (seed = 1, ways = 3, shots = 1, queries = 2, classes = 12) =>
  tasks(clusters(classes, 6, 4, 100 + classes), { ways, shots, queries, seed });

export const sineTasks = (seed = 1, shots = 4) => sinusoid({ shots, queries: shots, seed });
