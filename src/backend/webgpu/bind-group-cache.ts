/**
 * Bind groups by (layout, buffers), least recently used evicted first. Steady-state training reuses them:
 * the pool hands out the same buffers when the allocation pattern repeats (see buffer-ids.ts). Entries that
 * name a destroyed buffer are dropped with `forget`, so the cache never keeps a destroyed buffer reachable.
 */
import { bufferId } from "./buffer-ids.ts";

export interface BindGroupCounters {
  bindGroupsCreated: number;
  bindGroupHits: number;
}

export class BindGroupCache {
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly groups = new Map<string, GPUBindGroup>();
  /** The keys that name each buffer id, for `forget`. */
  private readonly keysByBuffer = new Map<number, Set<string>>();

  constructor(private readonly counters: BindGroupCounters, private readonly limit: number) {}

  get size(): number {
    return this.groups.size;
  }

  get(layoutKey: string, buffers: readonly GPUBuffer[], create: () => GPUBindGroup): GPUBindGroup {
    const ids = buffers.map(bufferId);
    const key = `${layoutKey}:${ids.join(",")}`;
    const hit = this.groups.get(key);
    if (hit) {
      this.groups.delete(key);
      this.groups.set(key, hit);
      this.counters.bindGroupHits++;
      return hit;
    }
    if (this.groups.size >= this.limit) this.evictOldest();
    const group = create();
    this.groups.set(key, group);
    for (const id of ids) {
      let keys = this.keysByBuffer.get(id);
      if (!keys) this.keysByBuffer.set(id, (keys = new Set()));
      keys.add(key);
    }
    this.counters.bindGroupsCreated++;
    return group;
  }

  /** Drops every entry that names one of `buffers` (call before or after destroying them). */
  forget(buffers: readonly GPUBuffer[]): void {
    for (const b of buffers) {
      const id = bufferId(b);
      for (const key of this.keysByBuffer.get(id) ?? []) this.groups.delete(key);
      this.keysByBuffer.delete(id);
    }
  }

  clear(): void {
    this.groups.clear();
    this.keysByBuffer.clear();
  }

  private evictOldest(): void {
    const oldest = this.groups.keys().next();
    if (oldest.done) return;
    this.groups.delete(oldest.value);
    // keysByBuffer may still list the evicted key; `forget` deleting an absent key is harmless, and the
    // sets are cleared with their buffer. Prune here so they stay bounded by the live entries.
    for (const id of oldest.value.slice(oldest.value.indexOf(":") + 1).split(",")) {
      this.keysByBuffer.get(Number(id))?.delete(oldest.value);
    }
  }
}
