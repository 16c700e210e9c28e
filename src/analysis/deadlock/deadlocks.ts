/**
 * Deadlocks and lock-order inversions from a `LockTimeline`, as plain data (the CLI prints it,
 * the web server can serve it):
 *
 *   waitForGraphAt(tl, T)   which thread waits for which lock at T, who holds it, and the
 *                           cycles (deadlocks) among them; `T = Infinity`: the end of the trace
 *   deadlocks(tl)           every wait-for cycle that formed during the trace, when, and
 *                           whether it was still there at the end
 *   lockOrderInversions(tl) cycles of the lock-order graph (A held while B acquired, B held
 *                           while A acquired…): potential deadlocks even when the run did not hang
 *
 * Schemes describing the same mutexes (calcjob's own events and the pthread wrapper's) find the
 * same cycles: they are merged, keeping the first scheme's and listing all in `sources`.
 */
import type { SymbolResolver } from '../../symbols/resolver.js';
import type { WaitSite } from '../ust/locks.js';
import type { UstThread } from '../ust/threads.js';
import { simpleCycles } from './cycles.js';
import type { DeadlockCycle, HoldRecord, LockRef, LockTimeline, LockWaitRecord, OrderEdge } from './timeline.js';

export interface WaitEdge {
  wait: LockWaitRecord;
  /** The holder at that time (undefined: free as far as the trace shows, or held since before it). */
  hold?: HoldRecord;
}

export interface WaitForGraph {
  time: number;
  edges: WaitEdge[];
  /** Each cycle: its edges in order (each edge's holder is the next edge's waiter). */
  cycles: WaitEdge[][];
}

/** The wait-for graph at `t` (ns from the trace set's origin; Infinity: at the end of the trace). */
export function waitForGraphAt(tl: LockTimeline, t: number): WaitForGraph {
  const holdsOf = holdIndex(tl);
  const edges: WaitEdge[] = [];
  for (const w of tl.waits) {
    if (w.begin > t || !(Number.isNaN(w.end) || w.end > t)) continue;
    const hold = holdAt(holdsOf.get(w.lock.index) ?? [], t);
    edges.push(hold && hold.thread !== w.thread ? { wait: w, hold } : { wait: w });
  }
  return { time: t, edges, cycles: dedupe(edgeCycles(edges), (c) => cycleKey(c.map((e) => [e.wait.thread, e.wait.lock]))) };
}

const holdCache = new WeakMap<LockTimeline, { n: number; index: Map<number, HoldRecord[]> }>();

function holdIndex(tl: LockTimeline): Map<number, HoldRecord[]> {
  const cached = holdCache.get(tl);
  if (cached && cached.n === tl.holds.length) return cached.index;
  const index = new Map<number, HoldRecord[]>();
  for (const h of tl.holds) {
    const list = index.get(h.lock.index);
    if (list) list.push(h);
    else index.set(h.lock.index, [h]);
  }
  holdCache.set(tl, { n: tl.holds.length, index });
  return index;
}

/** The hold covering `t` (holds of one lock begin in time order and never overlap). */
function holdAt(holds: HoldRecord[], t: number): HoldRecord | undefined {
  let lo = 0;
  let hi = holds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (holds[mid]!.begin <= t) lo = mid + 1;
    else hi = mid;
  }
  const h = holds[lo - 1];
  return h && (Number.isNaN(h.end) || h.end > t) ? h : undefined;
}

function edgeCycles(edges: WaitEdge[]): WaitEdge[][] {
  // Per scheme, a thread waits for one lock at a time: follow waiter → holder.
  const byWaiter = new Map<string, WaitEdge>();
  for (const e of edges) if (e.hold) byWaiter.set(`${e.wait.lock.scheme}\0${e.wait.thread.id}`, e);
  const cycles: WaitEdge[][] = [];
  const done = new Set<WaitEdge>();
  for (const start of byWaiter.values()) {
    if (done.has(start)) continue;
    const path: WaitEdge[] = [];
    const pos = new Map<WaitEdge, number>();
    let e: WaitEdge | undefined = start;
    while (e && !done.has(e) && !pos.has(e)) {
      pos.set(e, path.length);
      path.push(e);
      e = byWaiter.get(`${e.wait.lock.scheme}\0${e.hold!.thread.id}`);
    }
    if (e && pos.has(e)) cycles.push(path.slice(pos.get(e)));
    for (const p of path) done.add(p);
  }
  return cycles;
}

/** Same process, same locks (by value) and same threads: the same cycle seen by another scheme. */
function cycleKey(pairs: [UstThread, LockRef][]): string {
  const vpid = pairs[0]?.[1].vpid ?? -1;
  const locks = pairs.map(([, l]) => String(l.value)).sort();
  const threads = pairs.map(([t]) => t.id).sort((a, b) => a - b);
  return `${vpid}|${locks.join(',')}|${threads.join(',')}`;
}

function dedupe<T>(items: T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((x) => {
    const k = key(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface Deadlock {
  cycle: DeadlockCycle;
  /** Schemes that saw it (`pthread`, `calcjob`…). */
  sources: string[];
  /** Still deadlocked when the trace ended. */
  atEnd: boolean;
}

/** Every wait-for cycle that formed, the ones still there at the end first, then by time. */
export function deadlocks(tl: LockTimeline): Deadlock[] {
  const byKey = new Map<string, Deadlock>();
  for (const c of tl.cycles) {
    const key = `${cycleKey(c.links.map((l) => [l.thread, l.lock]))}|${c.resolved ? 'r' : 'open'}`;
    const d = byKey.get(key);
    if (d) {
      if (!d.sources.includes(c.scheme)) d.sources.push(c.scheme);
      continue;
    }
    byKey.set(key, { cycle: c, sources: [c.scheme], atEnd: c.resolved === undefined });
  }
  return [...byKey.values()].sort((a, b) => Number(b.atEnd) - Number(a.atEnd) || a.cycle.formed - b.cycle.formed);
}

export interface Inversion {
  scheme: string;
  sources: string[];
  /** The locks in cycle order: edges[i] goes from locks[i] to locks[(i+1) % n]. */
  locks: LockRef[];
  edges: OrderEdge[];
  /** Threads that made the acquisitions (one thread alone can still deadlock with a copy of itself). */
  threads: UstThread[];
  /** Locks held at every acquisition of every edge: a gate lock that serialises them (no deadlock possible). */
  guardedBy: LockRef[];
}

/** Cycles of the lock-order graph, per scheme, merged across schemes; unguarded ones first. */
export function lockOrderInversions(tl: LockTimeline, limit = 100): Inversion[] {
  const out: Inversion[] = [];
  const schemes = [...new Set([...tl.order.values()].map((e) => e.from.scheme))];
  for (const scheme of schemes) {
    const succ = new Map<number, number[]>();
    const edgeOf = new Map<string, OrderEdge>();
    for (const e of tl.order.values()) {
      if (e.from.scheme !== scheme || e.from === e.to) continue;
      const list = succ.get(e.from.index);
      if (list) list.push(e.to.index);
      else succ.set(e.from.index, [e.to.index]);
      edgeOf.set(`${e.from.index}>${e.to.index}`, e);
    }
    for (const nodes of simpleCycles(succ.keys(), (n) => succ.get(n) ?? [], limit)) {
      const edges = nodes.map((n, i) => edgeOf.get(`${n}>${nodes[(i + 1) % nodes.length]}`)!);
      const threads: UstThread[] = [];
      for (const e of edges) for (const t of e.threads) if (!threads.includes(t)) threads.push(t);
      let common: Set<number> | undefined;
      for (const e of edges) common = common ? new Set([...common].filter((g) => e.guards.has(g))) : new Set(e.guards);
      out.push({ scheme, sources: [scheme], locks: nodes.map((n) => tl.locks[n]!), edges, threads, guardedBy: [...(common ?? [])].map((g) => tl.locks[g]!) });
    }
  }
  const merged = new Map<string, Inversion>();
  for (const inv of out) {
    const key = `${inv.locks[0]?.vpid}|${inv.locks.map((l) => String(l.value)).join(',')}`;
    const m = merged.get(key);
    if (m) {
      if (!m.sources.includes(inv.scheme)) m.sources.push(inv.scheme);
    } else merged.set(key, inv);
  }
  return [...merged.values()].sort((a, b) => a.guardedBy.length - b.guardedBy.length || b.threads.length - a.threads.length);
}

/** Names locks known by name in one scheme (calcjob's `lock`) in the others (same process and address). */
export function shareLockNames(tl: LockTimeline): void {
  const names = new Map<string, string>();
  for (const l of tl.locks) if (l.name !== undefined) names.set(`${l.vpid}\0${l.value}`, l.name);
  for (const l of tl.locks) if (l.name === undefined && names.has(`${l.vpid}\0${l.value}`)) l.name = names.get(`${l.vpid}\0${l.value}`)!;
}

/** Resolves the sites (functions, source lines) of everything a report shows, in one batch, and names static locks. */
export function resolveSites(sites: WaitSite[], locks: LockRef[], resolver: SymbolResolver): void {
  resolver.resolveAll(sites.flatMap((s) => (s.location ? [s.location] : [])));
  for (const s of sites) {
    if (s.where) continue;
    if (s.location) s.where = resolver.get(s.location);
    else if (s.ip !== undefined) {
      const u = resolver.unmapped(s.ip);
      if (u.func !== '') s.where = u;
    }
  }
  for (const l of locks) {
    if (!l.home || l.homeName !== undefined) continue;
    const d = resolver.data(l.home);
    l.homeName = d.symbol !== undefined ? `${d.symbol} in ${l.home.binary.name}` : d.bin;
  }
}
