/**
 * Short, readable renderings of values for assertion messages: `-0` stays `-0`, typed arrays show their
 * type, long arrays and deep objects are cut off instead of flooding the terminal.
 */
const MAX_ITEMS = 10;
const MAX_DEPTH = 3;

export function formatValue(value: unknown, depth = 0): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return `[Function ${value.name || "anonymous"}]`;
  if (typeof value === "symbol" || typeof value === "boolean" || value == null) return String(value);
  if (value instanceof Error) return `${value.name}(${JSON.stringify(value.message)})`;
  if (value instanceof RegExp || value instanceof Date) return String(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = Array.from(value as unknown as ArrayLike<unknown>);
    return `${value.constructor.name}(${items.length}) ${formatItems(items, depth)}`;
  }
  if (Array.isArray(value)) return formatItems(value, depth);
  if (value instanceof Map) return `Map(${value.size}) ${formatItems([...value.entries()], depth)}`;
  if (value instanceof Set) return `Set(${value.size}) ${formatItems([...value], depth)}`;
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength})`;
  return formatObject(value as object, depth);
}

function formatItems(items: readonly unknown[], depth: number): string {
  if (depth >= MAX_DEPTH) return `[…${items.length} items]`;
  const shown = items.slice(0, MAX_ITEMS).map((v) => formatValue(v, depth + 1));
  if (items.length > MAX_ITEMS) shown.push(`…${items.length - MAX_ITEMS} more`);
  return `[${shown.join(", ")}]`;
}

function formatObject(value: object, depth: number): string {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  const name = proto && proto !== Object.prototype ? (proto.constructor?.name ?? "Object") + " " : "";
  if (depth >= MAX_DEPTH) return `${name}{…}`;
  const keys = Object.keys(value);
  const shown = keys.slice(0, MAX_ITEMS).map((k) => `${k}: ${formatValue((value as Record<string, unknown>)[k], depth + 1)}`);
  if (keys.length > MAX_ITEMS) shown.push(`…${keys.length - MAX_ITEMS} more`);
  return `${name}{${shown.join(", ")}}`;
}
