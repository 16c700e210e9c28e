/**
 * Two profiles side by side: every figure with its change in % and whether that is better or
 * worse, grouped in sections (the program, its threads, wakers, system calls, locks, spans), and
 * the largest changes of the main figures first. Pure: profiles in, a comparison out.
 *
 *   change = (after − before) / before × 100   (±∞ from 0; 0 when equal)
 *   verdict: |change| < threshold → same; else better / worse by the metric's direction
 *            (`changed` for metrics without one); `new` / `gone` when one side has no value
 */
import { matchThreads, type MatchMode, type ThreadPair } from './match.js';
import { familyFigures, idPart, programMetric, type Better, type Unit } from './metrics.js';
import type { LockProfile, Profile, WakerProfile } from './profile.js';

export type Verdict = 'better' | 'worse' | 'same' | 'changed' | 'new' | 'gone';

export interface MetricRow {
  id: string;
  label: string;
  unit: Unit;
  better: Better;
  before?: number;
  after?: number;
  /** % change; ±Infinity from 0; undefined when a side has no value. */
  change?: number;
  verdict: Verdict;
  /** One of the main figures: a candidate for the summary. */
  headline: boolean;
}

export interface RowGroup {
  /** '' for the program's own figures. */
  label: string;
  rows: MetricRow[];
}

export interface Section {
  id: string;
  title: string;
  groups: RowGroup[];
}

export interface CompareOptions {
  match?: MatchMode;
  /** Changes smaller than this (in %) are `same`. Default 5. */
  thresholdPct?: number;
  /** Changes in the summary. Default 5. */
  summarySize?: number;
}

export interface Comparison {
  match: MatchMode;
  thresholdPct: number;
  before: Profile;
  after: Profile;
  threads: ThreadPair[];
  /** Where the wall time comes from (undefined: not compared). */
  wallFrom?: 'kernel' | 'ust';
  sections: Section[];
  /** One line each: what could not be compared and why, lost events. */
  notes: string[];
  /** The largest changes (better or worse) of the main figures, largest first. */
  summary: MetricRow[];
}

/** Run-to-run noise of timings on a busy machine is several %: smaller changes are `same`. */
export const DEFAULT_THRESHOLD_PCT = 5;

export function changePct(before: number, after: number): number {
  if (before === after) return 0;
  if (before === 0) return after > 0 ? Infinity : -Infinity;
  return ((after - before) / Math.abs(before)) * 100;
}

export function verdictOf(better: Better, change: number | undefined, before: number | undefined, after: number | undefined, thresholdPct: number): Verdict {
  if (before === undefined) return 'new';
  if (after === undefined) return 'gone';
  if (change === undefined || Math.abs(change) < thresholdPct) return 'same';
  if (better === 'none') return 'changed';
  return (change < 0) === (better === 'lower') ? 'better' : 'worse';
}

/** How far apart the two values are, for ranking: |ln(after / before)| (∞ from 0). */
export function changeScore(r: MetricRow): number {
  if (r.before === undefined || r.after === undefined) return 0;
  if (r.before === r.after) return 0;
  if (r.before === 0 || r.after === 0) return Infinity;
  return Math.abs(Math.log(Math.abs(r.after / r.before)));
}

function value(v: number | undefined): number | undefined {
  return v === undefined || Number.isNaN(v) ? undefined : v;
}

class Builder {
  constructor(readonly thresholdPct: number) {}

  row(id: string, label: string, unit: Unit, better: Better, before: number | undefined, after: number | undefined, headline = false): MetricRow {
    const b = value(before);
    const a = value(after);
    const change = b !== undefined && a !== undefined ? changePct(b, a) : undefined;
    const r: MetricRow = { id, label, unit, better, verdict: verdictOf(better, change, b, a, this.thresholdPct), headline };
    if (b !== undefined) r.before = b;
    if (a !== undefined) r.after = a;
    if (change !== undefined) r.change = change;
    return r;
  }

  /** The rows of one thing of a family (`lock.job_queue.wait`…), from a value getter per figure. */
  family(family: string, name: string, get: (side: 0 | 1, figure: string) => number | undefined, headline: string[] = []): MetricRow[] {
    return familyFigures(family).map((f) => this.row(`${family}.${idPart(name)}.${f.id}`, f.label, f.unit, f.better, get(0, f.id), get(1, f.id), headline.includes(f.id)));
  }
}

/** `neither trace has kernel events`, `the before trace has no kernel events`. */
function lacking(a: boolean, b: boolean, what: string): string {
  return !a && !b ? `neither trace has ${what}` : `the ${!a ? 'before' : 'after'} trace has no ${what}`;
}

export function compareProfiles(before: Profile, after: Profile, opts: CompareOptions = {}): Comparison {
  const match = opts.match ?? 'name';
  const thresholdPct = opts.thresholdPct ?? DEFAULT_THRESHOLD_PCT;
  const b = new Builder(thresholdPct);
  const sides = [before, after] as const;
  const notes: string[] = [];
  const sections: Section[] = [];
  const threads = matchThreads(before.threads, after.threads, match);

  const bothKernel = before.kernel !== undefined && after.kernel !== undefined;
  const bothUst = before.ust !== undefined && after.ust !== undefined;
  const bothSyscalls = before.kernel?.syscalls !== undefined && after.kernel?.syscalls !== undefined;
  const bothLocks = before.ust?.locks !== undefined && after.ust?.locks !== undefined;
  const bothSpans = before.ust?.spans !== undefined && after.ust?.spans !== undefined;

  // ── the program ──
  const program: MetricRow[] = [];
  const add = (id: string, get: (p: Profile) => number | undefined) => {
    const d = programMetric(id);
    program.push(b.row(id, d.label, d.unit, d.better, get(before), get(after), true));
  };
  let wallFrom: Comparison['wallFrom'];
  if (bothKernel) {
    wallFrom = 'kernel';
    add('wall', (p) => p.kernel!.wall);
  } else if (bothUst) {
    wallFrom = 'ust';
    add('wall', (p) => p.ust!.wall);
    notes.push(`wall time: from the first to the last user-space event of the program (${lacking(before.kernel !== undefined, after.kernel !== undefined, 'kernel events')})`);
  } else {
    notes.push('wall time: not compared (one trace is kernel-only, the other user-space-only)');
  }
  if (bothKernel) {
    add('cpu', (p) => (p.kernel!.wall > 0 ? (100 * p.kernel!.cpuTime) / p.kernel!.wall : 0));
    add('cpu.time', (p) => p.kernel!.cpuTime);
    add('running', (p) => p.kernel!.running);
    add('wait_cpu', (p) => p.kernel!.waitCpu);
    add('blocked', (p) => p.kernel!.blocked);
    add('migrations', (p) => p.kernel!.migrations);
    add('sched.count', (p) => p.kernel!.sched.count);
    add('sched.p50', (p) => p.kernel!.sched.p50);
    add('sched.p99', (p) => p.kernel!.sched.p99);
  } else {
    notes.push(`${lacking(before.kernel !== undefined, after.kernel !== undefined, 'kernel events')}: CPU, thread states, scheduling latency, wakers, system calls and migrations are not compared`);
  }
  if (bothSyscalls) {
    add('syscalls', (p) => p.kernel!.syscalls!.all.count);
    add('syscalls.time', (p) => p.kernel!.syscalls!.all.total);
    add('syscalls.p99', (p) => p.kernel!.syscalls!.all.p99);
  } else if (bothKernel) {
    notes.push(`${lacking(before.kernel?.syscalls !== undefined, after.kernel?.syscalls !== undefined, 'system-call events')}: system calls are not compared`);
  }
  if (bothLocks) {
    const total = (p: Profile, f: (l: LockProfile) => number) => p.ust!.locks!.filter((l) => l.inTotals).reduce((s, l) => s + f(l), 0);
    add('lock.acquisitions', (p) => total(p, (l) => l.acquisitions));
    add('lock.contended', (p) => total(p, (l) => l.contended));
    add('lock.wait', (p) => total(p, (l) => l.wait.total));
    add('lock.hold', (p) => total(p, (l) => l.hold.total));
  } else {
    if (!bothUst) notes.push(`${lacking(before.ust !== undefined, after.ust !== undefined, 'user-space events')}: locks and spans are not compared`);
    else notes.push(`${lacking(before.ust?.locks !== undefined, after.ust?.locks !== undefined, 'lock events')}: locks are not compared`);
  }
  if (program.length > 0) sections.push({ id: 'program', title: 'The program', groups: [{ label: '', rows: program }] });

  // ── threads ──
  if (bothKernel || bothLocks) {
    const groups = threads.map((pair) => {
      const t = [pair.before, pair.after] as const;
      const get = (side: 0 | 1, figure: string): number | undefined => {
        const th = t[side];
        if (!th) return undefined;
        if (figure === 'lock.wait') return bothLocks ? (th.lockWait ?? 0) : undefined;
        const k = bothKernel ? th.kernel : undefined;
        if (!k) return undefined;
        const wall = sides[side].kernel!.wall;
        switch (figure) {
          case 'cpu':
            return k.cpuTime;
          case 'usage':
            return wall > 0 ? (100 * k.cpuTime) / wall : 0;
          case 'wait_cpu':
            return k.waitCpu;
          case 'blocked':
            return k.blocked;
          case 'migrations':
            return k.migrations;
          default:
            return undefined;
        }
      };
      const rows = b.family('thread', pair.label, get).filter((r) => r.before !== undefined || r.after !== undefined);
      return { label: pair.label, rows };
    });
    // The busiest threads first (by CPU time, else lock wait, on either side).
    const weight = (g: RowGroup) => Math.max(...g.rows.filter((r) => r.unit === 'ns' && (r.id.endsWith('.cpu') || !bothKernel)).flatMap((r) => [r.before ?? 0, r.after ?? 0]), 0);
    const shown = groups.filter((g) => g.rows.length > 0).map((g, i) => ({ g, i, w: weight(g) }));
    shown.sort((x, y) => y.w - x.w || x.i - y.i);
    sections.push({ id: 'threads', title: 'Threads', groups: shown.map((x) => x.g) });
  }

  // ── wakers ──
  if (bothKernel) {
    const key = (w: WakerProfile) => `${w.kind}\0${w.name}${match === 'tid' && w.tid !== undefined ? `\0${w.tid}` : ''}`;
    const merged = new Map<string, { label: string; v: [WakerProfile | undefined, WakerProfile | undefined] }>();
    sides.forEach((p, side) => {
      for (const w of p.kernel!.wakers) {
        const k = key(w);
        let e = merged.get(k);
        if (!e) merged.set(k, (e = { label: wakerLabel(w, match), v: [undefined, undefined] }));
        const prev = e.v[side];
        e.v[side] = prev ? { ...prev, count: prev.count + w.count, total: prev.total + w.total } : w;
      }
    });
    const groups = [...merged.values()]
      .sort((x, y) => Math.max(y.v[0]?.total ?? 0, y.v[1]?.total ?? 0) - Math.max(x.v[0]?.total ?? 0, x.v[1]?.total ?? 0) || (x.label < y.label ? -1 : 1))
      .map((e) => ({ label: e.label, rows: b.family('waker', e.label, (side, f) => (f === 'count' ? e.v[side]?.count : e.v[side]?.total)) }));
    sections.push({ id: 'wakers', title: 'Blocked time by waker', groups });
  }

  // ── system calls ──
  if (bothSyscalls) {
    const names = unionBy(sides.map((p) => p.kernel!.syscalls!.byName), (s) => s.name, (s) => s.total);
    const groups = names.map(([name, v]) => ({ label: name, rows: b.family('syscall', name, (side, f) => v[side]?.[f as 'count' | 'mean' | 'p99']) }));
    sections.push({ id: 'syscalls', title: 'System calls', groups });
  }

  // ── locks ──
  if (bothLocks) {
    const schemesOf = new Map<string, Set<string>>();
    for (const p of sides) for (const l of p.ust!.locks!) schemesOf.set(l.label, (schemesOf.get(l.label) ?? new Set()).add(l.scheme));
    const shared = (l: LockProfile) => schemesOf.get(l.label)!.size > 1;
    const locks = unionBy(sides.map((p) => p.ust!.locks!), (l) => `${l.scheme}\0${l.label}`, (l) => l.wait.total);
    const groups = locks.map(([, v]) => {
      const l = (v[0] ?? v[1])!;
      const label = shared(l) ? `${l.label} (${l.scheme})` : l.label;
      const name = shared(l) ? `${l.scheme}/${l.label}` : l.label;
      const get = (side: 0 | 1, f: string) => {
        const x = v[side];
        if (!x) return undefined;
        return f === 'wait' ? x.wait.total : f === 'wait.p99' ? x.wait.p99 : f === 'hold' ? x.hold.total : f === 'contended' ? x.contended : x.acquisitions;
      };
      return { label, rows: b.family('lock', name, get, ['wait', 'hold']) };
    });
    sections.push({ id: 'locks', title: 'Locks', groups });
  }

  // ── spans ──
  if (bothSpans) {
    const types = unionBy(sides.map((p) => p.ust!.spans!), (s) => s.type, (s) => s.total);
    const groups = types.map(([type, v]) => ({ label: type, rows: b.family('span', type, (side, f) => v[side]?.[f as 'count' | 'mean' | 'p99' | 'total'], ['mean']) }));
    sections.push({ id: 'spans', title: 'Spans', groups });
  } else if (bothUst) {
    notes.push(`${lacking(before.ust?.spans !== undefined, after.ust?.spans !== undefined, 'begin/end event pairs')}: spans are not compared`);
  }

  for (const [name, p] of [
    ['before', before],
    ['after', after],
  ] as const) {
    if (p.lost > 0) notes.push(`${name}: the tracer lost ${p.lost} events or packets; figures around the gaps may be off`);
  }

  const candidates = sections.flatMap((s) => s.groups.flatMap((g) => g.rows)).filter((r) => r.headline && (r.verdict === 'better' || r.verdict === 'worse'));
  const summary = candidates
    .map((r, i) => ({ r, i, s: changeScore(r) }))
    .sort((x, y) => y.s - x.s || x.i - y.i)
    .slice(0, opts.summarySize ?? 5)
    .map((x) => x.r);
  return { match, thresholdPct, before, after, threads, ...(wallFrom ? { wallFrom } : {}), sections, notes, summary };
}

/** Things of both sides by key, the largest (by `size`, either side) first. */
function unionBy<T>(lists: readonly (readonly T[])[], key: (t: T) => string, size: (t: T) => number): [string, [T | undefined, T | undefined]][] {
  const m = new Map<string, [T | undefined, T | undefined]>();
  lists.forEach((list, side) => {
    for (const t of list) {
      const k = key(t);
      let e = m.get(k);
      if (!e) m.set(k, (e = [undefined, undefined]));
      if (e[side] === undefined) e[side] = t;
    }
  });
  const biggest = (e: [T | undefined, T | undefined]) => Math.max(e[0] ? size(e[0]) : 0, e[1] ? size(e[1]) : 0);
  return [...m].sort(([ka, a], [kb, bb]) => biggest(bb) - biggest(a) || (ka < kb ? -1 : ka > kb ? 1 : 0));
}

/** `calcjob-mgr`, `IRQ 16 eth0`, `softirq TIMER`, `timer`, `not woken in the trace`. */
export function wakerLabel(w: WakerProfile, match: MatchMode): string {
  switch (w.kind) {
    case 'thread':
      return match === 'tid' && w.tid !== undefined ? `${w.name} (${w.tid})` : w.name;
    case 'irq':
      return `IRQ ${w.name}`;
    case 'ipi':
      return `IPI ${w.name}`;
    case 'softirq':
      return `softirq ${w.name}`;
    case 'timer':
      return 'timer';
    case 'none':
      return 'not woken in the trace';
    default:
      return 'unknown';
  }
}
