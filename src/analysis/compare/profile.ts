/**
 * What `tracelane compare` compares: one trace boiled down to plain numbers about the program it
 * recorded (the "focus" threads). A profile is built from the kernel model (kernel-profile.ts)
 * and the user-space analyses (ust-profile.ts) by load.ts; compare.ts then reads two profiles
 * and never the traces, so the comparison can be tested on hand-written profiles.
 *
 * Durations are ns; times (`first`) are ns from the trace set's origin and only order threads.
 */

/** Figures of a set of durations (nearest-rank percentiles, as every report computes them). */
export interface DurationSummary {
  count: number;
  total: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** One thread of the program, from the kernel trace, the user-space trace, or both. */
export interface ThreadProfile {
  tid: number;
  pid: number;
  /** The name it is matched by: its `thread_role` name, else its last kernel name, else procname. */
  name: string;
  /** When it appeared (fork, or its first event): threads of one name are matched in this order. */
  first: number;
  kernel?: {
    cpuTime: number;
    /** Time per state over the trace: on a CPU (user, syscall, interrupted), runnable, blocked. */
    running: number;
    waitCpu: number;
    blocked: number;
    migrations: number;
  };
  /** Time waiting for locks (user-space lock events). */
  lockWait?: number;
}

/** Blocked time of the program's threads, by what woke them. */
export interface WakerProfile {
  /** `thread`, `irq`, `softirq`, `timer`, `ipi`, `unknown`, or `none` (not woken in the trace). */
  kind: string;
  /** The waking thread's name, the IRQ's "16 eth0", the softirq's name… ('' when none). */
  name: string;
  /** For threads: its tid (tids differ between runs: only `--match tid` uses it). */
  tid?: number;
  count: number;
  total: number;
}

export interface SyscallProfile {
  name: string;
  count: number;
  errors: number;
  total: number;
  mean: number;
  p99: number;
}

export interface LockProfile {
  /** Who reported it: `pthread` (the wrapper), the program's provider (`calcjob`), `custom`. */
  scheme: string;
  /**
   * How it is known across runs (addresses change): its name (calcjob's `lock` field), else its
   * variable in the binary, else where it was waited for most (function and source line), else
   * its address (which then matches only by chance).
   */
  label: string;
  acquisitions: number;
  contended: number;
  wait: { total: number; max: number; p99: number };
  hold: { total: number; max: number; p99: number };
  /**
   * Whether it counts in the totals: a mutex seen both by the pthread wrapper and by the
   * program's own events is counted once (the program's).
   */
  inTotals: boolean;
}

export interface SpanProfile {
  /** `provider:X` for the pair `provider:X_begin`/`_end` (or `_start`/`_end`, `_entry`/`_exit`). */
  type: string;
  count: number;
  total: number;
  mean: number;
  p99: number;
  max: number;
}

export interface KernelProfile {
  /** The program's run: first fork/appearance of its threads to the exit of the last one. */
  wall: number;
  /** That run (ns from the origin); undefined when the program has no thread here. */
  run?: { begin: number; end: number };
  cpuTime: number;
  running: number;
  waitCpu: number;
  blocked: number;
  migrations: number;
  /** Scheduling latency: wakeup to switch-in, of the program's threads. */
  sched: DurationSummary;
  wakers: WakerProfile[];
  /** Undefined when the trace has no system-call events. */
  syscalls?: { all: DurationSummary; byName: SyscallProfile[] };
}

export interface UstProfile {
  /** First to last user-space event of the program. */
  wall: number;
  /** Those events' times (ns from the origin); undefined when there are none. */
  run?: { begin: number; end: number };
  events: number;
  /** Undefined when the trace has no lock events. */
  locks?: LockProfile[];
  /** Undefined when the trace has no begin/end event pairs. */
  spans?: SpanProfile[];
}

export interface Profile {
  /** The path given. */
  path: string;
  /** What "the program" is here, for people: `process 1234 (calcjob, from tracelane-record.json)`. */
  focus: string;
  program?: string;
  command?: string[];
  kernel?: KernelProfile;
  ust?: UstProfile;
  threads: ThreadProfile[];
  /** Events the tracers lost (discarded events, lost packets): figures may be off. */
  lost: number;
  /** The trace set's clock origin (ns since the epoch), which the runs' times count from. */
  origin?: bigint;
  /**
   * The part of the trace profiled, when not all of it (ns from the origin; infinite sides open),
   * and the time of the trace's first event, which `+1.5s`-style offsets count from.
   */
  range?: { begin: number; end: number; first: number; origin: bigint };
}

export const EMPTY_DURATIONS: DurationSummary = Object.freeze({ count: 0, total: 0, mean: 0, p50: 0, p99: 0, max: 0 });

/** Nearest-rank percentile of sorted values (the smallest value with p % at or below it). */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  return sorted[Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1]!;
}

export function summarizeDurations(values: ArrayLike<number>): DurationSummary {
  const n = values.length;
  if (n === 0) return { ...EMPTY_DURATIONS };
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (let i = 0; i < n; i++) total += sorted[i]!;
  return { count: n, total, mean: total / n, p50: nearestRank(sorted, 50), p99: nearestRank(sorted, 99), max: sorted[n - 1]! };
}
