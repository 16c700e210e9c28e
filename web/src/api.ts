/**
 * The server's JSON API (contract: `tracelane serve`, /api/*). Times are ns from the trace
 * origin as plain numbers. The bulky answers are fetched and parsed in a Web Worker: the viewport
 * queries (`/api/states`, binary form) arrive as typed arrays, the thread list as columns, so
 * big answers never stall the page.
 */
import type { Runs } from './runs.js';
import { fromColumns, type ThreadColumns } from './thread-columns.js';

export interface TraceInfo {
  name: string;
  paths: string[];
  origin: string;
  start: number;
  end: number;
  events: number;
  hasKernel: boolean;
  hasUst: boolean;
  traces: { name: string; domain: string; events: number }[];
  cpus: number[];
  threadStates: string[];
  threadStateLabels: string[];
  cpuStates: string[];
  syscalls: string[];
}

export interface ThreadInfo {
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

export interface Resources {
  cpus: { id: number; cpu: number }[];
  irqs: { id: number; cpu: number; kind: string; num: number; name: string }[];
}

export interface Status {
  state: 'loading' | 'ready' | 'failed';
  phase: string;
  progress: number;
  message: string;
  error: string | null;
}

export interface StateAt {
  id: number;
  state: string;
  label: string;
  begin: number;
  end: number;
  cpu: number;
  syscall: string | null;
  tid?: number;
  name?: string;
  waker?: { kind: string; tid?: number; name?: string; cpu?: number; label: string; t: number };
}

export interface Wakeup {
  t: number;
  runAt: number | null;
  to: number;
  toTid: number;
  cpu: number;
  targetCpu: number;
  fromKind: string;
  from: number;
  fromTid?: number;
}

export interface Migration {
  t: number;
  id: number;
  tid: number;
  from: number;
  to: number;
}

export interface Usage {
  begin: number;
  end: number;
  cpus: number;
  t: number[];
  total: number[];
  selected?: number[];
}

export interface Aggregate {
  begin: number;
  end: number;
  states: Record<string, number>;
  threads: { id: number; tid: number; name: string; cpuTime: number; states: Record<string, number> }[];
  cpus: { cpu: number; busy: number; usage: number }[];
  events: { name: string; count: number }[];
  eventTotal: number;
}

export interface EventRow {
  i: number;
  t: number;
  cpu: number;
  name: string;
  tid: number;
  trace: number;
  fields: string;
}

export interface Where {
  bin?: string;
  func?: string;
  src?: string;
  file?: string;
  line?: number;
  sourceAvailable?: boolean;
}

export interface EventDetail extends EventRow {
  scopes: Record<string, unknown>;
  where: Where | null;
}

export interface UstMarker {
  row: number;
  t: number;
  i: number;
  name: string;
  n: number;
}

export interface UstSpan {
  row: number;
  name: string;
  begin: number;
  end: number;
  depth: number;
  n: number;
}

export interface FlameCall {
  begin: number;
  end: number;
  depth: number;
  func: string;
  src: string;
  n: number;
}

export interface FunctionStats {
  func: string;
  src: string;
  file?: string;
  line?: number;
  calls: number;
  total: number;
  self: number;
  max: number;
}

export interface PathThread {
  row: number;
  tid: number;
  name: string;
}

/** `/api/critical-path`: src/analysis/critical-path's result. */
export interface CriticalPath {
  thread: PathThread;
  begin: number;
  end: number;
  segments: { start: number; end: number; duration: number; thread: PathThread; type: string; detail: string; preemptedBy?: (PathThread & { duration: number })[] }[];
  handoffs: { fromTime: number; toTime: number; from: PathThread; to: PathThread }[];
  summary: { total: number; byThread: (PathThread & { duration: number; pct: number })[]; byType: { type: string; duration: number; pct: number }[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Params = Record<string, string | number | undefined | null>;

export function apiUrl(path: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, typeof v === 'number' ? String(Math.round(v)) : v);
  }
  const s = q.toString();
  return `api/${path}${s ? `?${s}` : ''}`;
}

export async function getJson<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  const res = await fetch(apiUrl(path, params), { signal });
  const body = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as T & { error?: string };
  if (!res.ok) throw new ApiError(res.status, body.error ?? `HTTP ${res.status}`);
  return body;
}

// --- states through the worker -----------------------------------------------------------------

export interface RowRuns {
  id: number;
  runs: Runs;
}

interface WorkerReply {
  seq: number;
  rows?: RowRuns[];
  threads?: ThreadColumns;
  error?: string;
  status?: number;
}

let worker: Worker | undefined;
let seq = 0;
const waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();

function dataWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./data-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<WorkerReply>) => {
    const w = waiting.get(e.data.seq);
    if (!w) return;
    waiting.delete(e.data.seq);
    if (e.data.error === undefined) w.resolve(e.data);
    else w.reject(new ApiError(e.data.status ?? 0, e.data.error ?? 'worker failed'));
  };
  return worker;
}

/** Runs of `rows` of a state table over [begin, end] at `px` pixels. */
export async function fetchStates(table: 'threads' | 'cpus' | 'irqs', rows: number[], begin: number, end: number, px: number): Promise<RowRuns[]> {
  return (await askWorker(apiUrl('states', { table, rows: rows.join(','), begin, end, px }), 'states')).rows ?? [];
}

/** `/api/threads`, parsed in the worker (thousands of threads: tens of ms of JSON.parse). */
export async function fetchThreads(): Promise<ThreadInfo[]> {
  const c = (await askWorker(apiUrl('threads'), 'threads')).threads;
  return c ? fromColumns(c) : [];
}

function askWorker(path: string, kind: 'states' | 'threads'): Promise<WorkerReply> {
  const url = new URL(path, location.href).href;
  const s = ++seq;
  return new Promise((resolve, reject) => {
    waiting.set(s, { resolve, reject });
    dataWorker().postMessage({ seq: s, url, kind });
  });
}

/** `/api/deadlocks`: wait-for cycles, hung threads and who waits for whom at the end. */
export interface RowRef {
  row: number;
  tid: number;
  name: string;
}

export interface WaitLink {
  waiter: RowRef;
  lock: { label: string };
  since: number;
  holder: RowRef | null;
}

export interface Deadlocks {
  deadlocks: { formedAt: number; endedAt: number | null; links: (WaitLink & { holder: RowRef })[] }[];
  hung: (RowRef & { since: number; what: string })[];
  waitFor: WaitLink[];
}
