/**
 * The server's analysis of a trace set, made once: one time-ordered pass over every stream of
 * every trace (kernel and user space as one timeline) feeds
 *
 *   kernel trace events ─► KernelModelBuilder (thread/CPU states, wakeups, migrations…)
 *   user-space events   ─► UstTimeline (events, spans and calls per thread, code locations)
 *   every event         ─► EventIndexBuilder (the events table)
 *
 * then IRQ rows are made from the IRQ table, threads of both worlds are put on one list of rows,
 * and level-of-detail summaries are computed for each interval table. The result is plain data
 * (typed arrays, strings, numbers: see cache.ts) so that it can be written to the cache as is.
 *
 * The pass yields to the event loop every few thousand events so that the HTTP server keeps
 * answering (progress in `/api/status`).
 */
import { Muxer } from '../ctf/muxer.js';
import type { StreamReader } from '../ctf/stream-reader.js';
import type { TraceSet } from '../ctf/trace-set.js';
import { KernelModelBuilder, type KernelModel } from '../analysis/kernel/model.js';
import { cpuTime } from '../analysis/kernel/queries.js';
import { IrqKind } from '../analysis/kernel/states.js';
import { isUserSpaceTrace } from '../analysis/ust/event-names.js';
import { vpidOf } from '../analysis/ust/pass.js';
import { detectPairs } from '../analysis/ust/spans.js';
import { ThreadTable } from '../analysis/ust/threads.js';
import { Kind, KernelEvent, softirqName } from '../layouts/canonical.js';
import { kernelLayoutFor } from '../layouts/index.js';
import type { Binding, KernelLayout } from '../layouts/layout.js';
import { IntervalTableBuilder, type IntervalTable } from '../store/interval-table.js';
import { LodTable, type LodLevel } from '../store/lod.js';
import { isMapEvent, ProcessMaps } from '../symbols/process-maps.js';
import { SymbolResolver } from '../symbols/resolver.js';
import { EventIndexBuilder, type EventIndex } from './event-index.js';
import { UstTimeline, type UstTimelineData } from './ust-timeline.js';
import type { IrqRowAnswer, ThreadAnswer, TraceEntry } from './api-types.js';

/** Bumped whenever the shape of `ServerAnalysis` changes (old cache files are then ignored). */
export const ANALYSIS_VERSION = 1;

/** A `/api/threads` row (its `ust` flag is derived when answering) and where its kernel states are. */
export interface ThreadRow extends Omit<ThreadAnswer, 'ust'> {
  /** Kernel thread row (-1: a user-space thread the kernel trace does not know). */
  kernelRow: number;
}

/** An IRQ row: `/api/resources` answers them as they are. */
export type IrqRow = IrqRowAnswer;

export interface ServerAnalysis {
  version: number;
  origin: string;
  start: number;
  end: number;
  traces: TraceEntry[];
  kernel: KernelModel | null;
  syscallNames: string[];
  threads: ThreadRow[];
  /** UST thread id → row in `threads`. */
  ustRow: Int32Array;
  irqRows: IrqRow[];
  irqStates: IntervalTable | null;
  ust: UstTimelineData;
  events: EventIndex;
  /** Level-of-detail summaries of threadStates, cpuStates, irqStates. */
  lod: { threads: LodLevel[]; cpus: LodLevel[]; irqs: LodLevel[] };
  /** Warnings of the reading (discarded events…), one line each. */
  warnings: string[];
}

export interface Progress {
  (phase: string, fraction: number): void;
}

const YIELD_EVERY = 8192;

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function analyzeForServer(set: TraceSet, progress: Progress = () => {}): Promise<ServerAnalysis> {
  const warnings: string[] = [];
  progress('opening', 0);
  const readers = set.createReaders({
    onNotice: (n) => {
      if (warnings.length < 100) warnings.push(`${n.kind === 'discarded-events' ? 'discarded events' : 'lost packets'} in ${n.stream.path}`);
    },
    onWarning: (w) => warnings.push(w),
  });
  const traceNumber = new Map(set.traces.map((t, i) => [t.compiled, i]));
  const traceOf = (r: StreamReader) => traceNumber.get(r.trace) ?? -1;
  const kernelTraces = set.traces.filter((t) => kernelLayoutFor(t.cls));
  // One machine's kernel: with several kernel traces, the first one is analysed.
  const kernelTrace = kernelTraces[0];
  const layout: KernelLayout | undefined = kernelTrace ? kernelLayoutFor(kernelTrace.cls) : undefined;
  if (kernelTraces.length > 1) warnings.push(`${kernelTraces.length} kernel traces: only ${kernelTrace!.dirs[0]} feeds the kernel views`);
  const builder = layout ? new KernelModelBuilder({ hasWakeups: layout.hasWakeups, syscallNames: layout.syscalls }) : undefined;
  const ustTraces = new Set(set.traces.filter((t) => isUserSpaceTrace(t) && !kernelLayoutFor(t.cls)).map((t) => t.compiled));
  const names: string[] = [];
  for (const t of set.traces) if (ustTraces.has(t.compiled)) for (const sc of t.cls.streams.values()) for (const ec of sc.events.values()) names.push(ec.name);
  const ust = new UstTimeline(detectPairs(names));
  const ustThreads = new ThreadTable();
  const maps = new ProcessMaps();
  const index = new EventIndexBuilder(readers, traceOf);
  const perTrace = new Array<number>(set.traces.length).fill(0);
  const totalBytes = set.traces.reduce((s, t) => s + t.bytes, 0) || 1;

  const muxer = new Muxer(readers);
  const bindings: Binding[][] = readers.map(() => []);
  const ev = new KernelEvent();
  const isKernel = readers.map((r) => kernelTrace !== undefined && r.trace === kernelTrace.compiled);
  const isUst = readers.map((r) => ustTraces.has(r.trace));
  const classNameId = new Map<unknown, number>();
  let first = Number.NaN;
  let last = Number.NaN;
  let kernelFirst = true;
  let kernelLast = Number.NaN;
  let n = 0;
  while (muxer.next()) {
    const r = muxer.current!;
    const t = r.time;
    if (Number.isNaN(first)) first = t;
    if (!Number.isNaN(t)) last = Number.isNaN(last) ? t : Math.max(last, t);
    perTrace[traceOf(r)]!++;
    let tid = -1;
    if (isKernel[r.id] && builder && layout) {
      if (kernelFirst) {
        builder.begin(t);
        kernelFirst = false;
      }
      kernelLast = t;
      const row = bindings[r.id]!;
      const ec = r.eventClass;
      let b = row[ec.index];
      if (b === undefined) row[ec.index] = b = layout.bind(r.streamClass.cls, ec.cls);
      if (b.kind !== Kind.IGNORE) {
        ev.ctxTid = -1;
        ev.time = t;
        ev.kind = b.kind;
        b.extract(r.records, ev);
        builder.handle(ev);
        tid = b.kind === Kind.SCHED_SWITCH ? ev.prevTid : ev.ctxTid;
      }
    }
    const k = index.add(r, tid);
    if (isUst[r.id]) {
      const name = r.eventClass.cls.name;
      if (isMapEvent(name)) maps.apply(name, vpidOf(r), r.records.pl);
      const th = ustThreads.of(r);
      index.setTid(k, th.vtid);
      let nameId = classNameId.get(r.eventClass);
      if (nameId === undefined) classNameId.set(r.eventClass, (nameId = index.nameIdOf(k)));
      ust.onEvent(r, th, maps, k, nameId);
    }
    if (++n % YIELD_EVERY === 0) {
      let done = 0;
      for (const rd of readers) done += rd.bytesDone();
      progress('reading the trace', Math.min(1, done / totalBytes));
      await tick();
    }
  }
  progress('reading the trace', 1);
  const origin = set.origin;
  const start = Number.isNaN(first) ? 0 : first;
  const end = Number.isNaN(last) ? start : last;
  const kernel = builder ? builder.finish(Number.isNaN(kernelLast) ? undefined : kernelLast) : null;
  await tick();

  progress('user space', 0);
  const resolver = ustThreads.threads.length > 0 ? new SymbolResolver() : undefined;
  const ustData = ust.finish(ustThreads.threads, resolver, () => undefined);
  for (const p of resolver?.problems() ?? []) warnings.push(p);
  await tick();

  progress('event index', 0);
  const events = index.finish();
  if (kernel) fillKernelTids(events, kernel, isKernel);
  await tick();

  const { threads, ustRow } = threadRows(kernel, ustData, start, end);
  const { rows: irqRows, table: irqStates } = kernel ? irqTable(kernel) : { rows: [], table: null };

  progress('summaries', 0);
  const lod = {
    threads: kernel ? LodTable.build(kernel.threadStates).levels : [],
    cpus: kernel ? LodTable.build(kernel.cpuStates).levels : [],
    irqs: irqStates ? LodTable.build(irqStates).levels : [],
  };
  progress('summaries', 1);
  return {
    version: ANALYSIS_VERSION,
    origin: origin.toString(),
    start,
    end,
    traces: set.traces.map((t, i) => ({
      name: t.name || t.dirs[0]!,
      domain: kernelLayoutFor(t.cls) ? 'kernel' : String(t.cls.env.get('domain') ?? 'ust'),
      events: perTrace[i]!,
    })),
    kernel,
    syscallNames: kernel ? [...kernel.syscallNames] : [],
    threads,
    ustRow,
    irqRows,
    irqStates,
    ust: ustData,
    events,
    lod,
    warnings,
  };
}

/**
 * Kernel events without a thread context: the thread the CPU ran at that time. Events come in
 * time order, so one cursor per CPU row walks its intervals forward (no search per event).
 */
function fillKernelTids(ix: EventIndex, model: KernelModel, isKernel: boolean[]): void {
  const tbl = model.cpuStates;
  const rowOfCpu = new Map(model.cpus.map((c) => [c.cpu, c.row]));
  const cursor = new Int32Array(tbl.rowCount);
  for (let r = 0; r < tbl.rowCount; r++) cursor[r] = tbl.rowOffset[r]!;
  for (let k = 0; k < ix.length; k++) {
    if (ix.tid[k] !== -1 || !isKernel[ix.stream[k]!]) continue;
    const row = rowOfCpu.get(ix.cpu[k]!);
    if (row === undefined) continue;
    const t = ix.time[k]!;
    const hi = tbl.rowOffset[row + 1]!;
    let i = cursor[row]!;
    while (i < hi - 1 && tbl.end[i]! <= t) i++;
    cursor[row] = i;
    if (i < hi && tbl.start[i]! <= t) ix.tid[k] = tbl.arg[i]!;
  }
}

/** Kernel thread rows, then user-space threads the kernel does not know, as one list. */
function threadRows(kernel: KernelModel | null, ust: UstTimelineData, start: number, end: number): { threads: ThreadRow[]; ustRow: Int32Array } {
  const threads: ThreadRow[] = [];
  if (kernel) {
    const tbl = kernel.threadStates;
    for (const th of kernel.threads) {
      const lo = tbl.rowOffset[th.row]!;
      const hi = tbl.rowOffset[th.row + 1]!;
      const b = hi > lo ? tbl.start[lo]! : start;
      const e = hi > lo ? tbl.end[hi - 1]! : end;
      threads.push({
        id: th.row,
        tid: th.tid,
        pid: th.pid,
        ppid: th.ppid,
        name: th.name,
        names: [...th.names],
        begin: Number.isNaN(th.forkedAt) ? b : th.forkedAt,
        end: !Number.isNaN(th.freedAt) ? th.freedAt : !Number.isNaN(th.exitedAt) ? th.exitedAt : e,
        cpuTime: cpuTime(kernel, th.row, kernel.start, kernel.end),
        idleCpu: th.idleCpu,
        kernelRow: th.row,
        ustEvents: 0,
        hasCalls: false,
      });
    }
  }
  const ustRow = new Int32Array(ust.threads.length).fill(-1);
  for (const u of ust.threads) {
    let row = -1;
    if (kernel && u.vtid > 0) {
      for (const t of threads) {
        if (t.tid !== u.vtid || t.idleCpu >= 0) continue;
        row = t.id;
        if (t.begin <= u.first && u.first <= t.end) break;
      }
    }
    if (row < 0) {
      row = threads.length;
      threads.push({
        id: row,
        tid: u.vtid,
        pid: u.vpid,
        ppid: -1,
        name: u.name,
        names: u.name ? [u.name] : [],
        begin: u.first,
        end: u.last,
        cpuTime: 0,
        idleCpu: -1,
        kernelRow: -1,
        ustEvents: 0,
        hasCalls: false,
      });
    }
    ustRow[u.id] = row;
    const tr = threads[row]!;
    tr.ustEvents += u.events;
    if (ust.calls.offset[u.id + 1]! > ust.calls.offset[u.id]!) tr.hasCalls = true;
    // The program's own name for the thread (calcjob's thread_role) is the better label.
    if (u.name && !tr.names.includes(u.name)) tr.names.push(u.name);
  }
  return { threads, ustRow };
}

/** One row per (CPU, IRQ kind, number) with state 1 while the handler runs, as Resources shows. */
function irqTable(model: KernelModel): { rows: IrqRow[]; table: IntervalTable } {
  const irqs = model.irqs;
  const keyOf = (i: number) => `${irqs.cpu[i]}:${irqs.kind[i]}:${irqs.num[i]}`;
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < irqs.length; i++) {
    const key = keyOf(i);
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(i);
  }
  const kinds: IrqRow['kind'][] = ['irq', 'softirq', 'ipi'];
  const keys = [...byKey.keys()].sort((a, b) => {
    const [ca, ka, na] = a.split(':').map(Number) as [number, number, number];
    const [cb, kb, nb] = b.split(':').map(Number) as [number, number, number];
    return ca - cb || ka - kb || na - nb;
  });
  const b = new IntervalTableBuilder();
  const rows: IrqRow[] = [];
  for (const key of keys) {
    const list = byKey.get(key)!.sort((x, y) => irqs.start[x]! - irqs.start[y]!);
    const i0 = list[0]!;
    const kind = irqs.kind[i0]!;
    const num = irqs.num[i0]!;
    const row = b.addRow(model.start, 0);
    for (const i of list) {
      b.set(row, irqs.start[i]!, 1, num, -1);
      b.set(row, irqs.end[i]!, 0, -1, -1);
    }
    const name = kind === IrqKind.IRQ ? (model.irqNames.get(num) ?? '') : kind === IrqKind.SOFTIRQ ? softirqName(num) : (model.ipiNames.get(num) ?? '');
    rows.push({ id: row, cpu: irqs.cpu[i0]!, kind: kinds[kind]!, num, name });
  }
  return { rows, table: b.finish(model.end) };
}
