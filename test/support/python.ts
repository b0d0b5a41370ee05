/** Finding a Python with PyTorch for the tests of tools/ (Node only). */
import { spawnSync } from "node:child_process";

/** The first Python (KSHOT_PYTHON, python3, /usr/bin/python3) that imports torch, if any. */
export function pythonWithTorch(): string | undefined {
  const candidates = [process.env.KSHOT_PYTHON, "python3", "/usr/bin/python3"].filter((p): p is string => !!p);
  return candidates.find((python) => spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0);
}

/** Why a test that needs PyTorch was skipped, and how to get it. */
export const NO_TORCH = "needs PyTorch: a python3 that imports torch (Debian: apt install python3-torch; or set KSHOT_PYTHON)";
