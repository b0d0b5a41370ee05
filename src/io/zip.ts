/**
 * A small, bounded reader of zip archives held in memory: the central directory lists the entries, each
 * entry is stored or deflated, and its CRC-32 is checked. Runs everywhere (inflation through the
 * standard `DecompressionStream("deflate-raw")`). Not supported, and said so: zip64, encryption, archives
 * split over several disks, methods other than stored (0) and deflate (8).
 */
import { KshotError } from "../errors.ts";

export interface ZipEntry {
  /** The path inside the archive, `/`-separated; directories end with `/`. */
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Byte offset of the entry's local header. */
  localOffset: number;
}

export interface ZipLimits {
  /** At most this many entries (default 100,000). */
  maxEntries?: number;
  /** At most this many bytes once inflated, all entries together (default 1 GiB). */
  maxTotalSize?: number;
}

const END_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const END_SIZE = 22;
const MAX_COMMENT = 0xffff;

function fail(what: string): never {
  throw new KshotError(`zip archive: ${what}`);
}

/** Finds the end-of-central-directory record, searching back over a possible archive comment. */
function findEnd(view: DataView): number {
  const last = view.byteLength - END_SIZE;
  for (let at = last; at >= 0 && at >= last - MAX_COMMENT; at--) {
    if (view.getUint32(at, true) === END_SIGNATURE) return at;
  }
  return fail(`expected an end-of-central-directory record, found none in ${view.byteLength} bytes (not a zip file, or truncated)`);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function entryName(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return fail("expected entry names in UTF-8 or ASCII, found invalid bytes");
  }
}

/** Lists the entries of a zip archive from its central directory. */
export function zipEntries(archive: Uint8Array, limits: ZipLimits = {}): ZipEntry[] {
  const maxEntries = limits.maxEntries ?? 100_000;
  const maxTotal = limits.maxTotalSize ?? 2 ** 30;
  if (archive.length < END_SIZE) fail(`expected at least ${END_SIZE} bytes, got ${archive.length}`);
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const end = findEnd(view);
  if (view.getUint16(end + 4, true) !== 0 || view.getUint16(end + 6, true) !== 0) fail("expected a single-disk archive, got a split one");
  const count = view.getUint16(end + 10, true);
  const dirSize = view.getUint32(end + 12, true);
  const dirOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) fail("zip64 archives are not supported");
  if (count > maxEntries) fail(`expected at most ${maxEntries} entries, got ${count}`);
  if (dirOffset + dirSize > end) fail(`central directory at ${dirOffset}+${dirSize} runs past its end record at ${end}`);
  const entries: ZipEntry[] = [];
  let total = 0;
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.getUint32(at, true) !== CENTRAL_SIGNATURE) fail(`central directory entry ${i} at ${at} is damaged`);
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (at + 46 + skip > end) fail(`central directory entry ${i} runs past the directory`);
    const entry: ZipEntry = {
      name: entryName(archive.subarray(at + 46, at + 46 + nameLength)),
      method: view.getUint16(at + 10, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    };
    if (flags & 1) fail(`${entry.name} is encrypted`);
    if (entry.method !== 0 && entry.method !== 8) fail(`${entry.name}: expected method 0 (stored) or 8 (deflate), got ${entry.method}`);
    if (entry.localOffset + 30 + entry.compressedSize > dirOffset) fail(`${entry.name}: its data runs past the start of the central directory`);
    total += entry.size;
    if (total > maxTotal) fail(`expected at most ${maxTotal} bytes once inflated, the entries declare more`);
    entries.push(entry);
    at += 46 + skip;
  }
  return entries;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zip and PNG use it). */
export function crc32(bytes: Uint8Array): number {
  const table = (crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  }));
  let c = 0xffffffff;
  for (const b of bytes) c = table[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Inflates raw deflate data, stopping as soon as the output would exceed `limit` bytes. */
async function inflateRaw(data: Uint8Array, limit: number): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const out = new Uint8Array(limit);
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out.subarray(0, length);
    if (length + value.length > limit) {
      await reader.cancel();
      return fail(`an entry inflates to more than its declared ${limit} bytes`);
    }
    out.set(value, length);
    length += value.length;
  }
}

/** The inflated bytes of one entry, checked against its declared size and CRC-32. */
export async function readZipEntry(archive: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const at = entry.localOffset;
  if (view.getUint32(at, true) !== LOCAL_SIGNATURE) fail(`${entry.name}: expected a local header at ${at}`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + entry.compressedSize > archive.length) fail(`${entry.name}: data runs past the end of the archive`);
  const raw = archive.subarray(start, start + entry.compressedSize);
  let bytes: Uint8Array;
  try {
    bytes = entry.method === 0 ? raw.slice() : await inflateRaw(raw, entry.size);
  } catch (err) {
    if (err instanceof KshotError) throw err;
    return fail(`${entry.name}: cannot inflate (${(err as Error).message})`);
  }
  if (bytes.length !== entry.size) fail(`${entry.name}: expected ${entry.size} bytes once inflated, got ${bytes.length}`);
  if (crc32(bytes) !== entry.crc32) fail(`${entry.name}: CRC-32 mismatch (damaged archive)`);
  return bytes;
}
