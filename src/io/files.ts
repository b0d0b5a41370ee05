/**
 * File access for Node and Deno: the only place in src/ (outside src/cli) that touches a file system.
 * In a browser every function rejects with a KshotError (use bytes or URLs there).
 */
import { KshotError } from "../errors.ts";
import { describeFileError, fileHost, hostEnv, isNotFound } from "./files-host.ts";

export interface DirectoryEntry {
  name: string;
  /** True for a directory, or a symbolic link to one. */
  isDirectory: boolean;
  /** True for a regular file, or a symbolic link to one (not a FIFO, socket or device: reading those can block). */
  isFile: boolean;
}

export interface ReadOptions {
  /** Refuse a file larger than this many bytes (checked before reading). */
  maxBytes?: number;
}

function failure(action: string, path: string, err: unknown): KshotError {
  if (err instanceof KshotError) return err;
  return new KshotError(`cannot ${action} ${path}: ${describeFileError(err)}`);
}

/** The whole file as bytes; only a regular file is read (a FIFO would block), and at most `maxBytes`. */
export async function readFileBytes(path: string, options: ReadOptions = {}): Promise<Uint8Array> {
  const host = await fileHost("read", path);
  try {
    const { isFile, isDirectory, size } = await host.stat(path);
    if (!isFile) throw new KshotError(`cannot read ${path}: ${isDirectory ? "is a directory" : "not a regular file (a FIFO, socket or device)"}`);
    if (options.maxBytes !== undefined && size > options.maxBytes) {
      throw new KshotError(`cannot read ${path}: it has ${size} bytes, at most ${options.maxBytes} are allowed`);
    }
    return await host.readFile(path);
  } catch (err) {
    throw failure("read", path, err);
  }
}

/** The whole file decoded as UTF-8 (invalid bytes are an error, not replacement characters). */
export async function readFileText(path: string, options: ReadOptions = {}): Promise<string> {
  const bytes = await readFileBytes(path, options);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new KshotError(`cannot read ${path} as text: expected UTF-8, found invalid byte sequences`);
  }
}

function randomSuffix(): string {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return Array.from(words, (w) => w.toString(16).padStart(8, "0")).join("");
}

/**
 * Test hook of the crash-safety tests: `KSHOT_TEST_WRITE_PAUSE_MS` holds every atomic write that long
 * between writing the temp file and renaming it, so a test can kill the process at the worst moment.
 */
async function crashTestPause(): Promise<void> {
  const ms = Number(hostEnv("KSHOT_TEST_WRITE_PAUSE_MS") ?? 0);
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes `path.tmp-<random>` beside `path`, then renames it over `path`: readers see the old file or the
 * new one, never half of one. On failure the temp file is removed.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const host = await fileHost("write", path);
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const temp = `${path}.tmp-${randomSuffix()}`;
  try {
    await host.writeFile(temp, data);
    await crashTestPause();
    await host.rename(temp, path);
  } catch (err) {
    await host.remove(temp).catch(() => undefined); // it may never have been created
    throw failure("write", path, err);
  }
}

/** The entries of a directory, sorted by name (code-unit order), symbolic links followed for `isDirectory`. */
export async function listDirectory(path: string): Promise<DirectoryEntry[]> {
  const host = await fileHost("list", path);
  try {
    const raw = await host.readDir(path);
    const separator = path.endsWith("/") || path.endsWith("\\") ? "" : "/";
    const entries = await Promise.all(
      raw.map(async (e) => {
        const kind = e.isSymlink ? await linkTarget(host.stat(path + separator + e.name)) : e;
        return { name: e.name, isDirectory: kind.isDirectory, isFile: kind.isFile };
      }),
    );
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    throw failure("list", path, err);
  }
}

/** A dangling link is listed as neither directory nor file rather than failing the whole listing. */
async function linkTarget(stat: Promise<{ isDirectory: boolean; isFile: boolean }>): Promise<{ isDirectory: boolean; isFile: boolean }> {
  try {
    return await stat;
  } catch (err) {
    if (isNotFound(err)) return { isDirectory: false, isFile: false };
    throw err;
  }
}

/** Whether something (file or directory) exists at `path`; errors other than "not found" are thrown. */
export async function fileExists(path: string): Promise<boolean> {
  const host = await fileHost("check", path);
  try {
    await host.stat(path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw failure("check", path, err);
  }
}

/** Creates a directory and any missing parents; an existing directory is not an error. */
export async function makeDirectory(path: string): Promise<void> {
  const host = await fileHost("create directory", path);
  try {
    await host.makeDirectory(path);
  } catch (err) {
    throw failure("create directory", path, err);
  }
}

/** Removes one file. */
export async function removeFile(path: string): Promise<void> {
  const host = await fileHost("remove", path);
  try {
    await host.remove(path);
  } catch (err) {
    throw failure("remove", path, err);
  }
}

/** Removes an empty directory (never recursively: a library should not delete trees). */
export async function removeDirectory(path: string): Promise<void> {
  const host = await fileHost("remove directory", path);
  try {
    await host.removeDirectory(path);
  } catch (err) {
    throw failure("remove directory", path, err);
  }
}
