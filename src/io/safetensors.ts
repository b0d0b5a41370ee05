/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
 * length N, N bytes of UTF-8 JSON (space-padded), then the tensors' bytes, back to back, little-endian.
 * Host-level: plain typed arrays in and out, no Tensor. Reading validates everything the format states;
 * every problem is a KshotError naming the tensor, what was expected and what came.
 */
import { KshotError } from "../errors.ts";
import { readFileBytes, writeFileAtomic } from "./files.ts";
import {
  dtypeInfo,
  isSafetensorsDType,
  SAFETENSORS_DTYPES,
  writeLittleEndian,
  type SafetensorsData,
  type SafetensorsDType,
} from "./safetensors-dtypes.ts";
import { parseJsonStrict, type JsonObject, type JsonValue } from "./safetensors-json.ts";

export type { SafetensorsData, SafetensorsDType } from "./safetensors-dtypes.ts";

export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  /** Row-major; `[]` is a scalar (one element). */
  shape: number[];
  /** F16 and BF16 are read as Float32Array and cannot be written back. */
  data: SafetensorsData;
}

export interface SafetensorsContents {
  /** In the header's order. */
  tensors: Map<string, SafetensorsEntry>;
  /** The `__metadata__` strings; an object without prototype (`{}` when the file has none). */
  metadata: Record<string, string>;
}

export type SafetensorsInput = Map<string, SafetensorsEntry> | Record<string, SafetensorsEntry>;

/** The reference implementation's limit: a larger header is a corrupt or hostile file. */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = "__metadata__";
const DTYPE_NAMES = Object.keys(SAFETENSORS_DTYPES).join(", ");
/** Names that would reach JavaScript object machinery if a caller ever copied them into an object. */
const RESERVED_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

// ---------------------------------------------------------------- reading

interface EntryLayout {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/** Parses a whole safetensors buffer; `source` (a file name, say) starts every error message. */
export function parseSafetensors(bytes: Uint8Array, source = "safetensors data"): SafetensorsContents {
  const fail = (message: string): never => {
    throw new KshotError(`${source}: ${message}`);
  };
  const headerLength = readHeaderLength(bytes, fail);
  const header = readHeaderObject(bytes.subarray(8, 8 + headerLength), fail);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  let metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const layouts: EntryLayout[] = [];
  for (const [name, value] of header) {
    if (name === METADATA_KEY) metadata = readMetadata(value, fail);
    else layouts.push(readEntryLayout(name, value, dataLength, fail));
  }
  checkCoverage(layouts, dataLength, fail);

  const tensors = new Map<string, SafetensorsEntry>();
  for (const { name, dtype, shape, begin, end } of layouts) {
    // An own, aligned copy: the tensor's offset in the file need not be a multiple of its item size.
    const copy = new Uint8Array(end - begin);
    copy.set(bytes.subarray(dataStart + begin, dataStart + end));
    const info = dtypeInfo(dtype);
    const data = info.decode(copy);
    const invalid = info.invalidValues?.(data);
    if (invalid !== undefined) fail(`tensor ${quote(name)}: expected ${invalid}`);
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}

function readHeaderLength(bytes: Uint8Array, fail: (m: string) => never): number {
  if (bytes.length < 8) fail(`expected at least 8 bytes (the header length), found ${bytes.length}`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n < 2n) fail(`expected a header length of at least 2 bytes ("{}"), found ${n}`);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`expected a header length of at most ${MAX_HEADER_BYTES} bytes, found ${n}`);
  if (n > BigInt(bytes.length - 8)) {
    fail(`header length ${n} runs past the end: the ${bytes.length}-byte buffer has ${bytes.length - 8} bytes after it`);
  }
  return Number(n);
}

function readHeaderObject(headerBytes: Uint8Array, fail: (m: string) => never): JsonObject {
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    fail("expected a UTF-8 JSON header, found invalid UTF-8 bytes");
  }
  if (!text.startsWith("{")) fail(`expected the header to start with '{', found ${quote(text.slice(0, 12))}`);
  let header: JsonValue = null;
  try {
    header = parseJsonStrict(text);
  } catch (err) {
    fail(`header: ${(err as Error).message}`);
  }
  if (!(header instanceof Map)) fail(`expected the header to be a JSON object, found ${describe(header)}`);
  return header as JsonObject;
}

function readMetadata(value: JsonValue, fail: (m: string) => never): Record<string, string> {
  if (!(value instanceof Map)) fail(`expected ${METADATA_KEY} to be an object of strings, found ${describe(value)}`);
  const metadata = Object.create(null) as Record<string, string>;
  for (const [key, v] of value as JsonObject) {
    if (RESERVED_NAMES.has(key)) fail(`${METADATA_KEY}: the key ${quote(key)} is not allowed`);
    if (typeof v !== "string") fail(`${METADATA_KEY}.${key}: expected a string, found ${describe(v)}`);
    metadata[key] = v as string;
  }
  return metadata;
}

function readEntryLayout(name: string, value: JsonValue, dataLength: number, fail: (m: string) => never): EntryLayout {
  const where = `tensor ${quote(name)}`;
  if (RESERVED_NAMES.has(name)) fail(`${where}: this name is not allowed (it is JavaScript object machinery)`);
  if (!(value instanceof Map)) fail(`${where}: expected an object {dtype, shape, data_offsets}, found ${describe(value)}`);
  const entry = value as JsonObject;
  for (const key of entry.keys()) {
    if (key !== "dtype" && key !== "shape" && key !== "data_offsets") {
      fail(`${where}: expected only the keys dtype, shape and data_offsets, found ${quote(key)}`);
    }
  }
  const dtype = entry.get("dtype");
  if (typeof dtype !== "string" || !isSafetensorsDType(dtype)) {
    fail(`${where}: expected a dtype (${DTYPE_NAMES}), found ${describe(dtype)}`);
  }
  const shape = readIntegers(entry.get("shape"), `${where}: shape`, undefined, fail);
  const offsets = readIntegers(entry.get("data_offsets"), `${where}: data_offsets`, 2, fail);
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`${where}: expected data_offsets [begin, end] with begin <= end, found [${begin}, ${end}]`);
  if (end > dataLength) {
    fail(`${where}: data_offsets [${begin}, ${end}] run past the data section, which has ${dataLength} bytes`);
  }
  const itemSize = dtypeInfo(dtype as SafetensorsDType).itemSize;
  const expectedBytes = elementCount(shape, where, fail) * itemSize;
  if (end - begin !== expectedBytes) {
    fail(
      `${where}: expected ${expectedBytes} bytes (shape [${shape}] of ${dtype}, ${itemSize} bytes each), ` +
        `found data_offsets [${begin}, ${end}] (${end - begin} bytes)`,
    );
  }
  return { name, dtype: dtype as SafetensorsDType, shape, begin, end };
}

function readIntegers(
  value: JsonValue | undefined,
  what: string,
  length: number | undefined,
  fail: (m: string) => never,
): number[] {
  const expected = `an array of ${length === undefined ? "" : `${length} `}non-negative integers`;
  if (!Array.isArray(value)) return fail(`${what}: expected ${expected}, found ${describe(value)}`);
  if (length !== undefined && value.length !== length) fail(`${what}: expected ${expected}, found ${value.length} items`);
  for (const v of value) {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) fail(`${what}: expected ${expected}, found ${describe(v)}`);
  }
  return (value as number[]).map((v) => v + 0); // -0 → 0
}

function elementCount(shape: readonly number[], where: string, fail: (m: string) => never): number {
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (!Number.isSafeInteger(count)) fail(`${where}: shape [${shape}] has more elements than can be counted exactly`);
  }
  return count;
}

/** The tensors must tile the data section exactly: no overlaps, no gaps, no trailing bytes. */
function checkCoverage(layouts: readonly EntryLayout[], dataLength: number, fail: (m: string) => never): void {
  const sorted = [...layouts].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: EntryLayout | undefined;
  for (const e of sorted) {
    if (e.begin < covered) {
      fail(
        `tensors ${quote(previous!.name)} (bytes ${previous!.begin}..${previous!.end}) and ` +
          `${quote(e.name)} (bytes ${e.begin}..${e.end}) overlap; expected each byte to belong to one tensor`,
      );
    }
    if (e.begin > covered) fail(`bytes ${covered}..${e.begin} of the data section belong to no tensor; expected none unused`);
    covered = e.end;
    if (e.end > e.begin) previous = e;
  }
  if (covered !== dataLength) {
    fail(`the data section has ${dataLength} bytes but the tensors cover only ${covered}; expected no trailing bytes`);
  }
}

// ---------------------------------------------------------------- writing

/**
 * The safetensors bytes of `tensors`, stored in the given order (a Map keeps any order; a plain object's
 * integer-like keys come first, as JavaScript orders them). `__metadata__` comes first in the header, as
 * the reference implementation writes it; the header is padded with spaces to a multiple of 8 bytes.
 */
export function serializeSafetensors(tensors: SafetensorsInput, metadata?: Record<string, string>): Uint8Array {
  const fail = (message: string): never => {
    throw new KshotError(`cannot write safetensors: ${message}`);
  };
  const entries = inputEntries(tensors, fail);
  const headerParts: string[] = [];
  if (metadata !== undefined) {
    const meta = metadataEntries(metadata, fail);
    if (meta.length > 0) headerParts.push(`"${METADATA_KEY}":{${meta.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`);
  }
  let offset = 0;
  for (const [name, entry] of entries) {
    const byteLength = checkEntry(name, entry, fail);
    const layout = `{"dtype":"${entry.dtype}","shape":[${entry.shape.join(",")}],"data_offsets":[${offset},${offset + byteLength}]}`;
    headerParts.push(`${JSON.stringify(name)}:${layout}`);
    offset += byteLength;
  }
  const json = new TextEncoder().encode(`{${headerParts.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) fail(`the header would take ${headerLength} bytes; at most ${MAX_HEADER_BYTES} are allowed`);

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, entry] of entries) {
    const itemSize = dtypeInfo(entry.dtype).itemSize;
    writeLittleEndian(entry.data, itemSize, out.subarray(at, at + entry.data.byteLength));
    at += entry.data.byteLength;
  }
  return out;
}

function inputEntries(tensors: SafetensorsInput, fail: (m: string) => never): [string, SafetensorsEntry][] {
  if (tensors instanceof Map) return [...tensors];
  const proto: unknown = Object.getPrototypeOf(tensors);
  if (proto !== Object.prototype && proto !== null) {
    fail("expected the tensors as a Map or a plain object (one whose prototype was not replaced, as `__proto__:` in a literal does)");
  }
  return Object.entries(tensors);
}

function metadataEntries(metadata: Record<string, string>, fail: (m: string) => never): [string, string][] {
  const proto: unknown = Object.getPrototypeOf(metadata);
  if (proto !== Object.prototype && proto !== null) fail("expected the metadata as a plain object of strings");
  const entries = Object.entries(metadata);
  for (const [key, value] of entries) {
    if (RESERVED_NAMES.has(key)) fail(`${METADATA_KEY}: the key ${quote(key)} is not allowed`);
    if (typeof value !== "string") fail(`${METADATA_KEY}.${key}: expected a string, found ${describe(value)}`);
  }
  return entries;
}

/** Validates one entry to write; returns its byte length. */
function checkEntry(name: string, entry: SafetensorsEntry, fail: (m: string) => never): number {
  const where = `tensor ${quote(name)}`;
  if (name === METADATA_KEY) fail(`${where}: this name is reserved for the metadata`);
  if (RESERVED_NAMES.has(name)) fail(`${where}: this name is not allowed (it is JavaScript object machinery)`);
  const dtype: unknown = entry?.dtype;
  if (typeof dtype !== "string" || !isSafetensorsDType(dtype)) {
    return fail(`${where}: expected a dtype (${DTYPE_NAMES}), found ${describe(dtype)}`);
  }
  const info = dtypeInfo(dtype);
  if (!info.writable) fail(`${where}: ${dtype} is read-only in kshot (decoded to float32); write it as F32`);
  if (!(entry.data instanceof info.array)) {
    fail(`${where}: expected ${dtype} data in a ${info.array.name}, found ${describe(entry.data)}`);
  }
  const shape = readIntegers(entry.shape as JsonValue, `${where}: shape`, undefined, fail);
  const count = elementCount(shape, where, fail);
  if (count !== entry.data.length) {
    fail(`${where}: expected ${count} elements (shape [${shape}]), found ${entry.data.length} in the data`);
  }
  const invalid = info.invalidValues?.(entry.data);
  if (invalid !== undefined) fail(`${where}: expected ${invalid}`);
  return count * info.itemSize;
}

// ---------------------------------------------------------------- files

/** Reads and parses a safetensors file (Node and Deno). */
export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  return parseSafetensors(await readFileBytes(path), path);
}

/** Writes a safetensors file atomically: a crash leaves the old file or the new one, never half of one. */
export async function writeSafetensorsFile(
  path: string,
  tensors: SafetensorsInput,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

// ---------------------------------------------------------------- messages

function quote(s: string): string {
  return JSON.stringify(s);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (v instanceof Map) return "an object";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as SafetensorsData).length}`;
  if (typeof v === "string") return `the string ${quote(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
