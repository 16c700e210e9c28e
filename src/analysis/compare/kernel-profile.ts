/**
 * The kernel half of a profile: from the kernel model, the figures of the program's threads (the
 * "focus") over the whole trace — wall time, CPU time, time per state, migrations, scheduling
 * latency, blocked time per waker, system calls. Built on the kernel reports (threadsReport,
 * blockingReport) and tables; pure: a model in, plain numbers out.
 */
import { Kind } from '../../layouts/canonical.js';
import type { KernelModel, ThreadInfo } from '../kernel/model.js';
import { pidOf } from '../kernel/queries.js';
import { blockingReport, selectThreads, threadsReport, type Waker } from '../kernel/reports.js';
import { ThreadState } from '../kernel/states.js';
import { summarizeDurations, type KernelProfile, type SyscallProfile, type ThreadProfile, type WakerProfile } from './profile.js';

/** Which threads are the program's. */
export type FocusSpec =
  /** These processes and every process they started (tracelane-record.json's pid, or the UST processes). */
  | { kind: 'pids'; pids: ReadonlySet<number> }
  /** Threads with a name matching this glob (`*`, `?`), any name they had. */
  | { kind: 'name'; glob: string }
  /** Every thread (idle threads excepted): the trace is the program. */
  | { kind: 'all' };

/** The model's thread rows in the focus. */
export function focusRows(model: KernelModel, spec: FocusSpec): Set<number> {
  if (spec.kind === 'name') return new Set(selectThreads(model, { name: spec.glob }).map((t) => t.row));
  const all = selectThreads(model);
  if (spec.kind === 'all') return new Set(all.map((t) => t.row));
  // A process's parent is its main thread's ppid: walk up from each thread's process.
  const parent = new Map<number, number>();
  for (const t of all) if (t.tid === t.pid && t.ppid >= 0) parent.set(t.pid, t.ppid);
  const inFocus = (t: ThreadInfo) => {
    let p = pidOf(t);
    for (let depth = 0; depth < 64 && p > 0; depth++) {
      if (spec.pids.has(p)) return true;
      const up = parent.get(p);
      if (up === undefined || up === p) return false;
      p = up;
    }
    return false;
  };
  return new Set(all.filter(inFocus).map((t) => t.row));
}

export interface KernelPart {
  profile: KernelProfile;
  /** Per tid (a tid's lifetimes together). */
  threads: ThreadProfile[];
}

/**
 * The figures over `window` (default: the whole trace): states and CPU time are cut at its
 * edges; wakeups, blocked intervals and system calls count when they start in it; a thread's
 * run (for the wall time) is its life within it.
 */
export function kernelProfile(model: KernelModel, rows: ReadonlySet<number>, everything = false, window?: { begin: number; end: number }): KernelPart {
  const begin = Math.max(model.start, window?.begin ?? -Infinity);
  const end = Math.max(begin, Math.min(model.end, window?.end ?? Infinity));
  const threads = new Map<number, ThreadProfile & { kernel: NonNullable<ThreadProfile['kernel']> }>();
  let first = Infinity;
  let last = -Infinity;
  for (const r of threadsReport(model, begin, end)) {
    const t = r.thread;
    if (!rows.has(t.row)) continue;
    const born = Number.isNaN(t.forkedAt) ? t.firstSeen : t.forkedAt;
    first = Math.min(first, Math.max(begin, born));
    last = Math.max(last, Number.isNaN(t.exitedAt) ? end : Math.min(end, t.exitedAt));
    const s = r.states;
    const running = s[ThreadState.RUN_USER]! + s[ThreadState.RUN_SYSCALL]! + s[ThreadState.INTERRUPTED]!;
    const prev = threads.get(t.tid);
    if (prev) {
      prev.kernel.cpuTime += r.cpuTime;
      prev.kernel.running += running;
      prev.kernel.waitCpu += s[ThreadState.WAIT_CPU]!;
      prev.kernel.blocked += s[ThreadState.WAIT_BLOCKED]!;
      prev.kernel.migrations += r.migrations;
      continue;
    }
    threads.set(t.tid, {
      tid: t.tid,
      pid: pidOf(t),
      name: t.name,
      first: born,
      kernel: { cpuTime: r.cpuTime, running, waitCpu: s[ThreadState.WAIT_CPU]!, blocked: s[ThreadState.WAIT_BLOCKED]!, migrations: r.migrations },
    });
  }
  const list = [...threads.values()];
  const sum = (f: (k: NonNullable<ThreadProfile['kernel']>) => number) => list.reduce((a, t) => a + f(t.kernel), 0);
  const wall = everything ? end - begin : list.length === 0 ? 0 : Math.max(0, last - first);
  return {
    profile: {
      wall,
      ...(everything ? { run: { begin, end } } : list.length > 0 ? { run: { begin: first, end: Math.max(first, last) } } : {}),
      cpuTime: sum((k) => k.cpuTime),
      running: sum((k) => k.running),
      waitCpu: sum((k) => k.waitCpu),
      blocked: sum((k) => k.blocked),
      migrations: sum((k) => k.migrations),
      sched: schedLatency(model, rows, begin, end),
      wakers: wakers(model, rows, begin, end),
      ...(model.eventCounts[Kind.SYSCALL_ENTRY]! > 0 ? { syscalls: syscalls(model, rows, begin, end) } : {}),
    },
    threads: list,
  };
}

/** Wakeup → switch-in of the focus threads (wakeups whose thread never ran again are left out). */
function schedLatency(model: KernelModel, rows: ReadonlySet<number>, begin: number, end: number) {
  const w = model.wakeups;
  const lat: number[] = [];
  for (let i = 0; i < w.length; i++) {
    const t = w.time[i]!;
    if (t < begin || t > end) continue;
    if (!Number.isNaN(w.runAt[i]!) && rows.has(w.thread[i]!)) lat.push(w.runAt[i]! - t);
  }
  return summarizeDurations(lat);
}

function wakerOfInterval(w: Waker | undefined): Omit<WakerProfile, 'count' | 'total'> {
  if (!w) return { kind: 'none', name: '' };
  switch (w.kind) {
    case 'thread':
      return { kind: 'thread', name: w.name || '?', tid: w.tid };
    case 'irq':
    case 'ipi':
      return { kind: w.kind, name: `${w.irq}${w.name ? ` ${w.name}` : ''}` };
    case 'softirq':
      return { kind: 'softirq', name: w.name ?? '' };
    default:
      return { kind: w.kind, name: '' };
  }
}

function wakers(model: KernelModel, rows: ReadonlySet<number>, begin: number, end: number): WakerProfile[] {
  const by = new Map<string, WakerProfile>();
  for (const b of blockingReport(model, begin, end).intervals) {
    if (!rows.has(b.thread.row)) continue;
    const w = wakerOfInterval(b.woken ? b.waker : undefined);
    const key = `${w.kind}\0${w.name}\0${w.tid ?? ''}`;
    let e = by.get(key);
    if (!e) by.set(key, (e = { ...w, count: 0, total: 0 }));
    e.count++;
    e.total += b.duration;
  }
  return [...by.values()].sort((a, b) => b.total - a.total);
}

function syscalls(model: KernelModel, rows: ReadonlySet<number>, begin: number, end: number): NonNullable<KernelProfile['syscalls']> {
  const s = model.syscalls;
  const byId = new Map<number, { d: number[]; errors: number }>();
  const all: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (!rows.has(s.thread[i]!) || s.start[i]! < begin || s.start[i]! > end) continue;
    const d = s.end[i]! - s.start[i]!;
    let g = byId.get(s.id[i]!);
    if (!g) byId.set(s.id[i]!, (g = { d: [], errors: 0 }));
    g.d.push(d);
    if (s.ret[i]! < 0 && s.ret[i]! > -4096) g.errors++;
    all.push(d);
  }
  const byName: SyscallProfile[] = [...byId].map(([id, g]) => {
    const st = summarizeDurations(g.d);
    return { name: model.syscallNames[id] ?? `syscall ${id}`, count: st.count, errors: g.errors, total: st.total, mean: st.mean, p99: st.p99 };
  });
  byName.sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
  return { all: summarizeDurations(all), byName };
}
