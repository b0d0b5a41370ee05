import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { download } from "../../src/cli/download.ts";
import { KshotError } from "../../src/errors.ts";
import { scratch } from "./capture.ts";
import { type FileServer, startFileServer } from "./file-server.ts";

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");
const payload = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251);

describe("download: resumable, checked, atomic", () => {
  let server: FileServer;
  beforeAll(async () => {
    server = await startFileServer();
  });
  afterAll(() => server.close());

  it("a good download lands whole, with progress reported", async () => {
    server.files.set("/good.bin", { bytes: payload });
    const path = join(scratch("dl"), "good.bin");
    const seen: number[] = [];
    await download({ url: `${server.url}/good.bin`, path, md5: md5(payload), onProgress: (p) => seen.push(p.received) });
    expect(new Uint8Array(readFileSync(path))).toEqual(payload);
    expect(seen[seen.length - 1]).toBe(payload.length);
    expect(existsSync(`${path}.part`)).toBe(false);
    // Already there and verified: no request at all.
    const before = server.ranges.get("/good.bin")!.length;
    await download({ url: `${server.url}/good.bin`, path, md5: md5(payload) });
    expect(server.ranges.get("/good.bin")!.length).toBe(before);
  });

  it("a connection that drops is resumed with Range requests until the file is whole", async () => {
    server.files.set("/cut.bin", { bytes: payload, cutAfter: 40_000 });
    const path = join(scratch("dl"), "cut.bin");
    await download({ url: `${server.url}/cut.bin`, path, md5: md5(payload) });
    expect(server.ranges.get("/cut.bin")).toEqual(["", "bytes=40000-", "bytes=80000-"]);
    expect(new Uint8Array(readFileSync(path))).toEqual(payload);
  });

  it("a truncated download keeps its part and says so; the next run resumes it", async () => {
    server.files.set("/slow.bin", { bytes: payload, cutAfter: 15_000 });
    const path = join(scratch("dl"), "slow.bin");
    const options = { url: `${server.url}/slow.bin`, path, md5: md5(payload), attempts: 2 };
    const error = await download(options).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(KshotError);
    expect((error as Error).message).toMatch(/stopped at 30000 of 100000 bytes after 2 attempts .*run the same command again to resume/);
    expect(existsSync(path)).toBe(false);
    expect(readFileSync(`${path}.part`).length).toBe(30_000);
    server.files.set("/slow.bin", { bytes: payload });
    await download(options);
    expect(server.ranges.get("/slow.bin")).toEqual(["", "bytes=15000-", "bytes=30000-"]);
    expect(new Uint8Array(readFileSync(path))).toEqual(payload);
  });

  it("a server without ranges restarts from the beginning", async () => {
    const path = join(scratch("dl"), "plain.bin");
    writeFileSync(`${path}.part`, payload.subarray(0, 5000));
    server.files.set("/plain.bin", { bytes: payload, noRanges: true });
    await download({ url: `${server.url}/plain.bin`, path, md5: md5(payload) });
    expect(new Uint8Array(readFileSync(path))).toEqual(payload);
  });

  it("a wrong checksum removes the download and names both sums", async () => {
    server.files.set("/bad.bin", { bytes: payload });
    const path = join(scratch("dl"), "bad.bin");
    const wrong = "0".repeat(32);
    await expect(download({ url: `${server.url}/bad.bin`, path, md5: wrong })).rejects.toThrow(
      new RegExp(`expected MD5 ${wrong}, got ${md5(payload)} \\(100000 bytes\\); the download was removed`),
    );
    expect(existsSync(path) || existsSync(`${path}.part`)).toBe(false);
  });

  it("HTTP errors and unreachable servers are KshotErrors", async () => {
    const path = join(scratch("dl"), "missing.bin");
    await expect(download({ url: `${server.url}/missing.bin`, path, md5: md5(payload) })).rejects.toThrow(/HTTP 404/);
    await expect(download({ url: "http://127.0.0.1:1/x.bin", path, md5: md5(payload), attempts: 1 })).rejects.toThrow(/cannot reach http:\/\/127.0.0.1:1\/x.bin/);
  });
});
