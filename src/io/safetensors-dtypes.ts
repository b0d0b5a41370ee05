/**
 * The safetensors element types kshot reads and writes: item size, the typed array that holds them,
 * and the conversion between that array and little-endian bytes.
 */

export type SafetensorsData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

interface DTypeInfo {
  itemSize: number;
  /** The array `data` must be for this dtype (F16/BF16: the decoded Float32Array). */
  array: { new (buffer: ArrayBuffer): SafetensorsData; readonly name: string };
  /** False for types kshot only decodes (F16, BF16 become float32 and are not written back). */
  writable: boolean;
  /** Little-endian bytes (an own, aligned copy) to the array. */
  decode(bytes: Uint8Array<ArrayBuffer>): SafetensorsData;
  /** What is wrong with the values, if anything (BOOL holds only 0 and 1). */
  invalidValues?(data: SafetensorsData): string | undefined;
}

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `itemSize` group in place (big-endian hosts only). */
function swapBytes(bytes: Uint8Array, itemSize: number): void {
  if (hostIsLittleEndian || itemSize === 1) return;
  for (let i = 0; i < bytes.length; i += itemSize) bytes.subarray(i, i + itemSize).reverse();
}

function plain(itemSize: number, array: DTypeInfo["array"]): DTypeInfo {
  return {
    itemSize,
    array,
    writable: true,
    decode(bytes) {
      swapBytes(bytes, itemSize);
      return new array(bytes.buffer);
    },
  };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function readUint16LE(bytes: Uint8Array, i: number): number {
  return bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
}

const decodeF16 = (bytes: Uint8Array): Float32Array => {
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = halfToFloat(readUint16LE(bytes, i));
  return out;
};

const decodeBF16 = (bytes: Uint8Array): Float32Array => {
  // bfloat16 is the top half of a float32.
  const bits = new Uint32Array(bytes.length / 2);
  for (let i = 0; i < bits.length; i++) bits[i] = readUint16LE(bytes, i) << 16;
  return new Float32Array(bits.buffer);
};

function nonBooleanValue(data: SafetensorsData): string | undefined {
  const i = (data as Uint8Array).findIndex((v) => v > 1);
  return i < 0 ? undefined : `BOOL values 0 or 1, found ${data[i]} at index ${i}`;
}

/** The safetensors dtype names kshot reads (and, where `writable`, writes). */
export type SafetensorsDType = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL";

export const SAFETENSORS_DTYPES: Readonly<Record<SafetensorsDType, DTypeInfo>> = {
  F64: plain(8, Float64Array),
  F32: plain(4, Float32Array),
  F16: { itemSize: 2, array: Float32Array, writable: false, decode: decodeF16 },
  BF16: { itemSize: 2, array: Float32Array, writable: false, decode: decodeBF16 },
  I64: plain(8, BigInt64Array),
  I32: plain(4, Int32Array),
  I16: plain(2, Int16Array),
  I8: plain(1, Int8Array),
  U64: plain(8, BigUint64Array),
  U32: plain(4, Uint32Array),
  U16: plain(2, Uint16Array),
  U8: plain(1, Uint8Array),
  BOOL: { ...plain(1, Uint8Array), invalidValues: nonBooleanValue },
};

export function isSafetensorsDType(name: string): name is SafetensorsDType {
  return Object.hasOwn(SAFETENSORS_DTYPES, name);
}

export function dtypeInfo(dtype: SafetensorsDType): DTypeInfo {
  return SAFETENSORS_DTYPES[dtype];
}

/** Copies the array's elements into `target` as little-endian bytes. */
export function writeLittleEndian(data: SafetensorsData, itemSize: number, target: Uint8Array): void {
  target.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  swapBytes(target, itemSize);
}
