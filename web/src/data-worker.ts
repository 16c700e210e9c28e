/// <reference lib="webworker" />
/**
 * Fetches the bulky answers off the main thread. `/api/states` is asked for in its binary,
 * columnar form (`format=bin`, src/server/states-bin-format.ts): every row's columns are views
 * into the one answer buffer, which is transferred (not copied) to the page — no JSON to parse.
 * `/api/threads` (JSON) is parsed here and handed over as columns (thread-columns.ts).
 */
import { decodeStatesBin } from '../../src/server/states-bin-format.js';
import type { RowRuns, ThreadInfo } from './api.js';
import { toColumns } from './thread-columns.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;

async function errorOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: string };
    return body.error ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

async function states(seq: number, url: string): Promise<void> {
  const res = await fetch(`${url}${url.includes('?') ? '&' : '?'}format=bin`);
  if (!res.ok) return scope.postMessage({ seq, error: await errorOf(res), status: res.status });
  const buf = await res.arrayBuffer();
  const rows: RowRuns[] = decodeStatesBin(buf).rows.map((r) => ({
    id: r.id,
    // `aux` carries the arg column (a CPU row's tid, a thread's syscall), `extra` the x column
    // (a thread's CPU, a CPU's IRQ number).
    runs: { n: r.n, start: r.start, end: r.end, value: r.state, aux: r.arg, extra: r.aux },
  }));
  scope.postMessage({ seq, rows }, [buf]);
}

async function threads(seq: number, url: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok) return scope.postMessage({ seq, error: await errorOf(res), status: res.status });
  const c = toColumns(((await res.json()) as { threads: ThreadInfo[] }).threads);
  scope.postMessage({ seq, threads: c }, [c.ints.buffer, c.times.buffer, c.flags.buffer, c.textEnd.buffer]);
}

scope.onmessage = async (e: MessageEvent<{ seq: number; url: string; kind: 'states' | 'threads' }>) => {
  const { seq, url, kind } = e.data;
  try {
    await (kind === 'threads' ? threads(seq, url) : states(seq, url));
  } catch (err) {
    scope.postMessage({ seq, error: err instanceof Error ? err.message : String(err) });
  }
};
