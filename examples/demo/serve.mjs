// Serves the demo on localhost: `npm run demo` (or `node examples/demo/serve.mjs [--port N]`, or PORT=N).
// Only two folders of the repository are reachable: examples/demo/ at /examples/demo/ and dist/ at /dist/,
// the same layout as the repository itself, so the page's relative import of ../../dist/kshot.mjs also works
// from any static server of the repository root. Responses are cross-origin isolated (COOP + COEP), which
// a kshot page may want for SharedArrayBuffer; nothing here needs the network.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");

const MOUNTS = [
  { prefix: "/examples/demo/", dir: here },
  { prefix: "/dist/", dir: resolve(root, "dist") },
];
const HOME = "/examples/demo/";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".safetensors": "application/octet-stream",
};

const HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
};

/** The file `relPath` names inside `dir`, or undefined when it would leave it. */
function inside(dir, relPath) {
  const target = resolve(dir, `.${sep}${relPath}`);
  return target === dir || target.startsWith(dir + sep) ? target : undefined;
}

/** The file a URL path maps to: undefined when outside the served folders. */
export function fileFor(urlPath) {
  const mount = MOUNTS.find((m) => urlPath.startsWith(m.prefix));
  if (!mount) return undefined;
  const file = inside(mount.dir, urlPath.slice(mount.prefix.length));
  if (file === undefined) return undefined;
  return file === mount.dir || urlPath.endsWith("/") ? resolve(file, "index.html") : file;
}

function reply(res, status, text, extra = {}) {
  res.writeHead(status, { ...HEADERS, "Content-Type": "text/plain; charset=utf-8", ...extra });
  res.end(text);
}

async function handle(req, res) {
  if (req.method !== "GET" && req.method !== "HEAD") return reply(res, 405, "method not allowed\n", { Allow: "GET, HEAD" });
  let path;
  try {
    path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
  } catch {
    return reply(res, 400, "bad request path\n");
  }
  if (path === "/" || path === "/examples/demo") return reply(res, 302, `see ${HOME}\n`, { Location: HOME });
  if (path.includes("\0")) return reply(res, 400, "bad request path\n");
  const file = fileFor(path);
  if (!file) return reply(res, 404, `not served: ${path} (the demo serves ${MOUNTS.map((m) => m.prefix).join(" and ")})\n`);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    const hint = path.startsWith("/dist/") ? " (run `npm run build` first)" : "";
    return reply(res, 404, `not found: ${path}${hint}\n`);
  }
  res.writeHead(200, { ...HEADERS, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Length": info.size });
  if (req.method === "HEAD") return res.end();
  createReadStream(file).pipe(res);
}

/** Starts the server on 127.0.0.1:`port` (0: a free port). Resolves to { url, close }. */
export async function startDemoServer(port = 8080, host = "127.0.0.1") {
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => reply(res, 500, `${error.message}\n`));
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, ok);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}${HOME}`,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}

function portFromArgs(argv, env) {
  const i = argv.indexOf("--port");
  const given = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--port="))?.slice("--port=".length) ?? env.PORT;
  if (given === undefined) return 8080;
  const port = Number(given);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`serve.mjs: expected --port (or PORT) to be an integer from 0 to 65535, got ${JSON.stringify(given)}`);
  }
  return port;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { url } = await startDemoServer(portFromArgs(process.argv.slice(2), process.env));
    console.log(`kshot demo: ${url}`);
    console.log("(Ctrl-C stops the server)");
  } catch (error) {
    console.error(error.code === "EADDRINUSE" ? `serve.mjs: the port is in use; choose another with --port N` : error.message);
    process.exit(1);
  }
}
