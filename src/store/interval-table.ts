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
 * segments once into the frozen columns. Only starts are stored while building: a row's
 * intervals tile its timeline, so an interval ends where the next one starts (the last one where
 * the row was ended or the table finished). No object per interval.
 */
import { GrowableF64, GrowableI32, GrowableU8 } from './growable.js';

/** Entries per page (each column of a page is one typed array): the first pages are smaller. */
const FIRST_PAGE = 1 << 12;
const PAGE = 1 << 16;
const FIRST_SEGMENT = 4;
const MAX_SEGMENT = 4096;

export class IntervalTableBuilder {
  // Pages of closed intervals: start, state, arg, aux columns.
  private pStart: Float64Array[] = [];
  private pState: Uint8Array[] = [];
  private pArg: Int32Array[] = [];
  private pAux: Int32Array[] = [];
  /** Entries of the last page handed out to segments, and its size. */
  private pageUsed = 0;
  private pageSize = 0;

  // Segments: a run of entries of one row in one page; a row's segments are chained backwards.
  private segPage = new Int32Array(256);
  private segOff = new Int32Array(256);
  private segCap = new Int32Array(256);
  private segUsed = new Int32Array(256);
  private segPrev = new Int32Array(256);
  private segCount = 0;

  // Per row: the open interval, the row's last segment, closed entries, where it ended.
  private oStart = new Float64Array(64);
  private oState = new Uint8Array(64);
  private oArg = new Int32Array(64);
  private oAux = new Int32Array(64);
  private rowSeg = new Int32Array(64);
  private rowLen = new Int32Array(64);
  private rowEnd = new Float64Array(64);
  /** 1 when the row was ended by `endRow` (it then stops before the table's end). */
  private ended = new Uint8Array(64);
  rowCount = 0;
  /** Set by `finish()`, which hands the pages over (they are released). */
  private spent = false;

  /** Adds a row whose first interval opens at `start`; returns its index. */
  addRow(start: number, state: number, arg = -1, aux = -1): number {
    const row = this.rowCount++;
    if (row === this.oStart.length) {
      const cap = row * 2;
      this.oStart = grown(this.oStart, new Float64Array(cap));
      this.oState = grown(this.oState, new Uint8Array(cap));
      this.oArg = grown(this.oArg, new Int32Array(cap));
      this.oAux = grown(this.oAux, new Int32Array(cap));
      this.rowSeg = grown(this.rowSeg, new Int32Array(cap));
      this.rowLen = grown(this.rowLen, new Int32Array(cap));
      this.rowEnd = grown(this.rowEnd, new Float64Array(cap));
      this.ended = grown(this.ended, new Uint8Array(cap));
    }
    this.oStart[row] = start;
    this.oState[row] = state;
    this.oArg[row] = arg;
    this.oAux[row] = aux;
    this.rowSeg[row] = -1;
    return row;
  }

  openState(row: number): number {
    return this.oState[row]!;
  }

  openArg(row: number): number {
    return this.oArg[row]!;
  }

  openAux(row: number): number {
    return this.oAux[row]!;
  }

  openStart(row: number): number {
    return this.oStart[row]!;
  }

  /** Changes the columns of the row's open interval in place (e.g. what ended a blocked wait). */
  patchOpen(row: number, arg: number, aux: number): void {
    this.oArg[row] = arg;
    this.oAux[row] = aux;
  }

  /** Ends a row at `t`: its last interval closes there and the row takes no more changes. */
  endRow(row: number, t: number): void {
    if (this.ended[row]) return;
    this.close(row);
    this.rowEnd[row] = Math.max(t, this.oStart[row]!);
    this.ended[row] = 1;
  }

  /** From time `t` on, the row holds (state, arg, aux). */
  set(row: number, t: number, state: number, arg: number, aux: number): void {
    if (this.ended[row]) return;
    if (this.oState[row] === state && this.oArg[row] === arg && this.oAux[row] === aux) return;
    if (t <= this.oStart[row]!) {
      // Same timestamp (or time going backwards between streams): overwrite the open interval,
      // re-opening the previous one (which ends where the open one starts) when they become equal.
      const s = this.rowSeg[row]!;
      if (s >= 0 && this.segUsed[s]! > 0) {
        const pg = this.segPage[s]!;
        const k = this.segOff[s]! + this.segUsed[s]! - 1;
        if (this.pState[pg]![k] === state && this.pArg[pg]![k] === arg && this.pAux[pg]![k] === aux) {
          this.oStart[row] = this.pStart[pg]![k]!;
          this.pop(row, s);
        }
      }
    } else {
      this.close(row);
      this.oStart[row] = t;
    }
    this.oState[row] = state;
    this.oArg[row] = arg;
    this.oAux[row] = aux;
  }

  /** Appends the row's open interval to its closed ones (its end is the next one's start). */
  private close(row: number): void {
    let s = this.rowSeg[row]!;
    if (s < 0 || this.segUsed[s] === this.segCap[s]) s = this.newSegment(row, s);
    const pg = this.segPage[s]!;
    const k = this.segOff[s]! + this.segUsed[s]!++;
    this.pStart[pg]![k] = this.oStart[row]!;
    this.pState[pg]![k] = this.oState[row]!;
    this.pArg[pg]![k] = this.oArg[row]!;
    this.pAux[pg]![k] = this.oAux[row]!;
    this.rowLen[row]!++;
  }

  /** Removes the row's last closed entry (in segment `s`, its last segment). */
  private pop(row: number, s: number): void {
    this.rowLen[row]!--;
    // Keep the invariant "the row's last segment is empty only when the row has no entry".
    if (--this.segUsed[s]! === 0 && this.segPrev[s]! >= 0) this.rowSeg[row] = this.segPrev[s]!;
  }

  private newSegment(row: number, prev: number): number {
    const cap = prev < 0 ? FIRST_SEGMENT : Math.min(this.segCap[prev]! * 2, MAX_SEGMENT);
    if (this.pageUsed + cap > this.pageSize) {
      const size = this.pStart.length >= 4 ? PAGE : FIRST_PAGE << this.pStart.length;
      this.pStart.push(new Float64Array(size));
      this.pState.push(new Uint8Array(size));
      this.pArg.push(new Int32Array(size));
      this.pAux.push(new Int32Array(size));
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
    this.rowSeg[row] = s;
    return s;
  }

  /**
   * Closes every open interval at `end` and returns the frozen table. Rows whose open interval
   * starts after `end` keep it with zero length at its start. The builder is spent afterwards.
   */
  finish(end: number): IntervalTable {
    if (this.spent) throw new Error('IntervalTableBuilder.finish called twice');
    this.spent = true;
    const rows = this.rowCount;
    for (let r = 0; r < rows; r++) {
      if (this.ended[r]) continue;
      this.close(r);
      this.rowEnd[r] = Math.max(this.oStart[r]!, end);
    }
    const rowOffset = new Int32Array(rows + 1);
    for (let r = 0; r < rows; r++) rowOffset[r + 1] = rowOffset[r]! + this.rowLen[r]!;
    const total = rowOffset[rows]!;
    const start = new Float64Array(total);
    const endA = new Float64Array(total);
    const state = new Uint8Array(total);
    const arg = new Int32Array(total);
    const aux = new Int32Array(total);
    const { pStart, pState, pArg, pAux, segPage, segOff, segUsed, segPrev } = this;
    for (let r = 0; r < rows; r++) {
      const lo = rowOffset[r]!;
      const hi = rowOffset[r + 1]!;
      // The row's segments from the last one back, each copied to its place.
      let pos = hi;
      for (let s = this.rowSeg[r]!; s >= 0; s = segPrev[s]!) {
        const n = segUsed[s]!;
        if (n === 0) continue;
        const pg = segPage[s]!;
        const off = segOff[s]!;
        pos -= n;
        start.set(pStart[pg]!.subarray(off, off + n), pos);
        state.set(pState[pg]!.subarray(off, off + n), pos);
        arg.set(pArg[pg]!.subarray(off, off + n), pos);
        aux.set(pAux[pg]!.subarray(off, off + n), pos);
      }
      if (hi > lo) {
        endA.set(start.subarray(lo + 1, hi), lo);
        endA[hi - 1] = this.rowEnd[r]!;
      }
    }
    this.pStart = [];
    this.pState = [];
    this.pArg = [];
    this.pAux = [];
    return new IntervalTable(rowOffset, start, endA, state, arg, aux, end);
  }
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
