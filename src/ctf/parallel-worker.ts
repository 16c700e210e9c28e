/**
 * A decoding worker of `parallel.ts`: opens the same trace set as the main thread, keeps the
 * streams it was given, and answers each request ("next batch of stream s") with the times and
 * event class indexes of up to `BATCH` events, in typed arrays moved (not copied) to the caller.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TraceSet } from './trace-set.js';

export interface WorkerInput {
  paths: string[];
  /** Indexes (in `createReaders` order) of the streams this worker decodes. */
  streams: number[];
  batch: number;
}

export interface BatchMessage {
  type: 'batch';
  stream: number;
  n: number;
  time: Float64Array;
  eventClass: Int32Array;
  done: boolean;
}

export interface ProblemMessage {
  type: 'problem';
  stream: number;
  message: string;
}

const input = workerData as WorkerInput;
const port = parentPort!;
const set = TraceSet.open(input.paths);
const readers = set.createReaders({
  onProblem: (p) => port.postMessage({ type: 'problem', stream: p.stream.id, message: p.error.message } satisfies ProblemMessage),
});

port.on('message', (stream: number) => {
  const r = readers[stream]!;
  const time = new Float64Array(input.batch);
  const eventClass = new Int32Array(input.batch);
  let n = 0;
  let done = false;
  while (n < input.batch) {
    if (!r.next()) {
      done = true;
      break;
    }
    time[n] = r.time;
    eventClass[n] = r.eventClass.index;
    n++;
  }
  const msg: BatchMessage = { type: 'batch', stream, n, time, eventClass, done };
  port.postMessage(msg, [time.buffer, eventClass.buffer]);
});
