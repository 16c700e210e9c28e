/**
 * Interval tables: for every row (a thread, a CPU…), the time-ordered, non-overlapping intervals
 * of its state, as columns of typed arrays.
 *
 *   row 0   |—— s ——|——— s ———|— s —|            interval i: start[i] ≤ t < end[i]
 *   row 1   |——— s ———|— s —|—— s ——|
 *            rowOffset[r] … rowOffset[r+1]-1 are row r's intervals, sorted by start
 *
 *   columns  start: Float64 (ns from the trace set's origin) | end: Float64 | state: Uint8
 *            arg: Int32 | aux: Int32   (meaning per table, e.g. syscall id / CPU for threads)
 *
 * The builder follows the semantics of Trace Compass's state system (see
 * ../shared/reference/tracecompass-kernel-model.md §0): setting a row to the value it already
 * holds does nothing; setting it at the very time its current interval started overwrites that
 * interval (no zero-length intervals), and the last write at one timestamp wins. A row's last
 * interval may have zero length when it starts at the end of the table (a state entered by the
 * last event).
 *
 * Closed intervals are appended to per-row segments carved out of shared pages (a row's segments
 * double in size, up to 4096 entries): appending never copies, and `finish()` copies each row's
 * segments once into the frozen columns (or `seal()` now and `freeze()` when the table is first
 * read, if ever). Only starts are stored while building: a row's
 * intervals tile its timeline, so an interval ends where the next one starts (the last one where
 * the row was ended or the table finished). No object per interval.
 */
import { GrowableF64, GrowableI32, GrowableU8 } from './growable.js';

/** Entries per page (starts, states, (arg, aux) pairs: one typed array each): the first pages are smaller. */
const FIRST_PAGE = 1 << 12;
const PAGE = 1 << 16;
const FIRST_SEGMENT = 4;
const MAX_SEGMENT = 4096;

/**
 * Per-row slots of `IntervalTableBuilder.rowVals` (one Int32Array, so that the hot path loads
 * one typed array instead of one per field): the open interval's columns, whether the row was
 * ended, and where its next closed interval goes (page, position in the page, end of the
 * segment there, the segment). A const enum: compiled to literals, which keeps `set` small
 * enough for V8 to inline it into the models' event handlers.
 */
const enum V {
  STATE = 0,
  ARG = 1,
  AUX = 2,
  ENDED = 3,
  PAGE = 4,
  POS = 5,
  LIMIT = 6,
  SEG = 7,
  SLOTS = 8,
}

export class IntervalTableBuilder {
  // Pages of closed intervals: start, state, and (arg, aux) pairs side by side.
  private pStart: Float64Array[] = [];
  private pState: Uint8Array[] = [];
  private pArgAux: Int32Array[] = [];
  /** Entries of the last page handed out to segments, and its size. */
  private pageUsed = 0;
  private pageSize = 0;

  // Segments: a run of entries of one row in one page; a row's segments are chained backwards.
  // `segUsed` is up to date for every segment but a row's current one (see V.POS) until `seal`.
  private segPage = new Int32Array(256);
  private segOff = new Int32Array(256);
  private segCap = new Int32Array(256);
  private segUsed = new Int32Array(256);
  private segPrev = new Int32Array(256);
  private segCount = 0;

  // Per row: the open interval's start, the `V` slots, where the row ended.
  private oStart = new Float64Array(64);
  private rowVals = new Int32Array(64 * V.SLOTS);
  private rowEnd = new Float64Array(64);
  rowCount = 0;
  /** Set by `seal()` (or `finish()`): no more changes; `freeze()` then releases the pages. */
  private spent = false;
  private endTime = 0;
  private table: IntervalTable | undefined;

  /** Adds a row whose first interval opens at `start`; returns its index. */
  addRow(start: number, state: number, arg = -1, aux = -1): number {
    const row = this.rowCount++;
    if (row === this.oStart.length) {
      const cap = row * 2;
      this.oStart = grown(this.oStart, new Float64Array(cap));
      this.rowVals = grown(this.rowVals, new Int32Array(cap * V.SLOTS));
      this.rowEnd = grown(this.rowEnd, new Float64Array(cap));
    }
    this.oStart[row] = start;
    const v = this.rowVals;
    const i = row * V.SLOTS;
    v[i + V.STATE] = state;
    v[i + V.ARG] = arg;
    v[i + V.AUX] = aux;
    v[i + V.ENDED] = 0;
    // No segment yet: the first close finds its segment full and makes one.
    v[i + V.PAGE] = -1;
    v[i + V.POS] = 0;
    v[i + V.LIMIT] = 0;
    v[i + V.SEG] = -1;
    return row;
  }

  openState(row: number): number {
    return this.rowVals[row * V.SLOTS + V.STATE]!;
  }

  openArg(row: number): number {
    return this.rowVals[row * V.SLOTS + V.ARG]!;
  }

  openAux(row: number): number {
    return this.rowVals[row * V.SLOTS + V.AUX]!;
  }

  openStart(row: number): number {
    return this.oStart[row]!;
  }

  /** Changes the columns of the row's open interval in place (e.g. what ended a blocked wait). */
  patchOpen(row: number, arg: number, aux: number): void {
    const i = row * V.SLOTS;
    this.rowVals[i + V.ARG] = arg;
    this.rowVals[i + V.AUX] = aux;
  }

  /** Ends a row at `t`: its last interval closes there and the row takes no more changes. */
  endRow(row: number, t: number): void {
    const i = row * V.SLOTS;
    if (this.rowVals[i + V.ENDED]) return;
    this.close(row);
    this.rowEnd[row] = Math.max(t, this.oStart[row]!);
    this.rowVals[i + V.ENDED] = 1;
  }

  /** From time `t` on, the row holds (state, arg, aux). */
  set(row: number, t: number, state: number, arg: number, aux: number): void {
    const v = this.rowVals;
    const i = row * V.SLOTS;
    if (v[i + V.ENDED]) return;
    if (v[i + V.STATE] === state && v[i + V.ARG] === arg && v[i + V.AUX] === aux) return;
    // Same timestamp (or time going backwards between streams): overwrite the open interval.
    if (t <= this.oStart[row]!) this.reopenIfEqual(row, state, arg, aux);
    else {
      this.close(row);
      this.oStart[row] = t;
    }
    v[i + V.STATE] = state;
    v[i + V.ARG] = arg;
    v[i + V.AUX] = aux;
  }

  /**
   * Before the open interval is overwritten with (state, arg, aux): re-opens the previous one
   * (which ends where the open one starts) when they are equal. Out of `set`, which is on the
   * hot path of every model and small enough to be inlined without this rare case.
   */
  private reopenIfEqual(row: number, state: number, arg: number, aux: number): void {
    const v = this.rowVals;
    const i = row * V.SLOTS;
    const s = v[i + V.SEG]!;
    const pos = v[i + V.POS]!;
    // The row's current segment is empty only when the row has no closed interval.
    if (s < 0 || pos === this.segOff[s]) return;
    const pg = v[i + V.PAGE]!;
    const k = pos - 1;
    const aa = this.pArgAux[pg]!;
    if (this.pState[pg]![k] === state && aa[2 * k] === arg && aa[2 * k + 1] === aux) {
      this.oStart[row] = this.pStart[pg]![k]!;
      this.pop(row, s, k);
    }
  }

  /** Appends the row's open interval to its closed ones (its end is the next one's start). */
  private close(row: number): void {
    const v = this.rowVals;
    const i = row * V.SLOTS;
    if (v[i + V.POS] === v[i + V.LIMIT]) this.newSegment(row);
    const pg = v[i + V.PAGE]!;
    const k = v[i + V.POS]!;
    this.pStart[pg]![k] = this.oStart[row]!;
    this.pState[pg]![k] = v[i + V.STATE]!;
    const aa = this.pArgAux[pg]!;
    aa[2 * k] = v[i + V.ARG]!;
    aa[2 * k + 1] = v[i + V.AUX]!;
    v[i + V.POS] = k + 1;
  }

  /** Removes the row's last closed entry (at `k`, in segment `s`, its current segment). */
  private pop(row: number, s: number, k: number): void {
    const v = this.rowVals;
    const i = row * V.SLOTS;
    v[i + V.POS] = k;
    const prev = this.segPrev[s]!;
    // Keep the invariant "the row's current segment is empty only when the row has no entry":
    // an emptied segment is dropped from the row's chain for the previous one, which is full.
    if (k === this.segOff[s] && prev >= 0) this.enter(row, prev, this.segOff[prev]! + this.segUsed[prev]!);
  }

  /** Makes segment `s` the row's current one, its next entry going at page position `pos`. */
  private enter(row: number, s: number, pos: number): void {
    const v = this.rowVals;
    const i = row * V.SLOTS;
    v[i + V.SEG] = s;
    v[i + V.PAGE] = this.segPage[s]!;
    v[i + V.POS] = pos;
    v[i + V.LIMIT] = this.segOff[s]! + this.segCap[s]!;
  }

  /** A new current segment for the row (its current one, if any, is full). */
  private newSegment(row: number): void {
    const i = row * V.SLOTS;
    const prev = this.rowVals[i + V.SEG]!;
    if (prev >= 0) this.segUsed[prev] = this.rowVals[i + V.POS]! - this.segOff[prev]!;
    const cap = prev < 0 ? FIRST_SEGMENT : Math.min(this.segCap[prev]! * 2, MAX_SEGMENT);
    if (this.pageUsed + cap > this.pageSize) {
      const size = this.pStart.length >= 4 ? PAGE : FIRST_PAGE << this.pStart.length;
      this.pStart.push(new Float64Array(size));
      this.pState.push(new Uint8Array(size));
      this.pArgAux.push(new Int32Array(2 * size));
      this.pageUsed = 0;
      this.pageSize = size;
    }
    const s = this.segCount++;
    if (s === this.segPage.length) {
      const n = s * 2;
      this.segPage = grown(this.segPage, new Int32Array(n));
      this.segOff = grown(this.segOff, new Int32Array(n));
      this.segCap = grown(this.segCap, new Int32Array(n));
      this.segUsed = grown(this.segUsed, new Int32Array(n));
      this.segPrev = grown(this.segPrev, new Int32Array(n));
    }
    this.segPage[s] = this.pStart.length - 1;
    this.segOff[s] = this.pageUsed;
    this.segCap[s] = cap;
    this.segUsed[s] = 0;
    this.segPrev[s] = prev;
    this.pageUsed += cap;
    this.enter(row, s, this.pageUsed - cap);
  }

  /**
   * Closes every open interval at `end` and returns the frozen table. Rows whose open interval
   * starts after `end` keep it with zero length at its start. The builder is spent afterwards.
   */
  finish(end: number): IntervalTable {
    return this.seal(end).freeze();
  }

  /**
   * `finish` in two steps: closes every open interval at `end` now (the builder takes no more
   * changes), and copies the rows into the frozen table at `freeze()`, which can come later or
   * never (a report that does not read this table).
   */
  seal(end: number): SealedIntervals {
    if (this.spent) throw new Error('IntervalTableBuilder.finish called twice');
    this.spent = true;
    this.endTime = end;
    const rows = this.rowCount;
    const v = this.rowVals;
    for (let r = 0; r < rows; r++) {
      const i = r * V.SLOTS;
      if (!v[i + V.ENDED]) {
        this.close(r);
        this.rowEnd[r] = Math.max(this.oStart[r]!, end);
      }
      const s = v[i + V.SEG]!;
      if (s >= 0) this.segUsed[s] = v[i + V.POS]! - this.segOff[s]!;
    }
    return this;
  }

  /**
   * The frozen table of a sealed builder (built once). Copies one column at a time, releasing
   * the builder's pages of that column when done with them: the peak is the pages and about one
   * column more, not the pages and the whole table.
   */
  freeze(): IntervalTable {
    if (this.table) return this.table;
    if (!this.spent) throw new Error('IntervalTableBuilder.freeze before seal');
    const rows = this.rowCount;
    const { segUsed, segPrev } = this;
    const rowOffset = new Int32Array(rows + 1);
    for (let r = 0; r < rows; r++) {
      let n = 0;
      for (let s = this.rowVals[r * V.SLOTS + V.SEG]!; s >= 0; s = segPrev[s]!) n += segUsed[s]!;
      rowOffset[r + 1] = rowOffset[r]! + n;
    }
    const total = rowOffset[rows]!;
    const start = this.gather(this.pStart, rowOffset, new Float64Array(total));
    this.pStart = [];
    // A row's intervals tile it: each ends where the next one starts, the last where the row ends.
    const endA = new Float64Array(total);
    for (let r = 0; r < rows; r++) {
      const lo = rowOffset[r]!;
      const hi = rowOffset[r + 1]!;
      if (hi > lo) {
        endA.set(start.subarray(lo + 1, hi), lo);
        endA[hi - 1] = this.rowEnd[r]!;
      }
    }
    const arg = new Int32Array(total);
    const aux = new Int32Array(total);
    this.gatherPairs(rowOffset, arg, aux);
    this.pArgAux = [];
    const state = this.gather(this.pState, rowOffset, new Uint8Array(total));
    this.pState = [];
    this.table = new IntervalTable(rowOffset, start, endA, state, arg, aux, this.endTime);
    return this.table;
  }

  /**
   * Visits every row's segments, from its last back, with where each one's entries go in the
   * frozen columns: page, offset in the page, entries, and position in the columns.
   */
  private eachSegment(rowOffset: Int32Array, visit: (page: number, off: number, n: number, pos: number) => void): void {
    const { segPage, segOff, segUsed, segPrev, rowVals } = this;
    const rows = this.rowCount;
    for (let r = 0; r < rows; r++) {
      let pos = rowOffset[r + 1]!;
      for (let s = rowVals[r * V.SLOTS + V.SEG]!; s >= 0; s = segPrev[s]!) {
        const n = segUsed[s]!;
        if (n === 0) continue;
        pos -= n;
        visit(segPage[s]!, segOff[s]!, n, pos);
      }
    }
  }

  /** Copies each row's segments of one column (pages) to the row's place in `out`. */
  private gather<T extends Float64Array | Uint8Array>(pages: T[], rowOffset: Int32Array, out: T): T {
    this.eachSegment(rowOffset, (page, off, n, pos) => out.set(pages[page]!.subarray(off, off + n) as never, pos));
    return out;
  }

  /** `gather` of the (arg, aux) pairs into their two columns. */
  private gatherPairs(rowOffset: Int32Array, arg: Int32Array, aux: Int32Array): void {
    const pages = this.pArgAux;
    this.eachSegment(rowOffset, (page, off, n, pos) => {
      const aa = pages[page]!;
      for (let j = 0, k = 2 * off; j < n; j++, k += 2) {
        arg[pos + j] = aa[k]!;
        aux[pos + j] = aa[k + 1]!;
      }
    });
  }
}

/** A sealed interval table builder: its frozen table, built on first request. */
export interface SealedIntervals {
  freeze(): IntervalTable;
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(old: T, next: T): T {
  next.set(old as never);
  return next;
}

/** Runs of one row over a time range at a resolution (see `IntervalTable.query`). */
export interface RowRuns {
  start: Float64Array;
  end: Float64Array;
  state: Uint8Array;
  arg: Int32Array;
  aux: Int32Array;
  /** How many intervals of the table each run stands for (1 = exact). */
  count: Int32Array;
  length: number;
}

/** Intervals sampled beyond this many per bucket when choosing a bucket's dominant state. */
const SCAN_LIMIT = 16;

export class IntervalTable {
  constructor(
    readonly rowOffset: Int32Array,
    readonly start: Float64Array,
    readonly end: Float64Array,
    readonly state: Uint8Array,
    readonly arg: Int32Array,
    readonly aux: Int32Array,
    /** Time the table was closed at (the last event). */
    readonly endTime: number,
  ) {}

  get rowCount(): number {
    return this.rowOffset.length - 1;
  }

  /** Number of intervals in total. */
  get length(): number {
    return this.start.length;
  }

  /** Last index in [lo, hi) whose start ≤ t, or lo - 1. */
  private lastStartingAtOrBefore(lo: number, hi: number, t: number): number {
    const start = this.start;
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (start[m]! <= t) a = m + 1;
      else b = m;
    }
    return a - 1;
  }

  /** Last index in [lo, hi) whose start < t, or lo - 1. */
  private lastStartingBefore(lo: number, hi: number, t: number): number {
    const start = this.start;
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (start[m]! < t) a = m + 1;
      else b = m;
    }
    return a - 1;
  }

  /** Index of the interval of `row` that holds time `t`, or -1. */
  indexAt(row: number, t: number): number {
    const lo = this.rowOffset[row]!;
    const hi = this.rowOffset[row + 1]!;
    const i = this.lastStartingAtOrBefore(lo, hi, t);
    if (i < lo) return -1;
    if (t < this.end[i]!) return i;
    // The table's end instant belongs to the last interval of the rows that reach it.
    return t === this.end[i] && t === this.endTime && i === hi - 1 ? i : -1;
  }

  /** For every row, the index of its interval at time `t` (-1 where none). */
  indexesAt(t: number): Int32Array {
    const out = new Int32Array(this.rowCount);
    for (let r = 0; r < out.length; r++) out[r] = this.indexAt(r, t);
    return out;
  }

  /** First index of `row` whose interval ends after `t` (or the row's end index). */
  firstEndingAfter(row: number, t: number): number {
    const lo = this.rowOffset[row]!;
    const hi = this.rowOffset[row + 1]!;
    const i = this.lastStartingAtOrBefore(lo, hi, t);
    if (i < lo) return lo;
    return this.end[i]! > t || (i === hi - 1 && this.end[i] === t && this.start[i] === t) ? i : i + 1;
  }

  /** Calls `f(i, from, to)` for each interval of `row` overlapping [t1, t2], clipped to it. */
  forEachIn(row: number, t1: number, t2: number, f: (i: number, from: number, to: number) => void): void {
    const hi = this.rowOffset[row + 1]!;
    for (let i = this.firstEndingAfter(row, t1); i < hi; i++) {
      const s = this.start[i]!;
      if (s > t2 || (s === t2 && this.end[i]! > s)) break;
      f(i, Math.max(s, t1), Math.min(this.end[i]!, t2));
    }
  }

  /**
   * The intervals of `row` between t1 and t2 as seen at `resolution` ns per pixel: intervals at
   * least one pixel long are returned as they are (clipped); runs of shorter ones are summarised
   * per pixel-aligned bucket by the state covering most of the bucket (counted exactly for up to
   * 16 intervals, sampled at 16 points beyond), with `count` telling how many intervals a run
   * stands for. Neighbouring equal runs are merged, so a viewport gets at most about one run per
   * pixel whatever the trace size, in O(pixels × log n).
   */
  query(row: number, t1: number, t2: number, resolution: number): RowRuns {
    const R = Math.max(resolution, 1e-9);
    const out = new RunsBuilder();
    const hi = this.rowOffset[row + 1]!;
    const { start, end, state, arg, aux } = this;
    let i = this.firstEndingAfter(row, t1);
    let from = i < hi ? Math.max(start[i]!, t1) : t2;
    while (i < hi && from < t2) {
      const e = Math.min(end[i]!, t2);
      if (e - from >= R || e === this.endTime) {
        out.add(from, e, state[i]!, arg[i]!, aux[i]!, 1);
        i++;
        from = i < hi ? start[i]! : t2;
        continue;
      }
      // A short interval: summarise the pixel bucket it starts in.
      const b0 = Math.floor(from / R) * R;
      const b1 = Math.min(b0 + R, t2);
      const j = Math.max(i, this.lastStartingBefore(i, hi, b1));
      const pick = j - i + 1 <= SCAN_LIMIT ? this.dominantByScan(i, j, from, b1) : this.dominantBySampling(row, from, b1);
      const runEnd = Math.min(end[j]!, b1);
      out.add(from, runEnd, state[pick]!, arg[pick]!, aux[pick]!, j - i + 1);
      if (end[j]! > b1) {
        i = j;
        from = b1;
      } else {
        i = j + 1;
        from = i < hi ? start[i]! : t2;
      }
    }
    return out.finish();
  }

  private dominantByScan(i: number, j: number, b0: number, b1: number): number {
    let best = i;
    let bestLen = -1;
    for (let k = i; k <= j; k++) {
      const len = Math.min(this.end[k]!, b1) - Math.max(this.start[k]!, b0);
      if (len > bestLen) {
        bestLen = len;
        best = k;
      }
    }
    return best;
  }

  private dominantBySampling(row: number, b0: number, b1: number): number {
    const votes = new Map<number, number>();
    let best = -1;
    let bestVotes = 0;
    for (let s = 0; s < SCAN_LIMIT; s++) {
      const k = this.indexAt(row, b0 + ((s + 0.5) * (b1 - b0)) / SCAN_LIMIT);
      if (k < 0) continue;
      const key = this.state[k]!;
      const v = (votes.get(key) ?? 0) + 1;
      votes.set(key, v);
      if (v > bestVotes) {
        bestVotes = v;
        best = k;
      }
    }
    return best < 0 ? this.indexAt(row, b0) : best;
  }
}

class RunsBuilder {
  private readonly s = new GrowableF64(64);
  private readonly e = new GrowableF64(64);
  private readonly st = new GrowableU8(64);
  private readonly a = new GrowableI32(64);
  private readonly x = new GrowableI32(64);
  private readonly c = new GrowableI32(64);

  add(from: number, to: number, state: number, arg: number, aux: number, count: number): void {
    const n = this.s.length;
    if (n > 0 && this.e.get(n - 1) === from && this.st.get(n - 1) === state && this.a.get(n - 1) === arg && this.x.get(n - 1) === aux) {
      this.e.set(n - 1, to);
      this.c.set(n - 1, this.c.get(n - 1) + count);
      return;
    }
    this.s.push(from);
    this.e.push(to);
    this.st.push(state);
    this.a.push(arg);
    this.x.push(aux);
    this.c.push(count);
  }

  finish(): RowRuns {
    return {
      start: this.s.finish(),
      end: this.e.finish(),
      state: this.st.finish(),
      arg: this.a.finish(),
      aux: this.x.finish(),
      count: this.c.finish(),
      length: this.s.length,
    };
  }
}
