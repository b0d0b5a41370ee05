// What kernels that need scratch memory return to the host (src/backend/wasm/wasm-backend.ts).
export const STATUS_OK: i32 = 0;
export const STATUS_OUT_OF_MEMORY: i32 = 1;
