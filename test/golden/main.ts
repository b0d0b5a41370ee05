// The golden suite as a plain program: every *.safetensors case in KSHOT_FIXTURES (default
// ../shared/fixtures/torch) on the backend named by KSHOT_BACKEND (default reference). One line per case;
// the LAST line is exactly "N passed, N failed". Exit 1 when any case fails, when there are no cases, or
// when the backend cannot start.
import * as ks from "../../src/index.ts";
import { listDirectory, readFileBytes } from "../../src/io/files.ts";
import { CaseError, runCase } from "./golden-case.ts";

declare const process: { env: Record<string, string | undefined>; exitCode?: number; cwd(): string };

export async function main(root: string): Promise<number> {
  const dirEnv = process.env.KSHOT_FIXTURES ?? "../shared/fixtures/torch";
  const dir = dirEnv.startsWith("/") ? dirEnv : `${root}/${dirEnv}`;
  const backend = (process.env.KSHOT_BACKEND ?? "reference") as ks.BackendName;
  try {
    let gpu: GPU | undefined;
    if (backend === "webgpu") {
      const { nodeGPU } = await import("../support/webgpu-node.ts");
      gpu = (await nodeGPU()) ?? undefined;
    }
    await ks.init({ backend, gpu });
  } catch (e) {
    console.log(`golden: the ${backend} backend cannot start: ${(e as Error).message}`);
    console.log("0 passed, 0 failed");
    return 1;
  }
  let files: string[];
  try {
    files = (await listDirectory(dir)).filter((f) => !f.isDirectory && f.name.endsWith(".safetensors")).map((f) => f.name);
  } catch (e) {
    console.log(`golden: cannot list ${dir}: ${(e as Error).message}`);
    files = [];
  }
  if (files.length === 0) {
    console.log(`golden: no *.safetensors cases in ${dir}`);
    console.log("0 passed, 0 failed");
    return 1;
  }
  let passed = 0;
  let failed = 0;
  console.log(`golden: ${files.length} cases from ${dir} on the ${ks.getBackendName()} backend`);
  for (const file of files) {
    const t0 = performance.now();
    try {
      const r = await runCase(await readFileBytes(`${dir}/${file}`), file);
      const ms = (performance.now() - t0).toFixed(0);
      const line = `${r.passed ? "PASS" : "FAIL"} ${r.name}: worst |a−e| ${r.worstAbs.toExponential(2)} = ${(r.worstRatio * 100).toFixed(1)}% of tolerance (${r.worstKey}; ${r.checked} tensors, ${ms} ms)`;
      console.log(line);
      if (r.passed) passed++;
      else failed++;
    } catch (e) {
      failed++;
      const why = e instanceof CaseError || e instanceof ks.KshotError ? (e as Error).message : (e as Error).stack;
      console.log(`FAIL ${file}: ${why}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}
