import { describe, expect, it } from "vitest";
import { KshotError } from "../../src/errors.ts";
import {
  MAX_HEADER_BYTES,
  parseSafetensors,
  serializeSafetensors,
  type SafetensorsData,
  type SafetensorsEntry,
} from "../../src/io/safetensors.ts";

// ------------------------------------------------------------------ helpers

/** A safetensors buffer from header text (padded with spaces to 8) and raw data bytes. */
function build(header: string, data: ArrayLike<number> = [], { pad = true } = {}): Uint8Array {
  const json = new TextEncoder().encode(header);
  const n = pad ? Math.ceil(json.length / 8) * 8 : json.length;
  const out = new Uint8Array(8 + n + data.length).fill(0x20, 8, 8 + n);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.set(data, 8 + n);
  return out;
}

/** Same buffer with a different header-length field. */
function withHeaderLength(bytes: Uint8Array, n: bigint): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setBigUint64(0, n, true);
  return copy;
}

function bytesOf(data: SafetensorsData): number[] {
  return Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function entry(dtype: SafetensorsEntry["dtype"], shape: number[], data: SafetensorsData): SafetensorsEntry {
  return { dtype, shape, data };
}

/** The parsed tensors must be those written: same names in order, dtypes, shapes and bytes. */
function expectSameTensors(got: Map<string, SafetensorsEntry>, want: Map<string, SafetensorsEntry>): void {
  expect([...got.keys()]).toEqual([...want.keys()]);
  for (const [name, w] of want) {
    const g = got.get(name)!;
    expect(g.dtype).toBe(w.dtype);
    expect(g.shape).toEqual(w.shape);
    expect(g.data.constructor).toBe(w.data.constructor);
    expect(bytesOf(g.data)).toEqual(bytesOf(w.data));
  }
}

const F32 = (h: string, data: number[] = [0, 0, 0, 0]): Uint8Array =>
  build(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}${h}}`, data);

// ------------------------------------------------------------------ known answer

describe("safetensors known answer", () => {
  // Written by hand from the format's definition: a U8 first puts the F32 at an unaligned file offset.
  const header =
    '{"__metadata__":{"format":"kshot/1","b":"2"},' +
    '"u":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},' +
    '"f":{"dtype":"F32","shape":[2],"data_offsets":[3,11]},' +
    '"i":{"dtype":"I64","shape":[],"data_offsets":[11,19]}}';
  const data = [
    1, 2, 255, // u
    0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, // f: 1.0, -2.0
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // i: -2
  ];
  const bytes = build(header, data);

  it("parses the hand-built buffer", () => {
    const { tensors, metadata } = parseSafetensors(bytes);
    expect([...tensors.keys()]).toEqual(["u", "f", "i"]);
    expect(Array.from(tensors.get("u")!.data as Uint8Array)).toEqual([1, 2, 255]);
    const f = tensors.get("f")!;
    expect(f.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f.data as Float32Array)).toEqual([1, -2]);
    expect(f.shape).toEqual([2]);
    const i = tensors.get("i")!;
    expect(i.shape).toEqual([]);
    expect(i.data).toBeInstanceOf(BigInt64Array);
    expect((i.data as BigInt64Array)[0]).toBe(-2n);
    expect(Object.keys(metadata)).toEqual(["format", "b"]);
    expect(metadata.format).toBe("kshot/1");
    expect(metadata.b).toBe("2");
  });

  it("serializes to exactly the hand-built bytes", () => {
    const tensors = new Map([
      ["u", entry("U8", [3], Uint8Array.of(1, 2, 255))],
      ["f", entry("F32", [2], Float32Array.of(1, -2))],
      ["i", entry("I64", [], BigInt64Array.of(-2n))],
    ]);
    expect(Array.from(serializeSafetensors(tensors, { format: "kshot/1", b: "2" }))).toEqual(Array.from(bytes));
  });

  it("pads the header with spaces to a multiple of 8 bytes", () => {
    for (const name of ["a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh"]) {
      const out = serializeSafetensors(new Map([[name, entry("U8", [1], Uint8Array.of(7))]]));
      const n = Number(new DataView(out.buffer).getBigUint64(0, true));
      expect(n % 8).toBe(0);
      const text = new TextDecoder().decode(out.subarray(8, 8 + n));
      expect(text.trimEnd()).toBe(`{${JSON.stringify(name)}:{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`);
      expect(text.length - text.trimEnd().length).toBeLessThan(8);
      expect(out.length).toBe(8 + n + 1);
      expect(out[out.length - 1]).toBe(7);
    }
  });

  it("decodes F16 and BF16 to float32", () => {
    const half = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0xfc00, 0x8000, 0x3555, 0x7e00];
    const brain = [0x3f80, 0xc040, 0x7f80, 0x0001];
    const le = (words: number[]) => words.flatMap((w) => [w & 0xff, w >> 8]);
    const { tensors } = parseSafetensors(
      build(
        '{"h":{"dtype":"F16","shape":[9],"data_offsets":[0,18]},"b":{"dtype":"BF16","shape":[2,2],"data_offsets":[18,26]}}',
        [...le(half), ...le(brain)],
      ),
    );
    const h = tensors.get("h")!.data as Float32Array;
    expect(h).toBeInstanceOf(Float32Array);
    expect(Array.from(h.subarray(0, 7))).toEqual([1, -2, 65504, 2 ** -24, Infinity, -Infinity, -0]);
    expect(Object.is(h[6], -0)).toBe(true);
    expect(h[7]).toBeCloseTo(0.333251953125, 12);
    expect(Number.isNaN(h[8])).toBe(true);
    const b = tensors.get("b")!.data as Float32Array;
    expect(Array.from(b.subarray(0, 3))).toEqual([1, -3, Infinity]);
    expect(b[3]).toBe(new Float32Array(new Uint32Array([0x00010000]).buffer)[0]);
    expect(() => serializeSafetensors(tensors)).toThrow(/F16 is read-only/);
  });
});

// ------------------------------------------------------------------ round trips

describe("safetensors round trip", () => {
  const samples = (): Map<string, SafetensorsEntry> =>
    new Map<string, SafetensorsEntry>([
      ["f32", entry("F32", [2, 3], Float32Array.of(0, -0, 1.5, NaN, Infinity, -3.4028234663852886e38))],
      ["f64", entry("F64", [3], Float64Array.of(Math.PI, -Number.MIN_VALUE, Number.MAX_VALUE))],
      ["i32", entry("I32", [2, 2], Int32Array.of(-(2 ** 31), 2 ** 31 - 1, 0, -1))],
      ["i64", entry("I64", [2], BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n))],
      ["u8", entry("U8", [1, 4], Uint8Array.of(0, 1, 128, 255))],
      ["i8", entry("I8", [2], Int8Array.of(-128, 127))],
      ["i16", entry("I16", [2], Int16Array.of(-32768, 32767))],
      ["u16", entry("U16", [2], Uint16Array.of(0, 65535))],
      ["u32", entry("U32", [2], Uint32Array.of(0, 2 ** 32 - 1))],
      ["u64", entry("U64", [1], BigUint64Array.of(2n ** 64n - 1n))],
      ["bool", entry("BOOL", [3], Uint8Array.of(1, 0, 1))],
      ["scalar", entry("F32", [], Float32Array.of(42))],
      ["scalar64", entry("I64", [], BigInt64Array.of(7n))],
      ["empty", entry("F32", [0], new Float32Array(0))],
      ["empty2d", entry("I32", [4, 0], new Int32Array(0))],
      ["empty64", entry("F64", [0, 3], new Float64Array(0))],
    ]);

  it("keeps every dtype, shape, value and the order", () => {
    const tensors = samples();
    const metadata = { algorithm: "maml", "ünïcode ✓": "line\nbreak \"quoted\"", empty: "" };
    const parsed = parseSafetensors(serializeSafetensors(tensors, metadata));
    expectSameTensors(parsed.tensors, tensors);
    expect({ ...parsed.metadata }).toEqual(metadata);
    expect(Object.keys(parsed.metadata)).toEqual(Object.keys(metadata));
  });

  it("keeps the order of integer-like names given in a Map", () => {
    const names = ["b", "10", "a", "2", "", "0"];
    const tensors = new Map(names.map((n, i) => [n, entry("I32", [1], Int32Array.of(i))] as const));
    const parsed = parseSafetensors(serializeSafetensors(tensors));
    expect([...parsed.tensors.keys()]).toEqual(names);
    expect(names.map((n) => (parsed.tensors.get(n)!.data as Int32Array)[0])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("accepts a plain object (in JavaScript's key order) and a subarray view as data", () => {
    const backing = Float32Array.of(9, 1, 2, 3, 9);
    const record = { w: entry("F32", [3], backing.subarray(1, 4)), "1": entry("U8", [1], Uint8Array.of(5)) };
    const parsed = parseSafetensors(serializeSafetensors(record));
    expect([...parsed.tensors.keys()]).toEqual(["1", "w"]);
    expect(Array.from(parsed.tensors.get("w")!.data as Float32Array)).toEqual([1, 2, 3]);
  });

  it("writes an empty file list as a valid file", () => {
    const bytes = serializeSafetensors(new Map());
    expect(bytes.length).toBe(16);
    const parsed = parseSafetensors(bytes);
    expect(parsed.tensors.size).toBe(0);
    expect(Object.keys(parsed.metadata)).toEqual([]);
  });

  it("reads from a buffer that does not start at offset 0", () => {
    const bytes = serializeSafetensors(samples(), { k: "v" });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expectSameTensors(parseSafetensors(shifted.subarray(3)).tensors, samples());
  });

  it("gives data that does not alias the input buffer", () => {
    const bytes = serializeSafetensors(new Map([["x", entry("U8", [2], Uint8Array.of(1, 2))]]));
    const x = parseSafetensors(bytes).tensors.get("x")!.data;
    bytes.fill(0);
    expect(Array.from(x as Uint8Array)).toEqual([1, 2]);
  });

  it("returns metadata with no prototype, so inherited names are not values", () => {
    const { metadata } = parseSafetensors(serializeSafetensors(new Map(), { a: "1" }));
    expect(metadata.toString).toBe(undefined);
    expect(metadata.a).toBe("1");
  });
});

// ------------------------------------------------------------------ reading: validation

describe("safetensors rejects malformed input", () => {
  const rejects = (bytes: Uint8Array, message: RegExp): void => {
    expect(() => parseSafetensors(bytes, "bad.safetensors")).toThrow(KshotError);
    expect(() => parseSafetensors(bytes, "bad.safetensors")).toThrow(message);
  };

  it("checks the header length", () => {
    rejects(new Uint8Array(7), /bad\.safetensors: expected at least 8 bytes .* found 7/);
    const ok = build("{}");
    rejects(withHeaderLength(ok, 1n), /at least 2 bytes .* found 1/);
    rejects(withHeaderLength(ok, 0n), /at least 2 bytes .* found 0/);
    rejects(withHeaderLength(ok, BigInt(MAX_HEADER_BYTES) + 1n), /at most 100000000 bytes, found 100000001/);
    rejects(withHeaderLength(ok, 2n ** 64n - 1n), /at most 100000000 bytes, found 18446744073709551615/);
    rejects(withHeaderLength(ok, 9n), /header length 9 runs past the end/);
    expect(parseSafetensors(build("{}", [], { pad: false })).tensors.size).toBe(0);
  });

  it("checks that the header is UTF-8 JSON of one object", () => {
    const bad = build('{"x":1}');
    bad[10] = 0xff;
    rejects(bad, /invalid UTF-8/);
    rejects(build("\uFEFF{}"), /start with '\{'/);
    rejects(build(" {}"), /start with '\{'/);
    rejects(build("[]"), /start with '\{'/);
    rejects(build('{"x":}'), /invalid JSON at character 5: expected a JSON value/);
    rejects(build('{"x":{}'), /invalid JSON .*expected ',' or '\}'/);
    rejects(build("{} {}"), /expected the end of the JSON text/);
    rejects(build('{"a\\q":{}}'), /expected a valid string/);
    rejects(build('{"a\tb":{}}'), /expected a valid string/);
    rejects(build("{'a':{}}"), /expected a string/);
  });

  it("rejects duplicate keys at every level", () => {
    const t = '"x":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}';
    rejects(build(`{${t},${t}}`), /"x" is repeated/);
    rejects(build('{"x":{"dtype":"U8","dtype":"U8","shape":[0],"data_offsets":[0,0]}}'), /"dtype" is repeated/);
    rejects(build('{"__metadata__":{"a":"1","a":"2"}}'), /"a" is repeated/);
    rejects(build('{"__metadata__":{},"__metadata__":{}}'), /"__metadata__" is repeated/);
  });

  it("checks dtypes", () => {
    rejects(build('{"x":{"dtype":"F8","shape":[0],"data_offsets":[0,0]}}'), /tensor "x": expected a dtype \(F64, F32.*\), found the string "F8"/);
    rejects(build('{"x":{"dtype":"f32","shape":[0],"data_offsets":[0,0]}}'), /found the string "f32"/);
    rejects(build('{"x":{"shape":[0],"data_offsets":[0,0]}}'), /expected a dtype .* found nothing/);
    rejects(build('{"x":{"dtype":4,"shape":[0],"data_offsets":[0,0]}}'), /expected a dtype .* found number 4/);
  });

  it("checks shapes", () => {
    const shaped = (shape: string) => build(`{"x":{"dtype":"U8","shape":${shape},"data_offsets":[0,0]}}`);
    rejects(shaped("[-1]"), /tensor "x": shape: expected an array of non-negative integers, found number -1/);
    rejects(shaped("[1.5]"), /shape: expected .* found number 1.5/);
    rejects(shaped('["2"]'), /shape: expected .* found the string "2"/);
    rejects(shaped("3"), /shape: expected an array .* found number 3/);
    rejects(shaped("[1e300]"), /shape: expected .* found number 1e\+300/);
    rejects(build('{"x":{"dtype":"U8","data_offsets":[0,0]}}'), /shape: expected an array .* found nothing/);
    rejects(shaped("[4294967296, 4294967296, 4294967296]"), /more elements than can be counted exactly/);
  });

  it("checks data offsets", () => {
    const at = (offsets: string, data = 4) =>
      build(`{"x":{"dtype":"U8","shape":[4],"data_offsets":${offsets}}}`, new Array(data).fill(0));
    rejects(at("[0]"), /data_offsets: expected an array of 2 non-negative integers, found 1 items/);
    rejects(at("[0,4,4]"), /expected an array of 2 .* found 3 items/);
    rejects(at("[-1,4]"), /data_offsets: .* found number -1/);
    rejects(at("[0,4.5]"), /data_offsets: .* found number 4.5/);
    rejects(at("[4,0]"), /begin <= end, found \[4, 0\]/);
    rejects(at("[0,8]"), /data_offsets \[0, 8\] run past the data section, which has 4 bytes/);
    rejects(at("[0,3]", 3), /expected 4 bytes \(shape \[4\] of U8, 1 bytes each\), found data_offsets \[0, 3\] \(3 bytes\)/);
    rejects(
      build('{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
      /expected 8 bytes \(shape \[2\] of F32, 4 bytes each\)/,
    );
    rejects(build('{"x":{"dtype":"U8","shape":[0]}}'), /data_offsets: expected an array of 2 .* found nothing/);
  });

  it("requires the tensors to tile the data section: no overlap, no gap, nothing after", () => {
    const two = (a: string, b: string, bytes: number) =>
      build(
        `{"a":{"dtype":"U8","shape":[4],"data_offsets":${a}},"b":{"dtype":"U8","shape":[4],"data_offsets":${b}}}`,
        new Array(bytes).fill(0),
      );
    rejects(two("[0,4]", "[0,4]", 4), /tensors "a" \(bytes 0\.\.4\) and "b" \(bytes 0\.\.4\) overlap/);
    rejects(two("[0,4]", "[2,6]", 6), /"a" \(bytes 0\.\.4\) and "b" \(bytes 2\.\.6\) overlap/);
    rejects(two("[4,8]", "[0,4]", 10), /has 10 bytes but the tensors cover only 8/);
    rejects(two("[0,4]", "[6,10]", 10), /bytes 4\.\.6 of the data section belong to no tensor/);
    rejects(two("[2,6]", "[6,10]", 10), /bytes 0\.\.2 of the data section belong to no tensor/);
    rejects(build("{}", [1]), /has 1 bytes but the tensors cover only 0/);
    // Sorted by offset, not by header order, and empty tensors may sit anywhere.
    const ok = build(
      '{"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},"e":{"dtype":"F64","shape":[0],"data_offsets":[2,2]},' +
        '"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"z":{"dtype":"U8","shape":[0],"data_offsets":[4,4]}}',
      [1, 2, 3, 4],
    );
    const { tensors } = parseSafetensors(ok);
    expect([...tensors.keys()]).toEqual(["b", "e", "a", "z"]);
    expect(Array.from(tensors.get("b")!.data as Uint8Array)).toEqual([3, 4]);
    expect(Array.from(tensors.get("a")!.data as Uint8Array)).toEqual([1, 2]);
  });

  it("checks __metadata__", () => {
    rejects(F32(',"__metadata__":[]'), /expected __metadata__ to be an object of strings, found an array of 0/);
    rejects(F32(',"__metadata__":null'), /expected __metadata__ .* found null/);
    rejects(F32(',"__metadata__":{"lr":0.1}'), /__metadata__\.lr: expected a string, found number 0\.1/);
    rejects(F32(',"__metadata__":{"o":{}}'), /__metadata__\.o: expected a string, found an object/);
  });

  it("rejects names that are JavaScript object machinery, without polluting anything", () => {
    for (const name of ["__proto__", "constructor", "prototype"]) {
      rejects(build(`{"${name}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`), /this name is not allowed/);
      rejects(F32(`,"__metadata__":{"${name}":"x"}`), new RegExp(`the key "${name}" is not allowed`));
    }
    rejects(F32(',"__metadata__":{"__proto__":{"polluted":"yes"}}'), /not allowed/);
    expect(({} as Record<string, unknown>).polluted).toBe(undefined);
  });

  it("rejects other entry keys, a non-object entry, BOOL values other than 0 and 1, and deep nesting", () => {
    rejects(build('{"x":{"dtype":"U8","shape":[0],"data_offsets":[0,0],"extra":1}}'), /only the keys dtype, shape and data_offsets, found "extra"/);
    rejects(build('{"x":[]}'), /tensor "x": expected an object \{dtype, shape, data_offsets\}, found an array of 0/);
    rejects(build('{"x":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}', [1, 2]), /BOOL values 0 or 1, found 2 at index 1/);
    rejects(F32(`,"__metadata__":{"d":${"[".repeat(100)}${"]".repeat(100)}}`), /at most 64 levels of nesting/);
  });
});

// ------------------------------------------------------------------ writing: validation

describe("safetensors refuses to write inconsistent tensors", () => {
  const refuses = (tensors: Parameters<typeof serializeSafetensors>[0], message: RegExp, metadata?: Record<string, string>) => {
    expect(() => serializeSafetensors(tensors, metadata)).toThrow(KshotError);
    expect(() => serializeSafetensors(tensors, metadata)).toThrow(message);
  };
  const ok = () => entry("F32", [2], new Float32Array(2));

  it("checks shape against data", () => {
    refuses({ w: entry("F32", [2, 2], new Float32Array(3)) }, /tensor "w": expected 4 elements \(shape \[2,2\]\), found 3 in the data/);
    refuses({ w: entry("F32", [], new Float32Array(0)) }, /expected 1 elements \(shape \[\]\), found 0/);
    refuses({ w: entry("F32", [-1], new Float32Array(0)) }, /shape: expected an array of non-negative integers, found number -1/);
    refuses({ w: entry("F32", [1.5], new Float32Array(0)) }, /found number 1.5/);
  });

  it("checks dtype against the array type", () => {
    refuses({ w: entry("F32", [2], new Float64Array(2)) }, /expected F32 data in a Float32Array, found a Float64Array of 2/);
    refuses({ w: entry("I64", [2], new Int32Array(2)) }, /expected I64 data in a BigInt64Array, found a Int32Array/);
    refuses({ w: entry("U8", [2], new Int8Array(2)) }, /expected U8 data in a Uint8Array/);
    refuses({ w: { dtype: "F8", shape: [1], data: new Uint8Array(1) } as unknown as SafetensorsEntry }, /expected a dtype .* found the string "F8"/);
    refuses({ w: entry("BF16", [1], new Float32Array(1)) }, /BF16 is read-only .* write it as F32/);
    refuses({ w: entry("BOOL", [2], Uint8Array.of(0, 3)) }, /BOOL values 0 or 1, found 3 at index 1/);
  });

  it("checks names and metadata", () => {
    refuses(new Map([["__metadata__", ok()]]), /reserved for the metadata/);
    for (const name of ["__proto__", "constructor", "prototype"]) {
      refuses(new Map([[name, ok()]]), /this name is not allowed/);
      const meta = Object.create(null) as Record<string, string>;
      meta[name] = "x";
      refuses(new Map(), new RegExp(`the key "${name}" is not allowed`), meta);
    }
    refuses(new Map(), /__metadata__\.lr: expected a string, found number 0\.1/, { lr: 0.1 } as unknown as Record<string, string>);
    // A literal's `__proto__:` replaces the prototype instead of adding a tensor: refuse rather than drop it.
    refuses({ __proto__: ok() } as unknown as Record<string, SafetensorsEntry>, /a Map or a plain object/);
  });
});
