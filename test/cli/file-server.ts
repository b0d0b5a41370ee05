/**
 * A local HTTP server on 127.0.0.1 for the download tests: serves in-memory files, honours Range
 * requests, and can cut a response short (declaring the full length, then closing the connection).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ServedFile {
  bytes: Uint8Array;
  /** Send at most this many body bytes per response, then drop the connection. */
  cutAfter?: number;
  /** Ignore Range headers (answer 200 with the whole file). */
  noRanges?: boolean;
}

export interface FileServer {
  url: string;
  files: Map<string, ServedFile>;
  /** The Range header of every request, in order (`""` without one), by path. */
  ranges: Map<string, string[]>;
  close(): Promise<void>;
}

export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, ServedFile>();
  const ranges = new Map<string, string[]>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    const file = files.get(path);
    ranges.set(path, [...(ranges.get(path) ?? []), req.headers.range ?? ""]);
    if (!file) {
      res.writeHead(404).end("not found");
      return;
    }
    const size = file.bytes.length;
    const range = file.noRanges ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    if (start >= size && range) {
      res.writeHead(416, { "content-range": `bytes */${size}` }).end();
      return;
    }
    const head = {
      "content-length": String(size - start),
      ...(range ? { "content-range": `bytes ${start}-${size - 1}/${size}` } : {}),
    };
    const body = file.bytes.subarray(start);
    if (file.cutAfter === undefined || file.cutAfter >= body.length) {
      res.writeHead(range ? 206 : 200, head).end(body);
      return;
    }
    // Cut short: the raw response on the socket, then its end, so the client gets exactly these bytes.
    const lines = [`HTTP/1.1 ${range ? "206 Partial Content" : "200 OK"}`, ...Object.entries(head).map(([k, v]) => `${k}: ${v}`), "connection: close"];
    const raw = new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
    req.socket.end(Buffer.concat([raw, body.subarray(0, file.cutAfter)]));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    files,
    ranges,
    close: () => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()); }),
  };
}
