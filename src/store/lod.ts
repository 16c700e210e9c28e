/**
 * Level-of-detail summaries of an interval table, computed once, so that a viewport query
 * returns about one run per pixel per row whatever the trace size (as Perfetto's mipmaps).
 *
 * Level k summarises every row on a grid of buckets of W = 4^k ns aligned on multiples of W:
 *
 *   raw      |—a—|b|a|c|b|———— a ————|c|a|—— b ——|
 *   W grid   |       |       |       |       |       |
 *   level    |-mix a-|-mix a-|—— a ——|-mix c-|—b—|       (mixed buckets: the state covering
 *                                                          most of the bucket, `mixed` = 1)
 *
 * A bucket covered by one interval is "pure" and stays part of that interval; a bucket shared by
 * several intervals becomes one run of the state covering most of it (exact durations, clipped to
 * the bucket), carrying the arg/aux of that state's longest interval there. Neighbouring runs with
 * the same state, arg, aux and mixedness merge. So at level k a run is either (part of) a raw
 * interval or a whole W-bucket, and the dominant state of any W-aligned bucket is exact.
 *
 * A level is kept only when it has at most 1/`shrink` (default 1/1.5) of the runs of the last
 * level kept (the raw table first), which bounds the runs of all levels to 1/(shrink-1) = 2× the
 * raw table's intervals (in practice about 1×: 22 bytes per run). A lower `shrink` keeps more
 * levels (queries read a level closer to their resolution), a higher one saves memory.
 *
 * A query at resolution R (ns per pixel) reads the coarsest kept level with W ≤ 2R (buckets of
 * at most two pixels) and summarises it once more on the query's own pixel grid (same rule), so
 * it returns at most about one run per pixel per row (plus runs longer than a pixel) in
 * O(runs of that level in the range). With R = 4^k ns, a window starting on a multiple of R and
 * level k kept, the dominant state of every pixel is exact; otherwise a mixed run of the level
 * counts wholly for its state (and a bucket wider than a pixel gives its state to the pixels it
 * covers).
 */
import type { IntervalTable } from './interval-table.js';

/** The runs of one row, as returned by a query. */
export interface LodRuns {
  start: Float64Array;
  end: Float64Array;
  state: Uint8Array;
  arg: Int32Array;
  aux: Int32Array;
  /** 1: the run summarises several intervals (its state is the dominant one). */
  mixed: Uint8Array;
  length: number;
}

/** One summary level: runs per row, as the interval table's columns. */
export interface LodLevel {
  /** Bucket width, ns. */
  readonly width: number;
  readonly rowOffset: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly state: Uint8Array;
  /** Index in the raw table of the interval whose arg/aux the run carries. */
  readonly rep: Int32Array;
  readonly mixed: Uint8Array;
}

export interface LodOptions {
  /** Keep a level only when it has ≤ 1/shrink of the runs of the previous one kept (default 1.5; 0 keeps all). */
  shrink?: number;
  /** Finest and coarsest bucket widths considered, as powers of 4 (default 5 and 24: 1 µs … 3 days). */
  minLevel?: number;
  maxLevel?: number;
}

/** A source of runs: the raw table (rep = own index, never mixed) or a level. */
interface Source {
  start: Float64Array;
  end: Float64Array;
  state: Uint8Array;
  rep: Int32Array | undefined;
  mixed: Uint8Array | undefined;
}

/**
 * Collects runs in plain typed arrays (grown by doubling, reusable), merging a run into the
 * previous one when they are alike and contiguous. Several rows can go one after the other into
 * one sink: `beginRow()` stops a run from merging across the boundary.
 */
export class RunSink {
  start: Float64Array;
  end: Float64Array;
  state: Uint8Array;
  /** Index in the raw table of the interval whose arg/aux the run carries. */
  rep: Int32Array;
  mixed: Uint8Array;
  length = 0;
  private rowStart = 0;

  constructor(
    readonly table: IntervalTable,
    capacity = 64,
  ) {
    this.start = new Float64Array(capacity);
    this.end = new Float64Array(capacity);
    this.state = new Uint8Array(capacity);
    this.rep = new Int32Array(capacity);
    this.mixed = new Uint8Array(capacity);
  }

  /** Empties the sink (keeps its arrays). */
  reset(): void {
    this.length = 0;
    this.rowStart = 0;
  }

  /** The runs added from now on belong to a new row. */
  beginRow(): void {
    this.rowStart = this.length;
  }

  /** Drops runs from `from` on (keeps the arrays). */
  truncate(from: number): void {
    this.length = from;
  }

  add(from: number, to: number, state: number, rep: number, mixed: number): void {
    const n = this.length;
    if (n > this.rowStart && this.end[n - 1] === from && this.state[n - 1] === state && this.mixed[n - 1] === mixed) {
      const p = this.rep[n - 1]!;
      const { arg, aux } = this.table;
      if (p === rep || (arg[p] === arg[rep] && aux[p] === aux[rep])) {
        this.end[n - 1] = to;
        return;
      }
    }
    if (n === this.start.length) this.grow();
    this.start[n] = from;
    this.end[n] = to;
    this.state[n] = state;
    this.rep[n] = rep;
    this.mixed[n] = mixed;
    this.length = n + 1;
  }

  private grow(): void {
    const cap = this.start.length * 2;
    const n = this.length;
    const start = new Float64Array(cap);
    start.set(this.start.subarray(0, n));
    const end = new Float64Array(cap);
    end.set(this.end.subarray(0, n));
    const state = new Uint8Array(cap);
    state.set(this.state.subarray(0, n));
    const rep = new Int32Array(cap);
    rep.set(this.rep.subarray(0, n));
    const mixed = new Uint8Array(cap);
    mixed.set(this.mixed.subarray(0, n));
    this.start = start;
    this.end = end;
    this.state = state;
    this.rep = rep;
    this.mixed = mixed;
  }
}

/** Per-state time inside one bucket (states are bytes); no allocation per bucket. */
class Tally {
  private readonly time = new Float64Array(256);
  /** Longest piece per state, and its run index in the source. */
  private readonly longest = new Float64Array(256);
  private readonly longestRep = new Int32Array(256);
  private readonly touched = new Int32Array(256);
  private count = 0;
  /** Result of `take`. */
  state = -1;
  rep = -1;

  add(state: number, len: number, rep: number): void {
    if (this.time[state] === 0) this.touched[this.count++] = state;
    this.time[state]! += len;
    if (len > this.longest[state]!) {
      this.longest[state] = len;
      this.longestRep[state] = rep;
    }
  }

  /** Sets `state` to the state with the most time (lowest on ties) and `rep`; then resets. */
  take(): void {
    let best = -1;
    const time = this.time;
    for (let k = 0; k < this.count; k++) {
      const s = this.touched[k]!;
      if (best < 0 || time[s]! > time[best]! || (time[s] === time[best] && s < best)) best = s;
    }
    this.state = best;
    this.rep = best >= 0 ? this.longestRep[best]! : -1;
    for (let k = 0; k < this.count; k++) {
      const s = this.touched[k]!;
      time[s] = 0;
      this.longest[s] = 0;
    }
    this.count = 0;
  }
}

/**
 * Summarises runs [lo, hi) of `src`, clipped to [from, to], on the grid origin + k·W, into `out`
 * (the rule described at the top of the file).
 */
function summarize(src: Source, lo: number, hi: number, from: number, to: number, origin: number, W: number, out: RunSink, tally: Tally): void {
  const { start, end, state, rep, mixed } = src;
  let i = lo;
  // Skip runs ending before the window (zero-length runs at `from` are kept).
  while (i < hi && end[i]! <= from && !(end[i] === from && start[i] === from)) i++;
  if (i >= hi) return;
  let c = Math.max(start[i]!, from);
  const rowEnd = Math.min(end[hi - 1]!, to);
  if (c >= rowEnd) {
    // Only a zero-length run is left (a state entered by the last event).
    if (c === rowEnd && start[i]! <= rowEnd) out.add(c, c, state[i]!, rep ? rep[i]! : i, mixed ? mixed[i]! : 0);
    return;
  }
  while (c < rowEnd) {
    while (i < hi - 1 && end[i]! <= c) i++;
    // The grid line after c (c itself may sit on a line computed with rounding errors).
    let b1 = origin + (Math.floor((c - origin) / W) + 1) * W;
    if (b1 - c < W * 1e-9) b1 += W;
    const e = Math.min(end[i]!, rowEnd);
    if (e >= b1 || e === rowEnd) {
      // Interval i covers the rest of this bucket: pure up to the last grid line before its end
      // (the bucket holding its end is shared with the next interval), or to its end.
      let pureEnd = e;
      if (e < rowEnd) {
        const g = origin + Math.floor((e - origin) / W) * W;
        if (g > c) pureEnd = g;
      }
      out.add(c, pureEnd, state[i]!, rep ? rep[i]! : i, mixed ? mixed[i]! : 0);
      c = pureEnd;
      continue;
    }
    // Several intervals share the bucket [c, bEnd): the dominant state by clipped time.
    const bEnd = Math.min(b1, rowEnd);
    let j = i;
    for (; j < hi && start[j]! < bEnd; j++) {
      const len = Math.min(end[j]!, bEnd) - Math.max(start[j]!, c);
      if (len > 0) tally.add(state[j]!, len, rep ? rep[j]! : j);
    }
    tally.take();
    if (tally.state >= 0) out.add(c, bEnd, tally.state, tally.rep, 1);
    c = bEnd;
    i = Math.max(i, j - 1);
  }
}

/** Queries run one at a time (single thread): one scratch tally for all, one sink per table. */
const QUERY_TALLY = new Tally();
const QUERY_SINK = {
  sinks: new WeakMap<IntervalTable, RunSink>(),
  get(t: IntervalTable): RunSink {
    let s = this.sinks.get(t);
    if (!s) this.sinks.set(t, (s = new RunSink(t, 4096)));
    return s;
  },
};

export class LodTable {
  private constructor(
    readonly table: IntervalTable,
    /** Kept levels, finest first. */
    readonly levels: LodLevel[],
  ) {}

  /** Computes the summaries of `table` (once; O(intervals) per level considered). */
  static build(table: IntervalTable, opts: LodOptions = {}): LodTable {
    const shrink = opts.shrink ?? 1.5;
    const minLevel = opts.minLevel ?? 5;
    const maxLevel = opts.maxLevel ?? 24;
    const raw: Source = { start: table.start, end: table.end, state: table.state, rep: undefined, mixed: undefined };
    const levels: LodLevel[] = [];
    let lastCount = table.length;
    const tally = new Tally();
    for (let k = minLevel; k <= maxLevel && lastCount > table.rowCount; k++) {
      const W = 4 ** k;
      const sink = new RunSink(table, Math.max(64, lastCount));
      const rowOffset = new Int32Array(table.rowCount + 1);
      for (let r = 0; r < table.rowCount; r++) {
        const lo = table.rowOffset[r]!;
        const hi = table.rowOffset[r + 1]!;
        sink.beginRow();
        if (hi > lo) summarize(raw, lo, hi, -Infinity, Infinity, 0, W, sink, tally);
        rowOffset[r + 1] = sink.length;
      }
      const count = sink.length;
      if (shrink > 0 && count * shrink > lastCount) continue;
      levels.push({
        width: W,
        rowOffset,
        start: sink.start.slice(0, count),
        end: sink.end.slice(0, count),
        state: sink.state.slice(0, count),
        rep: sink.rep.slice(0, count),
        mixed: sink.mixed.slice(0, count),
      });
      lastCount = count;
    }
    return new LodTable(table, levels);
  }

  /** Rebuilds from stored levels (the analysis cache). */
  static fromLevels(table: IntervalTable, levels: LodLevel[]): LodTable {
    return new LodTable(table, levels);
  }

  /**
   * The level a query at `res` ns per pixel reads (undefined: the raw table): the coarsest with
   * buckets of at most 2 pixels (levels are 4× apart: reading one of ≤ 1 pixel could mean 4
   * source runs per pixel; ≤ 2 pixels halves the work for buckets at most 2 pixels wide).
   */
  levelFor(res: number): LodLevel | undefined {
    let best: LodLevel | undefined;
    for (const l of this.levels) if (l.width <= 2 * res) best = l;
    return best;
  }

  /** Runs of `row` in [t1, t2] at `pixels` pixels: about one run per pixel (see the top). */
  query(row: number, t1: number, t2: number, pixels: number): LodRuns {
    const res = (t2 - t1) / Math.max(1, pixels);
    return this.queryAt(row, t1, t2, res);
  }

  /** Same, with the resolution (ns per pixel) given; the pixel grid starts at t1. */
  queryAt(row: number, t1: number, t2: number, res: number): LodRuns {
    const t = this.table;
    const sink = QUERY_SINK.get(t);
    sink.reset();
    this.queryInto(sink, row, t1, t2, res);
    const n = sink.length;
    const arg = new Int32Array(n);
    const aux = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const r = sink.rep[k]!;
      arg[k] = t.arg[r]!;
      aux[k] = t.aux[r]!;
    }
    return { start: sink.start.slice(0, n), end: sink.end.slice(0, n), state: sink.state.slice(0, n), arg, aux, mixed: sink.mixed.slice(0, n), length: n };
  }

  /**
   * Appends the runs of `row` in [t1, t2] at `res` ns per pixel to `out` (as a new row of it):
   * the allocation-free form of `queryAt`, for answers written straight into one buffer.
   */
  queryInto(out: RunSink, row: number, t1: number, t2: number, res: number): void {
    const t = this.table;
    const level = this.levelFor(res);
    const src: Source = level
      ? { start: level.start, end: level.end, state: level.state, rep: level.rep, mixed: level.mixed }
      : { start: t.start, end: t.end, state: t.state, rep: undefined, mixed: undefined };
    const offsets = level ? level.rowOffset : t.rowOffset;
    let lo = offsets[row]!;
    const hi = offsets[row + 1]!;
    // First run ending at or after t1 (binary search on the ends, which increase within a row).
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (src.end[m]! < t1) a = m + 1;
      else b = m;
    }
    lo = a;
    // Last run starting at or before t2 (starts increase too).
    a = lo;
    b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (src.start[m]! <= t2) a = m + 1;
      else b = m;
    }
    const last = a;
    out.beginRow();
    if (lo < last && t2 >= t1) summarize(src, lo, last, t1, t2, t1, res > 0 ? res : 1, out, QUERY_TALLY);
  }

  /** Runs stored in all levels (memory accounting). */
  get storedRuns(): number {
    return this.levels.reduce((s, l) => s + l.start.length, 0);
  }
}
