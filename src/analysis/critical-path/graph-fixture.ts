/**
 * A small text format for execution graphs and critical paths in unit tests.
 *
 *   A0: 0 -R- 2 -B- 4 -R- 6          a worker's chain: times joined by edges
 *   A1: 3                            a worker with a single vertex
 *   A1@3 -N-> A0@4                   a vertical edge of type N (plain `->`: DEFAULT)
 *
 * Edge letters: R running, B blocked, P preempted, T timer, N network, U unknown, E eps, I irq,
 * S softirq, D block device, X ipi. Workers are numbered in the order their chain lines come.
 *
 * `pathText` prints a path the same way, one step per entry: `A0 0-2 R` (horizontal) and
 * `A0@4 > A1@4` (vertical; `>N` when not DEFAULT); `chainText` a worker's chain (`|` at gaps).
 */
import type { PathStep } from './algorithm.js';
import { EdgeType, ExecGraphBuilder, type ExecGraph } from './graph.js';

const LETTERS: Record<string, number> = {
  R: EdgeType.RUNNING,
  B: EdgeType.BLOCKED,
  P: EdgeType.PREEMPTED,
  T: EdgeType.TIMER,
  N: EdgeType.NETWORK,
  U: EdgeType.UNKNOWN,
  E: EdgeType.EPS,
  I: EdgeType.IRQ,
  S: EdgeType.SOFTIRQ,
  D: EdgeType.BLOCK_DEVICE,
  X: EdgeType.IPI,
};

const LETTER_OF = new Map<number, string>(Object.entries(LETTERS).map(([k, v]) => [v, k]));

export interface FixtureGraph {
  graph: ExecGraph;
  /** Worker names by number. */
  names: string[];
  /** The worker's first vertex. */
  head(name: string): number;
}

export function graphOf(text: string): FixtureGraph {
  const b = new ExecGraphBuilder();
  const names: string[] = [];
  const verticals: string[] = [];
  const vertexOf = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const chain = /^(\w+):\s*(.*)$/.exec(line);
    if (!chain) {
      verticals.push(line);
      continue;
    }
    names.push(chain[1]!);
    b.startWorker();
    const tokens = chain[2]!.split(/\s+/);
    let type = -1;
    for (const tok of tokens) {
      const e = /^-(\w)-$/.exec(tok);
      if (e) {
        type = LETTERS[e[1]!] ?? -1;
        if (type < 0) throw new Error(`graph fixture: unknown edge "${tok}"`);
        continue;
      }
      const t = Number(tok);
      if (!Number.isFinite(t)) throw new Error(`graph fixture: bad time "${tok}" in: ${line}`);
      const v = type < 0 ? b.vertex(t) : b.append(t, type);
      type = -1;
      const key = `${chain[1]}@${t}`;
      if (!vertexOf.has(key)) vertexOf.set(key, v);
    }
  }
  for (const line of verticals) {
    const m = /^(\w+@[\d.]+)\s+-(?:(\w)-)?>\s+(\w+@[\d.]+)$/.exec(line);
    if (!m) throw new Error(`graph fixture: expected "A@t -> B@t": ${line}`);
    const from = vertexOf.get(m[1]!);
    const to = vertexOf.get(m[3]!);
    if (from === undefined || to === undefined) throw new Error(`graph fixture: no such vertex in: ${line}`);
    const type = m[2] ? LETTERS[m[2]] : EdgeType.DEFAULT;
    if (type === undefined || !b.vertical(from, to, type)) throw new Error(`graph fixture: bad vertical edge: ${line}`);
  }
  const graph = b.finish();
  return {
    graph,
    names,
    head(name: string) {
      const w = names.indexOf(name);
      if (w < 0) throw new Error(`graph fixture: no worker ${name}`);
      return graph.head(w);
    },
  };
}

/** A path in the fixture notation (see the top of this file). */
export function pathText(steps: readonly PathStep[], names: readonly string[]): string[] {
  return steps.map((s) => {
    if (s.vertical) {
      const type = s.type === EdgeType.DEFAULT ? '' : (LETTER_OF.get(s.type) ?? '?');
      return `${names[s.fromWorker]}@${s.from} >${type} ${names[s.worker]}@${s.to}`;
    }
    return `${names[s.worker]} ${s.from}-${s.to} ${LETTER_OF.get(s.type) ?? '?'}`;
  });
}

/** A worker's chain in the fixture notation: `10 -P- 20 -R- 30` (` | ` where the chain has a gap). */
export function chainText(g: ExecGraph, worker: number): string {
  const parts: string[] = [];
  for (let v = g.workerStart[worker]!; v < g.workerStart[worker + 1]!; v++) {
    parts.push(String(g.vTime[v]));
    if (v + 1 < g.workerStart[worker + 1]!) parts.push(g.hType[v] === EdgeType.NO_EDGE ? '|' : `-${LETTER_OF.get(g.hType[v]!) ?? '?'}-`);
  }
  return parts.join(' ');
}
