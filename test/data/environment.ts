/**
 * What the data tests need from their runtime: whether there is a file system (Node, Deno; not a browser),
 * environment variables, the shared data folder (`../shared`, or KSHOT_SHARED) and a scratch directory.
 */
interface DenoLike {
  env: { get(name: string): string | undefined };
  makeTempDir(options?: { prefix?: string }): Promise<string>;
}
interface ProcessLike {
  env: Record<string, string | undefined>;
}

const host = globalThis as { Deno?: DenoLike; process?: ProcessLike };

/** True in Node and Deno, false in a browser. */
export const hasFileSystem = host.Deno !== undefined || host.process?.env !== undefined;

export function environmentVariable(name: string): string | undefined {
  if (host.Deno) return host.Deno.env.get(name);
  return host.process?.env[name];
}

/** Under CI a missing resource is a failure, elsewhere a skip with a message. */
export const isCI = ["true", "1"].includes(environmentVariable("CI") ?? "");

/** A path inside the shared folder (KSHOT_SHARED, default ../shared relative to the repository root). */
export function sharedPath(relative: string): string {
  const root = (environmentVariable("KSHOT_SHARED") ?? "../shared").replace(/[\\/]+$/, "");
  return `${root}/${relative}`;
}

/** A fresh empty directory for a test. */
export async function scratchDirectory(prefix: string): Promise<string> {
  if (host.Deno) return host.Deno.makeTempDir({ prefix });
  const fs = await import("node:fs/promises");
  const os = await import("node:os");
  return fs.mkdtemp(`${os.tmpdir()}/${prefix}`);
}

/** 32-bit FNV-1a of the bytes of a typed array (for pinning generated data). */
export function fnv1a(array: ArrayBufferView): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}
