/// <reference lib="webworker" />
/**
 * Fetches and parses the viewport queries off the main thread: a `/api/states` answer for a
 * screenful of rows can be megabytes of JSON; here it becomes typed arrays, transferred (not
 * copied) to the page.
 */
interface StatesJson {
  rows: { id: number; t: number[]; d: number[]; s: number[]; a: number[]; x: number[] }[];
}

self.onmessage = async (e: MessageEvent<{ seq: number; url: string }>) => {
  const { seq, url } = e.data;
  try {
    const res = await fetch(url);
    const body = (await res.json()) as StatesJson & { error?: string };
    if (!res.ok) {
      self.postMessage({ seq, error: body.error ?? `HTTP ${res.status}`, status: res.status });
      return;
    }
    const transfer: ArrayBuffer[] = [];
    const rows = body.rows.map((r) => {
      const n = r.t.length;
      const start = new Float64Array(n);
      const end = new Float64Array(n);
      const value = new Int32Array(n);
      const aux = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        start[i] = r.t[i]!;
        end[i] = r.t[i]! + r.d[i]!;
        value[i] = r.s[i]!;
        aux[i] = r.a[i]!;
      }
      transfer.push(start.buffer, end.buffer, value.buffer, aux.buffer);
      // `aux` carries the arg column (a CPU row's tid, a thread's syscall); the x column is
      // kept apart for thread rows (CPU) where the tooltip needs it: packed as a second array.
      const extra = new Int32Array(n);
      for (let i = 0; i < n; i++) extra[i] = r.x[i]!;
      transfer.push(extra.buffer);
      return { id: r.id, runs: { n, start, end, value, aux, extra } };
    });
    (self as unknown as DedicatedWorkerGlobalScope).postMessage({ seq, rows }, transfer);
  } catch (err) {
    self.postMessage({ seq, error: err instanceof Error ? err.message : String(err) });
  }
};
