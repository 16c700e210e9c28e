/**
 * Decoding on several cores: the streams are split into `jobs` groups (balanced by bytes); this
 * thread decodes the lightest group itself, and each other group is decoded in a worker thread
 * into shared-memory rings of (time, event class) pairs (parallel-ring.ts). This thread merges
 * its own streams and the rings in time order with the muxer's tie-breaking, so the order is
 * exactly `Muxer`'s.
 *
 *   this thread: streams A, C ──────────────┐
 *   worker 1:    streams B, D ─► rings ─────┴─► k-way merge ─► onEvent(reader: time, event class)
 *
 * The workers run ahead of the merge as far as their rings allow (a few MB per stream), so a
 * stream that is sparse for a while keeps its core busy. This thread only waits (without
 * blocking its event loop) when a ring is empty. Notices and problems reach the handlers at the
 * same point of the merge as with `Muxer`. Field values of the workers' streams stay in the
 * workers: consumers see each event's stream, event class and time (and the records of this
 * thread's own streams); the readers' counters (count, regressions, overlaps) are filled in as
 * each stream ends.
 *
 * Why the main thread decodes too: every worker is a separate V8 isolate with its own start-up,
 * JIT compilation and garbage collector (~0.2–0.3 s of CPU on the bench traces), which is
 * overhead against the single thread; one worker fewer is one such overhead fewer.
 */
import { availableParallelism, loadavg } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { CompiledEventClass } from './compile.js';
import { before } from './muxer.js';
import {
  BYTES_DONE,
  CRASHED,
  CTRL_STRIDE,
  DONE,
  EPOCH,
  HAS_MESSAGES,
  READ,
  SIGNAL,
  STATS_STRIDE,
  WRITTEN,
  type StreamRing,
  type WorkerInput,
  type WorkerMessage,
} from './parallel-ring.js';
import type { StreamReader } from './stream-reader.js';
import { TraceSet, type ReadHandlers } from './trace-set.js';
import { TraceFormatError } from '../util/errors.js';

/** Events a worker decodes into one ring before publishing them (and the merge frees room). */
const CHUNK = 4096;
/** Below this much stream data, starting workers (~0.2–0.3 s of CPU each) costs more than it saves. */
export const PARALLEL_MIN_BYTES = 128 * 2 ** 20;
/** Ring memory for all streams together (times and classes: 12 bytes per event). */
const RING_BUDGET_BYTES = 48 * 2 ** 20;
const MAX_CAPACITY = 2 ** 18;
/** With very many streams the rings shrink (and their chunks with them) to stay in the budget. */
const MIN_CAPACITY = 1024;

export interface ParallelScanOptions extends ReadHandlers {
  /** Threads decoding: this one and `jobs - 1` workers (at most one thread per stream). */
  jobs: number;
  /** The set already opened on the same paths (the workers open their own); opened if absent. */
  set?: TraceSet;
  /**
   * Each event in time order. `reader.time` and `reader.eventClass` describe it; its records
   * (field values) only when the stream is one this thread decodes (`reader` is not in a worker).
   */
  onEvent?: (reader: StreamReader) => void;
  /** Called every 65 536 events; `reader.bytesDone()` is up to date then (for progress bars). */
  onTick?: (readers: readonly StreamReader[]) => void;
  /** Events per publish (default 4096) and per ring (a power of two, at least 2 chunks): for tests. */
  chunk?: number;
  ringEvents?: number;
}

export interface ParallelScanResult {
  events: number;
  workers: number;
  /** The main thread's readers, with the workers' final counters. */
  readers: StreamReader[];
}

interface Feed {
  reader: StreamReader;
  /** Decoded on this thread (its reader's records are filled in), not in a worker. */
  local: boolean;
  eventList: CompiledEventClass[];
  worker: number;
  base: number;
  times: Float64Array;
  classes: Int32Array;
  /** Next event to read (counter, see parallel-ring.ts). */
  pos: number;
  /** Events known to be in the ring. */
  avail: number;
  /** Last READ published to the worker. */
  published: number;
  /** Messages received but not yet delivered, in posting order. */
  messages: Exclude<WorkerMessage, { type: 'crash' }>[];
  ended: boolean;
}

interface AtomicsWithWaitAsync {
  waitAsync(a: Int32Array, index: number, value: number, timeout?: number): { async: boolean; value: Promise<string> | string };
}
const waitAsync = (a: Int32Array, index: number, value: number, timeout: number) =>
  (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(a, index, value, timeout);

function groupBytes(readers: readonly StreamReader[], group: number[]): number {
  return group.reduce((s, id) => s + readers[id]!.files.reduce((b, f) => b + f.size, 0), 0);
}

/** Splits streams into `n` groups of about equal bytes (largest first, into the lightest group). */
export function groupsBySize(readers: readonly StreamReader[], n: number): number[][] {
  const size = (r: StreamReader) => r.files.reduce((s, f) => s + f.size, 0);
  const groups = Array.from({ length: n }, () => ({ bytes: 0, streams: [] as number[] }));
  for (const r of [...readers].sort((a, b) => size(b) - size(a) || a.id - b.id)) {
    const g = groups.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    g.bytes += size(r);
    g.streams.push(r.id);
  }
  return groups.filter((g) => g.streams.length > 0).map((g) => g.streams);
}

/**
 * Threads to decode with when the user did not say (1 = the main thread alone): one worker per
 * stream up to the number of cores, when there are at least two streams, enough data, and idle
 * cores (load average at most cores - 1). On a busy machine workers do not help: the threads of
 * a process share what the scheduler gives the process (Linux autogroups), and the workers add
 * their start-up and the merge to the work.
 */
export function automaticJobs(set: TraceSet, cores = availableParallelism(), load = loadavg()[0]!): number {
  const streams = set.traces.flatMap((t) => t.streams);
  const bytes = streams.reduce((s, st) => s + st.files.reduce((b, f) => b + f.size, 0), 0);
  const jobs = Math.min(streams.length, cores);
  if (jobs < 2 || bytes < PARALLEL_MIN_BYTES || load > cores - 1) return 1;
  return jobs;
}

/** Events per ring: a power of two within the memory budget. */
function ringCapacity(streams: number): number {
  let cap = MAX_CAPACITY;
  while (cap > MIN_CAPACITY && cap * 12 * streams > RING_BUDGET_BYTES) cap /= 2;
  return cap;
}


/**
 * Decodes every event of the traces at `paths` on `jobs` threads (this one and workers) and
 * merges them in time order on this thread.
 */
export async function parallelScan(paths: string[], opts: ParallelScanOptions): Promise<ParallelScanResult> {
  const set = opts.set ?? TraceSet.open(paths);
  const readers = set.createReaders(opts);
  const onNotice = opts.onNotice ?? (() => {});
  const onProblem = opts.onProblem ?? ((p) => set.problems.push(p));
  const onWarning = opts.onWarning ?? ((w) => set.warnings.push(w));
  const groups = groupsBySize(readers, Math.max(1, Math.min(opts.jobs, readers.length)));
  // This thread decodes the lightest group itself (it also merges); workers decode the others.
  const lightest = groups.reduce((best, g, i) => (groupBytes(readers, g) < groupBytes(readers, groups[best]!) ? i : best), 0);
  const localGroup = groups.splice(lightest, 1)[0] ?? [];
  const capacity = opts.ringEvents ?? ringCapacity(readers.length);
  const chunk = opts.chunk ?? Math.min(CHUNK, capacity / 4);
  if (capacity & (capacity - 1) || capacity < 2 * chunk) throw new Error(`ring of ${capacity} events: not a power of two of at least 2 chunks`);
  const mask = capacity - 1;
  const control = new Int32Array(new SharedArrayBuffer(readers.length * CTRL_STRIDE * 4));
  const statsBuf = new SharedArrayBuffer(readers.length * STATS_STRIDE * 8);
  const stats = new Float64Array(statsBuf);
  const feeds: Feed[] = [];
  const ports: MessagePort[] = [];
  const workerControls: Int32Array[] = [];
  const failure: { error?: Error } = {};
  for (const s of localGroup) {
    const reader = readers[s]!;
    const none = new SharedArrayBuffer(0);
    feeds[s] = { reader, local: true, eventList: reader.streamClass.eventList, worker: -1, base: 0, times: new Float64Array(none), classes: new Int32Array(none), pos: 0, avail: 0, published: 0, messages: [], ended: false };
  }
  const workers = groups.map((streams, w) => {
    const rings: StreamRing[] = streams.map((s) => ({
      stream: s,
      times: new SharedArrayBuffer(capacity * 8),
      classes: new SharedArrayBuffer(capacity * 4),
    }));
    for (const ring of rings) {
      const reader = readers[ring.stream]!;
      feeds[ring.stream] = {
        reader,
        local: false,
        eventList: reader.streamClass.eventList,
        worker: w,
        base: ring.stream * CTRL_STRIDE,
        times: new Float64Array(ring.times),
        classes: new Int32Array(ring.classes),
        pos: 0,
        avail: 0,
        published: 0,
        messages: [],
        ended: false,
      };
    }
    const workerControl = new SharedArrayBuffer(CTRL_STRIDE * 4);
    workerControls.push(new Int32Array(workerControl));
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    const input: WorkerInput = { paths, capacity, chunk, control: control.buffer as SharedArrayBuffer, stats: statsBuf, workerControl, rings, port: port2 };
    const worker = new Worker(new URL('./parallel-worker.js', import.meta.url), { workerData: input, transferList: [port2] });
    worker.on('error', (e) => (failure.error ??= e));
    worker.on('exit', (code) => {
      // Normal once DONE is set for all its streams (the merge may still be draining them).
      if (streams.some((s) => !Atomics.load(control, s * CTRL_STRIDE + DONE))) failure.error ??= new Error(`decoding worker ${w + 1} exited (code ${code}) before the end of its streams`);
    });
    return worker;
  });

  /** Moves the worker's posted messages into the queues of their streams. */
  const receive = (w: number) => {
    for (let m = receiveMessageOnPort(ports[w]!); m; m = receiveMessageOnPort(ports[w]!)) {
      const msg = m.message as WorkerMessage;
      if (msg.type === 'crash') {
        const e = new Error(`decoding worker failed: ${msg.message}`);
        if (msg.stack) e.stack = msg.stack;
        failure.error ??= e;
      } else feeds[msg.stream]!.messages.push(msg);
    }
  };
  /** Hands the stream's messages up to event `seq` (all of them at the end) to the handlers. */
  const deliver = (f: Feed, seq: number) => {
    receive(f.worker);
    const r = f.reader;
    while (f.messages.length > 0 && (f.ended || ((f.messages[0]!.seq - seq) | 0) <= 0)) {
      const m = f.messages.shift()!;
      if (m.type === 'notice') {
        onNotice({ kind: m.kind, count: m.count, begin: m.begin, end: m.end, stream: r });
      } else if (m.type === 'problem') {
        r.count = m.seq;
        r.failed = true;
        onProblem({ error: new TraceFormatError(m.message, m.file, m.offset), stream: r });
      } else if (m.type === 'warning') {
        onWarning(m.message);
      } else if (m.type === 'end') {
        r.count = m.count;
        r.eventRegressions = m.eventRegressions;
        r.packetOverlaps = m.packetOverlaps;
        r.packetsRead = m.packetsRead;
        for (const c of m.cpus) r.cpus.add(c);
      }
    }
  };
  const publish = (f: Feed) => {
    f.published = f.pos;
    Atomics.store(control, f.base + READ, f.pos);
    const wc = workerControls[f.worker]!;
    Atomics.add(wc, EPOCH, 1);
    Atomics.notify(wc, EPOCH);
  };
  const check = (f: Feed) => {
    if (Atomics.load(workerControls[f.worker]!, CRASHED)) receive(f.worker);
    if (failure.error) throw failure.error;
  };
  /**
   * Makes the feed's next event current: 1, or 0 at the end of the stream, or -1 when the ring
   * is empty for now.
   */
  const step = (f: Feed): number => {
    if (f.local) {
      if (f.reader.next()) return 1;
      f.ended = true;
      return 0;
    }
    if (f.pos === f.avail) {
      f.avail = Atomics.load(control, f.base + WRITTEN);
      if (f.pos === f.avail) {
        // DONE is set after the last WRITTEN: read it first, then WRITTEN again.
        if (!Atomics.load(control, f.base + DONE)) return -1;
        f.avail = Atomics.load(control, f.base + WRITTEN);
        if (f.pos === f.avail) {
          f.ended = true;
          deliver(f, f.pos);
          return 0;
        }
      }
    }
    const slot = f.pos & mask;
    let cls = f.classes[slot]!;
    if (cls & HAS_MESSAGES) {
      cls &= ~HAS_MESSAGES;
      deliver(f, f.pos);
    }
    const r = f.reader;
    r.time = f.times[slot]!;
    r.eventClass = f.eventList[cls]!;
    f.pos = (f.pos + 1) | 0;
    if (((f.pos - f.published) | 0) >= chunk) publish(f);
    return 1;
  };
  /** Waits (letting the event loop run) until the feed's ring has an event or its end. */
  const waitFor = async (f: Feed) => {
    if (f.pos !== f.published) publish(f);
    while (true) {
      check(f);
      const signal = Atomics.load(control, f.base + SIGNAL);
      if (Atomics.load(control, f.base + WRITTEN) !== f.pos || Atomics.load(control, f.base + DONE)) return;
      const w = waitAsync(control, f.base + SIGNAL, signal, 200);
      if (w.async) await w.value;
    }
  };
  const advance = async (f: Feed): Promise<boolean> => {
    let s = step(f);
    while (s < 0) {
      await waitFor(f);
      s = step(f);
    }
    return s === 1;
  };

  try {
    // As `Muxer`: every stream's first event, in reader order (their notices come in that order).
    const heap: Feed[] = [];
    const siftDown = () => {
      const n = heap.length;
      const item = heap[0]!;
      let i = 0;
      while (true) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const rr = l + 1;
        const c = rr < n && before(heap[rr]!.reader, heap[l]!.reader) ? rr : l;
        const child = heap[c]!;
        if (!before(child.reader, item.reader)) break;
        heap[i] = child;
        i = c;
      }
      heap[i] = item;
    };
    for (const f of feeds) {
      if (!(await advance(f))) continue;
      let i = heap.length;
      heap.push(f);
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!before(heap[i]!.reader, heap[p]!.reader)) break;
        [heap[i], heap[p]] = [heap[p]!, heap[i]!];
        i = p;
      }
    }
    const onEvent = opts.onEvent;
    const onTick = opts.onTick;
    const tick = () => {
      for (const f of feeds) if (!f.local) f.reader.packetOffset = stats[f.reader.id * STATS_STRIDE + BYTES_DONE]!;
      onTick?.(readers);
    };
    let events = 0;
    while (heap.length > 0) {
      const f = heap[0]!;
      const r = f.reader;
      onEvent?.(r);
      if ((++events & 0xffff) === 0) tick();
      // While the stream's next events are earlier than both children of the root, the heap is
      // not touched (as in `Muxer`): a tight loop over the ring's slots.
      const a = heap.length > 1 ? heap[1]!.reader.time : Infinity;
      const b = heap.length > 2 ? heap[2]!.reader.time : Infinity;
      const until = a < b ? a : b;
      const { times, classes, eventList } = f;
      let pos = f.pos;
      while (pos !== f.avail) {
        const slot = pos & mask;
        const t = times[slot]!;
        const cls = classes[slot]!;
        // NaN (no clock) compares false: such events take the general path.
        if (!(t < until) || cls & HAS_MESSAGES) break;
        r.time = t;
        r.eventClass = eventList[cls]!;
        pos = (pos + 1) | 0;
        onEvent?.(r);
        if ((++events & 0xffff) === 0) tick();
        if (((pos - f.published) | 0) >= chunk) {
          f.pos = pos;
          publish(f);
        }
      }
      f.pos = pos;
      let s = step(f);
      if (s < 0) s = (await advance(f)) ? 1 : 0;
      if (s === 1) {
        if (r.time < until) continue;
      } else {
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
      }
      siftDown();
    }
    return { events, workers: workers.length, readers };
  } finally {
    for (const p of ports) p.close();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
