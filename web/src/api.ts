/**
 * The server's JSON API (contract: `tracelane serve`, /api/*). Times are ns from the trace
 * origin as plain numbers. The bulky answers are fetched and parsed in a Web Worker: the viewport
 * queries (`/api/states`, binary form) arrive as typed arrays, the thread list as columns, so
 * big answers never stall the page.
 */
import type { ThreadAnswer } from '../../src/server/api-types.js';
import type { Runs } from './runs.js';
import { fromColumns, type ThreadColumns } from './thread-columns.js';

// The answer types are the server's own (src/server/api-types.ts), under the page's names.
export type {
  AggregateAnswer as Aggregate,
  ArrowsAnswer as Arrows,
  CriticalPathAnswer as CriticalPath,
  DeadlocksAnswer as Deadlocks,
  EventAnswer as EventDetail,
  EventRowAnswer as EventRow,
  EventsAnswer as EventsPage,
  EventsNextAnswer as EventsNext,
  EventsSeekAnswer as EventsSeek,
  FlameAnswer as Flame,
  FlameCallAnswer as FlameCall,
  FunctionStatsAnswer as FunctionStats,
  MigrationAnswer as Migration,
  PathThreadAnswer as PathThread,
  ResourcesAnswer as Resources,
  RowRef,
  SourceAnswer as Source,
  StateAtAnswer as StateAt,
  StatusAnswer as Status,
  ThreadsAnswer as Threads,
  ThreadAnswer as ThreadInfo,
  TraceAnswer as TraceInfo,
  UsageAnswer as Usage,
  UstEventsAnswer as UstEvents,
  UstMarkerAnswer as UstMarker,
  UstSpanAnswer as UstSpan,
  UstSpansAnswer as UstSpans,
  WaitLink,
  WakeupAnswer as Wakeup,
  WhereAnswer as Where,
} from '../../src/server/api-types.js';

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
export async function fetchThreads(): Promise<ThreadAnswer[]> {
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
