/**
 * Unexpected waits and hung threads, as plain data:
 *
 *   lock waits      from a `LockTimeline` (user-space lock events): request → acquired, with
 *                   the lock, where it was asked for, and the thread that released it last
 *   kernel waits    from the kernel model: every blocked interval (switched out sleeping until
 *                   woken), the syscall it blocked in (with the futex word for `futex` when the
 *                   trace recorded syscall arguments) and what woke it
 *
 * A wait is unexpected when it lasted at least the threshold: by default its thread's own
 * 99.9th percentile (nearest rank) of that kind of wait, so each thread's outliers stand out
 * whatever its normal rhythm (with fewer than 1000 waits that is its longest), but never less
 * than 1 ms (a few µs of uncontended locking is nobody's problem); or a fixed minimum
 * (`--min 10ms`). Waits still going on when the trace ends are "hung": what they wait
 * for, since when, who holds the lock, and the last things the thread did.
 */
import { futexCommand, FutexCmd } from '../kernel/futex.js';
import type { KernelModel, ThreadInfo } from '../kernel/model.js';
import { pidOf } from '../kernel/queries.js';
import { wakerOf, type Waker } from '../kernel/reports.js';
import { ThreadState } from '../kernel/states.js';
import type { SyscallTable } from '../kernel/tables.js';
import { percentile } from '../ust/stats.js';
import type { UstThread } from '../ust/threads.js';
import { waitForGraphAt } from './deadlocks.js';
import type { HoldRecord, LockTimeline, LockWaitRecord, RecentEvent } from './timeline.js';

export interface WaitThresholds {
  /** A fixed minimum (ns); undefined: each thread's 99.9th percentile, and at least `floor`. */
  min?: number;
  /** Percentile used without `min` (default 99.9). */
  percentile?: number;
  /** Without `min`: waits shorter than this are never unexpected (default 1 ms). */
  floor?: number;
}

export const DEFAULT_FLOOR_NS = 1_000_000;

export interface LockWaitFinding {
  kind: 'lock';
  wait: LockWaitRecord;
  /** Until the end of the trace for a wait still going on. */
  duration: number;
  threshold: number;
}

export interface KernelWaitFinding {
  kind: 'kernel';
  thread: ThreadInfo;
  begin: number;
  duration: number;
  threshold: number;
  /** The syscall it blocked in ('' in none, e.g. a kernel thread). */
  syscall: string;
  /** For `futex`: the word and the operation, when the trace recorded the arguments. */
  futex?: { uaddr: number; op: number; wait: boolean };
  /** What ended it (undefined: still blocked at the end of the trace). */
  wokenBy?: Waker;
}

export type WaitFinding = LockWaitFinding | KernelWaitFinding;

export interface HungLockWait {
  wait: LockWaitRecord;
  /** Who held the lock at the end (undefined: nobody the trace showed). */
  holder?: HoldRecord;
  /** The thread's last events (the request itself last). */
  recent: RecentEvent[];
}

export interface HungKernelThread {
  thread: ThreadInfo;
  /** Blocked since. */
  since: number;
  /** The syscall still in progress at the end (undefined: none known). */
  syscall?: { name: string; start: number; arg0: number; arg1: number };
  /** The last syscall it completed before. */
  lastSyscall?: { name: string; start: number; end: number; ret: number };
}

/** The thresholds applied: a fixed one, or one per thread. */
function thresholdsOf(groups: Map<string, number[]>, t: WaitThresholds): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, values] of groups) {
    if (t.min !== undefined) out.set(k, t.min);
    else out.set(k, Math.max(t.floor ?? DEFAULT_FLOOR_NS, percentile(Float64Array.from(values).sort(), t.percentile ?? 99.9)));
  }
  return out;
}

/** Lock waits at or above the threshold (waits still open count until `traceEnd`), longest first. */
export function unexpectedLockWaits(tl: LockTimeline, traceEnd: number, t: WaitThresholds = {}): LockWaitFinding[] {
  const dur = (w: LockWaitRecord) => (Number.isNaN(w.end) ? traceEnd : w.end) - w.begin;
  const groups = new Map<string, number[]>();
  for (const w of tl.waits) {
    const k = `${w.lock.scheme}\0${w.thread.id}`;
    const list = groups.get(k);
    if (list) list.push(dur(w));
    else groups.set(k, [dur(w)]);
  }
  const limits = thresholdsOf(groups, t);
  const out: LockWaitFinding[] = [];
  for (const w of tl.waits) {
    const threshold = limits.get(`${w.lock.scheme}\0${w.thread.id}`)!;
    const d = dur(w);
    if (d >= threshold) out.push({ kind: 'lock', wait: w, duration: d, threshold });
  }
  return out.sort((a, b) => b.duration - a.duration || a.wait.begin - b.wait.begin);
}

/** Lock requests never granted before the trace ended, with the holder and the thread's last events. */
export function hungLockWaits(tl: LockTimeline): HungLockWait[] {
  const g = waitForGraphAt(tl, Infinity);
  return g.edges.map((e) => ({ wait: e.wait, ...(e.hold ? { holder: e.hold } : {}), recent: tl.recent.get(e.wait.thread.id) ?? [] }));
}

/** Which threads to look at in the kernel model (undefined: all). */
export type KernelThreadFilter = (t: ThreadInfo) => boolean;

/** Kernel blocked intervals starting in [begin, end] at or above the threshold, longest first. */
export function unexpectedKernelWaits(model: KernelModel, begin: number, end: number, t: WaitThresholds = {}, filter?: KernelThreadFilter): KernelWaitFinding[] {
  const tbl = model.threadStates;
  const calls = syscallIndex(model);
  const found: Omit<KernelWaitFinding, 'threshold'>[] = [];
  const groups = new Map<string, number[]>();
  for (const th of model.threads) {
    if (th.tid === 0 || (filter && !filter(th))) continue;
    const durations: number[] = [];
    for (let i = tbl.firstEndingAfter(th.row, begin); i < tbl.rowOffset[th.row + 1]!; i++) {
      const s = tbl.start[i]!;
      if (s > end) break;
      if (tbl.state[i] !== ThreadState.WAIT_BLOCKED || s < begin) continue;
      const d = tbl.end[i]! - s;
      durations.push(d);
      const sys = tbl.arg[i]!;
      const wi = tbl.aux[i]!;
      const f: Omit<KernelWaitFinding, 'threshold'> = { kind: 'kernel', thread: th, begin: s, duration: d, syscall: sys >= 0 ? (model.syscallNames[sys] ?? '') : '' };
      if (wi >= 0) f.wokenBy = wakerOf(model, wi);
      if (f.syscall === 'futex') {
        const c = calls.at(th.row, s);
        if (c && !Number.isNaN(c.arg0)) f.futex = { uaddr: c.arg0, op: c.arg1, wait: isFutexWait(c.arg1) };
      }
      found.push(f);
    }
    if (durations.length > 0) groups.set(String(th.row), durations);
  }
  const limits = thresholdsOf(groups, t);
  return found
    .map((f) => ({ ...f, threshold: limits.get(String(f.thread.row))! }))
    .filter((f) => f.duration >= f.threshold)
    .sort((a, b) => b.duration - a.duration || a.begin - b.begin);
}

/** Live threads blocked when the trace ended (and not woken), oldest first. */
export function hungKernelThreads(model: KernelModel, filter?: KernelThreadFilter): HungKernelThread[] {
  const tbl = model.threadStates;
  const calls = syscallIndex(model);
  const out: HungKernelThread[] = [];
  for (const th of model.threads) {
    if (th.tid === 0 || !Number.isNaN(th.exitedAt) || (filter && !filter(th))) continue;
    const last = tbl.rowOffset[th.row + 1]! - 1;
    if (last < tbl.rowOffset[th.row]! || tbl.state[last] !== ThreadState.WAIT_BLOCKED || tbl.aux[last]! >= 0) continue;
    const h: HungKernelThread = { thread: th, since: tbl.start[last]! };
    const open = calls.open(th.row);
    if (open) h.syscall = open;
    const done = calls.lastBefore(th.row, open ? open.start : h.since);
    if (done) h.lastSyscall = done;
    out.push(h);
  }
  return out.sort((a, b) => a.since - b.since || a.thread.tid - b.thread.tid);
}

export interface FutexWaitAt {
  thread: ThreadInfo;
  uaddr: number;
  op: number;
  /** The futex call's entry. */
  since: number;
}

/**
 * Threads inside a futex wait call at `t` (the kernel's half of the wait-for graph): who waits
 * on which futex word. Who holds it a futex cannot tell; a traced lock at the same address can.
 */
export function futexWaitsAt(model: KernelModel, t: number, filter?: KernelThreadFilter): FutexWaitAt[] {
  const id = model.syscallNames.indexOf('futex');
  const out: FutexWaitAt[] = [];
  if (id < 0) return out;
  for (const [s, open] of [
    [model.syscalls, false],
    [model.unfinishedSyscalls, true],
  ] as const) {
    for (let i = 0; i < s.length; i++) {
      if (s.id[i] !== id || s.start[i]! > t || (!open && s.end[i]! <= t) || Number.isNaN(s.arg0[i]!) || !isFutexWait(s.arg1[i]!)) continue;
      const th = model.threads[s.thread[i]!]!;
      if (filter && !filter(th)) continue;
      out.push({ thread: th, uaddr: s.arg0[i]!, op: s.arg1[i]!, since: s.start[i]! });
    }
  }
  return out.sort((a, b) => a.since - b.since || a.thread.tid - b.thread.tid);
}

export function isFutexWait(op: number): boolean {
  const c = futexCommand(op);
  return c === FutexCmd.WAIT || c === FutexCmd.WAIT_BITSET || c === FutexCmd.LOCK_PI || c === FutexCmd.LOCK_PI2 || c === FutexCmd.WAIT_REQUEUE_PI;
}

interface SyscallAt {
  name: string;
  start: number;
  end: number;
  ret: number;
  arg0: number;
  arg1: number;
}

/** Per thread row, its syscalls by start time (completed and still open at the end). */
function syscallIndex(model: KernelModel): {
  at(row: number, t: number): SyscallAt | undefined;
  open(row: number): { name: string; start: number; arg0: number; arg1: number } | undefined;
  lastBefore(row: number, t: number): { name: string; start: number; end: number; ret: number } | undefined;
} {
  const rows = new Map<number, SyscallAt[]>();
  const add = (s: SyscallTable) => {
    for (let i = 0; i < s.length; i++) {
      const row = s.thread[i]!;
      let list = rows.get(row);
      if (!list) rows.set(row, (list = []));
      list.push({ name: model.syscallNames[s.id[i]!] ?? '', start: s.start[i]!, end: s.end[i]!, ret: s.ret[i]!, arg0: s.arg0[i]!, arg1: s.arg1[i]! });
    }
  };
  add(model.syscalls);
  const openRows = new Map<number, SyscallAt>();
  const u = model.unfinishedSyscalls;
  for (let i = 0; i < u.length; i++) {
    openRows.set(u.thread[i]!, { name: model.syscallNames[u.id[i]!] ?? '', start: u.start[i]!, end: Number.NaN, ret: Number.NaN, arg0: u.arg0[i]!, arg1: u.arg1[i]! });
  }
  for (const list of rows.values()) list.sort((a, b) => a.start - b.start);
  const lastStartingBy = (list: SyscallAt[], t: number): number => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.start <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  };
  return {
    at(row, t) {
      const o = openRows.get(row);
      if (o && o.start <= t) return o;
      const list = rows.get(row) ?? [];
      const c = list[lastStartingBy(list, t)];
      return c && c.end >= t ? c : undefined;
    },
    open(row) {
      const o = openRows.get(row);
      return o && { name: o.name, start: o.start, arg0: o.arg0, arg1: o.arg1 };
    },
    lastBefore(row, t) {
      const list = rows.get(row) ?? [];
      for (let i = lastStartingBy(list, t); i >= 0; i--) {
        const c = list[i]!;
        if (c.end <= t) return { name: c.name, start: c.start, end: c.end, ret: c.ret };
      }
      return undefined;
    },
  };
}

/** The kernel threads of these processes (user-space traces name them by vpid; equal to the pid outside containers). */
export function threadsOfProcesses(pids: Set<number>): KernelThreadFilter {
  return (t) => pids.has(pidOf(t));
}

/** A user-space thread's kernel twin (same tid in the same process). */
export function kernelThreadOf(model: KernelModel, t: UstThread): ThreadInfo | undefined {
  let best: ThreadInfo | undefined;
  for (const k of model.threads) if (k.tid === t.vtid && (t.vpid < 0 || pidOf(k) === t.vpid)) best = k;
  return best;
}
