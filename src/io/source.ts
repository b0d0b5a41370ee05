/**
 * Bytes from where a user points: a file path (Node, Deno), a `file:` URL, or an http(s), blob or data URL
 * (fetched). In a page, a string without a scheme is a URL relative to the page, as in `<img src>`.
 */
import { KshotError } from "../errors.ts";
import { readFileBytes } from "./files.ts";
import { currentRuntime } from "./files-host.ts";

const FETCHED = /^(https?|blob|data):/i;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** What a source is called in messages: the URL or path as given (a data URL shortened). */
export function sourceName(source: string | URL): string {
  const text = source instanceof URL ? source.href : source;
  return /^data:/i.test(text) && text.length > 60 ? `${text.slice(0, 40)}…` : text;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new KshotError(`cannot fetch ${sourceName(url)}: ${(err as Error).message}`);
  }
  if (!response.ok) throw new KshotError(`cannot fetch ${sourceName(url)}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The absolute URL or the file path a source string or URL stands for, in this runtime. */
function resolve(source: string | URL): { url: string } | { path: string } {
  const text = source instanceof URL ? source.href : source;
  if (FETCHED.test(text)) return { url: text };
  if (/^file:/i.test(text)) return { path: decodeURIComponent(new URL(text).pathname) };
  const page = (globalThis as { location?: { href: string } }).location;
  // Relative to the page; a page opened from file:// gets file paths, which files-host refuses with advice.
  if (currentRuntime() === "browser" && page && !HAS_SCHEME.test(text)) return resolve(new URL(text, page.href).href);
  return { path: text };
}

/** The bytes of a path or URL, with the name to use in messages (a KshotError naming it when unreadable). */
export async function readSource(source: string | URL): Promise<{ bytes: Uint8Array; name: string }> {
  const where = resolve(source);
  if ("url" in where) return { bytes: await fetchBytes(where.url), name: sourceName(where.url) };
  return { bytes: await readFileBytes(where.path), name: where.path };
}
