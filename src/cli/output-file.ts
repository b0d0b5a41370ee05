/**
 * `--out` checked before any work: a file name (not a folder) in a folder that exists and takes a new file,
 * probed by creating and removing a file beside it, as the atomic write will.
 */
import { randomBytes } from "node:crypto";
import { stat, unlink, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { KshotError } from "../errors.ts";
import { describeFileError, isNotFound } from "../io/files-host.ts";

async function kind(path: string): Promise<"file" | "folder" | "other" | "none"> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? "folder" : s.isFile() ? "file" : "other";
  } catch (err) {
    if (isNotFound(err)) return "none";
    throw new KshotError(`--out ${path}: cannot check it (${describeFileError(err)})`);
  }
}

export async function checkOutputFile(path: string): Promise<void> {
  const absolute = resolve(path);
  const existing = await kind(absolute);
  if (existing === "folder") throw new KshotError(`--out ${path} is a folder; give a file name in it, e.g. --out ${path.replace(/\/?$/, "/")}model.safetensors`);
  if (existing === "other") throw new KshotError(`--out ${path} exists and is not a regular file`);
  const folder = dirname(absolute);
  const parent = await kind(folder);
  if (parent === "none") throw new KshotError(`--out ${path}: the folder ${folder} does not exist (create it first)`);
  if (parent !== "folder") throw new KshotError(`--out ${path}: ${folder} is not a folder`);
  const probe = `${absolute}.tmp-probe-${randomBytes(6).toString("hex")}`;
  try {
    await writeFile(probe, new Uint8Array(0), { flag: "wx" });
  } catch (err) {
    throw new KshotError(`--out ${path}: cannot write in ${folder} (${describeFileError(err)})`);
  }
  await unlink(probe);
}
