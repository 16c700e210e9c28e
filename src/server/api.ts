/**
 * The JSON endpoints (documented in the README, "tracelane serve"): each reads the analysis made
 * once at start-up (or loaded from the cache) and answers one viewport or panel question. Times
 * are ns relative to the trace set's origin; thread ids are rows of `ServerAnalysis.threads`.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StreamReader } from '../ctf/stream-reader.js';
import type { TraceSet } from '../ctf/trace-set.js';
import { formatValue } from '../ctf/text-format.js';
import { toJsonValue } from '../ctf/json-format.js';
import type { FieldClass, StructClass } from '../ctf/model.js';
import type { KernelModel } from '../analysis/kernel/model.js';
import { cpuBusyHistogram, cpuBusyTime, cpuTime, stateDurations } from '../analysis/kernel/queries.js';
import { wakerLabel, wakerOf } from '../analysis/kernel/reports.js';
import { CPU_STATE_NAMES, isOnCpu, THREAD_STATE_LABELS, THREAD_STATE_NAMES, ThreadState, WAKER_KIND_NAMES, WakerKind } from '../analysis/kernel/states.js';
import type { IntervalTable } from '../store/interval-table.js';
import { LodTable, RunSink, type LodRuns } from '../store/lod.js';
import { STATES_BIN_HEADER, STATES_BIN_MAGIC, STATES_BIN_VERSION, statesBinSize } from './states-bin-format.js';
import type { ServerAnalysis, ThreadRow } from './analysis.js';
import { decodeEvents, firstAfter, firstAtOrAfter, type EventIndex } from './event-index.js';
import { HttpError, type Params } from './params.js';
import { deadlocksOf } from './deadlocks.js';
import type {
  AggregateAnswer,
  ArrowsAnswer,
  CriticalPathAnswer,
  DeadlocksAnswer,
  EventAnswer,
  EventRowAnswer,
  EventsAnswer,
  EventsNextAnswer,
  EventsSeekAnswer,
  FlameAnswer,
  FlameCallAnswer,
  MigrationAnswer,
  ResourcesAnswer,
  SourceAnswer,
  StateAtAnswer,
  ThreadsAnswer,
  TraceAnswer,
  UsageAnswer,
  UstEventsAnswer,
  UstMarkerAnswer,
  UstSpanAnswer,
  UstSpansAnswer,
  WakerAnswer,
  WakeupAnswer,
  WhereAnswer,
} from './api-types.js';
import type { CodePlace, UstIntervals } from './ust-timeline.js';

/** What the endpoints read: the analysis, its summaries, and readers to decode events again. */
export class Loaded {
  readonly lod: { threads?: LodTable; cpus?: LodTable; irqs?: LodTable } = {};
  readonly readers: StreamReader[];
  /** Filtered event lists, most recent last (a few kept). */
  private readonly filtered = new Map<string, Uint32Array>();
  /** Source files the trace's debug info names (the only ones `/api/source` serves). */
  readonly sources = new Set<string>();
  /** `/api/deadlocks`, made on first request. */
  deadlocks: DeadlocksAnswer | undefined;

  constructor(
    readonly set: TraceSet,
    readonly a: ServerAnalysis,
    readonly paths: string[],
    readonly fromCache: boolean,
  ) {
    const k = a.kernel;
    if (k) {
      this.lod.threads = LodTable.fromLevels(k.threadStates, a.lod.threads);
      this.lod.cpus = LodTable.fromLevels(k.cpuStates, a.lod.cpus);
    }
    if (a.irqStates) this.lod.irqs = LodTable.fromLevels(a.irqStates, a.lod.irqs);
    this.readers = set.createReaders({ onNotice: () => {}, onWarning: () => {}, onProblem: () => {} });
    for (const p of [...a.ust.functions, ...Object.values(a.ust.ips)]) if (p.file) this.sources.add(resolve(p.file));
  }

  filteredList(key: string, make: () => Uint32Array): Uint32Array {
    let l = this.filtered.get(key);
    if (l) {
      this.filtered.delete(key);
      this.filtered.set(key, l);
      return l;
    }
    l = make();
    this.filtered.set(key, l);
    while (this.filtered.size > 8) this.filtered.delete(this.filtered.keys().next().value!);
    return l;
  }
}

/** A route: its answer type (api-types.ts) is the contract with the page. */
type Handler<T = unknown> = (l: Loaded, p: Params) => T;

// ── helpers ─────────────────────────────────────────────────────────────────────────────────

function range(l: Loaded, p: Params): { begin: number; end: number } {
  const begin = p.num('begin', l.a.start);
  const end = p.num('end', l.a.end);
  if (end < begin) throw new HttpError(400, `"end" (${end}) is before "begin" (${begin})`);
  return { begin, end };
}

/** ns per pixel from `res` or `px`. */
function resolution(p: Params, begin: number, end: number): number {
  if (p.has('res')) {
    const r = p.num('res');
    if (!(r > 0)) throw new HttpError(400, 'parameter "res" must be positive');
    return r;
  }
  const px = p.int('px', 1000, 1, 16384);
  return Math.max(end - begin, 1) / px;
}

function kernelOf(l: Loaded): KernelModel {
  if (!l.a.kernel) throw new HttpError(404, 'this trace set has no kernel trace');
  return l.a.kernel;
}

function threadOf(l: Loaded, id: number): ThreadRow {
  const t = l.a.threads[id];
  if (!t) throw new HttpError(404, `no thread row ${id}`);
  return t;
}

function rowsParam(p: Params, count: number, name = 'rows'): number[] {
  const rows = p.ints(name) ?? Array.from({ length: Math.min(count, 2000) }, (_, i) => i);
  for (const r of rows) if (r < 0 || r >= count) throw new HttpError(404, `no row ${r}`);
  return rows;
}

function lowerBound(a: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m]! < t) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function globRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

// ── trace, threads, resources ───────────────────────────────────────────────────────────────

const trace: Handler<TraceAnswer> = (l) => {
  const a = l.a;
  const cpus = a.kernel ? a.kernel.cpus.map((c) => c.cpu).sort((x, y) => x - y) : [...new Set(a.events.cpu)].filter((c) => c >= 0).sort((x, y) => x - y);
  return {
    name: l.paths.map((p) => p.split('/').filter(Boolean).pop() ?? p).join(' + '),
    paths: l.paths,
    origin: a.origin,
    start: a.start,
    end: a.end,
    events: a.events.length,
    hasKernel: a.kernel !== null,
    hasUst: a.ust.threads.length > 0,
    fromCache: l.fromCache,
    // With several kernel traces only the first feeds the kernel views (one machine's model):
    // `kernelViews` says which (a warning says so too).
    traces: a.traces.map((t, i) => ({ ...t, kernelViews: t.domain === 'kernel' && i === a.traces.findIndex((u) => u.domain === 'kernel') })),
    cpus,
    threadStates: THREAD_STATE_NAMES,
    threadStateLabels: THREAD_STATE_LABELS,
    cpuStates: CPU_STATE_NAMES,
    syscalls: a.syscallNames,
    warnings: a.warnings,
  };
};

const threads: Handler<ThreadsAnswer> = (l) => ({
  threads: l.a.threads.map((t) => ({
    id: t.id,
    tid: t.tid,
    pid: t.pid,
    ppid: t.ppid,
    name: t.name,
    names: t.names,
    begin: t.begin,
    end: t.end,
    cpuTime: t.cpuTime,
    idleCpu: t.idleCpu,
    ust: t.ustEvents > 0,
    ustEvents: t.ustEvents,
    hasCalls: t.hasCalls,
  })),
});

const resources: Handler<ResourcesAnswer> = (l) => ({
  cpus: (l.a.kernel?.cpus ?? []).map((c) => ({ id: c.row, cpu: c.cpu })).sort((x, y) => x.cpu - y.cpu),
  irqs: l.a.irqRows,
});

// ── states ──────────────────────────────────────────────────────────────────────────────────

const TABLES = ['threads', 'cpus', 'irqs'] as const;

function tableOf(l: Loaded, which: (typeof TABLES)[number]): { table: IntervalTable | undefined; lod: LodTable | undefined; rows: number } {
  const k = l.a.kernel;
  if (which === 'threads') return { table: k?.threadStates, lod: l.lod.threads, rows: l.a.threads.length };
  if (which === 'cpus') return { table: k?.cpuStates, lod: l.lod.cpus, rows: k ? k.cpus.length : 0 };
  return { table: l.a.irqStates ?? undefined, lod: l.lod.irqs, rows: l.a.irqRows.length };
}

const FORMATS = ['json', 'bin'] as const;

const states: Handler = (l, p) => {
  const which = p.oneOf('table', TABLES, 'threads');
  const format = p.oneOf('format', FORMATS, 'json');
  const { begin, end } = range(l, p);
  const res = resolution(p, begin, end);
  const { table, lod, rows: count } = tableOf(l, which);
  const rows = rowsParam(p, count);
  if (format === 'bin') return new RawBinary(statesBin(l, which, table, lod, rows, begin, end, res));
  // Written as JSON text row by row: a dense viewport is ~1 run per pixel per row (150 000 runs,
  // 3.6 MB for 100 rows × 1500 px); writing the numbers is then most of the answer's time.
  const parts = rows.map((id) => {
    if (!table || !lod || id >= table.rowCount) return runsText(id, undefined);
    const runs = lod.queryAt(id, begin, end, res);
    // IRQ rows: only where a handler ran (a mixed run holds some activity, even when idle dominates).
    return which === 'irqs' ? runsText(id, runs, l.a.irqRows[id]!.num) : runsText(id, runs);
  });
  return new RawJson(`{"table":"${which}","begin":${begin},"end":${end},"res":${res},"rows":[${parts.join(',')}]}`);
};

/** One reusable sink per table: every row of a query goes into it, then into the answer. */
const BIN_SINKS = new WeakMap<IntervalTable, RunSink>();

/**
 * The same answer in the binary form (states-bin-format.ts): the runs of all rows are summarised
 * into one reused sink, then written column by column into one buffer of the exact size.
 */
export function statesBin(l: Loaded, which: (typeof TABLES)[number], table: IntervalTable | undefined, lod: LodTable | undefined, rows: number[], begin: number, end: number, res: number): Buffer {
  let sink: RunSink | undefined;
  if (table && lod) {
    sink = BIN_SINKS.get(table);
    if (!sink) BIN_SINKS.set(table, (sink = new RunSink(table, 1 << 16)));
    sink.reset();
  }
  const counts = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const id = rows[k]!;
    if (!sink || !lod || id >= table!.rowCount) continue;
    const first = sink.length;
    lod.queryInto(sink, id, begin, end, res);
    // IRQ rows: only where a handler ran, as in the JSON answer.
    if (which === 'irqs') {
      let w = first;
      for (let j = first; j < sink.length; j++) {
        if (sink.state[j] === 0 && sink.mixed[j] === 0) continue;
        sink.start[w] = sink.start[j]!;
        sink.end[w] = sink.end[j]!;
        sink.state[w] = 1;
        sink.rep[w] = sink.rep[j]!;
        sink.mixed[w] = sink.mixed[j]!;
        w++;
      }
      sink.truncate(w);
    }
    counts[k] = sink.length - first;
  }
  const n = sink ? sink.length : 0;
  const r = rows.length;
  // Its own ArrayBuffer (not Node's pooled slab), so every column is aligned for its type.
  const buf = new ArrayBuffer(statesBinSize(r, n));
  const head = new DataView(buf);
  head.setUint32(0, STATES_BIN_MAGIC, true);
  head.setUint32(4, STATES_BIN_VERSION, true);
  head.setUint32(8, r, true);
  head.setUint32(12, n, true);
  head.setFloat64(16, begin, true);
  head.setFloat64(24, end, true);
  head.setFloat64(32, res, true);
  new Int32Array(buf, STATES_BIN_HEADER, r).set(rows);
  new Int32Array(buf, STATES_BIN_HEADER + 4 * r, r).set(counts);
  if (sink && n > 0) {
    const p = STATES_BIN_HEADER + 8 * r;
    const start = new Float64Array(buf, p, n);
    const stop = new Float64Array(buf, p + 8 * n, n);
    const arg = new Int32Array(buf, p + 16 * n, n);
    const aux = new Int32Array(buf, p + 20 * n, n);
    // Whole ns, as the JSON answer (its `t + d` is the rounded end).
    const s0 = sink.start;
    const e0 = sink.end;
    for (let j = 0; j < n; j++) {
      start[j] = Math.round(s0[j]!);
      stop[j] = Math.round(e0[j]!);
    }
    const rep = sink.rep;
    const tArg = table!.arg;
    const tAux = table!.aux;
    for (let j = 0; j < n; j++) {
      const q = rep[j]!;
      arg[j] = tArg[q]!;
      aux[j] = tAux[q]!;
    }
    if (which === 'irqs') {
      let o = 0;
      for (let k = 0; k < r; k++) {
        arg.fill(l.a.irqRows[rows[k]!]!.num, o, o + counts[k]!);
        o += counts[k]!;
      }
    }
    new Uint8Array(buf, p + 24 * n, n).set(sink.state.subarray(0, n));
    new Uint8Array(buf, p + 25 * n, n).set(sink.mixed.subarray(0, n));
  }
  // A huge query (thousands of rows at 16384 px) must not keep its scratch space for good.
  if (sink && sink.start.length > 1 << 20) BIN_SINKS.delete(table!);
  return Buffer.from(buf);
}

/** An answer already written as JSON text. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A binary answer (`application/octet-stream`). */
export class RawBinary {
  constructor(readonly data: Buffer) {}
}

/**
 * One row of a viewport answer as JSON text. Times are rounded to whole ns (pixel edges are
 * fractional, the intervals' own edges whole) with durations between rounded edges, so runs stay
 * contiguous and numbers short.
 */
export function runsText(id: number, runs: LodRuns | undefined, irqNum?: number): string {
  if (!runs || runs.length === 0) return `{"id":${id},"t":[],"d":[],"s":[],"a":[],"x":[],"m":[]}`;
  let n = runs.length;
  let keep: Int32Array | undefined;
  if (irqNum !== undefined) {
    keep = new Int32Array(runs.length);
    n = 0;
    for (let k = 0; k < runs.length; k++) if (runs.state[k] !== 0 || runs.mixed[k] !== 0) keep[n++] = k;
  }
  const t = new Float64Array(n);
  const d = new Float64Array(n);
  const st = new Uint8Array(n);
  const a = new Int32Array(n);
  const x = new Int32Array(n);
  const m = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const k = keep ? keep[j]! : j;
    const t0 = Math.round(runs.start[k]!);
    t[j] = t0;
    d[j] = Math.round(runs.end[k]!) - t0;
    st[j] = irqNum !== undefined ? 1 : runs.state[k]!;
    a[j] = irqNum !== undefined ? irqNum : runs.arg[k]!;
    x[j] = runs.aux[k]!;
    m[j] = runs.mixed[k]!;
  }
  return `{"id":${id},"t":[${t.join(',')}],"d":[${d.join(',')}],"s":[${st.join(',')}],"a":[${a.join(',')}],"x":[${x.join(',')}],"m":[${m.join(',')}]}`;
}

function wakerJson(l: Loaded, model: KernelModel, i: number): WakerAnswer {
  const w = model.wakeups;
  const kind = w.wakerKind[i]!;
  const info = wakerOf(model, i);
  const out: WakerAnswer = { kind: WAKER_KIND_NAMES[kind]!, cpu: w.cpu[i]!, label: wakerLabel(info), t: w.time[i]! };
  if (kind === WakerKind.THREAD) {
    const row = w.waker[i]!;
    out.id = row;
    out.tid = l.a.threads[row]?.tid ?? -1;
    out.name = info.name ?? '';
  } else out.num = w.waker[i]!;
  return out;
}

const stateAt: Handler<StateAtAnswer> = (l, p) => {
  const which = p.oneOf('table', TABLES, 'threads');
  const { table, rows: count } = tableOf(l, which);
  const id = p.int('row', undefined, 0, Math.max(0, count - 1));
  const t = p.num('t');
  if (!table || id >= table.rowCount) throw new HttpError(404, `row ${id} has no states`);
  const i = table.indexAt(id, t);
  if (i < 0) throw new HttpError(404, `row ${id} has no state at ${t}`);
  const model = l.a.kernel!;
  const base = { id, begin: table.start[i], end: table.end[i] };
  const sys = (n: number) => (n >= 0 ? (l.a.syscallNames[n] ?? `syscall ${n}`) : null);
  if (which === 'threads') {
    const s = table.state[i]!;
    const out: StateAtAnswer = {
      ...base,
      state: THREAD_STATE_NAMES[s]!,
      label: THREAD_STATE_LABELS[s],
      tid: l.a.threads[id]?.tid ?? -1,
      cpu: table.aux[i]! >= 0 && s !== ThreadState.WAIT_BLOCKED ? table.aux[i] : -1,
      syscall: s === ThreadState.RUN_USER || s === ThreadState.NONE || s === ThreadState.WAIT_FORK ? null : sys(table.arg[i]!),
    };
    if (s === ThreadState.WAIT_BLOCKED && table.aux[i]! >= 0) out.waker = wakerJson(l, model, table.aux[i]!);
    return out;
  }
  if (which === 'cpus') {
    const s = table.state[i]!;
    const tid = table.arg[i]!;
    const th = tid > 0 ? l.a.threads.find((r) => r.tid === tid && r.begin <= t && t <= r.end) : undefined;
    return { ...base, state: CPU_STATE_NAMES[s], label: CPU_STATE_NAMES[s], tid, name: tid === 0 ? 'idle' : (th?.name ?? ''), syscall: s === 3 ? sys(table.aux[i]!) : null, num: s >= 4 ? table.aux[i] : null };
  }
  const info = l.a.irqRows[id]!;
  return { ...base, state: table.state[i] === 1 ? 'active' : 'idle', label: `${info.kind} ${info.num}${info.name ? ` ${info.name}` : ''}`, cpu: info.cpu };
};

// ── arrows, usage, aggregates ───────────────────────────────────────────────────────────────

const arrows: Handler<ArrowsAnswer> = (l, p) => {
  const { begin, end } = range(l, p);
  const limit = p.int('limit', 5000, 1, 100000);
  const model = l.a.kernel;
  if (!model) return { wakeups: [], migrations: [], truncated: false };
  const only = p.ints('rows');
  const rowSet = only ? new Set(only) : undefined;
  const w = model.wakeups;
  const wakeups: WakeupAnswer[] = [];
  let truncated = false;
  for (let i = lowerBound(w.time, w.length, begin); i < w.length && w.time[i]! <= end; i++) {
    const to = w.thread[i]!;
    const kind = w.wakerKind[i]!;
    const from = w.waker[i]!;
    if (rowSet && !rowSet.has(to) && !(kind === WakerKind.THREAD && rowSet.has(from))) continue;
    if (wakeups.length >= limit) {
      truncated = true;
      break;
    }
    wakeups.push({
      t: w.time[i],
      runAt: Number.isNaN(w.runAt[i]!) ? null : w.runAt[i],
      to,
      toTid: l.a.threads[to]?.tid ?? -1,
      cpu: w.cpu[i],
      targetCpu: w.targetCpu[i],
      runCpu: w.runCpu[i],
      fromKind: WAKER_KIND_NAMES[kind],
      from,
      fromTid: kind === WakerKind.THREAD ? (l.a.threads[from]?.tid ?? -1) : -1,
    });
  }
  const m = model.migrations;
  const migrations: MigrationAnswer[] = [];
  for (let i = lowerBound(m.time, m.length, begin); i < m.length && m.time[i]! <= end; i++) {
    const id = m.thread[i]!;
    if (rowSet && !rowSet.has(id)) continue;
    if (migrations.length >= limit) {
      truncated = true;
      break;
    }
    migrations.push({ t: m.time[i], id, tid: l.a.threads[id]?.tid ?? -1, from: m.from[i], to: m.to[i] });
  }
  return { wakeups, migrations, truncated };
};

const usage: Handler<UsageAnswer> = (l, p) => {
  const { begin, end } = range(l, p);
  const buckets = p.int('buckets', 200, 1, 4096);
  const model = kernelOf(l);
  const w = (end - begin) / buckets;
  const cpus = [...model.cpus].sort((a, b) => a.cpu - b.cpu);
  const perCpu = cpus.map((c) => Array.from(cpuBusyHistogram(model, model.cpus.indexOf(c), begin, end, buckets)));
  const total = new Array<number>(buckets).fill(0);
  for (const h of perCpu) h.forEach((v, b) => (total[b]! += v));
  const out: UsageAnswer = { begin, end, buckets, cpus: cpus.length, t: Array.from({ length: buckets }, (_, b) => begin + b * w), total, perCpu };
  const rows = p.ints('rows');
  if (rows) {
    const sel = new Array<number>(buckets).fill(0);
    const tbl = model.threadStates;
    for (const id of rows) {
      const kr = threadOf(l, id).kernelRow;
      if (kr < 0 || !(w > 0)) continue;
      tbl.forEachIn(kr, begin, end, (i, from, to) => {
        if (!isOnCpu(tbl.state[i]!) || tbl.aux[i]! < 0) return;
        let b = Math.max(0, Math.floor((from - begin) / w));
        while (b < buckets && from < to) {
          const e = Math.min(to, begin + (b + 1) * w);
          sel[b]! += e - from;
          from = e;
          b++;
        }
      });
    }
    out.selected = sel.map((v) => (w > 0 ? v / w : 0));
  }
  return out;
};

function statesRecord(d: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  THREAD_STATE_NAMES.forEach((n, s) => (out[n] = d[s]!));
  return out;
}

const aggregate: Handler<AggregateAnswer> = (l, p) => {
  const { begin, end } = range(l, p);
  const top = p.int('top', 50, 1, 100000);
  const rows = p.ints('rows');
  const model = l.a.kernel;
  let kernelPart: Pick<AggregateAnswer, 'states' | 'threads' | 'cpus'> = { states: {}, threads: [], cpus: [] };
  if (model) {
    const chosen = rows ? rows.map((id) => threadOf(l, id)) : l.a.threads.filter((t) => t.kernelRow >= 0 && t.idleCpu < 0);
    const sum = new Float64Array(THREAD_STATE_NAMES.length);
    const perThread = chosen
      .filter((t) => t.kernelRow >= 0)
      .map((t) => {
        const d = stateDurations(model, t.kernelRow, begin, end);
        for (let s = 0; s < d.length; s++) sum[s]! += d[s]!;
        return { id: t.id, tid: t.tid, name: t.name, cpuTime: cpuTime(model, t.kernelRow, begin, end), states: d };
      });
    perThread.sort((a, b) => b.cpuTime - a.cpuTime || a.tid - b.tid);
    kernelPart = {
      states: statesRecord(sum),
      threads: (rows ? perThread : perThread.slice(0, top)).map((t) => ({ ...t, states: statesRecord(t.states) })),
      cpus: model.cpus
        .map((c, i) => {
          const busy = cpuBusyTime(model, i, begin, end);
          return { cpu: c.cpu, busy, usage: end > begin ? busy / (end - begin) : 0 };
        })
        .sort((a, b) => a.cpu - b.cpu),
    };
  }
  const ix = l.a.events;
  const lo = firstAtOrAfter(ix, begin);
  const hi = firstAfter(ix, end);
  const counts = new Float64Array(ix.names.length);
  for (let k = lo; k < hi; k++) counts[ix.name[k]!]!++;
  const events = ix.names
    .map((name, i) => ({ name, count: counts[i]! }))
    .filter((e) => e.count > 0)
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  return { begin, end, ...kernelPart, events, eventTotal: hi - lo };
};

// ── events table ────────────────────────────────────────────────────────────────────────────

interface EventFilter {
  begin: number;
  end: number;
  event?: string;
  cpu?: number;
  tid?: number;
  q?: string;
}

function eventFilter(l: Loaded, p: Params): EventFilter {
  const f: EventFilter = { ...range(l, p) };
  const ev = p.str('event');
  if (ev !== undefined) f.event = ev;
  if (p.has('cpu')) f.cpu = p.int('cpu', undefined, -1, 1 << 20);
  if (p.has('tid')) f.tid = p.int('tid', undefined, -1, 2 ** 31 - 1);
  const q = p.str('q');
  if (q !== undefined) f.q = q.toLowerCase();
  return f;
}

function isUnfiltered(l: Loaded, f: EventFilter): boolean {
  return f.event === undefined && f.cpu === undefined && f.tid === undefined && f.q === undefined && f.begin <= l.a.start && f.end >= l.a.end;
}

/** Event numbers matching the filter (undefined: every event). */
function matching(l: Loaded, f: EventFilter): Uint32Array | undefined {
  if (isUnfiltered(l, f)) return undefined;
  return l.filteredList(JSON.stringify(f), () => {
    const ix = l.a.events;
    const lo = firstAtOrAfter(ix, f.begin);
    const hi = firstAfter(ix, f.end);
    let nameOk: Uint8Array | undefined;
    if (f.event !== undefined) {
      const re = globRegExp(f.event);
      nameOk = Uint8Array.from(ix.names, (n) => (re.test(n) ? 1 : 0));
    }
    const out: number[] = [];
    for (let k = lo; k < hi; k++) {
      if (nameOk && !nameOk[ix.name[k]!]) continue;
      if (f.cpu !== undefined && ix.cpu[k] !== f.cpu) continue;
      if (f.tid !== undefined && ix.tid[k] !== f.tid) continue;
      out.push(k);
    }
    if (f.q === undefined) return Uint32Array.from(out);
    // Text search: the name, else the decoded fields.
    const q = f.q;
    const keep: number[] = [];
    const byName = ix.names.map((n) => n.toLowerCase().includes(q));
    const toDecode = out.filter((k) => {
      if (byName[ix.name[k]!]) keep.push(k);
      return !byName[ix.name[k]!];
    });
    decodeEvents(ix, l.readers, toDecode, (k, r) => {
      if (fieldsText(r).toLowerCase().includes(q)) keep.push(k);
    });
    keep.sort((a, b) => a - b);
    return Uint32Array.from(keep);
  });
}

function structText(sc: StructClass | undefined, rec: Record<string, unknown>, parts: string[]): void {
  for (const m of sc?.members ?? []) parts.push(`${m.name} = ${formatValue(m.type as FieldClass, rec[m.name])}`);
}

/** `name = value, …` of the event's own context and payload, as babeltrace2 writes values. */
function fieldsText(r: StreamReader): string {
  const parts: string[] = [];
  structText(r.eventClass.cls.context, r.records.ec, parts);
  structText(r.eventClass.cls.payload, r.records.pl, parts);
  return parts.join(', ');
}

function rowJson(ix: EventIndex, k: number, r: StreamReader | undefined): EventRowAnswer {
  return { i: k, t: ix.time[k]!, cpu: ix.cpu[k]!, name: ix.names[ix.name[k]!]!, tid: ix.tid[k]!, trace: ix.streamTrace[ix.stream[k]!]!, fields: r ? fieldsText(r) : '' };
}

const events: Handler<EventsAnswer> = (l, p) => {
  const f = eventFilter(l, p);
  const offset = p.int('offset', 0, 0, 2 ** 32);
  const limit = p.int('limit', 100, 0, 1000);
  const ix = l.a.events;
  const list = matching(l, f);
  const total = list ? list.length : ix.length;
  const numbers: number[] = [];
  for (let j = offset; j < Math.min(total, offset + limit); j++) numbers.push(list ? list[j]! : j);
  const rows = new Map<number, EventRowAnswer>();
  decodeEvents(ix, l.readers, numbers, (k, r) => rows.set(k, rowJson(ix, k, r)));
  return { total, offset, rows: numbers.map((k) => rows.get(k) ?? rowJson(ix, k, undefined)) };
};

const eventsSeek: Handler<EventsSeekAnswer> = (l, p) => {
  const t = p.num('t');
  const f = eventFilter(l, p);
  const list = matching(l, f);
  const ix = l.a.events;
  if (!list) return { index: firstAtOrAfter(ix, t) };
  let a = 0;
  let b = list.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (ix.time[list[m]!]! < t) a = m + 1;
    else b = m;
  }
  return { index: a };
};

const eventsNext: Handler<EventsNextAnswer> = (l, p) => {
  const tid = p.int('tid', undefined, -1, 2 ** 31 - 1);
  const t = p.num('t');
  const dir = p.oneOf('dir', ['next', 'prev'] as const, 'next');
  const ix = l.a.events;
  if (dir === 'next') {
    for (let k = firstAfter(ix, t); k < ix.length; k++) if (ix.tid[k] === tid) return { i: k, t: ix.time[k]!, name: ix.names[ix.name[k]!]! };
  } else {
    for (let k = firstAtOrAfter(ix, t) - 1; k >= 0; k--) if (ix.tid[k] === tid) return { i: k, t: ix.time[k]!, name: ix.names[ix.name[k]!]! };
  }
  return { i: null };
};

function scope(sc: StructClass | undefined, rec: Record<string, unknown>): unknown {
  if (!sc) return {};
  return bigintsAsStrings(toJsonValue(sc, rec));
}

function bigintsAsStrings(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(bigintsAsStrings);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o['$bigint'] === 'string' && Object.keys(o).length === 1) return o['$bigint'];
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, bigintsAsStrings(x)]));
  }
  return v;
}

function intOf(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : -1;
}

function placeJson(l: Loaded, w: CodePlace): WhereAnswer {
  const file = w.file ? resolve(w.file) : '';
  let available = false;
  if (file) {
    try {
      available = statSync(file).isFile();
    } catch {
      available = false;
    }
  }
  return { bin: w.bin, func: w.func, src: w.src, name: w.name, file, line: w.line, sourceAvailable: available && l.sources.has(file) };
}

const event: Handler<EventAnswer> = (l, p) => {
  const ix = l.a.events;
  const k = p.int('i', undefined, 0, Math.max(0, ix.length - 1));
  if (k >= ix.length) throw new HttpError(404, `no event ${k}`);
  let out: EventAnswer | undefined;
  decodeEvents(ix, l.readers, [k], (_k, r) => {
    const sc = r.streamClass.cls;
    const rec = r.records;
    out = {
      ...rowJson(ix, k, r),
      scopes: {
        packet_context: scope(sc.packetContext, rec.pc),
        event_header: scope(sc.eventHeader, rec.eh),
        stream_context: scope(sc.eventContext, rec.sc),
        event_context: scope(r.eventClass.cls.context, rec.ec),
        payload: scope(r.eventClass.cls.payload, rec.pl),
      },
      where: null,
    };
    const ip = rec.sc['ip'] ?? rec.ec['ip'];
    if (ip !== undefined) {
      let vpid = intOf(rec.sc['vpid'] ?? rec.ec['vpid']);
      if (vpid < 0) vpid = intOf(rec.sc['pid'] ?? rec.ec['pid']);
      const w = l.a.ust.ips[`${vpid}:${intOf(ip)}`];
      if (w) out.where = placeJson(l, w);
    }
  });
  if (!out) throw new HttpError(404, `event ${k} could not be read again`);
  return out;
};

// ── user space ──────────────────────────────────────────────────────────────────────────────

/** UST thread ids whose row is one of `rows` (all UST threads without `rows`). */
function ustThreadsOf(l: Loaded, rows: number[] | undefined): { ust: number; row: number }[] {
  const set = rows ? new Set(rows) : undefined;
  const out: { ust: number; row: number }[] = [];
  l.a.ustRow.forEach((row, ust) => {
    if (!set || set.has(row)) out.push({ ust, row });
  });
  return out;
}

const ustEvents: Handler<UstEventsAnswer> = (l, p) => {
  const { begin, end } = range(l, p);
  const res = resolution(p, begin, end);
  const e = l.a.ust.events;
  const names = l.a.events.names;
  const out: UstMarkerAnswer[] = [];
  for (const { ust, row } of ustThreadsOf(l, p.ints('rows'))) {
    const lo = e.offset[ust]!;
    const hi = e.offset[ust + 1]!;
    let k = lo + lowerBound(e.time.subarray(lo, hi), hi - lo, begin);
    while (k < hi && e.time[k]! <= end) {
      // One marker per pixel: the first event of the pixel, counting the others.
      const px = Math.floor((e.time[k]! - begin) / res);
      const pxEnd = begin + (px + 1) * res;
      let j = k + 1;
      while (j < hi && e.time[j]! < pxEnd && e.time[j]! <= end) j++;
      out.push({ row, t: e.time[k]!, i: e.index[k]!, name: names[e.name[k]!]!, n: j - k });
      k = j;
    }
  }
  return { events: out };
};

/** An interval of `/api/ust/spans` or `/api/flame` (`n` of them merged below a pixel). */
type MergedInterval = Omit<UstSpanAnswer, 'name'>;

/** Intervals of UST threads in [begin, end], sub-pixel ones merged per pixel and depth. */
function intervalsJson<L extends object>(iv: UstIntervals, ust: number, row: number, begin: number, end: number, res: number, label: (what: number) => L, out: (MergedInterval & L)[]): void {
  const lo = iv.offset[ust]!;
  const hi = iv.offset[ust + 1]!;
  // Merging per depth: the last short interval kept at each depth.
  const lastShort = new Map<number, { begin: number; end: number; n: number; longest: number; what: number; o: MergedInterval & L }>();
  for (let k = lo; k < hi; k++) {
    const b = iv.begin[k]!;
    const e = iv.end[k]!;
    if (b > end) break;
    if (e < begin) continue;
    const d = iv.depth[k]!;
    if (e - b >= res) {
      out.push({ row, begin: b, end: e, depth: d, n: 1, ...label(iv.what[k]!) });
      continue;
    }
    const prev = lastShort.get(d);
    if (prev && b - prev.end < res && Math.floor((b - begin) / res) === Math.floor((prev.begin - begin) / res)) {
      prev.end = Math.max(prev.end, e);
      prev.n++;
      prev.o.end = prev.end;
      prev.o.n = prev.n;
      if (e - b > prev.longest) {
        prev.longest = e - b;
        Object.assign(prev.o, label(iv.what[k]!));
      }
      continue;
    }
    const o: MergedInterval & L = { row, begin: b, end: e, depth: d, n: 1, ...label(iv.what[k]!) };
    out.push(o);
    lastShort.set(d, { begin: b, end: e, n: 1, longest: e - b, what: iv.what[k]!, o });
  }
}

const ustSpans: Handler<UstSpansAnswer> = (l, p) => {
  const { begin, end } = range(l, p);
  const res = resolution(p, begin, end);
  const out: UstSpanAnswer[] = [];
  const names = l.a.ust.spanNames;
  for (const { ust, row } of ustThreadsOf(l, p.ints('rows'))) intervalsJson(l.a.ust.spans, ust, row, begin, end, res, (w) => ({ name: names[w]! }), out);
  return { spans: out };
};

const flame: Handler<FlameAnswer> = (l, p) => {
  const row = p.int('row', undefined, 0, Math.max(0, l.a.threads.length - 1));
  threadOf(l, row);
  const { begin, end } = range(l, p);
  const res = resolution(p, begin, end);
  const fns = l.a.ust.functions;
  const calls: FlameCallAnswer[] = [];
  const stats = new Map<number, { calls: number; total: number; self: number; max: number }>();
  const iv = l.a.ust.calls;
  for (const { ust } of ustThreadsOf(l, [row])) {
    intervalsJson(iv, ust, row, begin, end, res, (w) => ({ func: fns[w]?.name ?? '?', src: fns[w]?.src ?? '' }), calls);
    // Per-function statistics of the calls overlapping the range, clipped to it.
    const lo = iv.offset[ust]!;
    const hi = iv.offset[ust + 1]!;
    const childTime = new Float64Array(hi - lo);
    for (let k = lo; k < hi; k++) {
      const par = iv.parent[k]!;
      if (par >= 0) childTime[par]! += clipLen(iv.begin[k]!, iv.end[k]!, begin, end);
    }
    for (let k = lo; k < hi; k++) {
      const len = clipLen(iv.begin[k]!, iv.end[k]!, begin, end);
      if (len <= 0 && !(iv.begin[k]! >= begin && iv.begin[k]! <= end)) continue;
      const fn = iv.what[k]!;
      let s = stats.get(fn);
      if (!s) stats.set(fn, (s = { calls: 0, total: 0, self: 0, max: 0 }));
      s.calls++;
      s.self += len - childTime[k - lo]!;
      s.max = Math.max(s.max, len);
      // Recursion: inclusive time counts the outermost call of the function only.
      let a = iv.parent[k]!;
      let nested = false;
      while (a >= 0 && !nested) {
        if (iv.what[lo + a] === fn) nested = true;
        a = iv.parent[lo + a]!;
      }
      if (!nested) s.total += len;
    }
  }
  const functions = [...stats]
    .map(([fn, s]) => {
      const place = fns[fn];
      return { func: place?.name ?? '?', src: place?.src ?? '', file: place?.file ? resolve(place.file) : '', line: place?.line ?? 0, ...s };
    })
    .sort((a, b) => b.self - a.self || b.total - a.total);
  return { row, calls, functions };
};

function clipLen(b: number, e: number, t1: number, t2: number): number {
  return Math.max(0, Math.min(e, t2) - Math.max(b, t1));
}

// ── source, critical path ───────────────────────────────────────────────────────────────────

const MAX_SOURCE = 2 * 1024 * 1024;

const source: Handler<SourceAnswer> = (l, p) => {
  const asked = p.required('file');
  if (asked.includes('\0')) throw new HttpError(400, 'bad file name');
  const file = resolve(asked);
  if (!l.sources.has(file)) throw new HttpError(403, 'not a source file named by the trace\'s debug info');
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    if (st.size > MAX_SOURCE) throw new HttpError(400, `source file larger than ${MAX_SOURCE} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(404, `source file not found on this machine: ${file}`);
  }
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const line = p.int('line', 0, 0, 10_000_000);
  const context = p.int('context', 10, 0, 200);
  const from = line > 0 ? Math.max(1, line - context) : 1;
  const to = line > 0 ? Math.min(lines.length, line + context) : lines.length;
  const out: { n: number; text: string }[] = [];
  for (let n = from; n <= to; n++) out.push({ n, text: lines[n - 1]! });
  return { file, line, lines: out };
};

const criticalPath = async (l: Loaded, p: Params): Promise<CriticalPathAnswer> => {
  const model = kernelOf(l);
  const row = p.int('row', undefined, 0, Math.max(0, l.a.threads.length - 1));
  const t = threadOf(l, row);
  if (t.kernelRow < 0) throw new HttpError(404, `thread row ${row} is not in the kernel trace`);
  const { begin, end } = range(l, p);
  // Typed by the module's own signature: its result must still fit the answer type.
  let mod: { criticalPath: (m: KernelModel, row: number, t1: number, t2: number) => CriticalPathAnswer };
  try {
    mod = await import('../analysis/critical-path/index.js');
  } catch {
    throw new HttpError(501, 'critical path: not available in this build');
  }
  return mod.criticalPath(model, t.kernelRow, begin, end);
};

const deadlocksRoute: Handler<DeadlocksAnswer> = (l) => (l.deadlocks ??= deadlocksOf(l.set, l.a));

export const ROUTES: Record<string, (l: Loaded, p: Params) => unknown> = {
  '/api/trace': trace,
  '/api/threads': threads,
  '/api/resources': resources,
  '/api/states': states,
  '/api/state-at': stateAt,
  '/api/arrows': arrows,
  '/api/usage': usage,
  '/api/aggregate': aggregate,
  '/api/events': events,
  '/api/events/seek': eventsSeek,
  '/api/events/next': eventsNext,
  '/api/event': event,
  '/api/ust/events': ustEvents,
  '/api/ust/spans': ustSpans,
  '/api/flame': flame,
  '/api/source': source,
  '/api/critical-path': criticalPath,
  '/api/deadlocks': deadlocksRoute,
};
