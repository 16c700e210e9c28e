/**
 * The bounded critical-path algorithm of Giraldeau & Dagenais ("Wait analysis of distributed
 * systems using kernel tracing", IEEE TPDS), as Trace Compass runs it (OSCriticalPathAlgorithm,
 * brief §2.3 of ../shared/reference/tracecompass-kernel-model.md): walk the target worker's chain
 * forwards; each blocked (or network) edge is replaced by what the thread that ended it did
 * during the wait, found by walking backwards from the wakeup along the waker's chain, down the
 * waker's own waits in turn, never before the start of the wait (the bound).
 *
 * The result is the path as a list of steps in time order: horizontal steps (a worker doing
 * something from one time to another) and vertical steps (the path moving to another worker).
 *
 * Where this differs from Trace Compass, on purpose:
 * - `findIncoming` walks forwards over zero-duration (EPS) edges from the end of the blocked edge
 *   looking for the incoming vertical edge, as intended (and as TC did before commit 7de2aeece):
 *   TC's current code tests the first vertex again at every step of its loop.
 * - The backward resolution is iterative (an explicit stack of frames), not recursive: a chain of
 *   nested waits thousands deep would overflow the JavaScript stack.
 * - Gluing two links of the path that do not touch on the same worker gives an UNKNOWN edge; TC
 *   gives a DEFAULT edge, which its own rules forbid on horizontal edges.
 * - The end time stops the walk at the first edge starting at or after it, so the edge crossing
 *   the end is kept (callers clip); TC drops it.
 */
import { EdgeType, isBlocking, type ExecGraph } from './graph.js';

/** One step of a critical path, in time order. */
export interface PathStep {
  /** True: the path moves from (fromWorker, from) to (worker, to). False: worker did `type` from `from` to `to`. */
  vertical: boolean;
  fromWorker: number;
  worker: number;
  from: number;
  to: number;
  /** `EdgeType`. */
  type: number;
  /** Qualifier string ('' none). */
  qualifier: string;
}

/**
 * A link of the graph: a horizontal edge is named by its first vertex (≥ 0), a vertical edge e
 * by -(e + 1).
 */
type Link = number;

class PathRecorder {
  readonly steps: PathStep[] = [];
  /** Time of each worker's last vertex on the path. */
  private readonly tails = new Map<number, number>();

  tail(worker: number): number | undefined {
    return this.tails.get(worker);
  }

  add(worker: number, t: number): void {
    this.tails.set(worker, t);
  }

  append(worker: number, t: number, type: number, qualifier: string): void {
    const from = this.tails.get(worker) ?? t;
    this.steps.push({ vertical: false, fromWorker: worker, worker, from, to: t, type, qualifier });
    this.tails.set(worker, t);
  }

  /** TC's copyLink: an edge from the anchor to (worker, t); returns the new anchor. */
  copy(anchorWorker: number, anchorTime: number, worker: number, t: number, type: number, qualifier: string): [number, number] {
    if (anchorWorker === worker && anchorTime === t) return [worker, t];
    if (anchorWorker === worker) {
      const h = type === EdgeType.DEFAULT ? EdgeType.UNKNOWN : type;
      this.steps.push({ vertical: false, fromWorker: worker, worker, from: anchorTime, to: t, type: h, qualifier });
    } else {
      this.steps.push({ vertical: true, fromWorker: anchorWorker, worker, from: anchorTime, to: t, type, qualifier });
    }
    this.tails.set(worker, t);
    return [worker, t];
  }
}

interface Frame {
  /** The blocked edge being explained (its first vertex). */
  blocking: number;
  /** Nothing at or before this time is explored. */
  bound: number;
  /** `path.length` when the frame started: its rewinds stop there. */
  base: number;
  /** Current vertex of the backward walk (-1: done). */
  v: number;
  /** Vertices with an incoming vertical edge not yet explored (alternatives at dead ends). */
  stack: number[];
}

export class CriticalPathAlgorithm {
  constructor(private readonly g: ExecGraph) {}

  /**
   * The critical path of `start`'s worker from `start` until the first edge starting at or after
   * `endTime`.
   */
  compute(start: number, endTime = Infinity): PathStep[] {
    const g = this.g;
    const worker = g.vWorker[start]!;
    const cp = new PathRecorder();
    cp.add(worker, g.vTime[start]!);
    let cur = start;
    while (g.hType[cur] !== EdgeType.NO_EDGE && g.vTime[cur]! < endTime) {
      const type = g.hType[cur]!;
      const next = cur + 1;
      if (isBlocking(type)) {
        const links = this.resolve(cur, g.vTime[cur]!);
        links.reverse();
        this.glue(cp, cur, links);
      } else if (type !== EdgeType.EPS) {
        cp.append(worker, g.vTime[next]!, type, g.qualifier(g.hQual[cur]!));
      }
      cur = next;
    }
    return cp.steps;
  }

  /** The vertex at or after `v`, across zero-duration edges, that has an incoming vertical edge. */
  private findIncoming(v: number): number {
    const g = this.g;
    let x = v;
    while (true) {
      if (g.inV[x]! >= 0) return x;
      if (g.hType[x] !== EdgeType.EPS) return -1;
      x++;
    }
  }

  private linkFrom(l: Link): number {
    return l >= 0 ? l : this.g.eFrom[-l - 1]!;
  }

  private linkTo(l: Link): number {
    return l >= 0 ? l + 1 : this.g.eTo[-l - 1]!;
  }

  private linkType(l: Link): number {
    return l >= 0 ? this.g.hType[l]! : this.g.eType[-l - 1]!;
  }

  private linkQualifier(l: Link): string {
    return this.g.qualifier(l >= 0 ? this.g.hQual[l]! : this.g.eQual[-l - 1]!);
  }

  /**
   * The links that explain the blocked edge starting at vertex `blocking`, latest first (TC's
   * resolveBlockingBounded). Empty when nothing ended the wait (no incoming vertical edge).
   */
  private resolve(blocking: number, bound: number): Link[] {
    const g = this.g;
    const path: Link[] = [];
    const frames: Frame[] = [];
    const open = (b: number, bnd: number): boolean => {
      const j = this.findIncoming(b + 1);
      if (j < 0) return false;
      const down = g.inV[j]!;
      const base = path.length;
      path.push(-down - 1);
      frames.push({ blocking: b, bound: Math.max(bnd, g.vTime[b]!), base, v: g.eFrom[down]!, stack: [] });
      return true;
    };
    if (!open(blocking, bound)) return path;
    while (frames.length > 0) {
      const f = frames[frames.length - 1]!;
      const v = f.v;
      if (v < 0 || g.vTime[v]! <= f.bound) {
        frames.pop();
        continue;
      }
      const inV = g.inV[v]!;
      // Shortcut: the waker's chain came from before the window.
      if (inV >= 0 && g.vTime[g.eFrom[inV]!]! <= f.bound) {
        path.push(-inV - 1);
        f.v = -1;
        continue;
      }
      const inH = g.prev(v);
      // A vertical edge into a running stretch is an alternative to explore at a dead end (a
      // blocked edge's own waker is explored by the nested frame instead).
      if (inV >= 0 && (inH < 0 || !isBlocking(g.hType[inH]!))) f.stack.push(v);
      if (inH >= 0) {
        f.v = inH;
        const type = g.hType[inH]!;
        if (isBlocking(type)) {
          // The waker was itself waiting: explain that wait, within this window. An unexplained
          // network wait stays on the path as it is.
          if (!open(inH, f.bound) && type === EdgeType.NETWORK) path.push(inH);
        } else {
          path.push(inH);
        }
        continue;
      }
      // Dead end (the start of this chain): try the latest alternative, dropping what was
      // walked since it.
      const w = f.stack.pop();
      if (w === undefined) {
        f.v = -1;
        continue;
      }
      while (path.length > f.base && this.linkFrom(path[path.length - 1]!) !== w) path.pop();
      const e = g.inV[w]!;
      path.push(-e - 1);
      f.v = g.eFrom[e]!;
    }
    return path;
  }

  /** Appends the links (in time order) explaining the blocked edge after `cur` (TC's appendPathComponent). */
  private glue(cp: PathRecorder, cur: number, links: Link[]): void {
    const g = this.g;
    const actor = g.vWorker[cur]!;
    if (links.length === 0) {
      cp.append(actor, g.vTime[cur + 1]!, g.hType[cur]!, g.qualifier(g.hQual[cur]!));
      return;
    }
    const b1 = cp.tail(actor) ?? g.vTime[cur]!;
    const first = links[0]!;
    const firstFrom = this.linkFrom(first);
    const src = g.vWorker[firstFrom]!;
    let aw = actor;
    let at = b1;
    if (src !== actor) {
      [aw, at] = cp.copy(actor, b1, src, g.vTime[cur]!, EdgeType.DEFAULT, '');
      // The waker's part starts after the wait began: the gap is unexplained.
      if (g.vTime[firstFrom]! > at) {
        cp.append(src, g.vTime[firstFrom]!, EdgeType.UNKNOWN, '');
        at = g.vTime[firstFrom]!;
      }
    }
    let prev: Link | undefined;
    for (const link of links) {
      const from = this.linkFrom(link);
      const q = this.linkQualifier(link);
      if (prev !== undefined && this.linkTo(prev) !== from) {
        const t = Math.max(g.vTime[this.linkTo(prev)]!, g.vTime[from]!);
        [aw, at] = cp.copy(aw, at, g.vWorker[from]!, t, EdgeType.DEFAULT, q);
      }
      const to = this.linkTo(link);
      [aw, at] = cp.copy(aw, at, g.vWorker[to]!, Math.max(at, g.vTime[to]!), this.linkType(link), q);
      prev = link;
    }
  }
}

/** The critical path of the worker of vertex `start` (see `CriticalPathAlgorithm.compute`). */
export function computeCriticalPath(g: ExecGraph, start: number, endTime = Infinity): PathStep[] {
  return new CriticalPathAlgorithm(g).compute(start, endTime);
}
