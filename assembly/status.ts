// What kernels that need scratch memory return to the host (src/backend/wasm/wasm-backend.ts).
export const STATUS_OK: i32 = 0;
export const STATUS_OUT_OF_MEMORY: i32 = 1;
/** A part of a split call met NaN/±Inf where only the single-part path is exact: rerun the call in one part. */
export const STATUS_SERIAL: i32 = 2;
