// The heap: a two-level segregated-fit allocator (TLSF) over the instance's linear memory.
// Every block starts with a 16-byte header, so payloads are 16-byte aligned:
//   [0] u32 size of the whole block (header included, a multiple of 16) | FREE | PREV_FREE
//   [4] u32 address of the previous physical block's header (0 for the first block)
//   [8] u32 next free block in its bin, [12] u32 previous free block in its bin (free blocks only)
// Freed blocks merge with free neighbours at once; a request takes the first block of the smallest bin
// that is guaranteed to fit, splitting off the rest. The heap ends with a used zero-size sentinel, so a
// grown region simply continues it. Allocation returns 0 when memory cannot grow: the caller reports it.

const HEADER: usize = 16;
const FREE: u32 = 1;
const PREV_FREE: u32 = 2;
const FLAGS: u32 = 3;
const MIN_BLOCK: usize = 32;

const SL_BITS: u32 = 4;
const SL_COUNT: u32 = 1 << SL_BITS;
/** Blocks smaller than this share the first level, in 16-byte steps. */
const SMALL: usize = 1 << (SL_BITS + 4);
const FL_COUNT: u32 = 26;

const SL_BITMAPS = memory.data(<i32>(FL_COUNT * 4), 16);
const HEADS = memory.data(<i32>(FL_COUNT * SL_COUNT * 4), 16);
// The heap's own state lives in memory, not in globals, so that every instance over a shared memory (the
// threaded build: one per worker) sees one heap; a spin lock serialises alloc and free between them.
const STATE = memory.data(32, 16);
const LOCK: usize = 16;
@inline function flBitmap(): u32 { return load<u32>(STATE); }
@inline function setFlBitmap(v: u32): void { store<u32>(STATE, v); }
@inline function heapStart(): usize { return load<u32>(STATE, 4); }
/** Address of the sentinel header (the end of the heap). */
@inline function heapEnd(): usize { return load<u32>(STATE, 8); }
@inline function setHeapEnd(v: usize): void { store<u32>(STATE, <u32>v, 8); }
@inline function freeBytes(): usize { return load<u32>(STATE, 12); }
@inline function addFreeBytes(d: isize): void { store<u32>(STATE, <u32>(<isize>freeBytes() + d), 12); }

@inline function lock(): void {
  if (ASC_FEATURE_THREADS) {
    while (atomic.cmpxchg<i32>(STATE + LOCK, 0, 1) != 0) {}
  }
}
@inline function unlock(): void {
  if (ASC_FEATURE_THREADS) atomic.store<i32>(STATE + LOCK, 0);
}

@inline function sizeOf(block: usize): usize { return load<u32>(block) & ~FLAGS; }
@inline function flagsOf(block: usize): u32 { return load<u32>(block) & FLAGS; }
@inline function setInfo(block: usize, size: usize, flags: u32): void { store<u32>(block, <u32>size | flags); }
@inline function prevPhys(block: usize): usize { return load<u32>(block, 4); }
@inline function setPrevPhys(block: usize, prev: usize): void { store<u32>(block, <u32>prev, 4); }
@inline function nextFree(block: usize): usize { return load<u32>(block, 8); }
@inline function prevFree(block: usize): usize { return load<u32>(block, 12); }
@inline function setNextFree(block: usize, v: usize): void { store<u32>(block, <u32>v, 8); }
@inline function setPrevFree(block: usize, v: usize): void { store<u32>(block, <u32>v, 12); }
@inline function headAt(fl: u32, sl: u32): usize { return HEADS + (((fl << SL_BITS) + sl) << 2); }
@inline function slBitmapAt(fl: u32): usize { return SL_BITMAPS + (fl << 2); }

/** Bin of a block of `size` bytes: first level = power of two, second level = 16 linear steps within it. */
@inline function binFl(size: usize): u32 {
  if (size < SMALL) return 0;
  return (31 - clz<u32>(<u32>size)) - (SL_BITS + 3);
}
@inline function binSl(size: usize): u32 {
  if (size < SMALL) return <u32>(size >> 4);
  const log = 31 - clz<u32>(<u32>size);
  return (<u32>(size >> (log - SL_BITS))) ^ SL_COUNT;
}

function insertFree(block: usize): void {
  const size = sizeOf(block);
  const fl = binFl(size), sl = binSl(size);
  const head = load<u32>(headAt(fl, sl));
  setNextFree(block, head);
  setPrevFree(block, 0);
  if (head) setPrevFree(head, block);
  store<u32>(headAt(fl, sl), <u32>block);
  setFlBitmap(flBitmap() | (1 << fl));
  store<u32>(slBitmapAt(fl), load<u32>(slBitmapAt(fl)) | (1 << sl));
  addFreeBytes(<isize>size);
}

function removeFree(block: usize): void {
  const size = sizeOf(block);
  const fl = binFl(size), sl = binSl(size);
  const next = nextFree(block), prev = prevFree(block);
  if (next) setPrevFree(next, prev);
  if (prev) setNextFree(prev, next);
  else {
    store<u32>(headAt(fl, sl), <u32>next);
    if (!next) {
      const bits = load<u32>(slBitmapAt(fl)) & ~(1 << sl);
      store<u32>(slBitmapAt(fl), bits);
      if (!bits) setFlBitmap(flBitmap() & ~(1 << fl));
    }
  }
  addFreeBytes(-<isize>size);
}

/** The smallest size whose bin holds only blocks of at least `size` bytes. */
@inline function searchSize(size: usize): usize {
  if (size < SMALL) return size;
  return size + (<usize>1 << ((31 - clz<u32>(<u32>size)) - SL_BITS)) - 1;
}

/** The first free block of a bin whose every block holds at least `size` bytes, or 0. */
function findFree(size: usize): usize {
  const search = searchSize(size);
  let fl = binFl(search), sl = binSl(search);
  if (fl >= FL_COUNT) return 0;
  let slBits = load<u32>(slBitmapAt(fl)) & (~<u32>0 << sl);
  if (!slBits) {
    const flBits = fl + 1 >= 32 ? 0 : flBitmap() & (~<u32>0 << (fl + 1));
    if (!flBits) return 0;
    fl = ctz<u32>(flBits);
    slBits = load<u32>(slBitmapAt(fl));
  }
  return load<u32>(headAt(fl, ctz<u32>(slBits)));
}

/** Marks `block` (already out of its bin) used, splitting off a free remainder when it is big enough. */
function useBlock(block: usize, size: usize): void {
  const total = sizeOf(block);
  const next = block + total;
  if (total - size >= MIN_BLOCK) {
    const rest = block + size;
    setInfo(rest, total - size, FREE);
    setPrevPhys(rest, block);
    setPrevPhys(next, rest);
    insertFree(rest);
    setInfo(block, size, flagsOf(block) & PREV_FREE);
    // `next` keeps PREV_FREE: its neighbour is now the free remainder.
  } else {
    setInfo(block, total, flagsOf(block) & PREV_FREE);
    setInfo(next, sizeOf(next), flagsOf(next) & ~PREV_FREE);
  }
}

/** Grows memory to hold a free block of at least `size` bytes at the end of the heap. */
function grow(size: usize): bool {
  const end = heapEnd();
  const last = prevPhys(end);
  const lastFree = last != 0 && (load<u32>(end) & PREV_FREE) != 0;
  const have: usize = lastFree ? sizeOf(last) : 0;
  // The new free block must land in a bin that findFree searches for this size.
  const want = searchSize(size) + 16;
  const need = want > have ? want + HEADER - have : HEADER;
  const pages = <i32>((need + 0xffff) >> 16);
  const current = memory.size();
  // Grow by an eighth of the heap at least, so a growing workload doesn't grow a page at a time.
  let extra = max(pages, current >> 3);
  if (memory.grow(extra) < 0) {
    extra = pages;
    if (memory.grow(extra) < 0) return false;
  }
  const newEnd = (<usize>(current + extra) << 16) - HEADER;
  let block = end;
  let prev = last;
  let prevFlags: u32 = 0;
  if (lastFree) {
    removeFree(last);
    block = last;
    prev = prevPhys(last);
    prevFlags = flagsOf(last) & PREV_FREE;
  }
  setInfo(block, newEnd - block, FREE | prevFlags);
  setPrevPhys(block, prev);
  insertFree(block);
  setHeapEnd(newEnd);
  setInfo(newEnd, 0, PREV_FREE);
  setPrevPhys(newEnd, block);
  return true;
}

/** Lays out the heap on first use (every instance calls this; the first one does it). */
function ensureInit(): void {
  if (heapStart()) return;
  const start = (__heap_base + 15) & ~15;
  store<u32>(STATE, <u32>start, 4);
  const end = (<usize>memory.size() << 16) - HEADER;
  setHeapEnd(start);
  setInfo(start, 0, 0);
  setPrevPhys(start, 0);
  if (end > start + MIN_BLOCK) {
    setInfo(start, end - start, FREE);
    setPrevPhys(start, 0);
    insertFree(start);
    setHeapEnd(end);
    setInfo(end, 0, PREV_FREE);
    setPrevPhys(end, start);
  }
}

function allocLocked(bytes: usize): usize {
  ensureInit();
  if (bytes > 0xf0000000) return 0;
  let size = (bytes + HEADER + 15) & ~<usize>15;
  if (size < MIN_BLOCK) size = MIN_BLOCK;
  let block = findFree(size);
  if (!block) {
    if (!grow(size)) return 0;
    block = findFree(size);
    if (!block) return 0;
  }
  removeFree(block);
  useBlock(block, size);
  return block + HEADER;
}

/** A 16-byte aligned block of at least `bytes` bytes, or 0 when memory is exhausted. */
export function alloc(bytes: usize): usize {
  lock();
  const ptr = allocLocked(bytes);
  unlock();
  return ptr;
}

function freeLocked(ptr: usize): void {
  let block = ptr - HEADER;
  let size = sizeOf(block);
  let flags = flagsOf(block);
  let next = block + size;
  if (flagsOf(next) & FREE) {
    removeFree(next);
    size += sizeOf(next);
    next = block + size;
  }
  if (flags & PREV_FREE) {
    const prev = prevPhys(block);
    removeFree(prev);
    size += sizeOf(prev);
    flags = flagsOf(prev);
    block = prev;
  }
  setInfo(block, size, FREE | (flags & PREV_FREE));
  setPrevPhys(next, block);
  setInfo(next, sizeOf(next), flagsOf(next) | PREV_FREE);
  insertFree(block);
}

/** Returns a block from `alloc` to the heap, merging it with free neighbours. */
export function free(ptr: usize): void {
  if (!ptr) return;
  lock();
  freeLocked(ptr);
  unlock();
}

/** Bytes in free blocks (headers included); for tests of reuse and growth. */
export function heapFreeBytes(): usize { return freeBytes(); }

/** Bytes between the heap's start and its end. */
export function heapSize(): usize {
  lock();
  ensureInit();
  unlock();
  return heapEnd() - heapStart();
}
