/**
 * Turns a WGSL template from shaders/ into one concrete shader: keeps or drops `//#if NAME` /
 * `//#if !NAME` / `//#else` / `//#endif` blocks by boolean flags, then replaces `$NAME` markers by values.
 * Code generation only: nothing here touches a device.
 */
import { KshotError } from "../../../errors.ts";

export type Defines = Readonly<Record<string, string | number | boolean>>;

export function specialize(template: string, defines: Defines, what: string): string {
  const fillMarkers = (code: string) => code.replace(/\$([A-Z][A-Z0-9_]*)/g, (_m, name: string) => {
    const value = defines[name];
    if (value === undefined) throw new KshotError(`${what}: no value for the marker $${name}`);
    return String(value);
  });
  // Markers are filled in code only; comments may name them.
  return selectBlocks(template, defines, what)
    .split("\n")
    .map((line) => {
      const comment = line.indexOf("//");
      return comment < 0 ? fillMarkers(line) : fillMarkers(line.slice(0, comment)) + line.slice(comment);
    })
    .join("\n");
}

function selectBlocks(template: string, defines: Defines, what: string): string {
  const out: string[] = [];
  // Each entry: whether the enclosing block is emitted, and whether this block's branch is.
  const stack: { parent: boolean; active: boolean }[] = [];
  const emitting = () => (stack.length === 0 ? true : stack[stack.length - 1].parent && stack[stack.length - 1].active);
  for (const line of template.split("\n")) {
    const directive = /^\s*\/\/#(if|else|endif)\s*(!?)([A-Z0-9_]*)\s*$/.exec(line);
    if (!directive) {
      if (emitting()) out.push(line);
      continue;
    }
    const [, kind, negate, name] = directive;
    if (kind === "if") {
      if (!(name in defines)) throw new KshotError(`${what}: no flag ${name} for //#if`);
      const flag = Boolean(defines[name]) !== (negate === "!");
      stack.push({ parent: emitting(), active: flag });
    } else if (kind === "else") {
      const top = stack[stack.length - 1];
      if (!top) throw new KshotError(`${what}: //#else without //#if`);
      top.active = !top.active;
    } else {
      if (!stack.pop()) throw new KshotError(`${what}: //#endif without //#if`);
    }
  }
  if (stack.length) throw new KshotError(`${what}: ${stack.length} unclosed //#if`);
  return out.join("\n");
}
