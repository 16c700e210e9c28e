/**
 * Growable typed-array columns for builders: append in amortised O(1) (capacity doubles), then
 * `finish()` a trimmed copy. Builders of the analysis tables are made of these, so that a pass
 * over millions of events allocates a few dozen arrays, not an object per row.
 *
 * One class per element type, written out rather than shared through a base class: a shared
 * method would see several typed-array kinds and V8 would make its element accesses polymorphic
 * on the hot path.
 */

export class GrowableF64 {
  private data: Float64Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Float64Array(capacity);
  }

  private grow(min: number): void {
    let cap = this.data.length * 2;
    while (cap < min) cap *= 2;
    const next = new Float64Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** Makes room for index `i` (length becomes at least i + 1; new slots hold `fill`). */
  ensure(i: number, fill: number): void {
    if (i < this.length) return;
    if (i >= this.data.length) this.grow(i + 1);
    this.data.fill(fill, this.length, i + 1);
    this.length = i + 1;
  }

  push(v: number): number {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length] = v;
    return this.length++;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, v: number): void {
    this.data[i] = v;
  }

  /** The backing array (valid until the next push; only indexes below `length` are meaningful). */
  get raw(): Float64Array {
    return this.data;
  }

  /** A trimmed copy. */
  finish(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

export class GrowableI32 {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Int32Array(capacity);
  }

  private grow(min: number): void {
    let cap = this.data.length * 2;
    while (cap < min) cap *= 2;
    const next = new Int32Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** Makes room for index `i` (length becomes at least i + 1; new slots hold `fill`). */
  ensure(i: number, fill: number): void {
    if (i < this.length) return;
    if (i >= this.data.length) this.grow(i + 1);
    this.data.fill(fill, this.length, i + 1);
    this.length = i + 1;
  }

  push(v: number): number {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length] = v;
    return this.length++;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, v: number): void {
    this.data[i] = v;
  }

  /** The backing array (valid until the next push; only indexes below `length` are meaningful). */
  get raw(): Int32Array {
    return this.data;
  }

  /** A trimmed copy. */
  finish(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

export class GrowableU8 {
  private data: Uint8Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Uint8Array(capacity);
  }

  private grow(min: number): void {
    let cap = this.data.length * 2;
    while (cap < min) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** Makes room for index `i` (length becomes at least i + 1; new slots hold `fill`). */
  ensure(i: number, fill: number): void {
    if (i < this.length) return;
    if (i >= this.data.length) this.grow(i + 1);
    this.data.fill(fill, this.length, i + 1);
    this.length = i + 1;
  }

  push(v: number): number {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length] = v;
    return this.length++;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, v: number): void {
    this.data[i] = v;
  }

  /** The backing array (valid until the next push; only indexes below `length` are meaningful). */
  get raw(): Uint8Array {
    return this.data;
  }

  /** A trimmed copy. */
  finish(): Uint8Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Append-only columns in chunks, for tables of millions of rows: a push never copies earlier
 * rows (a doubling array copies each row about twice while growing, then once more to trim), and
 * `finish()` copies every row once into an array of the exact length. A chunk starts small (a
 * table of a few rows stays cheap) and doubles in place up to 65536 rows before the next starts.
 */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

/** A new chunk's first capacity; it doubles in place up to CHUNK before the next chunk starts. */
const FIRST_CHUNK = 1024;

type Column = Float64Array | Int32Array | Uint8Array;

/** Rows of numbers in chunks of one typed-array type (ChunkedF64 / ChunkedI32 / ChunkedU8 below). */
class Chunked<A extends Column> {
  private readonly chunks: A[] = [];
  private cur: A;
  private used = 0;
  length = 0;

  constructor(private readonly make: (n: number) => A) {
    this.cur = make(0);
  }

  push(v: number): number {
    if (this.used === this.cur.length) this.next();
    this.cur[this.used++] = v;
    return this.length++;
  }

  /** Row `i`'s value (every chunk but the last is full, so row i is in chunk i / CHUNK). */
  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & CHUNK_MASK]!;
  }

  set(i: number, v: number): void {
    this.chunks[i >>> CHUNK_BITS]![i & CHUNK_MASK] = v;
  }

  private next(): void {
    // A small chunk is replaced by a bigger copy until it reaches CHUNK rows (a few KiB copied).
    const k = this.chunks.length;
    if (k > 0 && this.cur.length < CHUNK) {
      const bigger = this.make(this.cur.length * 2);
      bigger.set(this.cur);
      this.chunks[k - 1] = this.cur = bigger;
      return;
    }
    this.cur = this.make(FIRST_CHUNK);
    this.chunks.push(this.cur);
    this.used = 0;
  }

  finish(): A {
    const out = this.make(this.length);
    let at = 0;
    for (const c of this.chunks) {
      const n = Math.min(c.length, this.length - at);
      out.set(n === c.length ? c : c.subarray(0, n), at);
      at += n;
    }
    return out;
  }
}

export class ChunkedF64 extends Chunked<Float64Array> {
  constructor() {
    super((n) => new Float64Array(n));
  }
}

export class ChunkedI32 extends Chunked<Int32Array> {
  constructor() {
    super((n) => new Int32Array(n));
  }
}

export class ChunkedU8 extends Chunked<Uint8Array> {
  constructor() {
    super((n) => new Uint8Array(n));
  }
}

/** Interned strings: a dense id per distinct string (names of syscalls, IRQs, threads…). */
export class StringTable {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  get(id: number): string {
    return this.strings[id] ?? '';
  }

  idOf(s: string): number | undefined {
    return this.ids.get(s);
  }
}
