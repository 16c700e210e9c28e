/**
 * The reports behind the kernel commands (threads, cpu, sched, blocking, syscalls, irq, state),
 * computed from a kernel model over a range [begin, end] of ns from the origin. Plain objects
 * with model times; the CLI turns them into tables or JSON, and a server can send them as they
 * are. Idle threads (swapper, tid 0) are left out of thread reports, as lttng-analyses does.
 */
import { softirqName } from '../../layouts/canonical.js';
import type { KernelModel, ThreadInfo } from './model.js';
import { cpuBusyHistogram, cpuBusyTime, cpuTime, migrationsByThread, pidOf, threadTotals } from './queries.js';
import { Grouper, log2Histogram, summarize, type HistogramBucket, type Stats } from './stats.js';
import { CPU_STATE_NAMES, CpuState, IRQ_KIND_NAMES, IrqKind, THREAD_STATE_COUNT, THREAD_STATE_NAMES, ThreadState, WAKER_KIND_NAMES, WakerKind } from './states.js';

export interface ThreadFilter {
  tid?: number;
  /** A thread name, or a glob (`*`, `?`) matched against every name the thread had. */
  name?: string;
}

function globRe(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Thread rows (idle threads excluded) passing the filter. */
export function selectThreads(model: KernelModel, f: ThreadFilter = {}): ThreadInfo[] {
  const re = f.name !== undefined ? globRe(f.name) : undefined;
  return model.threads.filter((t) => t.idleCpu < 0 && (f.tid === undefined || t.tid === f.tid) && (!re || t.names.some((n) => re.test(n))));
}

// ── cpu ──────────────────────────────────────────────────────────────────────────────────────

export interface CpuReport {
  begin: number;
  end: number;
  cpus: { cpu: number; busy: number; usagePct: number; overTime: Float64Array }[];
  /** Per tid (lifetimes of a reused tid together, as lttng-cputop counts), by usage. */
  threads: { tid: number; pid: number; name: string; cpuTime: number; usagePct: number; migrations: number }[];
  totalPct: number;
}

/** CPU usage with lttng-cputop's definitions (see `cpuTime`, `cpuBusyTime`). */
export function cpuReport(model: KernelModel, begin: number, end: number, buckets = 50): CpuReport {
  const dur = end - begin;
  const pct = (v: number) => (dur > 0 ? (100 * v) / dur : 0);
  const cpus = model.cpus.map((c, i) => {
    const busy = cpuBusyTime(model, i, begin, end);
    return { cpu: c.cpu, busy, usagePct: pct(busy), overTime: cpuBusyHistogram(model, i, begin, end, buckets) };
  });
  const migr = migrationsByThread(model, begin, end);
  const byTid = new Map<number, { tid: number; pid: number; name: string; cpuTime: number; usagePct: number; migrations: number }>();
  for (const t of model.threads) {
    if (t.tid <= 0) continue;
    const time = cpuTime(model, t.row, begin, end);
    const m = migr[t.row]!;
    if (time <= 0 && m === 0) continue;
    const e = byTid.get(t.tid);
    if (e) {
      e.cpuTime += time;
      e.migrations += m;
      if (time > 0) e.name = t.name || e.name;
    } else byTid.set(t.tid, { tid: t.tid, pid: pidOf(t), name: t.name, cpuTime: time, usagePct: 0, migrations: m });
  }
  const threads = [...byTid.values()];
  for (const t of threads) t.usagePct = pct(t.cpuTime);
  threads.sort((a, b) => b.cpuTime - a.cpuTime || a.tid - b.tid);
  const totalBusy = cpus.reduce((s, c) => s + c.busy, 0);
  return { begin, end, cpus, threads, totalPct: cpus.length ? pct(totalBusy) / cpus.length : 0 };
}

// ── threads ──────────────────────────────────────────────────────────────────────────────────

export interface ThreadRow {
  thread: ThreadInfo;
  cpuTime: number;
  /** ns per `ThreadState` within the range. */
  states: Float64Array;
  voluntary: number;
  involuntary: number;
  migrations: number;
  cpuChanges: number;
  cpus: number[];
}

export function threadsReport(model: KernelModel, begin: number, end: number, f: ThreadFilter = {}): ThreadRow[] {
  const migr = migrationsByThread(model, begin, end);
  const rows: ThreadRow[] = [];
  for (const t of selectThreads(model, f)) {
    const sw = threadTotals(model, t.row, begin, end);
    const states = sw.states;
    let alive = 0;
    for (let s = 1; s < THREAD_STATE_COUNT; s++) alive += states[s]!;
    const cpuT = sw.cpuTime;
    if (alive <= 0 && cpuT <= 0) continue;
    rows.push({
      thread: t,
      cpuTime: cpuT,
      states,
      voluntary: sw.voluntary,
      involuntary: sw.involuntary,
      migrations: migr[t.row]!,
      cpuChanges: sw.cpuChanges,
      cpus: sw.cpus,
    });
  }
  rows.sort((a, b) => b.cpuTime - a.cpuTime || a.thread.tid - b.thread.tid || a.thread.row - b.thread.row);
  return rows;
}

// ── wakers ───────────────────────────────────────────────────────────────────────────────────

export interface Waker {
  kind: string;
  /** The CPU the wakeup ran on. */
  cpu: number;
  tid?: number;
  pid?: number;
  name?: string;
  irq?: number;
  vec?: number;
}

export function wakerOf(model: KernelModel, i: number): Waker {
  const w = model.wakeups;
  const kind = w.wakerKind[i]!;
  const n = w.waker[i]!;
  const out: Waker = { kind: WAKER_KIND_NAMES[kind]!, cpu: w.cpu[i]! };
  switch (kind) {
    case WakerKind.THREAD: {
      const t = model.threads[n]!;
      out.tid = t.tid;
      out.pid = pidOf(t);
      out.name = t.name;
      break;
    }
    case WakerKind.IRQ:
      out.irq = n;
      out.name = model.irqNames.get(n) ?? '';
      break;
    case WakerKind.IPI:
      out.irq = n;
      out.name = model.ipiNames.get(n) ?? '';
      break;
    case WakerKind.SOFTIRQ:
      out.vec = n;
      out.name = softirqName(n);
      break;
    default:
      break;
  }
  return out;
}

/** "bash (1234) on CPU 1", "IRQ 16 eth0 on CPU 0", "softirq NET_RX on CPU 0", "timer on CPU 2". */
export function wakerLabel(w: Waker): string {
  switch (w.kind) {
    case 'thread':
      return `${w.name || '?'} (${w.tid}) on CPU ${w.cpu}`;
    case 'irq':
      return `IRQ ${w.irq}${w.name ? ` ${w.name}` : ''} on CPU ${w.cpu}`;
    case 'ipi':
      return `IPI ${w.irq}${w.name ? ` ${w.name}` : ''} on CPU ${w.cpu}`;
    case 'softirq':
      return `softirq ${w.name} on CPU ${w.cpu}`;
    case 'timer':
      return `timer on CPU ${w.cpu}`;
    default:
      return `unknown (CPU ${w.cpu})`;
  }
}

/** A key grouping wakers of the same kind (a thread by tid, an IRQ by number…). */
function wakerKey(w: Waker): string {
  switch (w.kind) {
    case 'thread':
      return `${w.name || '?'} (${w.tid})`;
    case 'irq':
      return `IRQ ${w.irq}${w.name ? ` ${w.name}` : ''}`;
    case 'ipi':
      return `IPI ${w.irq}${w.name ? ` ${w.name}` : ''}`;
    case 'softirq':
      return `softirq ${w.name}`;
    case 'timer':
      return 'timer';
    default:
      return 'unknown';
  }
}

// ── sched ────────────────────────────────────────────────────────────────────────────────────

export interface LatencySample {
  wakeup: number;
  run: number;
  latency: number;
  thread: ThreadInfo;
  cpu: number;
  targetCpu: number;
  event: number;
  waker: Waker;
}

export interface SchedReport {
  overall: Stats;
  histogram: HistogramBucket[];
  threads: { thread: { tid: number; pid: number; name: string }; stats: Stats }[];
  worst: LatencySample[];
}

/** Scheduling latency: from the first wakeup of a waiting thread to its next switch-in. */
export function schedReport(model: KernelModel, begin: number, end: number, f: ThreadFilter = {}, worstN = 10): SchedReport {
  const selected = new Set(selectThreads(model, f).map((t) => t.row));
  const w = model.wakeups;
  const all: number[] = [];
  const idx: number[] = [];
  const perTid = new Grouper<number>();
  for (let i = 0; i < w.length; i++) {
    const t = w.time[i]!;
    if (t < begin || t > end || Number.isNaN(w.runAt[i]!) || !selected.has(w.thread[i]!)) continue;
    const lat = w.runAt[i]! - t;
    all.push(lat);
    idx.push(i);
    perTid.add(model.threads[w.thread[i]!]!.tid, lat);
  }
  const values = Float64Array.from(all);
  const histogram = log2Histogram(values);
  const overall = summarize(values.slice());
  const names = new Map<number, ThreadInfo>();
  for (const i of idx) names.set(model.threads[w.thread[i]!]!.tid, model.threads[w.thread[i]!]!);
  const threads = perTid
    .keys()
    .map((tid) => {
      const t = names.get(tid)!;
      return { thread: { tid, pid: pidOf(t), name: t.name }, stats: perTid.stats(tid) };
    })
    .sort((a, b) => b.stats.max - a.stats.max || a.thread.tid - b.thread.tid);
  const order = idx.map((i, k) => ({ i, lat: all[k]! })).sort((a, b) => b.lat - a.lat || w.time[a.i]! - w.time[b.i]!);
  const worst = order.slice(0, worstN).map(({ i, lat }) => ({
    wakeup: w.time[i]!,
    run: w.runAt[i]!,
    latency: lat,
    thread: model.threads[w.thread[i]!]!,
    cpu: w.runCpu[i]!,
    targetCpu: w.targetCpu[i]!,
    event: w.eventKind[i]!,
    waker: wakerOf(model, i),
  }));
  return { overall, histogram, threads, worst };
}

// ── blocking ─────────────────────────────────────────────────────────────────────────────────

export interface BlockedInterval {
  thread: ThreadInfo;
  start: number;
  /** Until the wakeup (or the end of the trace, then `woken` is false). */
  duration: number;
  /** Syscall it blocked in ('' when in none, e.g. a kernel thread). */
  syscall: string;
  woken: boolean;
  waker?: Waker;
}

export interface BlockingReport {
  intervals: BlockedInterval[];
  byWaker: { waker: string; count: number; total: number }[];
  bySyscall: { syscall: string; count: number; total: number }[];
  total: number;
}

/** Every blocked wait (WAIT_BLOCKED interval) of the selected threads starting in the range. */
export function blockingReport(model: KernelModel, begin: number, end: number, f: ThreadFilter = {}): BlockingReport {
  const tbl = model.threadStates;
  const intervals: BlockedInterval[] = [];
  for (const t of selectThreads(model, f)) {
    for (let i = tbl.firstEndingAfter(t.row, begin); i < tbl.rowOffset[t.row + 1]!; i++) {
      const s = tbl.start[i]!;
      if (s > end) break;
      if (tbl.state[i] !== ThreadState.WAIT_BLOCKED || s < begin) continue;
      const wi = tbl.aux[i]!;
      const sys = tbl.arg[i]!;
      intervals.push({
        thread: t,
        start: s,
        duration: tbl.end[i]! - s,
        syscall: sys >= 0 ? (model.syscallNames[sys] ?? '') : '',
        woken: wi >= 0,
        waker: wi >= 0 ? wakerOf(model, wi) : undefined,
      });
    }
  }
  intervals.sort((a, b) => a.start - b.start || a.thread.tid - b.thread.tid);
  const byWaker = new Map<string, { waker: string; count: number; total: number }>();
  const bySyscall = new Map<string, { syscall: string; count: number; total: number }>();
  let total = 0;
  for (const b of intervals) {
    total += b.duration;
    const wk = b.waker ? wakerKey(b.waker) : 'not woken in the trace';
    const e = byWaker.get(wk) ?? { waker: wk, count: 0, total: 0 };
    e.count++;
    e.total += b.duration;
    byWaker.set(wk, e);
    const sk = b.syscall || '(none)';
    const s = bySyscall.get(sk) ?? { syscall: sk, count: 0, total: 0 };
    s.count++;
    s.total += b.duration;
    bySyscall.set(sk, s);
  }
  const byTotal = <T extends { total: number }>(a: T, b: T) => b.total - a.total;
  return { intervals, byWaker: [...byWaker.values()].sort(byTotal), bySyscall: [...bySyscall.values()].sort(byTotal), total };
}

// ── syscalls ─────────────────────────────────────────────────────────────────────────────────

export interface SyscallStats extends Stats {
  name: string;
  errors: number;
}

export interface SyscallReport {
  total: SyscallStats;
  syscalls: SyscallStats[];
  threads: { thread: { tid: number; pid: number; name: string }; total: SyscallStats; syscalls: SyscallStats[] }[];
}

/** Completed syscalls (entry and exit seen) whose entry is in the range. */
export function syscallReport(model: KernelModel, begin: number, end: number, f: ThreadFilter = {}): SyscallReport {
  const sel = f.tid !== undefined || f.name !== undefined ? new Set(selectThreads(model, f).map((t) => t.row)) : undefined;
  const s = model.syscalls;
  const byName = new Grouper<number>();
  const errors = new Map<number, number>();
  const byThread = new Map<number, { g: Grouper<number>; errors: Map<number, number>; all: number[]; err: number }>();
  const all: number[] = [];
  let allErr = 0;
  for (let i = 0; i < s.length; i++) {
    const t = s.start[i]!;
    if (t < begin || t > end) continue;
    const row = s.thread[i]!;
    if (sel && !sel.has(row)) continue;
    const d = s.end[i]! - t;
    const id = s.id[i]!;
    const isErr = s.ret[i]! < 0 && s.ret[i]! > -4096;
    byName.add(id, d);
    all.push(d);
    if (isErr) {
      errors.set(id, (errors.get(id) ?? 0) + 1);
      allErr++;
    }
    const tid = model.threads[row]!.tid;
    let th = byThread.get(tid);
    if (!th) {
      th = { g: new Grouper<number>(), errors: new Map(), all: [], err: 0 };
      byThread.set(tid, th);
    }
    th.g.add(id, d);
    th.all.push(d);
    if (isErr) {
      th.errors.set(id, (th.errors.get(id) ?? 0) + 1);
      th.err++;
    }
  }
  const name = (id: number) => model.syscallNames[id] ?? `syscall ${id}`;
  const group = (g: Grouper<number>, errs: Map<number, number>) =>
    g
      .keys()
      .map((id) => ({ name: name(id), errors: errs.get(id) ?? 0, ...g.stats(id) }))
      .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  const threadInfo = new Map<number, ThreadInfo>();
  for (const t of model.threads) if (byThread.has(t.tid)) threadInfo.set(t.tid, t);
  const threads = [...byThread.entries()]
    .map(([tid, th]) => {
      const t = threadInfo.get(tid)!;
      return { thread: { tid, pid: pidOf(t), name: t.name }, total: { name: 'total', errors: th.err, ...summarize(Float64Array.from(th.all)) }, syscalls: group(th.g, th.errors) };
    })
    .sort((a, b) => b.total.total - a.total.total || a.thread.tid - b.thread.tid);
  return { total: { name: 'total', errors: allErr, ...summarize(Float64Array.from(all)) }, syscalls: group(byName, errors), threads };
}

// ── irq ──────────────────────────────────────────────────────────────────────────────────────

export interface IrqRow {
  cpu: number;
  kind: string;
  num: number;
  name: string;
  stats: Stats;
  /** Softirqs: from raise to entry. */
  raiseLatency?: Stats;
}

/** IRQ, softirq and IPI handler durations per CPU (handlers starting in the range). */
export function irqReport(model: KernelModel, begin: number, end: number): IrqRow[] {
  const q = model.irqs;
  const g = new Grouper<string>();
  const raise = new Grouper<string>();
  for (let i = 0; i < q.length; i++) {
    const t = q.start[i]!;
    if (t < begin || t > end) continue;
    const key = `${q.cpu[i]}:${q.kind[i]}:${q.num[i]}`;
    g.add(key, q.end[i]! - t);
    if (!Number.isNaN(q.raisedAt[i]!)) raise.add(key, t - q.raisedAt[i]!);
  }
  const rows = g.keys().map((key) => {
    const [cpu, kind, num] = key.split(':').map(Number) as [number, number, number];
    const name = kind === IrqKind.SOFTIRQ ? softirqName(num) : kind === IrqKind.IPI ? (model.ipiNames.get(num) ?? '') : (model.irqNames.get(num) ?? '');
    const r = raise.values(key);
    return { cpu, kind: IRQ_KIND_NAMES[kind]!, num, name, stats: g.stats(key), raiseLatency: r.length ? summarize(r) : undefined };
  });
  const kindOrder = (k: string) => IRQ_KIND_NAMES.indexOf(k);
  return rows.sort((a, b) => a.cpu - b.cpu || kindOrder(a.kind) - kindOrder(b.kind) || a.num - b.num);
}

// ── state at T ───────────────────────────────────────────────────────────────────────────────

export interface StateAt {
  cpus: { cpu: number; state: string; tid: number; name: string; syscall?: string; irq?: number; irqName?: string; since: number }[];
  threads: { thread: ThreadInfo; state: string; syscall?: string; cpu: number; since: number }[];
}

/** What every CPU and every live thread was doing at `t`. */
export function stateAt(model: KernelModel, t: number): StateAt {
  const cs = model.cpuStates;
  const byTid = new Map<number, ThreadInfo>();
  const cpus = model.cpus.map((c) => {
    const i = cs.indexAt(c.row, t);
    if (i < 0) return { cpu: c.cpu, state: 'unknown', tid: -1, name: '', since: Number.NaN };
    const s = cs.state[i]!;
    const tid = cs.arg[i]!;
    const aux = cs.aux[i]!;
    const out: StateAt['cpus'][number] = { cpu: c.cpu, state: CPU_STATE_NAMES[s]!, tid, name: '', since: cs.start[i]! };
    if (s === CpuState.RUN_SYSCALL) out.syscall = model.syscallNames[aux] ?? '';
    if (s === CpuState.IRQ || s === CpuState.IPI) {
      out.irq = aux;
      out.irqName = (s === CpuState.IRQ ? model.irqNames.get(aux) : model.ipiNames.get(aux)) ?? '';
    }
    if (s === CpuState.SOFTIRQ) {
      out.irq = aux;
      out.irqName = softirqName(aux);
    }
    return out;
  });
  const ts = model.threadStates;
  const threads: StateAt['threads'] = [];
  for (const th of model.threads) {
    const i = ts.indexAt(th.row, t);
    if (i < 0 || ts.state[i] === ThreadState.NONE) continue;
    byTid.set(th.tid, th);
    if (th.idleCpu >= 0) continue;
    const s = ts.state[i]!;
    const arg = ts.arg[i]!;
    threads.push({
      thread: th,
      state: THREAD_STATE_NAMES[s]!,
      syscall: arg >= 0 && s !== ThreadState.RUN_USER ? model.syscallNames[arg] : undefined,
      cpu: s === ThreadState.WAIT_BLOCKED ? -1 : ts.aux[i]!,
      since: ts.start[i]!,
    });
  }
  for (const c of cpus) {
    if (c.tid === 0) c.name = `swapper/${c.cpu}`;
    else if (c.tid > 0) c.name = byTid.get(c.tid)?.name ?? '';
  }
  threads.sort((a, b) => a.thread.tid - b.thread.tid);
  return { cpus, threads };
}

