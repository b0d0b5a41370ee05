/**
 * Downloads one file over HTTP(S) into place: into `<path>.part`, resumed with an HTTP Range request after
 * an interruption (within a run, up to `attempts` times, and across runs), checked against its MD5, then
 * renamed to `path`, so `path` only ever holds a complete, verified file.
 */
import { createHash } from "node:crypto";
import { open, readFile, rename, rm, stat } from "node:fs/promises";
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { KshotError } from "../errors.ts";

export interface DownloadProgress {
  url: string;
  /** Bytes on disk so far, resumed bytes included. */
  received: number;
  /** The full size, once the server has said it. */
  total?: number;
}

export interface DownloadOptions {
  url: string;
  path: string;
  /** The expected MD5 of the whole file, lowercase hex. */
  md5: string;
  /** Requests per run before giving up (default 3); each one resumes where the last one stopped. */
  attempts?: number;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then((s) => s.size, () => undefined);
}

async function md5Of(path: string): Promise<string> {
  return createHash("md5").update(await readFile(path)).digest("hex");
}

const IDLE_TIMEOUT_MS = 60_000;

/** A GET request, following up to 5 redirects; resolves with the response head. */
function get(url: string, headers: Record<string, string>, signal: AbortSignal | undefined, redirects = 5): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith("https:") ? httpsGet : httpGet)(url, { headers, signal, agent: false }, (response) => {
      const location = response.headers.location;
      if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location && redirects > 0) {
        response.resume();
        resolve(get(new URL(location, url).href, headers, signal, redirects - 1));
      } else resolve(response);
    });
    request.on("error", reject);
    request.setTimeout(IDLE_TIMEOUT_MS, () => request.destroy(new Error(`no data for ${IDLE_TIMEOUT_MS / 1000} s`)));
  });
}

/** Where a response's body starts in the file and the file's full size (when the server says it). */
function placement(url: string, response: IncomingMessage, offset: number): { start: number; total?: number } {
  const length = Number(response.headers["content-length"] ?? NaN);
  if (response.statusCode !== 206) return { start: 0, total: Number.isFinite(length) ? length : undefined };
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers["content-range"] ?? "");
  if (!range || Number(range[1]) !== offset) {
    throw new KshotError(`${url}: asked for bytes from ${offset}, the server answered ${response.headers["content-range"] ?? "without a Content-Range"}`);
  }
  return { start: offset, total: range[3] === "*" ? undefined : Number(range[3]) };
}

/**
 * One request: appends what arrives to `part`, every byte received (chunks are written in order as they
 * come, so a dropped connection loses nothing already received). Returns the full size if known; a
 * connection that fails or closes early is reported in `error`, not thrown.
 */
async function fetchInto(options: DownloadOptions, part: string): Promise<{ total?: number; error?: string }> {
  const offset = (await sizeOf(part)) ?? 0;
  let response: IncomingMessage;
  try {
    response = await get(options.url, offset > 0 ? { range: `bytes=${offset}-` } : {}, options.signal);
  } catch (err) {
    if (options.signal?.aborted) throw err;
    return { error: `cannot reach ${options.url}: ${(err as Error).message}` };
  }
  const status = response.statusCode ?? 0;
  if (status === 416 && offset > 0) {
    response.resume();
    return { total: offset }; // the part is already whole
  }
  if (status !== 200 && status !== 206) {
    response.resume();
    throw new KshotError(`${options.url}: HTTP ${status} ${response.statusMessage ?? ""}`.trimEnd());
  }
  const { start, total } = placement(options.url, response, offset);
  // Listen before any await: a short response can end (and close) while the file is being opened.
  const file = open(part, start === 0 ? "w" : "a");
  let received = start;
  let writes: Promise<unknown> = file;
  let failure: string | undefined;
  const finished = new Promise<void>((done) => {
    response.on("data", (chunk: Uint8Array) => {
      writes = writes.then(async () => (await file).write(chunk));
      received += chunk.length;
      options.onProgress?.({ url: options.url, received, total });
    });
    response.on("error", (err) => {
      failure ??= err.message;
      done();
    });
    response.on("close", () => done());
  });
  await finished;
  try {
    await writes;
  } finally {
    await (await file).close();
  }
  if (options.signal?.aborted) throw options.signal.reason;
  if (!response.complete) failure ??= "the connection closed early";
  return { total, error: failure };
}

/** Downloads `options.url` to `options.path` (see the module comment); a verified file already there is kept. */
export async function download(options: DownloadOptions): Promise<void> {
  const { path, md5 } = options;
  if ((await sizeOf(path)) !== undefined && (await md5Of(path)) === md5) return;
  const part = `${path}.part`;
  const attempts = options.attempts ?? 3;
  let outcome: { total?: number; error?: string } = {};
  for (let attempt = 0; attempt < attempts; attempt++) {
    outcome = await fetchInto(options, part);
    const size = (await sizeOf(part)) ?? 0;
    if (outcome.total !== undefined && size < outcome.total) outcome.error ??= "the connection closed early";
    if (!outcome.error) break;
  }
  const size = (await sizeOf(part)) ?? 0;
  if (outcome.error) {
    const of = outcome.total !== undefined ? ` of ${outcome.total}` : "";
    throw new KshotError(
      `download of ${options.url} stopped at ${size}${of} bytes after ${attempts} attempts (${outcome.error}); ` +
        `${part} is kept: run the same command again to resume`,
    );
  }
  const actual = await md5Of(part);
  if (actual !== md5) {
    await rm(part, { force: true });
    throw new KshotError(`download of ${options.url}: expected MD5 ${md5}, got ${actual} (${size} bytes); the download was removed`);
  }
  await rename(part, path);
}
