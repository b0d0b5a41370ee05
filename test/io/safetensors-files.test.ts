import { describe, expect, it } from "vitest";
import { fileExists, listDirectory, readFileBytes, removeDirectory, removeFile, writeFileAtomic } from "../../src/io/files.ts";
import {
  parseSafetensors,
  readSafetensorsFile,
  serializeSafetensors,
  writeSafetensorsFile,
  type SafetensorsEntry,
} from "../../src/io/safetensors.ts";
import { hasFileSystem, scratchDirectory, torchFixturesDirectory } from "./io-paths.ts";

const TORCH_FIXTURES = hasFileSystem ? torchFixturesDirectory() : "";
const fixtureNames = hasFileSystem && (await fileExists(TORCH_FIXTURES))
  ? (await listDirectory(TORCH_FIXTURES)).map((e) => e.name).filter((n) => n.endsWith(".safetensors"))
  : [];

function sameBytes(a: SafetensorsEntry, b: SafetensorsEntry): boolean {
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

if (hasFileSystem) {
  describe("PyTorch golden files", () => {
    it("are present", () => {
      // The golden cases live in test/golden/cases; without them this fails
      // with the path it looked in, rather than passing vacuously.
      expect(`${fixtureNames.length} .safetensors files in ${TORCH_FIXTURES}`).toMatch(/^[1-9]\d* /);
    });

    for (const name of fixtureNames) {
      it(`reads ${name}`, async () => {
        const { tensors, metadata } = await readSafetensorsFile(`${TORCH_FIXTURES}/${name}`);
        expect(tensors.size).toBeGreaterThan(0);
        expect(metadata.algorithm ?? "").toMatch(/^[a-z_-]+$/);
        expect(metadata.case).toBe(name.replace(/\.safetensors$/, ""));

        // param_order names exactly the model's param.* tensors, which are float32 (the Meta-Learner LSTM's
        // own gate parameters, param.metalstm.*, are not the model's: tools/golden/README.md).
        const order = (metadata.param_order ?? "").split(",").filter((n) => n !== "");
        const params = [...tensors.keys()].filter((k) => k.startsWith("param.") && !k.startsWith("param.metalstm.")).map((k) => k.slice(6));
        expect([...order].sort()).toEqual([...params].sort());
        for (const p of order) expect(tensors.get(`param.${p}`)!.dtype).toBe("F32");

        for (const [key, t] of tensors) {
          const family = key.split(".")[0]!;
          if (family === "expected") expect(t.dtype).toBe("F64");
          else if (key.endsWith(".y")) expect(["F32", "I32"]).toContain(t.dtype);
          else expect(t.dtype).toBe("F32");
          expect(["param", "lr", "support", "query", "quadratic", "expected"]).toContain(family);
          for (const d of t.shape) expect(Number.isInteger(d) && d >= 0).toBe(true);
          expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
          if (t.dtype !== "I32") {
            const finite = Array.from(t.data as Float32Array | Float64Array).every(Number.isFinite);
            expect(finite).toBe(true);
          }
        }
        // Tasks > 1 puts a leading task dimension on every task tensor.
        const tasks = Number(metadata.tasks ?? "1");
        expect(Number.isInteger(tasks) && tasks >= 1).toBe(true);
        if (tasks > 1 && tensors.has("support.x")) expect(tensors.get("support.x")!.shape[0]).toBe(tasks);
      });

      it(`rewrites ${name} to bytes that parse back the same`, async () => {
        const original = await readFileBytes(`${TORCH_FIXTURES}/${name}`);
        const first = parseSafetensors(original);
        const bytes = serializeSafetensors(first.tensors, first.metadata);
        expect(bytes.length).toBeLessThanOrEqual(original.length + 8); // only header padding may differ
        const second = parseSafetensors(bytes);
        expect([...second.tensors.keys()]).toEqual([...first.tensors.keys()]);
        for (const [key, t] of first.tensors) {
          const u = second.tensors.get(key)!;
          expect(u.dtype).toBe(t.dtype);
          expect(u.shape).toEqual(t.shape);
          expect(sameBytes(u, t)).toBe(true);
        }
        expect({ ...second.metadata }).toEqual({ ...first.metadata });
      });
    }
  });

  describe("safetensors files", () => {
    it("writes atomically and reads back; a failed write leaves the old file whole", async () => {
      const dir = await scratchDirectory("st");
      const path = `${dir}/model.safetensors`;
      const tensors = new Map([["w", { dtype: "F32" as const, shape: [2], data: Float32Array.of(1, 2) }]]);
      await writeSafetensorsFile(path, tensors, { format: "kshot/1" });
      const back = await readSafetensorsFile(path);
      expect(Array.from(back.tensors.get("w")!.data as Float32Array)).toEqual([1, 2]);
      expect(back.metadata.format).toBe("kshot/1");

      const bad = new Map([["w", { dtype: "F32" as const, shape: [3], data: Float32Array.of(1, 2) }]]);
      await expect(writeSafetensorsFile(path, bad)).rejects.toThrow(/expected 3 elements/);
      await expect(writeSafetensorsFile(`${dir}/no/such/dir.safetensors`, tensors)).rejects.toThrow(/no such file/);
      expect((await listDirectory(dir)).map((e) => e.name)).toEqual(["model.safetensors"]);
      expect(Array.from((await readSafetensorsFile(path)).tensors.get("w")!.data as Float32Array)).toEqual([1, 2]);

      await writeFileAtomic(`${dir}/truncated.safetensors`, (await readFileBytes(path)).subarray(0, 20));
      await expect(readSafetensorsFile(`${dir}/truncated.safetensors`)).rejects.toThrow(
        /truncated\.safetensors: header length \d+ runs past the end/,
      );
      await expect(readSafetensorsFile(`${dir}/missing.safetensors`)).rejects.toThrow(/cannot read .*missing\.safetensors/);

      for (const e of await listDirectory(dir)) await removeFile(`${dir}/${e.name}`);
      await removeDirectory(dir);
    });
  });
} else {
  describe("safetensors files in a browser", () => {
    it("reading a file path rejects with a KshotError", async () => {
      await expect(readSafetensorsFile("/model.safetensors")).rejects.toThrow(/not available in a browser/);
    });
  });
}
