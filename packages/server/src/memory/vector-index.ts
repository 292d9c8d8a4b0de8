/**
 * An exact in-process nearest-neighbour index over unit-length float32 vectors: one contiguous
 * matrix in a WebAssembly memory, scanned with SIMD dot products (four lanes, two accumulators).
 * For one visitor's memories this beats both libSQL's DiskANN index (~21 ms per insert) and its
 * exact `vector_distance_cos` scan; a scalar JavaScript loop takes ~9× as long
 * (docs/decisions/2026-12-01-memory-retrieval.md).
 */
export interface VectorHit {
  /** Row position in the index. */
  row: number;
  /** Cosine similarity (dot product of unit vectors). */
  score: number;
}

/** How a query's similarities spread over the live rows of one group: their count, sum and sum of squares. */
export interface SimilarityMoments {
  count: number;
  sum: number;
  squares: number;
}

/** What `searchGroups` finds: per group, its best rows and the moments of all its rows. */
export interface GroupHits {
  hits: VectorHit[];
  moments: SimilarityMoments;
}

type ScanFunction = (matrix: number, query: number, rows: number, dims: number, out: number) => void;

/**
 * The parts of the WebAssembly API used here. Node has it built in, but the server compiles
 * without the DOM library that declares it, so it is typed locally.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array<ArrayBuffer>) => WasmModule;
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => {
    exports: Record<string, unknown>;
  };
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
}
type WasmModule = object;
const wasm = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65_536;

export class VectorIndex {
  readonly dimensions: number;
  readonly #memory: WasmMemory;
  readonly #scan: ScanFunction | undefined;
  #floats: Float32Array;
  #size = 0;
  #removed = 0;
  readonly #keys: string[] = [];
  readonly #dead = new Set<number>();
  /** Per row: its group (0–255). */
  #groups = new Uint8Array(64);

  constructor(dimensions: number, capacity = 64) {
    if (dimensions % 8 !== 0) throw new RangeError(`dimensions must be a multiple of 8, got ${dimensions}`);
    this.dimensions = dimensions;
    this.#memory = new (wasm().Memory)({ initial: pagesFor(dimensions, Math.max(1, capacity)) });
    const module = scanModule();
    this.#scan = module
      ? (new (wasm().Instance)(module, { env: { memory: this.#memory } }).exports['scan'] as ScanFunction)
      : undefined;
    this.#floats = new Float32Array(this.#memory.buffer);
  }

  /** Rows held, removed ones included. */
  get size(): number {
    return this.#size;
  }

  /** Rows that search still returns. */
  get live(): number {
    return this.#size - this.#removed;
  }

  /** Memory held by the index, in bytes. */
  get byteLength(): number {
    return this.#memory.buffer.byteLength;
  }

  /** A copy of the row's vector. */
  vector(row: number): Float32Array {
    if (row < 0 || row >= this.#size) throw new RangeError(`no row ${row}`);
    return this.#floats.slice(row * this.dimensions, (row + 1) * this.dimensions);
  }

  key(row: number): string {
    const key = this.#keys[row];
    if (key === undefined) throw new RangeError(`no row ${row}`);
    return key;
  }

  /** Adds a row in `group` (0–255, see `searchGroups`). */
  add(key: string, vector: Float32Array, group = 0): void {
    if (vector.length !== this.dimensions) {
      throw new RangeError(`expected a vector of ${this.dimensions} dimensions, got ${vector.length}`);
    }
    if (!Number.isInteger(group) || group < 0 || group > 255) throw new RangeError(`no group ${group}`);
    this.#reserve(this.#size + 1);
    this.#floats.set(vector, this.#size * this.dimensions);
    if (this.#size === this.#groups.length) {
      const groups = new Uint8Array(this.#groups.length * 2);
      groups.set(this.#groups);
      this.#groups = groups;
    }
    this.#groups[this.#size] = group;
    this.#keys.push(key);
    this.#size++;
  }

  /** The row's group. */
  group(row: number): number {
    if (row < 0 || row >= this.#size) throw new RangeError(`no row ${row}`);
    return this.#groups[row]!;
  }

  /** Leaves the row out of every later search (its slot is reclaimed when the index is rebuilt). */
  remove(row: number): void {
    if (row < 0 || row >= this.#size || this.#dead.has(row)) return;
    this.#dead.add(row);
    this.#removed++;
  }

  /** The `k` rows most similar to `query`, best first. */
  search(query: Float32Array, k: number): VectorHit[] {
    if (query.length !== this.dimensions) {
      throw new RangeError(`expected a query of ${this.dimensions} dimensions, got ${query.length}`);
    }
    const limit = Math.min(k, this.live);
    if (limit <= 0) return [];
    const scores = this.#scores(query);
    for (const row of this.#dead) scores[row] = -Infinity;
    return topK(scores, limit);
  }

  /**
   * Per group (by number; a group with no live row is empty): its `k` rows most similar to
   * `query`, best first, and the moments of the similarities of all its live rows, from one scan.
   */
  searchGroups(query: Float32Array, k: number): GroupHits[] {
    if (query.length !== this.dimensions) {
      throw new RangeError(`expected a query of ${this.dimensions} dimensions, got ${query.length}`);
    }
    if (this.live === 0) return [];
    const scores = this.#scores(query);
    for (const row of this.#dead) scores[row] = -Infinity;
    const groups = this.#groups;
    const moments: SimilarityMoments[] = [];
    for (let row = 0; row < this.#size; row++) {
      const score = scores[row]!;
      if (score === -Infinity) continue;
      const group = groups[row]!;
      while (moments.length <= group) moments.push({ count: 0, sum: 0, squares: 0 });
      const each = moments[group]!;
      each.count++;
      each.sum += score;
      each.squares += score * score;
    }
    return moments.map((each, group) => ({
      hits: each.count === 0 ? [] : topK(scores, Math.min(k, each.count), moments.length > 1 ? groups : null, group),
      moments: each,
    }));
  }

  /** Scores of every row against `query` (a view that the next call overwrites). */
  #scores(query: Float32Array): Float32Array {
    const dims = this.dimensions;
    const rows = this.#size;
    // Layout: [matrix rows × dims][query dims][scores rows].
    const queryAt = rows * dims;
    const outAt = queryAt + dims;
    if (!this.#scan) {
      const scores = new Float32Array(rows);
      for (let row = 0; row < rows; row++) scores[row] = dot(this.#floats, row * dims, query, dims);
      return scores;
    }
    this.#reserve(rows + 1, rows);
    this.#floats.set(query, queryAt);
    this.#scan(0, queryAt * 4, rows, dims, outAt * 4);
    return this.#floats.subarray(outAt, outAt + rows);
  }

  /** Room for `rows` rows plus a query and `scratch` scores after them. */
  #reserve(rows: number, scratch = rows): void {
    const needed = pagesFor(this.dimensions, rows, scratch);
    const current = this.#memory.buffer.byteLength / PAGE;
    if (needed <= current) return;
    this.#memory.grow(Math.max(needed - current, current));
    this.#floats = new Float32Array(this.#memory.buffer);
  }
}

function pagesFor(dims: number, rows: number, scratch = rows): number {
  return Math.ceil((((rows + 1) * dims + scratch + dims) * 4) / PAGE) + 1;
}

/** The `limit` best (row, score) pairs (of `group` only, given `groups`), best first, with a min-heap. */
function topK(scores: Float32Array, limit: number, groups: Uint8Array | null = null, group = 0): VectorHit[] {
  const heapScores = new Float64Array(limit);
  const heapRows = new Int32Array(limit);
  let heapSize = 0;
  for (let row = 0; row < scores.length; row++) {
    if (groups && groups[row] !== group) continue;
    const score = scores[row]!;
    if (heapSize < limit) {
      let at = heapSize++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (heapScores[parent]! <= score) break;
        heapScores[at] = heapScores[parent]!;
        heapRows[at] = heapRows[parent]!;
        at = parent;
      }
      heapScores[at] = score;
      heapRows[at] = row;
    } else if (score > heapScores[0]!) {
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= heapSize) break;
        const right = left + 1;
        const child = right < heapSize && heapScores[right]! < heapScores[left]! ? right : left;
        if (heapScores[child]! >= score) break;
        heapScores[at] = heapScores[child]!;
        heapRows[at] = heapRows[child]!;
        at = child;
      }
      heapScores[at] = score;
      heapRows[at] = row;
    }
  }
  const hits: VectorHit[] = [];
  for (let index = 0; index < heapSize; index++) hits.push({ row: heapRows[index]!, score: heapScores[index]! });
  return hits.sort((a, b) => b.score - a.score);
}

/** Scalar dot product, for runtimes without WebAssembly SIMD (and as the benchmark's baseline). */
export function dot(data: Float32Array, offset: number, query: Float32Array, dims: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let index = 0;
  for (; index + 3 < dims; index += 4) {
    s0 += data[offset + index]! * query[index]!;
    s1 += data[offset + index + 1]! * query[index + 1]!;
    s2 += data[offset + index + 2]! * query[index + 2]!;
    s3 += data[offset + index + 3]! * query[index + 3]!;
  }
  for (; index < dims; index++) s0 += data[offset + index]! * query[index]!;
  return s0 + s1 + s2 + s3;
}

let compiled: WasmModule | null | undefined;

/** The compiled scan module, or null where WebAssembly SIMD is unavailable. */
function scanModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  const bytes = scanModuleBytes();
  compiled = wasm().validate(bytes) ? new (wasm().Module)(bytes) : null;
  return compiled;
}

/**
 * `scan(matrix, query, rows, dims, out)`: out[r] = Σ matrix[r·dims + i] · query[i], for dims a
 * multiple of 8 — hand-assembled WebAssembly (the whole module is ~200 bytes), equivalent to:
 *
 *   for r in 0..rows: a = b = f32x4(0)
 *     for i in 0..dims*4 step 32: a += load(m+i)·load(q+i); b += load(m+i+16)·load(q+i+16)
 *     out[r] = sum_lanes(a + b); m += dims*4
 */
export function scanModuleBytes(): Uint8Array<ArrayBuffer> {
  const leb = (value: number) => {
    const out: number[] = [];
    do {
      let byte = value & 0x7f;
      value >>>= 7;
      if (value) byte |= 0x80;
      out.push(byte);
    } while (value);
    return out;
  };
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const name = (text: string) => [...leb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
  const simd = (op: number) => [0xfd, ...leb(op)];
  const [LOCAL_GET, LOCAL_SET, I32_CONST, I32_ADD, I32_SHL, I32_GE_U, BR, BR_IF, BLOCK, LOOP, END] = [
    0x20, 0x21, 0x41, 0x6a, 0x74, 0x4f, 0x0c, 0x0d, 0x02, 0x03, 0x0b,
  ] as const;
  const [V128_LOAD, V128_CONST, F32X4_EXTRACT, F32X4_ADD, F32X4_MUL, F32_ADD, F32_STORE] = [
    0x00, 0x0c, 0x1f, 0xe4, 0xe6, 0x92, 0x38,
  ] as const;
  // Params: 0 matrix, 1 query, 2 rows, 3 dims, 4 out. Locals: 5 row, 6 byte, 7 rowBytes, 8 a, 9 b.
  const zero = [...simd(V128_CONST), ...new Array<number>(16).fill(0)];
  const accumulate = (acc: number, offset: number) => [
    LOCAL_GET,
    acc,
    LOCAL_GET,
    0,
    LOCAL_GET,
    6,
    I32_ADD,
    ...simd(V128_LOAD),
    2,
    offset,
    LOCAL_GET,
    1,
    LOCAL_GET,
    6,
    I32_ADD,
    ...simd(V128_LOAD),
    2,
    offset,
    ...simd(F32X4_MUL),
    ...simd(F32X4_ADD),
    LOCAL_SET,
    acc,
  ];
  const lane = (index: number) => [LOCAL_GET, 8, ...simd(F32X4_EXTRACT), index];
  // prettier-ignore
  const code = [
    LOCAL_GET, 3, I32_CONST, 2, I32_SHL, LOCAL_SET, 7,
    I32_CONST, 0, LOCAL_SET, 5,
    BLOCK, 0x40, LOOP, 0x40,
      LOCAL_GET, 5, LOCAL_GET, 2, I32_GE_U, BR_IF, 1,
      ...zero, LOCAL_SET, 8, ...zero, LOCAL_SET, 9,
      I32_CONST, 0, LOCAL_SET, 6,
      BLOCK, 0x40, LOOP, 0x40,
        LOCAL_GET, 6, LOCAL_GET, 7, I32_GE_U, BR_IF, 1,
        ...accumulate(8, 0), ...accumulate(9, 16),
        LOCAL_GET, 6, I32_CONST, 32, I32_ADD, LOCAL_SET, 6,
        BR, 0,
      END, END,
      LOCAL_GET, 8, LOCAL_GET, 9, ...simd(F32X4_ADD), LOCAL_SET, 8,
      LOCAL_GET, 4, LOCAL_GET, 5, I32_CONST, 2, I32_SHL, I32_ADD,
      ...lane(0), ...lane(1), F32_ADD, ...lane(2), F32_ADD, ...lane(3), F32_ADD,
      F32_STORE, 2, 0,
      LOCAL_GET, 0, LOCAL_GET, 7, I32_ADD, LOCAL_SET, 0,
      LOCAL_GET, 5, I32_CONST, 1, I32_ADD, LOCAL_SET, 5,
      BR, 0,
    END, END,
    END,
  ];
  const I32 = 0x7f;
  const V128 = 0x7b;
  const body = [2, 3, I32, 2, V128, ...code];
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name('env'), ...name('memory'), 2, 0, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('scan'), 0, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}

/** Float32 vector ⇄ the little-endian bytes libSQL stores in an `F32_BLOB` column. */
export function vectorToBlob(vector: Float32Array): Uint8Array {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < vector.length; index++) view.setFloat32(index * 4, vector[index]!, true);
  return bytes;
}

export function blobToVector(blob: Uint8Array | ArrayBuffer): Float32Array {
  const bytes = blob instanceof Uint8Array ? blob : new Uint8Array(blob);
  const vector = new Float32Array(bytes.byteLength >> 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let index = 0; index < vector.length; index++) vector[index] = view.getFloat32(index * 4, true);
  return vector;
}
