/**
 * The execution graph (Trace Compass's ITmfGraph, brief §2.1 of
 * ../shared/reference/tracecompass-kernel-model.md): per worker (a thread), a time-ordered chain
 * of vertices joined by horizontal edges that say what the worker was doing in between; vertical
 * edges join a waker's vertex to the wakee's vertex at the wakeup.
 *
 *   worker 0   v0 ──running── v1 ──blocked── v2 ──preempted── v3
 *                                             ▲
 *   worker 1   v4 ──running─────────────────  v5 ──running── v6
 *
 * Stored as typed-array columns, no object per vertex. A worker's vertices are contiguous and in
 * time order (the builder fills one worker at a time), so a horizontal edge needs no storage of
 * its own: edge `v` goes from vertex v to v + 1, with `hType[v]` (NO_EDGE where the chain has a
 * gap or ends). Several vertices of one worker may share a timestamp: the edge between them then
 * has zero duration (EPS).
 */
import { GrowableF64, GrowableI32, GrowableU8 } from '../../store/growable.js';

/**
 * Edge types. Codes 0–12 are Trace Compass's (OSEdgeContextState) except 6: TC's INTERRUPTED
 * becomes IRQ here, and SOFTIRQ is added, so that "interrupted" says by what.
 */
export const EdgeType = {
  NO_EDGE: 0,
  /** Zero duration between two vertices of one worker at the same time. */
  EPS: 1,
  UNKNOWN: 2,
  /** Vertical edges (waker → wakee); never horizontal. */
  DEFAULT: 3,
  RUNNING: 4,
  BLOCKED: 5,
  IRQ: 6,
  PREEMPTED: 7,
  TIMER: 8,
  NETWORK: 9,
  USER_INPUT: 10,
  BLOCK_DEVICE: 11,
  IPI: 12,
  SOFTIRQ: 13,
} as const;

export const EDGE_TYPE_NAMES: readonly string[] = [
  'none',
  'eps',
  'unknown',
  'default',
  'running',
  'blocked',
  'irq',
  'preempted',
  'timer',
  'network',
  'user_input',
  'block_device',
  'ipi',
  'softirq',
];

/** Types the algorithm resolves through the vertical edges (TC's BLOCK class). */
export function isBlocking(type: number): boolean {
  return type === EdgeType.BLOCKED || type === EdgeType.NETWORK;
}

export class ExecGraph {
  constructor(
    /** First vertex of each worker, and one past its last (`workerStart[w+1]`). */
    readonly workerStart: Int32Array,
    readonly vWorker: Int32Array,
    readonly vTime: Float64Array,
    /** Type of the horizontal edge v → v + 1 (NO_EDGE: none). */
    readonly hType: Uint8Array,
    /** Its qualifier (index in `qualifiers`, -1 none). */
    readonly hQual: Int32Array,
    /** Incoming and outgoing vertical edge of each vertex (index, -1 none). */
    readonly inV: Int32Array,
    readonly outV: Int32Array,
    readonly eFrom: Int32Array,
    readonly eTo: Int32Array,
    readonly eType: Uint8Array,
    readonly eQual: Int32Array,
    readonly qualifiers: readonly string[],
  ) {}

  get workerCount(): number {
    return this.workerStart.length - 1;
  }

  get vertexCount(): number {
    return this.vTime.length;
  }

  get verticalCount(): number {
    return this.eFrom.length;
  }

  /** The worker's first vertex, -1 when it has none. */
  head(worker: number): number {
    const s = this.workerStart[worker]!;
    return s < this.workerStart[worker + 1]! ? s : -1;
  }

  /** The worker's last vertex at or before `t` (-1: none). */
  vertexAtOrBefore(worker: number, t: number): number {
    let lo = this.workerStart[worker]!;
    let hi = this.workerStart[worker + 1]!;
    const first = lo;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (this.vTime[m]! <= t) lo = m + 1;
      else hi = m;
    }
    return lo - 1 >= first ? lo - 1 : -1;
  }

  /** The vertex after `v` on its worker's chain when an edge leads there, else -1. */
  next(v: number): number {
    return this.hType[v] !== EdgeType.NO_EDGE ? v + 1 : -1;
  }

  /** The vertex before `v` on its worker's chain when an edge leads from it, else -1. */
  prev(v: number): number {
    return v > this.workerStart[this.vWorker[v]!]! && this.hType[v - 1] !== EdgeType.NO_EDGE ? v - 1 : -1;
  }

  qualifier(q: number): string {
    return q >= 0 ? this.qualifiers[q]! : '';
  }
}

/**
 * Builds a graph one worker at a time: `startWorker()`, then its vertices in time order with
 * `vertex` (no edge from the previous one) or `append` (an edge from the previous one); vertical
 * edges between any two vertices already made.
 */
export class ExecGraphBuilder {
  private readonly workerStart = new GrowableI32(256);
  private readonly vWorker = new GrowableI32(4096);
  private readonly vTime = new GrowableF64(4096);
  private readonly hType = new GrowableU8(4096);
  private readonly hQual = new GrowableI32(4096);
  private readonly inV = new GrowableI32(4096);
  private readonly outV = new GrowableI32(4096);
  private readonly eFrom = new GrowableI32(1024);
  private readonly eTo = new GrowableI32(1024);
  private readonly eType = new GrowableU8(1024);
  private readonly eQual = new GrowableI32(1024);
  private readonly qualifiers: string[] = [];
  private readonly qualIndex = new Map<string, number>();
  private worker = -1;

  /** Starts the next worker (numbered 0, 1, …); returns its number. */
  startWorker(): number {
    this.workerStart.push(this.vTime.length);
    return ++this.worker;
  }

  get vertexCount(): number {
    return this.vTime.length;
  }

  /** The last vertex made (-1: none). */
  get tail(): number {
    return this.vTime.length - 1;
  }

  timeOf(v: number): number {
    return this.vTime.get(v);
  }

  inVertical(v: number): number {
    return this.inV.get(v);
  }

  outVertical(v: number): number {
    return this.outV.get(v);
  }

  /** A new vertex of the current worker, not linked to the previous one. */
  vertex(t: number): number {
    if (this.worker < 0) throw new Error('ExecGraphBuilder: vertex before startWorker');
    const v = this.vTime.push(t);
    this.vWorker.push(this.worker);
    this.hType.push(EdgeType.NO_EDGE);
    this.hQual.push(-1);
    this.inV.push(-1);
    this.outV.push(-1);
    return v;
  }

  /** A new vertex of the current worker, reached from the previous one by an edge of `type`. */
  append(t: number, type: number, qualifier = -1): number {
    const prev = this.tail;
    const v = this.vertex(t);
    if (prev >= 0 && this.vWorker.get(prev) === this.worker && this.workerStart.get(this.worker) <= prev) {
      this.hType.set(prev, t === this.vTime.get(prev) ? EdgeType.EPS : type);
      this.hQual.set(prev, qualifier);
    }
    return v;
  }

  /** A vertical edge; each vertex has at most one incoming and one outgoing (false if taken). */
  vertical(from: number, to: number, type: number = EdgeType.DEFAULT, qualifier = -1): boolean {
    if (this.outV.get(from) >= 0 || this.inV.get(to) >= 0) return false;
    const e = this.eFrom.push(from);
    this.eTo.push(to);
    this.eType.push(type);
    this.eQual.push(qualifier);
    this.outV.set(from, e);
    this.inV.set(to, e);
    return true;
  }

  /** Index of a qualifier string (interned). */
  qualifier(s: string): number {
    let q = this.qualIndex.get(s);
    if (q === undefined) {
      q = this.qualifiers.length;
      this.qualifiers.push(s);
      this.qualIndex.set(s, q);
    }
    return q;
  }

  finish(): ExecGraph {
    const ws = new Int32Array(this.workerStart.length + 1);
    ws.set(this.workerStart.finish());
    ws[this.workerStart.length] = this.vTime.length;
    return new ExecGraph(
      ws,
      this.vWorker.finish(),
      this.vTime.finish(),
      this.hType.finish(),
      this.hQual.finish(),
      this.inV.finish(),
      this.outV.finish(),
      this.eFrom.finish(),
      this.eTo.finish(),
      this.eType.finish(),
      this.eQual.finish(),
      this.qualifiers,
    );
  }
}
