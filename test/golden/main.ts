// The golden suite as a plain program: every *.safetensors case of the folders to check, on the backend
// named by KSHOT_BACKEND (default reference). The folders: KSHOT_FIXTURES when set (one folder, relative to
// the repository root or absolute), else the repository's own cases (test/golden/cases, made by
// tools/golden/generate.py) and, when present, the project's shared PyTorch cases
// (`<KSHOT_SHARED or ../shared>/fixtures/torch`). One line per case; the LAST line is exactly
// "N passed, N failed". Exit 1 when any case fails, when there are no cases, or when the backend cannot
// start.
import * as ks from "../../src/index.ts";
import { fileExists, listDirectory, readFileBytes } from "../../src/io/files.ts";
import { CaseError, runCase } from "./golden-case.ts";

declare const process: { env: Record<string, string | undefined>; exitCode?: number; cwd(): string };

/** The folders whose cases run (see the header). */
async function caseFolders(root: string): Promise<string[]> {
  const absolute = (dir: string) => (dir.startsWith("/") ? dir : `${root}/${dir}`);
  if (process.env.KSHOT_FIXTURES) return [absolute(process.env.KSHOT_FIXTURES)];
  const shared = absolute(`${process.env.KSHOT_SHARED ?? "../shared"}/fixtures/torch`);
  return [absolute("test/golden/cases"), ...((await fileExists(shared)) ? [shared] : [])];
}

/** The case files of one folder, as paths. */
async function caseFiles(dir: string): Promise<string[]> {
  try {
    return (await listDirectory(dir)).filter((f) => !f.isDirectory && f.name.endsWith(".safetensors")).map((f) => `${dir}/${f.name}`);
  } catch (e) {
    console.log(`golden: cannot list ${dir}: ${(e as Error).message}`);
    return [];
  }
}

export async function main(root: string): Promise<number> {
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
  const folders = await caseFolders(root);
  const files = (await Promise.all(folders.map(caseFiles))).flat();
  if (files.length === 0) {
    console.log(`golden: no *.safetensors cases in ${folders.join(" or ")}`);
    console.log("0 passed, 0 failed");
    return 1;
  }
  let passed = 0;
  let failed = 0;
  console.log(`golden: ${files.length} cases from ${folders.join(" and ")} on the ${ks.getBackendName()} backend`);
  for (const file of files) {
    const t0 = performance.now();
    try {
      const r = await runCase(await readFileBytes(file), file.slice(file.lastIndexOf("/") + 1));
      const ms = (performance.now() - t0).toFixed(0);
      const from = folders.length > 1 ? ` (${file.slice(0, file.lastIndexOf("/"))})` : "";
      const line = `${r.passed ? "PASS" : "FAIL"} ${r.name}${from}: worst |a−e| ${r.worstAbs.toExponential(2)} = ${(r.worstRatio * 100).toFixed(1)}% of tolerance (${r.worstKey}; ${r.checked} tensors, ${ms} ms)`;
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
