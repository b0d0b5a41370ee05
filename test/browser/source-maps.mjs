// Rewrites stack traces from the test page so they name the TypeScript sources (test/io/x.test.ts:12:5)
// instead of bundle chunks, using esbuild's source maps, and drops the frames of the shim itself.
import { dirname, join, relative, resolve } from "node:path";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes one source-map VLQ segment into its numbers. */
export function decodeSegment(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = BASE64.indexOf(ch);
    if (digit < 0) throw new Error(`bad VLQ digit ${JSON.stringify(ch)} in ${JSON.stringify(segment)}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

/** Per generated line, the segments [generatedColumn, sourceIndex, sourceLine, sourceColumn] (0-based). */
export function decodeMappings(mappings) {
  const lines = [];
  let source = 0;
  let line = 0;
  let column = 0;
  for (const text of mappings.split(";")) {
    const segments = [];
    let generated = 0;
    for (const part of text.split(",")) {
      if (part === "") continue;
      const [g, s, l, c] = decodeSegment(part);
      generated += g;
      if (s === undefined) continue;
      source += s;
      line += l;
      column += c;
      segments.push([generated, source, line, column]);
    }
    lines.push(segments);
  }
  return lines;
}

/** The original position of a 1-based generated line and column, or undefined. */
export function originalPosition(map, line, column) {
  const segments = map.lines[line - 1];
  if (!segments) return undefined;
  let found;
  for (const segment of segments) {
    if (segment[0] > column - 1) break;
    found = segment;
  }
  if (!found) return undefined;
  return { source: map.sources[found[1]], line: found[2] + 1, column: found[3] + 1 };
}

const FRAME = /https?:\/\/127\.0\.0\.1:\d+\/@bundle\/([^\s():]+):(\d+):(\d+)/g;
/** Frames of the shim, the page runner and the generated entry modules: noise in a test's stack. */
const SHIM_FRAME = /(\(|\s)(test\/shims\/|test\/browser\/|\S*kshot-entry:)[^\s)]*\)?$/;

/**
 * A function that rewrites a stack trace. `served` maps URL paths below /@bundle/ to file contents, maps
 * included (`<file>.map`); `outdir` is where esbuild meant them to be, so sources resolve against root.
 */
export function stackMapper(root, outdir, served) {
  const cache = new Map();
  const mapFor = (path) => {
    if (!cache.has(path)) {
      const raw = served.get(`${path}.map`);
      let map;
      if (raw) {
        const json = JSON.parse(Buffer.from(raw).toString("utf8"));
        const mapDir = dirname(join(outdir, path));
        map = { lines: decodeMappings(json.mappings), sources: json.sources.map((s) => relative(root, resolve(mapDir, s))) };
      }
      cache.set(path, map);
    }
    return cache.get(path);
  };
  return (stack) => stack
    .replace(FRAME, (whole, path, line, column) => {
      const map = mapFor(path);
      const at = map && originalPosition(map, Number(line), Number(column));
      return at ? `${at.source}:${at.line}:${at.column}` : whole;
    })
    .split("\n")
    .filter((l) => !(/^\s*at /.test(l) && SHIM_FRAME.test(l)))
    .join("\n");
}
