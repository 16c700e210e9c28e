/**
 * The seam between user-space events and the kernel's view of threads: given, per thread, the
 * intervals of its kernel states (running, preempted, blocked …) — what the kernel analysis
 * builds from `sched_switch`/wakeups, LTTng's or perf's — place user-space intervals (lock
 * waits, spans) inside them: how long was the thread running, waiting for a CPU, blocked?
 *
 *   ThreadStateTable (one thread):  start[i] ─ end[i]  state[i] (index into stateNames)
 *   ─────[running]────[blocked]─────────[running]──   sorted by start, not overlapping
 *              ├──────── a lock wait ────────┤        → running 0.2 ms, blocked 1.1 ms
 *
 * Times are ns from the same trace set's origin as `r.time` (open kernel and user-space traces
 * in one TraceSet). Thread IDs: the kernel's `tid` equals LTTng-UST's `vtid` outside PID
 * namespaces (containers); inside one they differ and nothing matches.
 *
 * Nothing here builds kernel states; the kernel analysis (src/analysis/kernel) provides them
 * through `KernelThreadStates`. Until it exists the CLI does not pass any.
 */

/** State intervals of one thread (the column layout of DESIGN.md's state tables). */
export interface ThreadStateTable {
  start: Float64Array;
  end: Float64Array;
  state: Uint8Array;
  length: number;
}

export interface KernelThreadStates {
  /** Names of the state codes used in `ThreadStateTable.state`. */
  stateNames: readonly string[];
  forTid(tid: number): ThreadStateTable | undefined;
}

export interface StateTime {
  state: string;
  ns: number;
}

/** An interval of a thread, e.g. a lock wait. */
export interface ThreadInterval {
  tid: number;
  begin: number;
  end: number;
}

/** Index of the first interval whose end is after `t` (binary search). */
function firstEndingAfter(tab: ThreadStateTable, t: number): number {
  let lo = 0;
  let hi = tab.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tab.end[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The state of thread `tid` at time `t`, if the kernel trace knows it. */
export function stateAt(k: KernelThreadStates, tid: number, t: number): string | undefined {
  const tab = k.forTid(tid);
  if (!tab) return undefined;
  const i = firstEndingAfter(tab, t);
  if (i >= tab.length || tab.start[i]! > t) return undefined;
  return k.stateNames[tab.state[i]!];
}

/**
 * Time spent in each kernel state during the intervals, summed over all of them; time the
 * kernel trace does not cover is reported as `unknown`. Sorted by time, most first.
 */
export function stateBreakdown(k: KernelThreadStates, intervals: Iterable<ThreadInterval>): StateTime[] {
  const totals = new Map<string, number>();
  const add = (s: string, ns: number) => {
    if (ns > 0) totals.set(s, (totals.get(s) ?? 0) + ns);
  };
  for (const iv of intervals) {
    const tab = k.forTid(iv.tid);
    if (!tab) {
      add('unknown', iv.end - iv.begin);
      continue;
    }
    let covered = 0;
    for (let i = firstEndingAfter(tab, iv.begin); i < tab.length && tab.start[i]! < iv.end; i++) {
      const ns = Math.min(iv.end, tab.end[i]!) - Math.max(iv.begin, tab.start[i]!);
      add(k.stateNames[tab.state[i]!] ?? 'unknown', ns);
      covered += Math.max(0, ns);
    }
    add('unknown', iv.end - iv.begin - covered);
  }
  return [...totals].map(([state, ns]) => ({ state, ns })).sort((a, b) => b.ns - a.ns);
}

/** Builds a `KernelThreadStates` from plain per-thread interval lists (tests, small traces). */
export function kernelStatesFrom(
  stateNames: readonly string[],
  threads: Map<number, { start: number; end: number; state: string }[]>,
): KernelThreadStates {
  const tables = new Map<number, ThreadStateTable>();
  for (const [tid, list] of threads) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    tables.set(tid, {
      start: Float64Array.from(sorted, (x) => x.start),
      end: Float64Array.from(sorted, (x) => x.end),
      state: Uint8Array.from(sorted, (x) => Math.max(0, stateNames.indexOf(x.state))),
      length: sorted.length,
    });
  }
  return { stateNames, forTid: (tid) => tables.get(tid) };
}
