/**
 * The JSON API's answer shapes (`tracelane serve`, /api/*), written once: the server's route
 * functions (api.ts) return them, so a change that breaks the contract fails to compile, and the
 * page (web/src/api.ts) reads them. Types only, no imports: web/tsconfig.json compiles this file too.
 * Times are ns from the trace set's origin; thread `id`/`row` numbers are rows of `/api/threads`.
 */

/** `/api/status` (the server adds `elapsedMs`). */
export interface StatusAnswer {
  state: 'loading' | 'ready' | 'failed';
  phase: string;
  progress: number;
  fromCache: boolean;
  message: string;
  error: string | null;
  elapsedMs: number;
}

export interface TraceEntry {
  name: string;
  domain: string;
  events: number;
}

/** `/api/trace`. */
export interface TraceAnswer {
  name: string;
  paths: string[];
  /** The origin in ns since the epoch (a bigint's decimal text). */
  origin: string;
  start: number;
  end: number;
  events: number;
  hasKernel: boolean;
  hasUst: boolean;
  fromCache: boolean;
  /** `kernelViews`: the one kernel trace that feeds the kernel views (the first). */
  traces: (TraceEntry & { kernelViews: boolean })[];
  cpus: number[];
  threadStates: readonly string[];
  threadStateLabels: readonly string[];
  cpuStates: readonly string[];
  syscalls: string[];
  /** Warnings of the reading (discarded events, several kernel traces…), one line each. */
  warnings: string[];
}

/** One row of `/api/threads`. */
export interface ThreadAnswer {
  id: number;
  tid: number;
  pid: number;
  ppid: number;
  name: string;
  names: string[];
  begin: number;
  end: number;
  cpuTime: number;
  idleCpu: number;
  ust: boolean;
  ustEvents: number;
  hasCalls: boolean;
}

export interface ThreadsAnswer {
  threads: ThreadAnswer[];
}

export interface IrqRowAnswer {
  id: number;
  cpu: number;
  kind: 'irq' | 'softirq' | 'ipi';
  num: number;
  name: string;
}

/** `/api/resources`. */
export interface ResourcesAnswer {
  cpus: { id: number; cpu: number }[];
  irqs: IrqRowAnswer[];
}

/** Who woke a blocked thread (`/api/state-at`, threads table). */
export interface WakerAnswer {
  kind: string;
  cpu: number;
  label: string;
  t: number;
  /** A thread waker: its row, tid and name. */
  id?: number;
  tid?: number;
  name?: string;
  /** An IRQ/softirq waker: its number. */
  num?: number;
}

/**
 * `/api/state-at`: the state of one row at a time. Which fields come depends on the table:
 * threads (tid, cpu, syscall, waker), cpus (tid, name, syscall, num), irqs (cpu).
 */
export interface StateAtAnswer {
  id: number;
  state: string;
  label: string;
  begin: number;
  end: number;
  cpu?: number;
  syscall?: string | null;
  tid?: number;
  name?: string;
  num?: number | null;
  waker?: WakerAnswer;
}

export interface WakeupAnswer {
  t: number;
  runAt: number | null;
  to: number;
  toTid: number;
  cpu: number;
  targetCpu: number;
  runCpu: number;
  fromKind: string;
  from: number;
  /** -1 unless the waker is a thread. */
  fromTid: number;
}

export interface MigrationAnswer {
  t: number;
  id: number;
  tid: number;
  from: number;
  to: number;
}

/** `/api/arrows`. */
export interface ArrowsAnswer {
  wakeups: WakeupAnswer[];
  migrations: MigrationAnswer[];
  truncated: boolean;
}

/** `/api/usage`: busy CPUs per bucket (0…cpus), in total and per CPU; `selected`: of `rows`. */
export interface UsageAnswer {
  begin: number;
  end: number;
  buckets: number;
  cpus: number;
  t: number[];
  total: number[];
  perCpu: number[][];
  selected?: number[];
}

/** `/api/aggregate` (no kernel trace: empty states, threads and cpus). */
export interface AggregateAnswer {
  begin: number;
  end: number;
  states: Record<string, number>;
  threads: { id: number; tid: number; name: string; cpuTime: number; states: Record<string, number> }[];
  cpus: { cpu: number; busy: number; usage: number }[];
  events: { name: string; count: number }[];
  eventTotal: number;
}

export interface EventRowAnswer {
  i: number;
  t: number;
  cpu: number;
  name: string;
  tid: number;
  trace: number;
  fields: string;
}

/** `/api/events`. */
export interface EventsAnswer {
  total: number;
  offset: number;
  rows: EventRowAnswer[];
}

/** `/api/events/seek`. */
export interface EventsSeekAnswer {
  index: number;
}

/** `/api/events/next`: the thread's next (previous) event, `i: null` when none. */
export type EventsNextAnswer = { i: number; t: number; name: string } | { i: null };

/** A code location ('' / 0 unknown); `file` is absolute. */
export interface WhereAnswer {
  bin: string;
  func: string;
  src: string;
  name: string;
  file: string;
  line: number;
  /** `/api/source` serves the file. */
  sourceAvailable: boolean;
}

/** `/api/event`. */
export interface EventAnswer extends EventRowAnswer {
  scopes: Record<string, unknown>;
  where: WhereAnswer | null;
}

/** `/api/ust/events`: one marker per pixel, `n` events in it. */
export interface UstMarkerAnswer {
  row: number;
  t: number;
  i: number;
  name: string;
  n: number;
}

export interface UstEventsAnswer {
  events: UstMarkerAnswer[];
}

/** `/api/ust/spans`: `n` spans merged into one below a pixel. */
export interface UstSpanAnswer {
  row: number;
  name: string;
  begin: number;
  end: number;
  depth: number;
  n: number;
}

export interface UstSpansAnswer {
  spans: UstSpanAnswer[];
}

export interface FlameCallAnswer {
  row: number;
  begin: number;
  end: number;
  depth: number;
  func: string;
  src: string;
  n: number;
}

export interface FunctionStatsAnswer {
  func: string;
  src: string;
  /** '' / 0 unknown. */
  file: string;
  line: number;
  calls: number;
  total: number;
  self: number;
  max: number;
}

/** `/api/flame`. */
export interface FlameAnswer {
  row: number;
  calls: FlameCallAnswer[];
  functions: FunctionStatsAnswer[];
}

/** `/api/source`. */
export interface SourceAnswer {
  file: string;
  line: number;
  lines: { n: number; text: string }[];
}

export interface PathThreadAnswer {
  row: number;
  tid: number;
  name: string;
}

/** `/api/critical-path` (src/analysis/critical-path's result; the page reads this part of it). */
export interface CriticalPathAnswer {
  thread: PathThreadAnswer;
  begin: number;
  end: number;
  segments: { start: number; end: number; duration: number; thread: PathThreadAnswer; type: string; detail: string; preemptedBy?: (PathThreadAnswer & { duration: number })[] }[];
  handoffs: { fromTime: number; toTime: number; from: PathThreadAnswer; to: PathThreadAnswer }[];
  summary: { total: number; byThread: (PathThreadAnswer & { duration: number; pct: number })[]; byType: { type: string; duration: number; pct: number }[] };
}

export interface RowRef {
  row: number;
  tid: number;
  name: string;
}

/** Who waits for which lock since when, and who holds it (null: nobody known). */
export interface WaitLink {
  waiter: RowRef;
  lock: { label: string };
  since: number;
  holder: RowRef | null;
}

export interface DeadlockLink extends WaitLink {
  holder: RowRef;
}

/** `/api/deadlocks`: wait-for cycles, hung threads and who waits for whom at the end. */
export interface DeadlocksAnswer {
  deadlocks: { formedAt: number; endedAt: number | null; links: DeadlockLink[] }[];
  hung: (RowRef & { since: number; what: string })[];
  waitFor: WaitLink[];
}
