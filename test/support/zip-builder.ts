/**
 * Builds zip archives in memory for tests (the layout `src/io/zip.ts` reads): local headers, data, a
 * central directory and its end record. Deflated entries use the standard `CompressionStream`.
 */
import { crc32 } from "../../src/io/zip.ts";
import { concat } from "../fuzz/harness.ts";

export interface ZipInput {
  name: string;
  bytes: Uint8Array;
  /** Deflate (default) or store. */
  store?: boolean;
}

async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function header(size: number, fill: (view: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(size);
  fill(new DataView(bytes.buffer));
  return bytes;
}

/** A zip archive of `inputs`, in order; directories are names ending with `/` and no bytes. */
export async function buildZip(inputs: readonly ZipInput[]): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const local: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const input of inputs) {
    const name = encoder.encode(input.name);
    const method = input.store || input.bytes.length === 0 ? 0 : 8;
    const data = method === 8 ? await deflateRaw(input.bytes) : input.bytes;
    const crc = crc32(input.bytes);
    const common = (v: DataView, at: number) => {
      v.setUint16(at, 20, true); // version needed
      v.setUint16(at + 4, method, true);
      v.setUint32(at + 10, crc, true);
      v.setUint32(at + 14, data.length, true);
      v.setUint32(at + 18, input.bytes.length, true);
      v.setUint16(at + 22, name.length, true);
    };
    local.push(header(30, (v) => {
      v.setUint32(0, 0x04034b50, true);
      common(v, 4);
    }), name, data);
    central.push(header(46, (v) => {
      v.setUint32(0, 0x02014b50, true);
      v.setUint16(4, 20, true); // version made by
      common(v, 6);
      v.setUint32(42, offset, true);
    }), name);
    offset += 30 + name.length + data.length;
  }
  const dirSize = central.reduce((n, c) => n + c.length, 0);
  const end = header(22, (v) => {
    v.setUint32(0, 0x06054b50, true);
    v.setUint16(8, inputs.length, true);
    v.setUint16(10, inputs.length, true);
    v.setUint32(12, dirSize, true);
    v.setUint32(16, offset, true);
  });
  return concat(...local, ...central, end);
}
