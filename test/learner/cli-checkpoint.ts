/** What the CLI-checkpoint tests check, shared by the portable test and the Node one. */
import * as ks from "../../src/index.ts";
import { accuracyOf, glyphTask, probabilityRows } from "./fixtures.ts";

/** `kshot train` arguments for a small ProtoNet on glyphs (seconds); scripts/test-deno.mjs uses the same. */
export const CLI_TRAIN_ARGS = ["train", "--algo", "protonet", "--dataset", "glyphs", "--iterations", "20", "--hidden", "8", "--ways", "5", "--shots", "1", "--queries", "2", "--meta-batch", "1", "--episodes", "10", "--backend", "wasm"];

/** Loads the checkpoint at `path`, adapts it to a 5-way 5-shot task of unseen glyph classes, predicts 50 queries. */
export async function adaptCliCheckpoint(path: string): Promise<{ algorithm: string; accuracy: number; sums: number[]; tensorsBefore: number }> {
  const tensorsBefore = ks.memory().tensors;
  const learner = await ks.Learner.load(path);
  const task = glyphTask(5, 5, 10, 0, {});
  await learner.adapt(task.support, task.supportLabels);
  const p = await learner.predict(task.query);
  learner.dispose();
  return {
    algorithm: learner.algorithm,
    accuracy: accuracyOf(p, task.queryLabels),
    sums: probabilityRows(p).map((row) => row.reduce((a, b) => a + b, 0)),
    tensorsBefore,
  };
}
