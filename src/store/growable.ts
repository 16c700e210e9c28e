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
