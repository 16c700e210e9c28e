/**
 * Decoding on several cores: the streams are split into groups (balanced by bytes), each group
 * is decoded in a worker thread, and the workers send compact batches (time and event class
 * index per event, typed arrays moved without copying) that the main thread merges in time
 * order with the muxer's tie-breaking.
 *
 *   worker 1: streams A, C ─► batches ─┐
 *   worker 2: streams B, D ─► batches ─┴─► main: k-way merge ─► (stream, event class, time)
 *
 * Memory stays bounded: at most `AHEAD` batches per stream are requested ahead of the merge.
 * This is the scan used by `npm run bench` to measure the speed-up on N cores; consumers that
 * need the field values still use the single-thread `Muxer`.
 */
import { Worker } from 'node:worker_threads';
import type { EventClass } from './model.js';
import type { BatchMessage, ProblemMessage, WorkerInput } from './parallel-worker.js';
import type { StreamReader } from './stream-reader.js';
import { TraceSet } from './trace-set.js';

const BATCH = 16384;
const AHEAD = 2;

interface Feed {
  reader: StreamReader;
  /** Event classes of the stream class, by index. */
  classes: EventClass[];
  worker: Worker;
  queue: BatchMessage[];
  batch: BatchMessage | undefined;
  k: number;
  /** Time and event class of the current event. */
  time: number;
  cls: EventClass;
  finished: boolean;
  requested: number;
  wake: (() => void) | undefined;
}

export interface ParallelScanResult {
  events: number;
  workers: number;
  problems: string[];
}

/** Does feed a's current event come before feed b's (same order as `Muxer`)? */
function before(a: Feed, b: Feed): boolean {
  if (a.time < b.time) return true;
  if (a.time > b.time) return false;
  const ra = a.reader;
  const rb = b.reader;
  if (ra.streamRank !== rb.streamRank) return ra.streamRank < rb.streamRank;
  const ea = a.cls;
  const eb = b.cls;
  if (ea !== eb) {
    if (ea.id !== eb.id) return ea.id < eb.id;
    if (ea.name !== eb.name) return ea.name < eb.name;
    const la = ea.logLevel ?? Infinity;
    const lb = eb.logLevel ?? Infinity;
    if (la !== lb) return la < lb;
    const ua = ea.emfUri;
    const ub = eb.emfUri;
    if (ua !== ub) return ua !== undefined && (ub === undefined || ua < ub);
  }
  return ra.nameRank < rb.nameRank;
}

/** Splits streams into `n` groups of about equal bytes (largest first, into the lightest group). */
function groupsBySize(readers: StreamReader[], n: number): number[][] {
  const size = (r: StreamReader) => r.files.reduce((s, f) => s + f.size, 0);
  const groups = Array.from({ length: n }, () => ({ bytes: 0, streams: [] as number[] }));
  for (const r of [...readers].sort((a, b) => size(b) - size(a))) {
    const g = groups.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    g.bytes += size(r);
    g.streams.push(r.id);
  }
  return groups.filter((g) => g.streams.length > 0).map((g) => g.streams);
}

/**
 * Decodes every event of the traces with `jobs` worker threads and merges them in time order;
 * `onEvent` sees each event's stream, class and time (ns from the set's origin) in that order.
 */
export async function parallelScan(
  paths: string[],
  jobs: number,
  onEvent?: (stream: StreamReader, cls: EventClass, time: number) => void,
): Promise<ParallelScanResult> {
  const set = TraceSet.open(paths);
  const readers = set.createReaders();
  const groups = groupsBySize(readers, Math.max(1, jobs));
  const problems: string[] = [];
  const feeds: Feed[] = [];
  const workers = groups.map((streams) => {
    const input: WorkerInput = { paths, streams, batch: BATCH };
    return new Worker(new URL('./parallel-worker.js', import.meta.url), { workerData: input });
  });
  const failure: { error?: unknown } = {};
  groups.forEach((streams, w) => {
    const worker = workers[w]!;
    worker.on('message', (m: BatchMessage | ProblemMessage) => {
      if (m.type === 'problem') {
        problems.push(m.message);
        return;
      }
      const f = feeds[m.stream]!;
      f.queue.push(m);
      f.requested--;
      f.wake?.();
    });
    worker.on('error', (e) => {
      failure.error = e;
      for (const f of feeds) f.wake?.();
    });
    for (const s of streams) {
      const reader = readers[s]!;
      const classes = reader.streamClass.eventList.map((e) => e.cls);
      feeds[s] = { reader, classes, worker, queue: [], batch: undefined, k: 0, time: 0, cls: undefined as unknown as EventClass, finished: false, requested: 0, wake: undefined };
    }
  });
  const request = (f: Feed) => {
    while (!f.finished && f.requested + f.queue.length < AHEAD) {
      f.requested++;
      f.worker.postMessage(f.reader.id);
    }
  };
  /** Makes the feed's next event current; false when the stream is done. */
  const advance = async (f: Feed): Promise<boolean> => {
    while (true) {
      const b = f.batch;
      if (b !== undefined && f.k < b.n) {
        f.time = b.time[f.k]!;
        f.cls = f.classes[b.eventClass[f.k]!]!;
        f.k++;
        return true;
      }
      if (b?.done) {
        f.finished = true;
        return false;
      }
      while (f.queue.length === 0) {
        if (failure.error) throw failure.error;
        await new Promise<void>((resolve) => (f.wake = resolve));
        f.wake = undefined;
      }
      f.batch = f.queue.shift()!;
      f.k = 0;
      if (f.batch.done) f.finished = true;
      request(f);
    }
  };
  try {
    for (const f of feeds) if (f) request(f);
    const heap: Feed[] = [];
    for (const f of feeds) {
      if (f && (await advance(f))) {
        heap.push(f);
        for (let i = heap.length - 1; i > 0; ) {
          const p = (i - 1) >> 1;
          if (!before(heap[i]!, heap[p]!)) break;
          [heap[i], heap[p]] = [heap[p]!, heap[i]!];
          i = p;
        }
      }
    }
    let events = 0;
    while (heap.length > 0) {
      const top = heap[0]!;
      events++;
      onEvent?.(top.reader, top.cls, top.time);
      // The fast case stays synchronous: the next event is in the batch at hand, and while it
      // is earlier than both children of the root, the heap is not touched (as in `Muxer`).
      const b = top.batch!;
      let more: boolean;
      if (top.k < b.n) {
        const t = b.time[top.k]!;
        top.time = t;
        top.cls = top.classes[b.eventClass[top.k]!]!;
        top.k++;
        if (t < Math.min(heap.length > 1 ? heap[1]!.time : Infinity, heap.length > 2 ? heap[2]!.time : Infinity)) continue;
        more = true;
      } else more = await advance(top);
      if (!more) {
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
      }
      // Sift down from the root.
      const n = heap.length;
      let i = 0;
      const item = heap[0]!;
      while (true) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(heap[r]!, heap[l]!) ? r : l;
        if (!before(heap[c]!, item)) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = item;
    }
    return { events, workers: workers.length, problems };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
