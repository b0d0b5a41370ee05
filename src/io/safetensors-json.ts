/**
 * A strict JSON reader for safetensors headers. Unlike JSON.parse it keeps every object's keys in the
 * order written (JSON.parse moves integer-like keys such as "0" to the front), rejects duplicate keys
 * (JSON.parse silently keeps the last), and returns objects as Maps, so no key can reach a prototype.
 */
import { KshotError } from "../errors.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

/** Nesting deeper than this is no safetensors header; the limit keeps recursion off the stack's edge. */
const MAX_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  fail(expected: string): never {
    const found = this.pos < this.text.length ? JSON.stringify(this.text.slice(this.pos, this.pos + 12)) : "the end";
    throw new KshotError(`invalid JSON at character ${this.pos}: expected ${expected}, found ${found}`);
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.test(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  expect(char: string): void {
    this.skipWhitespace();
    if (this.text[this.pos] !== char) this.fail(`'${char}'`);
    this.pos++;
  }

  /** After an item: true at the closing bracket, false at a ',' (both consumed). */
  closes(close: "]" | "}"): boolean {
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c !== close && c !== ",") this.fail(`',' or '${close}'`);
    this.pos++;
    return c === close;
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`at most ${MAX_DEPTH} levels of nesting`);
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail("a JSON value");
    this.pos = NUMBER.lastIndex;
    return Number(m[0]);
  }

  string(): string {
    const start = this.pos;
    if (this.text[start] !== '"') this.fail("a string");
    let i = start + 1;
    while (i < this.text.length && this.text[i] !== '"') i += this.text[i] === "\\" ? 2 : 1;
    if (i >= this.text.length) this.fail("a closing '\"'");
    this.pos = i + 1;
    try {
      // The token's extent is known; JSON.parse checks its escapes and control characters.
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      this.pos = start;
      return this.fail("a valid string (escapes, no raw control characters)");
    }
  }

  array(depth: number): JsonValue[] {
    this.pos++; // '['
    const items: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value(depth + 1));
      if (this.closes("]")) return items;
    }
  }

  object(depth: number): JsonObject {
    this.pos++; // '{'
    const map: JsonObject = new Map();
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return map;
    }
    for (;;) {
      this.skipWhitespace();
      const keyAt = this.pos;
      const key = this.string();
      if (map.has(key)) {
        this.pos = keyAt;
        this.fail(`a key not seen before in this object, but ${JSON.stringify(key)} is repeated`);
      }
      this.expect(":");
      map.set(key, this.value(depth + 1));
      if (this.closes("}")) return map;
    }
  }
}

/** Parses one JSON value filling all of `text` (surrounding whitespace allowed). */
export function parseJsonStrict(text: string): JsonValue {
  const reader = new Reader(text);
  const value = reader.value(0);
  reader.skipWhitespace();
  if (reader.pos !== text.length) reader.fail("the end of the JSON text");
  return value;
}
