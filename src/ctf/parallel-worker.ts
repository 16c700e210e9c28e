/**
 * A decoding worker of `parallel.ts`: opens the same trace set as the main thread, decodes the
 * streams it was given into their rings (parallel-ring.ts) as fast as the rings have room, a
 * chunk at a time, round-robin over its streams, and sleeps only when every ring is full.
 *
 * Notices, problems and warnings go on the port before the event they precede is published,
 * flagged in that event's slot (or before the stream's DONE), so that the main thread reports
 * them exactly where the single-thread muxer would.
 */
import { workerData } from 'node:worker_threads';
import { TraceSet } from './trace-set.js';
import { TraceFormatError } from '../util/errors.js';
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
  type WorkerInput,
  type WorkerMessage,
} from './parallel-ring.js';
import type { StreamReader } from './stream-reader.js';

const input = workerData as WorkerInput;
const port = input.port;
const control = new Int32Array(input.control);
const stats = new Float64Array(input.stats);
const own = new Int32Array(input.workerControl);

interface Lane {
  reader: StreamReader;
  base: number;
  times: Float64Array;
  classes: Int32Array;
  written: number;
  /** Messages posted since the last event was stored: the next event (or DONE) gets the flag. */
  pending: boolean;
  done: boolean;
}

const post = (m: WorkerMessage) => port.postMessage(m);

function run(): void {
  const set = TraceSet.open(input.paths);
  const lanes: Lane[] = [];
  const laneOf: Lane[] = [];
  const readers = set.createReaders({
    onNotice: (n) => {
      const lane = laneOf[n.stream.id]!;
      lane.pending = true;
      post({ type: 'notice', stream: n.stream.id, seq: n.stream.count | 0, kind: n.kind, count: n.count, begin: n.begin, end: n.end });
    },
    onProblem: (p) => {
      const lane = laneOf[p.stream.id]!;
      lane.pending = true;
      post({ type: 'problem', stream: p.stream.id, seq: p.stream.count | 0, message: p.error.message, file: p.error.file, offset: p.error.offset });
    },
    onWarning: () => {
      // Only the packet index (seeking) warns; the scan does not seek.
    },
  });
  for (const ring of input.rings) {
    const lane: Lane = {
      reader: readers[ring.stream]!,
      base: ring.stream * CTRL_STRIDE,
      times: new Float64Array(ring.times),
      classes: new Int32Array(ring.classes),
      written: 0,
      pending: false,
      done: false,
    };
    lanes.push(lane);
    laneOf[ring.stream] = lane;
  }
  const mask = input.capacity - 1;
  let active = lanes.length;
  while (active > 0) {
    const epoch = Atomics.load(own, EPOCH);
    let progressed = false;
    for (const lane of lanes) {
      if (lane.done) continue;
      const free = input.capacity - ((lane.written - Atomics.load(control, lane.base + READ)) | 0);
      if (free < input.chunk) continue;
      progressed = true;
      const r = lane.reader;
      const { times, classes } = lane;
      let w = lane.written;
      const end = (w + input.chunk) | 0;
      while (w !== end) {
        if (!r.next()) {
          lane.done = true;
          break;
        }
        const slot = w & mask;
        times[slot] = r.time;
        let cls = r.eventClass.index;
        if (lane.pending) {
          cls |= HAS_MESSAGES;
          lane.pending = false;
        }
        classes[slot] = cls;
        w = (w + 1) | 0;
      }
      lane.written = w;
      stats[r.id * STATS_STRIDE + BYTES_DONE] = r.bytesDone();
      Atomics.store(control, lane.base + WRITTEN, w);
      if (lane.done) {
        post({
          type: 'end',
          stream: r.id,
          seq: w,
          count: r.count,
          eventRegressions: r.eventRegressions,
          packetOverlaps: r.packetOverlaps,
          packetsRead: r.packetsRead,
          cpus: [...r.cpus],
        });
        Atomics.store(control, lane.base + DONE, 1);
        active--;
      }
      Atomics.add(control, lane.base + SIGNAL, 1);
      Atomics.notify(control, lane.base + SIGNAL);
    }
    // Every ring is full: sleep until the main thread frees room in one (it bumps EPOCH).
    if (!progressed) Atomics.wait(own, EPOCH, epoch);
  }
}

try {
  run();
} catch (e) {
  // A bug, not bad trace data (that is a problem of its stream): stop the whole scan.
  const message = e instanceof TraceFormatError ? e.describe() : e instanceof Error ? e.message : String(e);
  post({ type: 'crash', message, stack: e instanceof Error ? e.stack : undefined });
  Atomics.store(own, CRASHED, 1);
  for (const ring of input.rings) {
    Atomics.add(control, ring.stream * CTRL_STRIDE + SIGNAL, 1);
    Atomics.notify(control, ring.stream * CTRL_STRIDE + SIGNAL);
  }
}
