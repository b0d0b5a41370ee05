// Type-checked by scripts/test-consumer.mjs in an empty project where the packed kshot is installed, with
// skipLibCheck false and no @webgpu/types: kshot's declarations must compile there.
import * as ks from "kshot";

export async function classify(checkpoint: Uint8Array, images: ks.ImageLike[]): Promise<ks.Prediction[]> {
  await ks.init({ backend: "wasm" });
  const report: ks.BackendReport = await ks.backendReport();
  console.log(report.auto);
  const x: ks.Tensor = ks.tensor([1, 2, 3]);
  const y: ks.TensorRecord = { y: ks.sum(ks.mul(x, x)) };
  console.log(await y.y!.data());
  const learner: ks.Learner = await ks.Learner.load(checkpoint);
  return learner.predict(images);
}
