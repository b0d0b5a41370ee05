/**
 * What the docs tests read in a Markdown file: its fenced code blocks (with the `<!-- test: skip (why) -->`
 * annotation that may precede one) and the repository paths it cites.
 */

export interface CodeBlock {
  /** The info string's first word (`ts`, `sh`, ...), "" when there is none. */
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The reason given by a `<!-- test: skip (reason) -->` on the closest non-blank line above the fence. */
  skip?: string;
}

const SKIP = /^<!--\s*test:\s*skip\s*\((.+)\)\s*-->$/;

/** The fenced code blocks of a Markdown text, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+|~~~+)\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(fence)) body.push(lines[j++]!);
    if (j === lines.length) throw new Error(`line ${i + 1}: the code block is never closed`);
    let above = i - 1;
    while (above >= 0 && lines[above]!.trim() === "") above--;
    const skip = above >= 0 ? SKIP.exec(lines[above]!.trim())?.[1] : undefined;
    blocks.push({ lang: open[3]!.toLowerCase(), code: body.join("\n") + "\n", line: i + 1, ...(skip ? { skip } : {}) });
    i = j;
  }
  return blocks;
}

/** The top-level folders and files of the repository that a cited path may start with. */
const REPO_ROOTS = ["src", "test", "bench", "scripts", "examples", "docs", "assembly", "shaders", "tools", ".ci", "dist", "build"];

export interface Citation {
  /** The path as written. */
  text: string;
  /** Relative to the repository root, `/`-separated; may start with `../` when it leaves the repository. */
  path: string;
  line: number;
}

/** Joins and normalises `/`-separated paths; `..` that climbs above the start stays as a leading `../`. */
export function joinPath(base: string, relative: string): string {
  const out: string[] = [];
  for (const part of `${base}/${relative}`.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/**
 * The files a Markdown file at `file` (relative to the repository root) cites: relative link targets
 * (resolved against its folder) and inline-code paths that start with a top-level folder of the
 * repository or with `../` (resolved against the root, as the docs write them). Wildcards, `{a,b}` and
 * `<placeholder>` parts end a path: what is checked is the folder before them.
 */
export function citations(markdown: string, file: string): Citation[] {
  const folder = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
  const found: Citation[] = [];
  markdown.split("\n").forEach((text, index) => {
    const line = index + 1;
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!.split("#")[0]!;
      if (target === "" || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      found.push({ text: m[1]!, path: joinPath(folder, target), line });
    }
    for (const m of text.matchAll(/`([^`\s]+)`/g)) {
      const token = m[1]!;
      const first = token.split("/")[0]!;
      if (!token.includes("/") || !(REPO_ROOTS.includes(first) || first === "..")) continue;
      const fixed = token.split(/[*{<?]/)[0]!;
      const path = fixed.includes("/") ? fixed.slice(0, fixed.lastIndexOf("/") + 1) : fixed;
      found.push({ text: token, path: joinPath("", fixed === token ? token : path), line });
    }
  });
  return found;
}
