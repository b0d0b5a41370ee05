/** The one error type kshot throws: the message says what was expected and what came. */
export class KshotError extends Error {
  override readonly name = "KshotError";
}

/** Throws a KshotError unless `cond` holds. */
export function check(cond: unknown, message: () => string): asserts cond {
  if (!cond) throw new KshotError(message());
}
