/**
 * Spans: the time between a begin event and its end event (`calcjob:job_start` →
 * `calcjob:job_end`), matched per thread, or per value of a key field (`--key job_id`: the begin
 * and end may then be on different threads, e.g. `job_enqueue` on the manager → `job_end` on a
 * worker). Nested spans of the same pair close innermost first (a stack per thread or key).
 *
 *   begin ─► push {time, thread, fields} on stack[match key] ─► end ─► pop ─► duration
 *                                            (empty stack: an end without begin, counted)
 *
 * Results per pair: statistics over all spans and per group (the begin's thread, or the key
 * value), the worst occurrences, and what stayed unmatched (begins still open at the end of the
 * trace or window, ends without a begin).
 */
import type { StreamReader } from '../../ctf/stream-reader.js';
import { stateBreakdown, type KernelThreadStates, type StateTime, type ThreadInterval } from './kernel-states.js';
import type { UstConsumer } from './pass.js';
import { Durations, TopN, type DurationStats } from './stats.js';
import type { UstThread } from './threads.js';

export interface SpanPair {
  begin: string;
  end: string;
  /** Match (and group) by this field's value instead of by thread. */
  key?: string;
}

/** Name endings that make begin/end pairs, in order of preference for a shared end. */
export const PAIR_SUFFIXES: readonly (readonly [string, string])[] = [
  ['_begin', '_end'],
  ['_start', '_end'],
  ['_entry', '_exit'],
];

/**
 * Pairs found among event names: `P:X_begin`/`P:X_end`, `P:X_start`/`P:X_end`,
 * `P:X_entry`/`P:X_exit`. Only provider-qualified (user-space) names; an end shared by
 * `X_begin` and `X_start` goes with `X_begin`.
 */
export function detectPairs(names: Iterable<string>): SpanPair[] {
  const all = new Set([...names].filter((n) => n.includes(':')));
  const pairs: SpanPair[] = [];
  const usedEnds = new Set<string>();
  for (const [b, e] of PAIR_SUFFIXES) {
    for (const n of [...all].sort()) {
      if (!n.endsWith(b)) continue;
      const end = n.slice(0, -b.length) + e;
      if (all.has(end) && !usedEnds.has(end)) {
        pairs.push({ begin: n, end });
        usedEnds.add(end);
      }
    }
  }
  return pairs.sort((x, y) => (x.begin < y.begin ? -1 : x.begin > y.begin ? 1 : 0));
}

/** A scalar field value kept from the begin event (strings, numbers, bigints). */
export type FieldValue = string | number | bigint | boolean;

export interface SpanOccurrence {
  /** Times in ns from the trace set's origin. */
  begin: number;
  end: number;
  duration: number;
  thread: UstThread;
  /** Thread of the end event (differs from `thread` only when matched by key). */
  endThread: UstThread;
  key?: FieldValue;
  /** Scalar payload fields of the begin event. */
  fields: Record<string, FieldValue>;
}

export interface SpanGroup {
  /** The begin events' thread (matched per thread) or the key value (matched by key). */
  thread?: UstThread;
  key?: FieldValue;
  stats: DurationStats;
}

export interface SpanResult {
  pair: SpanPair;
  stats: DurationStats;
  groups: SpanGroup[];
  worst: SpanOccurrence[];
  /** Begins without their end before the end of the trace (or window). */
  open: number;
  /** Ends without a begin (the trace or window started inside the span). */
  unmatchedEnds: number;
  /** Events of the pair that lack the key field (not matched). */
  missingKey: number;
  /** With kernel thread states: how the threads spent the spans (ns per state). */
  kernel?: StateTime[];
}

interface OpenSpan {
  time: number;
  thread: UstThread;
  key: FieldValue | undefined;
  fields: Record<string, FieldValue>;
}

class PairState {
  readonly stacks = new Map<number | string, OpenSpan[]>();
  readonly all = new Durations();
  readonly groups = new Map<number | string, { thread?: UstThread; key?: FieldValue; d: Durations }>();
  readonly worst: TopN<SpanOccurrence>;
  unmatchedEnds = 0;
  missingKey = 0;
  /** Every span (thread, begin, end), kept only to join them with kernel states. */
  readonly intervals: ThreadInterval[] = [];

  constructor(
    readonly pair: SpanPair,
    top: number,
  ) {
    this.worst = new TopN(top);
  }
}

/** Scalar fields of the payload (records are reused: values are copied). */
export function snapshotFields(pl: Record<string, unknown>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const k in pl) {
    const v = pl[k];
    const t = typeof v;
    if (t === 'number' || t === 'string' || t === 'bigint' || t === 'boolean') out[k] = v as FieldValue;
  }
  return out;
}

function fieldOf(r: StreamReader, name: string): FieldValue | undefined {
  const { pl, ec, sc } = r.records;
  const v = pl[name] ?? ec[name] ?? sc[name];
  const t = typeof v;
  return t === 'number' || t === 'string' || t === 'bigint' || t === 'boolean' ? (v as FieldValue) : undefined;
}

export class SpanAnalysis implements UstConsumer {
  private readonly states: PairState[];
  /** Event name → [pair index, is begin] for every role the event plays. */
  private readonly roles = new Map<string, [number, boolean][]>();

  private readonly keepIntervals: boolean;

  /** `keepSpans`: remember every span, for `results(kernel)`. */
  constructor(pairs: SpanPair[], opts: { top?: number; keepSpans?: boolean } = {}) {
    this.keepIntervals = opts.keepSpans === true;
    this.states = pairs.map((p) => new PairState(p, opts.top ?? 5));
    pairs.forEach((p, i) => {
      for (const [name, isBegin] of [
        [p.begin, true],
        [p.end, false],
      ] as const) {
        let list = this.roles.get(name);
        if (!list) this.roles.set(name, (list = []));
        list.push([i, isBegin]);
      }
    });
  }

  wants(name: string): boolean {
    return this.roles.has(name);
  }

  onEvent(r: StreamReader, thread: UstThread): void {
    for (const [i, isBegin] of this.roles.get(r.eventClass.cls.name)!) {
      const s = this.states[i]!;
      const keyField = s.pair.key;
      let match: number | string = thread.id;
      let key: FieldValue | undefined;
      if (keyField !== undefined) {
        key = fieldOf(r, keyField);
        if (key === undefined) {
          s.missingKey++;
          continue;
        }
        match = `${thread.vpid}\0${String(key)}`;
      }
      let stack = s.stacks.get(match);
      if (isBegin) {
        if (!stack) s.stacks.set(match, (stack = []));
        stack.push({ time: r.time, thread, key, fields: snapshotFields(r.records.pl) });
        continue;
      }
      const open = stack?.pop();
      if (!open) {
        s.unmatchedEnds++;
        continue;
      }
      const duration = r.time - open.time;
      s.all.push(duration);
      const gk = keyField === undefined ? open.thread.id : String(key);
      let g = s.groups.get(gk);
      if (!g) s.groups.set(gk, (g = keyField === undefined ? { thread: open.thread, d: new Durations() } : { key, d: new Durations() }));
      g.d.push(duration);
      // Matched by thread: the span is that thread's. By key: the begin's thread is counted.
      if (this.keepIntervals) s.intervals.push({ tid: open.thread.vtid, begin: open.time, end: r.time });
      if (s.worst.accepts(duration)) {
        const occ: SpanOccurrence = { begin: open.time, end: r.time, duration, thread: open.thread, endThread: thread, fields: open.fields };
        if (key !== undefined) occ.key = key;
        s.worst.add(duration, occ);
      }
    }
  }

  /** One result per pair, in the order given, skipping pairs that never occurred. */
  results(kernel?: KernelThreadStates): SpanResult[] {
    return this.states
      .map((s) => {
        let open = 0;
        for (const st of s.stacks.values()) open += st.length;
        const groups = [...s.groups.values()]
          .map((g) => {
            const out: SpanGroup = { stats: g.d.stats() };
            if (g.thread) out.thread = g.thread;
            if (g.key !== undefined) out.key = g.key;
            return out;
          })
          .sort((a, b) => b.stats.total - a.stats.total);
        const res: SpanResult = { pair: s.pair, stats: s.all.stats(), groups, worst: s.worst.list(), open, unmatchedEnds: s.unmatchedEnds, missingKey: s.missingKey };
        if (kernel && this.keepIntervals) res.kernel = stateBreakdown(kernel, s.intervals);
        return res;
      })
      .filter((r) => r.stats.count + r.open + r.unmatchedEnds > 0);
  }
}
