/**
 * The file system of the runtime we are in, behind one small interface: Deno's own API, or Node's
 * `node:fs/promises` loaded on demand (so a browser bundle never pulls it in). Browsers have none.
 */
import { KshotError } from "../errors.ts";

export interface HostEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
  isSymlink: boolean;
}

/** What files.ts needs from a runtime; every call rejects with the runtime's own error. */
export interface FileHost {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file (Deno also removes an empty directory this way). */
  remove(path: string): Promise<void>;
  /** Removes an empty directory. */
  removeDirectory(path: string): Promise<void>;
  /** Creates a directory and its missing parents; an existing directory is fine. */
  makeDirectory(path: string): Promise<void>;
  readDir(path: string): Promise<HostEntry[]>;
  /** Follows symbolic links. */
  stat(path: string): Promise<HostStat>;
}

export interface HostStat {
  isDirectory: boolean;
  /** A regular file (not a directory, FIFO, socket or device). */
  isFile: boolean;
  size: number;
}

/** The slice of Deno's namespace used here (kshot does not depend on Deno's type definitions). */
interface DenoFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array, options: { createNew: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<void>;
  readDir(path: string): AsyncIterable<{ name: string; isDirectory: boolean; isFile: boolean; isSymlink: boolean }>;
  stat(path: string): Promise<HostStat>;
}

/** The slice of `node:fs/promises` used here (kshot does not depend on @types/node in src/). */
interface NodeFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array, options: { flag: string }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
  readdir(
    path: string,
    options: { withFileTypes: true },
  ): Promise<{ name: string; isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean }[]>;
  stat(path: string): Promise<{ isDirectory(): boolean; isFile(): boolean; size: number }>;
}

function denoHost(deno: DenoFs): FileHost {
  return {
    readFile: (path) => deno.readFile(path),
    // createNew: a temp name that somehow exists already is an error, never silently shared.
    writeFile: (path, bytes) => deno.writeFile(path, bytes, { createNew: true }),
    rename: (from, to) => deno.rename(from, to),
    remove: (path) => deno.remove(path),
    removeDirectory: (path) => deno.remove(path),
    makeDirectory: (path) => deno.mkdir(path, { recursive: true }),
    async readDir(path) {
      const entries: HostEntry[] = [];
      for await (const e of deno.readDir(path)) {
        entries.push({ name: e.name, isDirectory: e.isDirectory, isFile: e.isFile, isSymlink: e.isSymlink });
      }
      return entries;
    },
    async stat(path) {
      const { isDirectory, isFile, size } = await deno.stat(path);
      return { isDirectory, isFile, size };
    },
  };
}

function nodeHost(fs: NodeFs): FileHost {
  return {
    // Node returns a Buffer; a plain Uint8Array view over the same memory keeps callers web-only.
    readFile: async (path) => {
      const b = await fs.readFile(path);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
    writeFile: (path, bytes) => fs.writeFile(path, bytes, { flag: "wx" }),
    rename: (from, to) => fs.rename(from, to),
    remove: (path) => fs.unlink(path),
    removeDirectory: (path) => fs.rmdir(path),
    makeDirectory: async (path) => {
      await fs.mkdir(path, { recursive: true });
    },
    async readDir(path) {
      const dirents = await fs.readdir(path, { withFileTypes: true });
      return dirents.map((d) => ({ name: d.name, isDirectory: d.isDirectory(), isFile: d.isFile(), isSymlink: d.isSymbolicLink() }));
    },
    async stat(path) {
      const s = await fs.stat(path);
      return { isDirectory: s.isDirectory(), isFile: s.isFile(), size: s.size };
    },
  };
}

let nodeHostPromise: Promise<FileHost> | undefined;

function loadNodeHost(): Promise<FileHost> {
  // The specifier sits in a variable so bundlers for the browser leave the import alone.
  const specifier = "node:fs/promises";
  nodeHostPromise ??= (import(/* @vite-ignore */ specifier) as Promise<NodeFs>).then(nodeHost);
  return nodeHostPromise;
}

/** Which runtime this is, decided at call time. */
export type Runtime = "deno" | "node" | "browser";

export function currentRuntime(): Runtime {
  const g = globalThis as { Deno?: unknown; process?: { versions?: { node?: unknown } } };
  if (typeof g.Deno === "object" && g.Deno !== null) return "deno";
  if (typeof g.process?.versions?.node === "string") return "node";
  return "browser";
}

/** An environment variable in Node or Deno (undefined in a browser, or where Deno denies env access). */
export function hostEnv(name: string): string | undefined {
  const g = globalThis as { Deno?: { env: { get(n: string): string | undefined } }; process?: { env?: Record<string, string | undefined> } };
  try {
    return currentRuntime() === "deno" ? g.Deno!.env.get(name) : g.process?.env?.[name];
  } catch {
    return undefined;
  }
}

/** The file system of this runtime; in a browser, a KshotError saying what to use instead. */
export async function fileHost(action: string, path: string): Promise<FileHost> {
  switch (currentRuntime()) {
    case "deno":
      return denoHost((globalThis as unknown as { Deno: DenoFs }).Deno);
    case "node":
      return loadNodeHost();
    case "browser":
      // A relative path in a page opened from file:// arrives here as a file: URL's path: say how to serve it.
      throw new KshotError(
        `cannot ${action} ${path}: files are not available in a browser, not even beside a page opened from file://; ` +
          "serve the folder over http (any static server) and pass a URL, relative ones included, or pass the bytes (Uint8Array, from fetch or a file input)",
      );
  }
}

/** True when a runtime error means "nothing there" (a missing entry, or a path through a file). */
export function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown } | null;
  return e?.code === "ENOENT" || e?.code === "ENOTDIR" || e?.name === "NotFound" || e?.name === "NotADirectory";
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  NotFound: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  PermissionDenied: "permission denied",
  EISDIR: "is a directory",
  IsADirectory: "is a directory",
  ENOTDIR: "not a directory",
  NotADirectory: "not a directory",
  EEXIST: "already exists",
  AlreadyExists: "already exists",
  ENOSPC: "no space left on device",
  ENOTEMPTY: "directory not empty",
};

/** A short human reason for a runtime's file error, the same words in Node and Deno. */
export function describeFileError(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  for (const key of [e?.code, e?.name]) {
    if (typeof key === "string" && Object.hasOwn(REASONS, key)) return REASONS[key]!;
  }
  return typeof e?.message === "string" ? e.message : String(err);
}
