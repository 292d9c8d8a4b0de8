import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  blobToVector,
  dot,
  scanModuleBytes,
  vectorToBlob,
  VectorIndex,
  type VectorHit,
} from '../src/memory/vector-index.js';

/** A seeded generator (mulberry32), so every run sees the same vectors. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Unit-length vectors with normally distributed components. */
function unitVectors(count: number, dims: number, seed: number): Float32Array[] {
  const next = random(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return Array.from({ length: count }, () => {
    const values = Array.from({ length: dims }, gaussian);
    const norm = Math.hypot(...values);
    return Float32Array.from(values, (value) => value / norm);
  });
}

/** The reference answer: every live row scored in float64, best first. */
function exactScan(vectors: readonly Float32Array[], query: Float32Array, k: number, dead = new Set<number>()) {
  const scored = vectors
    .map((vector, row) => ({ row, score: vector.reduce((sum, value, index) => sum + value * query[index]!, 0) }))
    .filter((hit) => !dead.has(hit.row));
  return scored.sort((a, b) => b.score - a.score).slice(0, k);
}

function expectSameHits(actual: VectorHit[], expected: VectorHit[]): void {
  expect(actual.map((hit) => hit.row)).toEqual(expected.map((hit) => hit.row));
  actual.forEach((hit, index) => expect(Math.abs(hit.score - expected[index]!.score)).toBeLessThan(1e-5));
}

function filled(dims: number, vectors: readonly Float32Array[], capacity?: number): VectorIndex {
  const index = new VectorIndex(dims, capacity);
  vectors.forEach((vector, row) => index.add(`key-${row}`, vector));
  return index;
}

describe('VectorIndex', () => {
  it.each([
    [384, 1],
    [384, 7],
    [384, 64],
    [384, 65],
    [384, 1_000],
    [384, 5_000],
    [8, 2_000],
    [16, 300],
    [1_024, 200],
  ])('matches an exact scan (%i dimensions, %i rows)', (dims, rows) => {
    const vectors = unitVectors(rows, dims, dims * 7919 + rows);
    const index = filled(dims, vectors);
    expect(index.size).toBe(rows);
    expect(index.live).toBe(rows);
    for (const [queryIndex, query] of unitVectors(5, dims, rows).entries()) {
      const k = [1, 3, 10, 25, 100][queryIndex]!;
      expectSameHits(index.search(query, k), exactScan(vectors, query, k));
    }
    // A stored vector finds itself first, with a cosine of 1.
    const [self] = index.search(vectors[rows - 1]!, 1);
    expect(self!.row).toBe(rows - 1);
    expect(self!.score).toBeCloseTo(1, 5);
    expect(index.key(rows - 1)).toBe(`key-${rows - 1}`);
  });

  it('stays exact while it grows past its capacity between searches', () => {
    const dims = 384;
    const vectors = unitVectors(3_000, dims, 11);
    const queries = unitVectors(20, dims, 12);
    const index = new VectorIndex(dims, 1);
    const initialBytes = index.byteLength;
    for (const [row, vector] of vectors.entries()) {
      index.add(`key-${row}`, vector);
      // Search at odd sizes (the query and scores sit right after the rows in the same memory).
      if (row % 149 === 0 || row === vectors.length - 1) {
        const query = queries[row % queries.length]!;
        expectSameHits(index.search(query, 8), exactScan(vectors.slice(0, row + 1), query, 8));
      }
    }
    expect(index.byteLength).toBeGreaterThan(initialBytes);
    expect(index.byteLength).toBeGreaterThanOrEqual((3_000 + 1) * dims * 4);
  });

  it('never returns removed rows', () => {
    const dims = 64;
    const vectors = unitVectors(500, dims, 21);
    const index = filled(dims, vectors);
    const next = random(22);
    const dead = new Set<number>();
    for (let row = 0; row < vectors.length; row++) if (next() < 0.4) dead.add(row);
    for (const row of dead) index.remove(row);
    // Removing twice, or a row that does not exist, changes nothing.
    index.remove([...dead][0]!);
    index.remove(-1);
    index.remove(vectors.length);
    expect(index.size).toBe(500);
    expect(index.live).toBe(500 - dead.size);
    for (const query of unitVectors(10, dims, 23)) {
      const hits = index.search(query, 50);
      expect(hits.some((hit) => dead.has(hit.row))).toBe(false);
      expectSameHits(hits, exactScan(vectors, query, 50, dead));
    }
    // A removed vector does not even find itself.
    const removed = [...dead][3]!;
    expect(index.search(vectors[removed]!, 500).map((hit) => hit.row)).not.toContain(removed);
  });

  it('searches each group apart, with the moments of all its live rows, in one scan', () => {
    const dims = 64;
    const vectors = unitVectors(700, dims, 41);
    const groupOf = (row: number) => (row % 7 === 0 ? 2 : row % 3 === 0 ? 1 : 0);
    const index = new VectorIndex(dims, 16);
    vectors.forEach((vector, row) => index.add(`key-${row}`, vector, groupOf(row)));
    const dead = new Set([3, 6, 14, 100, 101, 699]);
    for (const row of dead) index.remove(row);
    expect(index.group(14)).toBe(2);
    for (const query of unitVectors(5, dims, 42)) {
      const groups = index.searchGroups(query, 20);
      expect(groups).toHaveLength(3);
      groups.forEach(({ hits, moments }, group) => {
        const others = new Set(vectors.map((_, row) => row).filter((row) => groupOf(row) !== group || dead.has(row)));
        const all = exactScan(vectors, query, vectors.length, others);
        expectSameHits(hits, all.slice(0, 20));
        expect(moments.count).toBe(all.length);
        expect(moments.sum).toBeCloseTo(
          all.reduce((sum, hit) => sum + hit.score, 0),
          4,
        );
        expect(moments.squares).toBeCloseTo(
          all.reduce((sum, hit) => sum + hit.score * hit.score, 0),
          4,
        );
      });
    }
    // Groups with no live row are empty; one group is one search.
    const single = filled(dims, vectors.slice(0, 50));
    const [query] = unitVectors(1, dims, 43);
    const [only] = single.searchGroups(query!, 10);
    expectSameHits(only!.hits, single.search(query!, 10));
    expect(() => index.add('bad', vectors[0]!, 256)).toThrow(RangeError);
    expect(new VectorIndex(dims).searchGroups(query!, 5)).toEqual([]);
  });

  it('returns every live row, best first, when k is larger than the live rows', () => {
    const dims = 32;
    const vectors = unitVectors(12, dims, 31);
    const index = filled(dims, vectors);
    for (const row of [0, 5, 11]) index.remove(row);
    const [query] = unitVectors(1, dims, 32);
    const hits = index.search(query!, 1_000);
    expect(hits).toHaveLength(9);
    expectSameHits(hits, exactScan(vectors, query!, 1_000, new Set([0, 5, 11])));
    expect(index.search(query!, 0)).toEqual([]);
    expect(index.search(query!, -3)).toEqual([]);
    for (let row = 0; row < 12; row++) index.remove(row);
    expect(index.live).toBe(0);
    expect(index.search(query!, 5)).toEqual([]);
    expect(new VectorIndex(dims).search(query!, 5)).toEqual([]);
  });

  it('throws RangeError for a dimension mismatch, a bad dimension count and an unknown row', () => {
    const index = new VectorIndex(16);
    expect(() => index.add('a', new Float32Array(15))).toThrow(RangeError);
    expect(() => index.add('a', new Float32Array(17))).toThrow(RangeError);
    expect(() => index.search(new Float32Array(8), 1)).toThrow(RangeError);
    expect(index.size).toBe(0);
    index.add('a', new Float32Array(16).fill(0.25));
    expect(() => index.search(new Float32Array(32), 1)).toThrow(RangeError);
    expect(() => index.key(1)).toThrow(RangeError);
    expect(() => index.vector(1)).toThrow(RangeError);
    expect(() => new VectorIndex(10)).toThrow(RangeError);
  });

  it('hands back a copy of a row’s vector, unchanged after the index grows', () => {
    const index = new VectorIndex(8, 1);
    const first = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    index.add('a', first);
    for (let row = 0; row < 100; row++) index.add(`b${row}`, new Float32Array(8).fill(row));
    const copy = index.vector(0);
    expect([...copy]).toEqual([...first]);
    copy[0] = 99;
    expect(index.vector(0)[0]).toBe(1);
    expect([...index.vector(100)]).toEqual(new Array(8).fill(99));
  });
});

describe('the SIMD scan module', () => {
  it('validates and computes the same dot products as the scalar loop', () => {
    const bytes = scanModuleBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    for (const dims of [8, 16, 384]) {
      const rows = 37;
      const memory = new WebAssembly.Memory({ initial: 4 });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      const scan = instance.exports['scan'] as (m: number, q: number, r: number, d: number, o: number) => void;
      const floats = new Float32Array(memory.buffer);
      const vectors = unitVectors(rows, dims, dims);
      vectors.forEach((vector, row) => floats.set(vector, row * dims));
      const [query] = unitVectors(1, dims, dims + 1);
      const queryAt = rows * dims;
      floats.set(query!, queryAt);
      scan(0, queryAt * 4, rows, dims, (queryAt + dims) * 4);
      const scores = floats.subarray(queryAt + dims, queryAt + dims + rows);
      for (let row = 0; row < rows; row++) {
        expect(Math.abs(scores[row]! - dot(floats, row * dims, query!, dims))).toBeLessThan(1e-6);
      }
    }
  });
});

describe('the JavaScript fallback (no WebAssembly SIMD)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('gives the same answers as the SIMD index', async () => {
    // A fresh copy of the module that finds the scan module invalid, as on a runtime without SIMD.
    const validate = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    vi.resetModules();
    const fallback = await import('../src/memory/vector-index.js');
    const dims = 384;
    const vectors = unitVectors(700, dims, 41);
    const scalar = new fallback.VectorIndex(dims, 8);
    expect(validate).toHaveBeenCalledOnce();
    vectors.forEach((vector, row) => scalar.add(`key-${row}`, vector));
    const simd = filled(dims, vectors, 8);
    for (const row of [3, 99, 400]) {
      scalar.remove(row);
      simd.remove(row);
    }
    for (const query of unitVectors(10, dims, 42)) {
      const expected = exactScan(vectors, query, 20, new Set([3, 99, 400]));
      expectSameHits(scalar.search(query, 20), expected);
      expectSameHits(simd.search(query, 20), expected);
    }
    expect(scalar.search(vectors[3]!, 700)).toHaveLength(697);
  });
});

describe('F32_BLOB encoding', () => {
  const bitsOf = (vector: Float32Array) => [...new Uint32Array(vector.buffer, vector.byteOffset, vector.length)];

  it('round-trips every float bit-exactly, little-endian', () => {
    const special = Float32Array.of(0, -0, 1, -1, Infinity, -Infinity, 1e-45, -1e-45, 3.4028234663852886e38, 1 / 3);
    const [randomVector] = unitVectors(1, 384, 51);
    for (const vector of [special, randomVector!, new Float32Array(0)]) {
      const blob = vectorToBlob(vector);
      expect(blob.byteLength).toBe(vector.length * 4);
      const back = blobToVector(blob);
      expect(bitsOf(back)).toEqual(bitsOf(vector));
      // From a bare ArrayBuffer too (how some drivers hand blobs back).
      expect(bitsOf(blobToVector(blob.slice().buffer))).toEqual(bitsOf(vector));
    }
    expect([...vectorToBlob(Float32Array.of(1, -2))]).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });

  it('reads a blob that is a view into a larger buffer', () => {
    const vector = unitVectors(1, 16, 61)[0]!;
    const framed = new Uint8Array(3 + 64 + 5);
    framed.set(vectorToBlob(vector), 3);
    const view = framed.subarray(3, 3 + 64);
    expect(bitsOf(blobToVector(view))).toEqual(bitsOf(vector));
    expect(bitsOf(blobToVector(Buffer.from(vectorToBlob(vector))))).toEqual(bitsOf(vector));
  });
});
