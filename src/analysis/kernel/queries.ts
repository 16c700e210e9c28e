/**
 * Questions asked of a kernel model over a time range [t1, t2] (ns from the origin): time per
 * state, CPU time and usage, context switches, what ran where. All read the frozen tables;
 * nothing re-reads the trace.
 */
import type { KernelModel, ThreadInfo } from './model.js';
import { isOnCpu, THREAD_STATE_COUNT, ThreadState } from './states.js';

/** Time spent in each `ThreadState` by thread `row` within [t1, t2]. */
export function stateDurations(model: KernelModel, row: number, t1: number, t2: number): Float64Array {
  const out = new Float64Array(THREAD_STATE_COUNT);
  const { start, end, state, rowOffset } = model.threadStates;
  const hi = rowOffset[row + 1]!;
  // The loops below are `IntervalTable.forEachIn` written out: no callback per interval.
  for (let i = model.threadStates.firstEndingAfter(row, t1); i < hi; i++) {
    const s = start[i]!;
    const e = end[i]!;
    if (s > t2 || (s === t2 && e > s)) break;
    out[state[i]!]! += Math.min(e, t2) - Math.max(s, t1);
  }
  return out;
}

/**
 * On-CPU time of a thread within [t1, t2], as lttng-cputop and Trace Compass's CPU usage count it:
 * from switch-in to switch-out (interrupts included), plus, for the thread found running first
 * on a CPU, the time from the trace start until then.
 */
export function cpuTime(model: KernelModel, row: number, t1: number, t2: number): number {
  const { start, end, state, aux, rowOffset } = model.threadStates;
  const hi = rowOffset[row + 1]!;
  let sum = 0;
  for (let i = model.threadStates.firstEndingAfter(row, t1); i < hi; i++) {
    const s = start[i]!;
    const e = end[i]!;
    if (s > t2 || (s === t2 && e > s)) break;
    // RUN_USER with no CPU comes from a statedump "run": runnable, not known to be on a CPU.
    if (isOnCpu(state[i]!) && aux[i]! >= 0) sum += Math.min(e, t2) - Math.max(s, t1);
  }
  for (const c of model.cpus) {
    if (c.assumedThread === row) sum += overlap(model.start, c.knownFrom, t1, t2);
  }
  return sum;
}

export function overlap(a1: number, a2: number, b1: number, b2: number): number {
  return Math.max(0, Math.min(a2, b2) - Math.max(a1, b1));
}

/** Busy (non-idle) time of CPU row `cpuIndex` within [t1, t2], counted like lttng-cputop. */
export function cpuBusyTime(model: KernelModel, cpuIndex: number, t1: number, t2: number): number {
  const c = model.cpus[cpuIndex]!;
  const tbl = model.cpuStates;
  const { start, end, arg } = tbl;
  const hi = tbl.rowOffset[c.row + 1]!;
  let sum = 0;
  for (let i = tbl.firstEndingAfter(c.row, t1); i < hi; i++) {
    const s = start[i]!;
    const e = end[i]!;
    if (s > t2 || (s === t2 && e > s)) break;
    // The current thread is not the idle thread (interrupts count as the thread's time).
    if (arg[i]! > 0) sum += Math.min(e, t2) - Math.max(s, t1);
  }
  if (c.assumedThread >= 0) sum += overlap(model.start, c.knownFrom, t1, t2);
  return sum;
}

/** Busy fraction of a CPU in each of `buckets` equal slices of [t1, t2] (for sparklines). */
export function cpuBusyHistogram(model: KernelModel, cpuIndex: number, t1: number, t2: number, buckets: number): Float64Array {
  const out = new Float64Array(buckets);
  const w = (t2 - t1) / buckets;
  if (!(w > 0)) return out;
  const c = model.cpus[cpuIndex]!;
  const add = (from: number, to: number) => {
    let b = Math.max(0, Math.floor((from - t1) / w));
    while (b < buckets && from < to) {
      const bEnd = t1 + (b + 1) * w;
      const e = Math.min(to, bEnd);
      out[b]! += e - from;
      from = e;
      b++;
    }
  };
  const tbl = model.cpuStates;
  const { start, end, arg } = tbl;
  const hi = tbl.rowOffset[c.row + 1]!;
  // Busy intervals that follow each other (the same thread entering and leaving syscalls) are
  // added as one run.
  let runFrom = Number.NaN;
  let runTo = Number.NaN;
  for (let i = tbl.firstEndingAfter(c.row, t1); i < hi; i++) {
    const s = start[i]!;
    const e = end[i]!;
    if (s > t2 || (s === t2 && e > s)) break;
    if (!(arg[i]! > 0)) continue;
    const from = Math.max(s, t1);
    if (from !== runTo) {
      if (runTo > runFrom) add(runFrom, runTo);
      runFrom = from;
    }
    runTo = Math.min(e, t2);
  }
  if (runTo > runFrom) add(runFrom, runTo);
  if (c.assumedThread >= 0) add(Math.max(model.start, t1), Math.min(c.knownFrom, t2));
  for (let b = 0; b < buckets; b++) out[b] = Math.min(1, out[b]! / w);
  return out;
}

export interface SwitchCounts {
  /** Left the CPU to sleep or for another reason than preemption. */
  voluntary: number;
  /** Preempted (still runnable). */
  involuntary: number;
  /** Runs that started on another CPU than the previous run. */
  cpuChanges: number;
  /** CPUs the thread ran on. */
  cpus: number[];
}

/**
 * Context switches of a thread whose switch-out falls in [t1, t2], and the CPUs it used: the
 * switch counts of `threadTotals`, which sums them with the state durations in one pass.
 */
export function switchCounts(model: KernelModel, row: number, t1: number, t2: number): SwitchCounts {
  const { voluntary, involuntary, cpuChanges, cpus } = threadTotals(model, row, t1, t2);
  return { voluntary, involuntary, cpuChanges, cpus };
}

export interface ThreadTotals extends SwitchCounts {
  /** `stateDurations`. */
  states: Float64Array;
  /** `cpuTime`. */
  cpuTime: number;
}

/**
 * `stateDurations`, `cpuTime` and `switchCounts` of a thread in one pass over its intervals
 * (the same sums, added in the same order, so the same values): a report of every thread of a
 * large trace reads each interval once instead of three times.
 */
export function threadTotals(model: KernelModel, row: number, t1: number, t2: number): ThreadTotals {
  const table = model.threadStates;
  const { start, end, state, aux, rowOffset } = table;
  const lo = rowOffset[row]!;
  const hi = rowOffset[row + 1]!;
  const states = new Float64Array(THREAD_STATE_COUNT);
  let onCpuTime = 0;
  // Intervals [first, ...) overlap the range until one starts after it (`forEachIn`).
  const first = table.firstEndingAfter(row, t1);
  let inRange = first < hi;
  let voluntary = 0;
  let involuntary = 0;
  let cpuChanges = 0;
  const cpus = new Set<number>();
  let added = -1;
  let lastCpu = -1;
  let prevOn = false;
  for (let i = lo; i < hi; i++) {
    const st = state[i]!;
    const cpu = aux[i]!;
    const from = start[i]!;
    const on = cpu >= 0 && (st === ThreadState.RUN_USER || st === ThreadState.RUN_SYSCALL || st === ThreadState.INTERRUPTED);
    if (inRange && i >= first) {
      const e = end[i]!;
      if (from > t2 || (from === t2 && e > from)) inRange = false;
      else {
        const d = Math.min(e, t2) - Math.max(from, t1);
        states[st]! += d;
        if (on) onCpuTime += d;
      }
    }
    // switchCounts
    if (on) {
      if (cpu !== added && end[i]! > t1 && from <= t2) {
        cpus.add(cpu);
        added = cpu;
      }
      if (!prevOn && lastCpu >= 0 && cpu !== lastCpu && from >= t1 && from <= t2) cpuChanges++;
      lastCpu = cpu;
    } else if (prevOn && from >= t1 && from <= t2) {
      if (st === ThreadState.WAIT_CPU) involuntary++;
      else voluntary++;
    }
    prevOn = on;
  }
  for (const c of model.cpus) {
    if (c.assumedThread === row) onCpuTime += overlap(model.start, c.knownFrom, t1, t2);
  }
  return { voluntary, involuntary, cpuChanges, cpus: [...cpus].sort((a, b) => a - b), states, cpuTime: onCpuTime };
}

/** Migrations per thread row within [t1, t2]. */
export function migrationsByThread(model: KernelModel, t1: number, t2: number): Int32Array {
  const out = new Int32Array(model.threads.length);
  const m = model.migrations;
  for (let i = 0; i < m.length; i++) if (m.time[i]! >= t1 && m.time[i]! <= t2) out[m.thread[i]!]!++;
  return out;
}

/** The thread's pid for display (its tid when unknown). */
export function pidOf(t: ThreadInfo): number {
  return t.pid >= 0 ? t.pid : t.tid;
}

/** Thread rows with this tid (a tid can have several lifetimes), in time order. */
export function rowsOfTid(model: KernelModel, tid: number): number[] {
  const rows: number[] = [];
  for (const t of model.threads) if (t.tid === tid && t.idleCpu < 0) rows.push(t.row);
  return rows;
}
