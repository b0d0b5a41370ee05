/** How the command line writes numbers for people. */

/** 0.9734 → "97.34%". */
export const percent = (fraction: number, digits = 2): string => `${(fraction * 100).toFixed(digits)}%`;

/** 83.2 → "1m23s"; 9.5 → "9.5s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  // Below 59.95 s, tenths; above, whole seconds rounded before they are split (59.6 s is 1m00s, not 0m60s).
  if (seconds < 59.95) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  const m = Math.floor(whole / 60);
  const s = whole % 60;
  return m < 60 ? `${m}m${String(s).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** A loss with 4 significant digits. */
export const loss = (x: number): string => (Number.isFinite(x) ? x.toPrecision(4) : String(x));

/** For JSON output: non-finite numbers become null (JSON has no NaN). */
export const jsonNumber = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** A rate with 3 significant digits below 100 ("0.142", "12.3"), whole numbers above. */
export const rate = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));
