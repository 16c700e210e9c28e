/**
 * The shared memory between the main thread and the decoding workers of `parallel.ts`: one ring
 * per stream of (time, event class index) pairs that the worker fills and the main thread
 * drains, with counters in an Int32Array so that both sides can wait on each other (Atomics).
 *
 *   worker ──(times, classes at written & mask)──► ring ──(read & mask)──► main (merge)
 *          ◄────────────── read counter, epoch bump ───────────────────────
 *
 * Counters count events since the start and wrap at 2^32; the capacity is a power of two, so
 * `counter & mask` is the slot and `(written - read) | 0` the fill even across the wrap.
 * Free-running workers (bounded only by the ring) matter: when stream A is dense and stream B
 * sparse for a while, B's worker keeps decoding ahead instead of waiting for the merge.
 */
import type { MessagePort } from 'node:worker_threads';

/** Int32 slots per stream in the control array (one 64-byte cache line: no false sharing). */
export const CTRL_STRIDE = 16;
/** Events published by the worker. */
export const WRITTEN = 0;
/** Events consumed by the main thread (published in chunks). */
export const READ = 1;
/** Bumped by the worker at every publish and at the end: what the main thread waits on. */
export const SIGNAL = 2;
/** 1 once the stream has no more events (set after the last WRITTEN). */
export const DONE = 3;

/** Per worker, in its own control line: bumped by the main thread when it frees ring space. */
export const EPOCH = 0;
/** 1 when the worker stopped on an unexpected error (its message follows on the port). */
export const CRASHED = 1;

/** Float64 slots per stream in the progress array. */
export const STATS_STRIDE = 8;
/** Bytes of the stream's files read so far. */
export const BYTES_DONE = 0;

/**
 * Bit set in an event's class index when messages (notices, the stream's problem) precede it
 * on the worker's port, in the order the single-thread reader would have reported them.
 */
export const HAS_MESSAGES = 1 << 30;

export interface StreamRing {
  /** Stream index (in `createReaders` order). */
  stream: number;
  times: SharedArrayBuffer;
  classes: SharedArrayBuffer;
}

export interface WorkerInput {
  paths: string[];
  /** Power of two, events per ring. */
  capacity: number;
  /** Events decoded before publishing (and before looking at the other streams). */
  chunk: number;
  /** `CTRL_STRIDE` Int32 per stream of the whole set. */
  control: SharedArrayBuffer;
  /** `STATS_STRIDE` Float64 per stream of the whole set. */
  stats: SharedArrayBuffer;
  /** This worker's own control line (`EPOCH`, `CRASHED`). */
  workerControl: SharedArrayBuffer;
  rings: StreamRing[];
  /** Where the worker posts `WorkerMessage`s (read synchronously by the main thread). */
  port: MessagePort;
}

/** What a worker posts on its port, in order; `seq` = events of that stream published before. */
export type WorkerMessage =
  | {
      type: 'notice';
      stream: number;
      seq: number;
      kind: 'discarded-events' | 'discarded-packets';
      count?: number;
      begin?: number;
      end?: number;
    }
  | { type: 'problem'; stream: number; seq: number; message: string; file: string; offset?: number }
  | { type: 'warning'; stream: number; seq: number; message: string }
  /** Final per-stream counters, posted before the stream's DONE. */
  | { type: 'end'; stream: number; seq: number; count: number; eventRegressions: number; packetOverlaps: number; packetsRead: number; cpus: number[] }
  | { type: 'crash'; message: string; stack?: string };
