// A small static server for the test page on 127.0.0.1 (a free port): the repository at /, the shared
// folder at /@shared/, in-memory test bundles at /@bundle/. Every response is cross-origin isolated
// (COOP + COEP), so pages get SharedArrayBuffer as a deployed kshot page would.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, resolve, sep } from "node:path";

export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".wgsl": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
};

/** `relPath` inside `base`, or undefined when it would escape it (.., absolute, encoded tricks). */
export function insideDir(base, relPath) {
  const root = resolve(base);
  const target = resolve(root, `.${sep}${relPath}`);
  return target === root || target.startsWith(root + sep) ? target : undefined;
}

function send(res, status, body, type = "text/plain; charset=utf-8", head = false) {
  res.writeHead(status, { ...ISOLATION_HEADERS, "Content-Type": type, "Cache-Control": "no-store", "Content-Length": Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

async function sendFile(res, path, head) {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return send(res, 404, "not found\n", undefined, head);
  res.writeHead(200, {
    ...ISOLATION_HEADERS,
    "Content-Type": TYPES[extname(path)] ?? "application/octet-stream",
    "Content-Length": info.size,
    "Cache-Control": "no-store",
  });
  if (head) return res.end();
  createReadStream(path).pipe(res);
}

/**
 * Starts the server. `bundles` maps URL paths below /@bundle/ to contents (Uint8Array), and may be
 * replaced or filled after start. Returns { origin, close }.
 */
export async function startTestServer({ root, sharedDir, bundles }) {
  const mounts = [
    { prefix: "/@shared/", dir: sharedDir },
    { prefix: "/", dir: root },
  ];
  const server = createServer((req, res) => {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) return send(res, 405, "method not allowed\n");
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(res, 400, "bad path\n", undefined, head);
    }
    if (path.startsWith("/@bundle/")) {
      const contents = bundles.get(path.slice("/@bundle/".length));
      return contents ? send(res, 200, Buffer.from(contents), TYPES[".js"], head) : send(res, 404, "no such bundle\n", undefined, head);
    }
    const mount = mounts.find((m) => path.startsWith(m.prefix));
    const file = mount && insideDir(mount.dir, path.slice(mount.prefix.length));
    if (!file) return send(res, 403, "outside the served folders\n", undefined, head);
    sendFile(res, file, head).catch((error) => send(res, 500, `${error.message}\n`, undefined, head));
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", ok);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}
