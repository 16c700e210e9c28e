/**
 * Merges the streams into one time-ordered sequence: a binary min-heap of stream readers keyed
 * by the time of each one's current event. Ties are broken the way babeltrace2's muxer does
 * (see `compareTies`) so that text output is identical. A stream whose time goes backwards is
 * not an error here (babeltrace2 stops): its events keep their file order, and the stream
 * reader counts the regression.
 */
import type { StreamReader } from './stream-reader.js';

export class Muxer {
  private readonly heap: StreamReader[] = [];
  private started = false;
  /** The stream holding the current event. */
  current: StreamReader | undefined;
  /**
   * Earliest time among the other streams' current events (the root's children): while the
   * current stream's next event is strictly earlier, it stays on top without touching the heap.
   */
  private runUntil = -Infinity;

  constructor(readonly readers: StreamReader[]) {}

  /** Advances to the next event in time order; false when every stream is done. */
  next(): boolean {
    const heap = this.heap;
    if (!this.started) {
      this.started = true;
      for (const r of this.readers) if (r.next()) this.push(r);
    } else if (this.current) {
      const cur = this.current;
      if (cur.next()) {
        if (cur.time < this.runUntil) return true;
        this.siftDown(0);
      } else this.pop();
    }
    const top = heap[0];
    this.current = top;
    const a = heap.length > 1 ? heap[1]!.time : Infinity;
    const b = heap.length > 2 ? heap[2]!.time : Infinity;
    // NaN (no clock) compares false everywhere: such streams always take the heap path.
    this.runUntil = Math.min(a, b);
    return top !== undefined;
  }

  private push(r: StreamReader): void {
    this.heap.push(r);
    this.siftUp(this.heap.length - 1);
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.siftDown(0);
    }
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const item = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(item, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i]!;
    while (true) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(heap[r]!, heap[l]!) ? r : l;
      const child = heap[c]!;
      if (!before(child, item)) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = item;
  }
}

/** Does stream a's current event come before stream b's? (Also the parallel merge's order.) */
export function before(a: StreamReader, b: StreamReader): boolean {
  const ta = a.time;
  const tb = b.time;
  if (ta < tb) return true;
  if (ta > tb) return false;
  return compareTies(a, b) < 0;
}

/**
 * Equal times (or no clock): babeltrace2's muxer order (2.0.4 `flt.utils.muxer`): trace UUID,
 * trace name, stream class ID, stream ID (all folded into `streamRank`), then the event class
 * (ID, name, log level, EMF URI), then the stream name (`nameRank`).
 */
export function compareTies(a: StreamReader, b: StreamReader): number {
  if (a.streamRank !== b.streamRank) return a.streamRank - b.streamRank;
  const ea = a.eventClass.cls;
  const eb = b.eventClass.cls;
  if (ea !== eb) {
    if (ea.id !== eb.id) return ea.id < eb.id ? -1 : 1;
    if (ea.name !== eb.name) return ea.name < eb.name ? -1 : 1;
    const la = ea.logLevel ?? Infinity;
    const lb = eb.logLevel ?? Infinity;
    if (la !== lb) return la < lb ? -1 : 1;
    const ua = ea.emfUri;
    const ub = eb.emfUri;
    if (ua !== ub) {
      if (ua === undefined) return 1;
      if (ub === undefined) return -1;
      return ua < ub ? -1 : 1;
    }
  }
  return a.nameRank - b.nameRank;
}
