/**
 * Runs, inside the test page, the tests one test file registered, reporting each result as it finishes
 * (so a hang shows where it happened) and then `done`. Each file's bundle calls this after importing
 * test/setup.ts and the test file.
 */
import { run } from "../shims/default-registry.ts";
import type { TestResult } from "../shims/runner.ts";

/** What the page sends to scripts/test-browser.mjs, one JSON object per event. */
export type PageEvent =
  | { type: "result"; name: string; status: TestResult["status"]; durationMs: number; error?: string; note?: string }
  | { type: "done" }
  | { type: "error" | "load-error"; message: string };

function report(event: PageEvent): void {
  (globalThis as unknown as { __kshotPageReport: (e: PageEvent) => void }).__kshotPageReport(event);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const stack = error.stack ?? "";
  // V8 stacks start with "Name: message"; keep that and the frames.
  return stack.includes(error.message) ? stack : `${error.name}: ${error.message}\n${stack}`;
}

export async function runPage(): Promise<void> {
  await run.runAll((r) =>
    report({
      type: "result",
      name: r.name,
      status: r.status,
      durationMs: r.durationMs,
      ...(r.error !== undefined ? { error: describeError(r.error) } : {}),
      ...(r.note !== undefined ? { note: r.note } : {}),
    }),
  );
  report({ type: "done" });
}
