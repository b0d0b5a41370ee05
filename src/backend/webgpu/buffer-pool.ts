/**
 * GPUBuffers recycled by size class: a freed buffer goes back to its class's free list and the next
 * allocation of that class takes it, so steady-state training creates no new GPUBuffers. Classes are
 * 256-byte multiples up to 4 KiB, then four per power of two (at most 25% slack). The lowest-numbered free
 * buffer (bufferId) is handed out first, so the buffers a program gets depend only on which are free, not
 * on the order they were freed in: a repeating allocation pattern gets the same buffers every time, and the
 * bind groups naming them are reused.
 */
import { KshotError } from "../../errors.ts";
import { bufferId } from "./buffer-ids.ts";

export interface PoolCounters {
  allocations: number;
  bytesAllocated: number;
}

/** The byte size a request of `bytes` is served with. */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(256, Math.ceil(bytes / 256) * 256);
  const quarter = 2 ** (Math.floor(Math.log2(bytes)) - 2);
  return Math.ceil(bytes / quarter) * quarter;
}

export class BufferPool {
  /** Free buffers per size class, sorted by descending bufferId (the lowest id is popped from the end). */
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly all = new Set<GPUBuffer>();

  constructor(
    private readonly device: GPUDevice,
    /** WebGPU buffer usage flags: a plain number, as the declarations can stand in for no WebGPU type alias. */
    private readonly usage: number,
    private readonly label: string,
    private readonly counters: PoolCounters,
    private readonly maxBytes: number,
  ) {}

  /** A buffer of at least `bytes` (its size is sizeClass(bytes)), if possible one that `busy` rejects not. */
  acquire(bytes: number, busy?: (b: GPUBuffer) => boolean): GPUBuffer {
    const size = sizeClass(bytes);
    if (size > this.maxBytes) {
      throw new KshotError(`webgpu: a buffer of at most ${this.maxBytes} bytes fits this device, asked for ${bytes}`);
    }
    const list = this.free.get(size);
    if (list?.length) {
      const i = busy ? findLastIndex(list, (b) => !busy(b)) : list.length - 1;
      if (i >= 0) return list.splice(i, 1)[0];
    }
    const buffer = this.device.createBuffer({ label: `${this.label} ${size}`, size, usage: this.usage });
    bufferId(buffer); // numbered in creation order
    this.all.add(buffer);
    this.counters.allocations++;
    this.counters.bytesAllocated += size;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    const list = this.free.get(buffer.size);
    if (!list) {
      this.free.set(buffer.size, [buffer]);
      return;
    }
    const id = bufferId(buffer);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bufferId(list[mid]) > id) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, buffer);
  }

  /** Bytes held in free lists, ready for reuse. */
  cachedBytes(): number {
    let total = 0;
    for (const [size, list] of this.free) total += size * list.length;
    return total;
  }

  /** Destroys the free buffers (live ones stay). Returns the buffers destroyed. */
  trim(): GPUBuffer[] {
    const destroyed: GPUBuffer[] = [];
    for (const list of this.free.values()) {
      for (const b of list) {
        b.destroy();
        this.all.delete(b);
        destroyed.push(b);
      }
    }
    this.free.clear();
    return destroyed;
  }

  destroyAll(): void {
    for (const b of this.all) b.destroy();
    this.all.clear();
    this.free.clear();
  }
}

function findLastIndex<T>(list: readonly T[], ok: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (ok(list[i])) return i;
  return -1;
}
