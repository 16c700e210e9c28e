/**
 * Critical path of a thread: why it took as long as it did, down the chain of waits.
 *
 *   criticalPath(model: KernelModel, threadRow: number, t1: number, t2: number): CriticalPathResult
 *
 * `threadRow` is a row of `model.threads` (see `rowsOfTid`), t1/t2 are model times (ns from the
 * trace set's origin, like every kernel report). The result is plain data (numbers, strings,
 * arrays): the path's segments in time order, the hand-offs between threads, the time per thread
 * and per edge type, and the waits as a tree. The execution graph is built once per model and
 * cached (`threadGraphOf`), so asking for other threads or ranges costs only the path.
 *
 * The graph: ./model-graph.ts (from the kernel model's tables); the algorithm: ./algorithm.ts
 * (Trace Compass's bounded critical path, with its bugs fixed).
 */
import type { KernelModel } from '../kernel/model.js';
import { ThreadState } from '../kernel/states.js';
import { computeCriticalPath, type PathStep } from './algorithm.js';
import { EDGE_TYPE_NAMES, EdgeType } from './graph.js';
import { buildThreadGraph, type ThreadGraph } from './model-graph.js';

export { EdgeType, EDGE_TYPE_NAMES } from './graph.js';
export type { PathStep } from './algorithm.js';

export interface PathThread {
  row: number;
  tid: number;
  name: string;
}

export interface PreemptedBy extends PathThread {
  /** Time that thread ran on the waiting thread's runqueue CPU during the segment (ns). */
  duration: number;
}

export interface CriticalPathSegment {
  start: number;
  end: number;
  duration: number;
  thread: PathThread;
  /** Edge type name: running, preempted, blocked, timer, irq, softirq, network, block_device, ipi, unknown. */
  type: string;
  /** What the edge says more: the syscall of an unexplained wait, the IRQ or softirq name… ('' none). */
  detail: string;
  /** For preempted segments: who ran on the CPU instead, most first (at most 3). */
  preemptedBy?: PreemptedBy[];
}

export interface CriticalPathHandoff {
  /** When the path leaves `from` and when it reaches `to` (equal except for unexplained delays). */
  fromTime: number;
  toTime: number;
  from: PathThread;
  to: PathThread;
}

export interface Share {
  duration: number;
  /** Of the path's total. */
  pct: number;
}

export interface CriticalPathSummary {
  /** Sum of the segments' durations. */
  total: number;
  byThread: (PathThread & Share)[];
  byType: ({ type: string } & Share)[];
}

/**
 * A node of the wait tree: a thread, the time the path spent in it (own segments by type), and
 * the threads whose work it waited for (children). Siblings that are the same thread are merged:
 * `waits` counts the separate waits.
 */
export interface WaitTreeNode {
  thread: PathThread;
  waits: number;
  /** Length of the stretches of the path spent in this thread and below. */
  total: number;
  /** The thread's own time on the path, by edge type name. */
  own: Record<string, number>;
  /** For its preempted time: who ran instead (most first, at most 3; after merging siblings, from each one's top 3). */
  preemptedBy: PreemptedBy[];
  children: WaitTreeNode[];
}

export interface CriticalPathResult {
  thread: PathThread;
  begin: number;
  end: number;
  segments: CriticalPathSegment[];
  handoffs: CriticalPathHandoff[];
  summary: CriticalPathSummary;
  tree: WaitTreeNode;
}

const cache = new WeakMap<KernelModel, ThreadGraph>();

/** The execution graph of a model (built on first use, then cached). */
export function threadGraphOf(model: KernelModel): ThreadGraph {
  let g = cache.get(model);
  if (!g) {
    g = buildThreadGraph(model);
    cache.set(model, g);
  }
  return g;
}

/** The raw path steps of thread row `row` from the edge holding `t1` until the first edge starting at or after `t2`. */
export function criticalPathSteps(tg: ThreadGraph, row: number, t1: number, t2: number): PathStep[] {
  const g = tg.graph;
  if (row < 0 || row >= g.workerCount) throw new RangeError(`no thread row ${row}`);
  let start = g.vertexAtOrBefore(row, t1);
  if (start < 0 || g.hType[start] === EdgeType.NO_EDGE) {
    // Not alive at t1: start at its first vertex after it.
    start = start < 0 ? g.head(row) : start + 1;
    if (start < 0 || start >= g.workerStart[row + 1]! || g.vTime[start]! >= t2) return [];
  }
  return computeCriticalPath(g, start, t2);
}

/** The critical path of thread row `threadRow` within [t1, t2] (model times). */
export function criticalPath(model: KernelModel, threadRow: number, t1: number, t2: number): CriticalPathResult {
  const tg = threadGraphOf(model);
  const steps = criticalPathSteps(tg, threadRow, t1, t2);
  return new PathReport(model, t1, t2).build(threadRow, steps);
}

/** tid → row of its last lifetime, per model (for naming the threads a CPU ran). */
const rowByTidCache = new WeakMap<KernelModel, Map<number, number>>();

function rowByTid(model: KernelModel): Map<number, number> {
  let map = rowByTidCache.get(model);
  if (!map) {
    map = new Map();
    for (const t of model.threads) if (t.tid > 0) map.set(t.tid, t.row);
    rowByTidCache.set(model, map);
  }
  return map;
}

class PathReport {
  constructor(
    private readonly m: KernelModel,
    private readonly t1: number,
    private readonly t2: number,
  ) {}

  /** The three threads that ran longest in `acc` (tid → ns). */
  private top3(acc: Map<number, number>): PreemptedBy[] {
    return [...acc]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, 3)
      .map(([tid, duration]) => {
        const row = rowByTid(this.m).get(tid) ?? -1;
        return { row, tid, name: row >= 0 ? this.m.threads[row]!.name : '', duration };
      });
  }

  private thread(row: number): PathThread {
    const t = this.m.threads[row]!;
    return { row, tid: t.tid, name: t.name };
  }

  build(row: number, steps: PathStep[]): CriticalPathResult {
    const segments = this.segments(steps);
    const handoffs: CriticalPathHandoff[] = [];
    for (const s of steps) {
      if (s.vertical && s.fromWorker !== s.worker && s.to >= this.t1 && s.from <= this.t2) {
        handoffs.push({ fromTime: s.from, toTime: s.to, from: this.thread(s.fromWorker), to: this.thread(s.worker) });
      }
    }
    return { thread: this.thread(row), begin: this.t1, end: this.t2, segments, handoffs, summary: this.summary(segments), tree: this.tree(row, steps) };
  }

  /** Horizontal steps clipped to the range, neighbours of the same thread, type and detail merged. */
  private segments(steps: PathStep[]): CriticalPathSegment[] {
    const out: CriticalPathSegment[] = [];
    for (const s of steps) {
      if (s.vertical) continue;
      const a = Math.max(s.from, this.t1);
      const b = Math.min(s.to, this.t2);
      if (!(b > a)) continue;
      const type = EDGE_TYPE_NAMES[s.type]!;
      const last = out[out.length - 1];
      if (last && last.thread.row === s.worker && last.type === type && last.detail === s.qualifier && last.end === a) {
        last.end = b;
        last.duration = b - last.start;
        continue;
      }
      out.push({ start: a, end: b, duration: b - a, thread: this.thread(s.worker), type, detail: s.qualifier });
    }
    for (const seg of out) {
      if (seg.type === 'preempted') seg.preemptedBy = this.top3(this.preemptors(seg.thread.row, seg.start, seg.end, new Map()));
    }
    return out;
  }

  /** Adds to `acc` (tid → ns) who ran on the runqueue CPU of thread `row` while it waited within [a, b]. */
  private preemptors(row: number, a: number, b: number, acc: Map<number, number>): Map<number, number> {
    const ts = this.m.threadStates;
    const cs = this.m.cpuStates;
    ts.forEachIn(row, a, b, (i, from, to) => {
      if (ts.state[i] !== ThreadState.WAIT_CPU) return;
      const cpu = this.m.cpus.find((c) => c.cpu === ts.aux[i]);
      if (!cpu) return;
      cs.forEachIn(cpu.row, from, to, (j, f, t) => {
        const tid = cs.arg[j]!;
        if (tid > 0 && t > f) acc.set(tid, (acc.get(tid) ?? 0) + (t - f));
      });
    });
    return acc;
  }

  private summary(segments: CriticalPathSegment[]): CriticalPathSummary {
    let total = 0;
    const byRow = new Map<number, number>();
    const byType = new Map<string, number>();
    for (const s of segments) {
      total += s.duration;
      byRow.set(s.thread.row, (byRow.get(s.thread.row) ?? 0) + s.duration);
      byType.set(s.type, (byType.get(s.type) ?? 0) + s.duration);
    }
    const pct = (v: number) => (total > 0 ? (100 * v) / total : 0);
    return {
      total,
      byThread: [...byRow].map(([row, d]) => ({ ...this.thread(row), duration: d, pct: pct(d) })).sort((x, y) => y.duration - x.duration || x.row - y.row),
      byType: [...byType].map(([type, d]) => ({ type, duration: d, pct: pct(d) })).sort((x, y) => y.duration - x.duration || x.type.localeCompare(y.type)),
    };
  }

  /**
   * The waits as a tree. Read backwards, a hand-off into the current thread from one not on the
   * stack is a wait of the current thread on it (a child); a hand-off from a thread on the stack
   * ends the children above it (the path was in them since that time).
   */
  private tree(row: number, steps: PathStep[]): WaitTreeNode {
    interface Open {
      row: number;
      start: number;
      end: number;
      own: Map<string, number>;
      preempt: Map<number, number>;
      children: Open[];
    }
    const mk = (r: number, end: number): Open => ({ row: r, start: this.t1, end, own: new Map(), preempt: new Map(), children: [] });
    // The root spans the path itself (the thread may be born or the path start after t1).
    const inRange = steps.filter((s) => !s.vertical && s.to > this.t1 && s.from < this.t2);
    const first = inRange[0];
    const last = inRange[inRange.length - 1];
    const root = mk(row, last ? Math.min(last.to, this.t2) : this.t1);
    root.start = first ? Math.max(first.from, this.t1) : this.t1;
    const stack: Open[] = [root];
    for (let k = steps.length - 1; k >= 0; k--) {
      const s = steps[k]!;
      if (!s.vertical) {
        const a = Math.max(s.from, this.t1);
        const b = Math.min(s.to, this.t2);
        if (!(b > a)) continue;
        let node = stack[stack.length - 1]!;
        for (let i = stack.length - 1; i >= 0; i--) {
          if (stack[i]!.row === s.worker) {
            node = stack[i]!;
            break;
          }
        }
        const type = EDGE_TYPE_NAMES[s.type]!;
        node.own.set(type, (node.own.get(type) ?? 0) + (b - a));
        if (s.type === EdgeType.PREEMPTED) this.preemptors(s.worker, a, b, node.preempt);
        continue;
      }
      if (s.fromWorker === s.worker) continue;
      let idx = -1;
      for (let i = stack.length - 1; i >= 0; i--) {
        if (stack[i]!.row === s.fromWorker) {
          idx = i;
          break;
        }
      }
      if (idx >= 0) {
        while (stack.length > idx + 1) stack.pop()!.start = Math.min(Math.max(s.from, this.t1), this.t2);
      } else {
        const child = mk(s.fromWorker, Math.max(Math.min(s.to, this.t2), this.t1));
        stack[stack.length - 1]!.children.push(child);
        stack.push(child);
      }
    }
    const finish = (n: Open): WaitTreeNode => ({
      thread: this.thread(n.row),
      waits: 1,
      total: Math.max(0, n.end - n.start),
      own: Object.fromEntries([...n.own].sort((x, y) => y[1] - x[1])),
      preemptedBy: this.top3(n.preempt),
      children: n.children.filter((c) => c.end > c.start).map(finish),
    });
    return mergeSiblings(finish(root));
  }
}

/** Merges children that are the same thread, recursively; children sorted by total, most first. */
function mergeSiblings(n: WaitTreeNode): WaitTreeNode {
  const byRow = new Map<number, WaitTreeNode>();
  for (const c of n.children) {
    const e = byRow.get(c.thread.row);
    if (!e) {
      byRow.set(c.thread.row, { ...c, own: { ...c.own }, preemptedBy: [...c.preemptedBy], children: [...c.children] });
      continue;
    }
    e.waits += c.waits;
    e.total += c.total;
    for (const [k, v] of Object.entries(c.own)) e.own[k] = (e.own[k] ?? 0) + v;
    const pre = new Map<number, PreemptedBy>();
    for (const p of [...e.preemptedBy, ...c.preemptedBy]) {
      const q = pre.get(p.tid);
      if (q) q.duration += p.duration;
      else pre.set(p.tid, { ...p });
    }
    e.preemptedBy = [...pre.values()].sort((a, b) => b.duration - a.duration).slice(0, 3);
    e.children.push(...c.children);
  }
  const children = [...byRow.values()].map(mergeSiblings).sort((a, b) => b.total - a.total || a.thread.tid - b.thread.tid);
  return { ...n, children };
}
