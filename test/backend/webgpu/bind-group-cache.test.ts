// The bind-group cache: hits for repeated (layout, buffers), LRU eviction, and entries dropped with their buffers.
// Plain objects stand in for GPUBuffer/GPUBindGroup: the cache only keys on identity and calls `create`.
import { describe, expect, it } from "vitest";
import { BindGroupCache } from "../../../src/backend/webgpu/bind-group-cache.ts";

const buffer = () => ({}) as GPUBuffer;
const group = () => ({}) as GPUBindGroup;

describe("BindGroupCache", () => {
  it("creates a group once per (layout, buffers) and counts hits", () => {
    const counters = { bindGroupsCreated: 0, bindGroupHits: 0 };
    const cache = new BindGroupCache(counters, 16);
    const [a, b] = [buffer(), buffer()];
    const first = cache.get("r1w1", [a, b], group);
    expect(cache.get("r1w1", [a, b], group)).toBe(first);
    expect(cache.get("r1w1", [b, a], group)).not.toBe(first);
    expect(cache.get("r2w1", [a, b], group)).not.toBe(first);
    expect(counters).toEqual({ bindGroupsCreated: 3, bindGroupHits: 1 });
  });

  it("evicts the least recently used entry at the limit", () => {
    const counters = { bindGroupsCreated: 0, bindGroupHits: 0 };
    const cache = new BindGroupCache(counters, 2);
    const [a, b, c] = [buffer(), buffer(), buffer()];
    const ga = cache.get("r0w1", [a], group);
    cache.get("r0w1", [b], group);
    expect(cache.get("r0w1", [a], group)).toBe(ga); // a is now the most recent
    cache.get("r0w1", [c], group); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.get("r0w1", [a], group)).toBe(ga);
    const before = counters.bindGroupsCreated;
    cache.get("r0w1", [b], group);
    expect(counters.bindGroupsCreated).toBe(before + 1);
  });

  it("forgets every entry that names a destroyed buffer", () => {
    const counters = { bindGroupsCreated: 0, bindGroupHits: 0 };
    const cache = new BindGroupCache(counters, 16);
    const [a, b, c] = [buffer(), buffer(), buffer()];
    cache.get("r1w1", [a, b], group);
    cache.get("r1w1", [c, b], group);
    const kept = cache.get("r1w1", [c, a], group);
    cache.forget([b]);
    expect(cache.size).toBe(1);
    expect(cache.get("r1w1", [c, a], group)).toBe(kept);
  });
});
