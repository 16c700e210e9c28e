/**
 * `tracelane deadlocks` and `tracelane waits` on recorded-here/c-pthread-wrapper (calcjob under
 * the pthread wrapper, with its own lock events too) against values recomputed here from
 * babeltrace2's text output (../src/testing/bt2-text.ts), by the rules the README states:
 *
 *   - a wait runs from a thread's request to its acquisition (or a failed acquisition);
 *   - asking for (or, without a traced request, acquiring) lock B while holding lock A is an edge
 *     A → B of the lock-order graph; a thread asking for a lock it already holds adds none;
 *   - the holder of a lock is its last acquirer until it releases it (recursion nests); another
 *     thread's acquisition makes that thread the holder (the release was not traced).
 *
 * calcjob takes its locks one at a time or always in the same order: no cycle, no deadlock.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseBt2Text, type Bt2Event } from '../src/testing/bt2-text.js';
import { corpusTest, repoRoot, tracePath } from '../src/testing/corpus.js';
import { babeltrace2, tracelane } from '../src/testing/run.js';

interface Scheme {
  name: string;
  req: string;
  acq: string;
  rel: string;
  trylock?: string;
  field: string;
  status?: string;
}

const SCHEMES: Scheme[] = [
  {
    name: 'pthread',
    req: 'lttng_ust_pthread:pthread_mutex_lock_req',
    acq: 'lttng_ust_pthread:pthread_mutex_lock_acq',
    rel: 'lttng_ust_pthread:pthread_mutex_unlock',
    trylock: 'lttng_ust_pthread:pthread_mutex_trylock',
    field: 'mutex',
    status: 'status',
  },
  { name: 'calcjob', req: 'calcjob:lock_wait_begin', acq: 'calcjob:lock_acquired', rel: 'calcjob:lock_release', field: 'addr' },
];

interface Wait {
  tid: number;
  lock: string;
  begin: bigint;
  /** undefined: still waiting at the end. */
  end?: bigint;
  outcome: string;
}

interface Hold {
  tid: number;
  lock: string;
  begin: bigint;
  end?: bigint;
}

interface Recomputed {
  edges: Map<string, { count: number; threads: Set<number> }>;
  waits: Wait[];
  holds: Hold[];
}

const hex = (v: string | number | undefined) => `0x${(v as number).toString(16)}`;

function recompute(events: (Bt2Event & { abs: bigint })[], s: Scheme): Recomputed {
  const held = new Map<number, Map<string, number>>();
  const pending = new Map<number, Wait>();
  const holder = new Map<string, { tid: number; depth: number; hold: Hold }>();
  const out: Recomputed = { edges: new Map(), waits: [], holds: [] };
  const edge = (from: string, to: string, tid: number) => {
    const k = `${from}>${to}`;
    const e = out.edges.get(k) ?? { count: 0, threads: new Set<number>() };
    e.count++;
    e.threads.add(tid);
    out.edges.set(k, e);
  };
  for (const e of events) {
    if (![s.req, s.acq, s.rel, s.trylock].includes(e.name)) continue;
    const tid = e.fields.get('vtid') as number;
    const lock = hex(e.fields.get(s.field));
    const mine = held.get(tid) ?? new Map<string, number>();
    held.set(tid, mine);
    const ok = !s.status || e.fields.get(s.status) === 0;
    if (e.name === s.req) {
      const prev = pending.get(tid);
      if (prev) {
        prev.end = e.abs;
        prev.outcome = 'failed';
      }
      if (!mine.has(lock)) for (const h of mine.keys()) edge(h, lock, tid);
      const w: Wait = { tid, lock, begin: e.abs, outcome: 'waiting' };
      out.waits.push(w);
      pending.set(tid, w);
    } else if (e.name === s.acq || e.name === s.trylock) {
      const w = pending.get(tid);
      const fromRequest = e.name === s.acq && w !== undefined && w.lock === lock;
      if (fromRequest) {
        pending.delete(tid);
        w.end = e.abs;
        w.outcome = ok ? 'acquired' : 'failed';
      }
      if (!ok) continue;
      if (e.name === s.acq && !fromRequest && !mine.has(lock)) for (const h of mine.keys()) edge(h, lock, tid);
      mine.set(lock, (mine.get(lock) ?? 0) + 1);
      const cur = holder.get(lock);
      if (cur && cur.tid === tid) cur.depth++;
      else {
        if (cur) cur.hold.end = e.abs;
        const hold: Hold = { tid, lock, begin: e.abs };
        out.holds.push(hold);
        holder.set(lock, { tid, depth: 1, hold });
      }
    } else {
      const d = mine.get(lock);
      if (d !== undefined) {
        if (d <= 1) mine.delete(lock);
        else mine.set(lock, d - 1);
      }
      const cur = holder.get(lock);
      if (cur && cur.tid === tid && --cur.depth === 0) {
        cur.hold.end = e.abs;
        holder.delete(lock);
      }
    }
  }
  return out;
}

/** Whether a directed graph (edges "a>b") has a cycle (depth-first search, three colours). */
function hasCycle(edges: Iterable<string>): boolean {
  const succ = new Map<string, string[]>();
  for (const k of edges) {
    const [a, b] = k.split('>') as [string, string];
    if (a === b) continue;
    succ.set(a, [...(succ.get(a) ?? []), b]);
  }
  const colour = new Map<string, number>();
  const visit = (n: string): boolean => {
    colour.set(n, 1);
    for (const m of succ.get(n) ?? []) {
      if (colour.get(m) === 1) return true;
      if (!colour.has(m) && visit(m)) return true;
    }
    colour.set(n, 2);
    return false;
  };
  return [...succ.keys()].some((n) => !colour.has(n) && visit(n));
}

/** JSON with the ns-since-epoch integers (beyond 2^53) kept as strings. */
function parseExact<T>(text: string): T {
  return JSON.parse(text.replace(/([:[,])(-?\d{16,})(?=[,\]}])/g, '$1"$2"')) as T;
}

interface JThread {
  vtid: number;
}
interface JLock {
  source: string;
  lock: string;
}
interface JEdge {
  held: JLock;
  acquired: JLock;
  count: number;
  threads: JThread[];
}
interface JWaitEdge {
  thread: JThread;
  waits_for: JLock;
  since: string;
  held_by: JThread | null;
}
interface DeadlocksDoc {
  sources: string[];
  deadlocks: unknown[];
  inversions: unknown[];
  lock_order: JEdge[];
  waiting_at_end: { waits: JWaitEdge[]; cycles: unknown[] };
  at?: { waits: JWaitEdge[]; cycles: unknown[] };
}
interface WaitsDoc {
  lock_waits: { thread: JThread; lock: JLock; begin: string; duration_ns: number; outcome: string }[];
  hung: { locks: unknown[] };
}

const TRACE = 'recorded-here/c-pthread-wrapper';

async function bt2Events(trace: string): Promise<(Bt2Event & { abs: bigint })[]> {
  const bt = await babeltrace2(['--clock-seconds', trace]);
  assert.equal(bt.code, 0, bt.stderr);
  const events = parseBt2Text(bt.stdout);
  // parseBt2Text gives times from the first event; the first line gives the origin.
  const first = /^\[(\d+)\.(\d{9})\]/m.exec(bt.stdout)!;
  const t0 = BigInt(first[1]!) * 1_000_000_000n + BigInt(first[2]!);
  return events.map((e) => ({ ...e, abs: t0 + BigInt(e.time) }));
}

test('deadlocks: the lock-order graph of calcjob equals the one recomputed from babeltrace2, and has no cycle', corpusTest(), async () => {
  const trace = tracePath(TRACE);
  const [events, ours] = await Promise.all([bt2Events(trace), tracelane(['deadlocks', trace, '--json', '--no-symbolize'])]);
  assert.equal(ours.code, 0, ours.stderr);
  const doc = parseExact<DeadlocksDoc>(ours.stdout);
  assert.deepEqual(doc.sources, ['pthread', 'calcjob']);
  let edges = 0;
  for (const s of SCHEMES) {
    const r = recompute(events, s);
    const mine = new Map(
      doc.lock_order.filter((e) => e.held.source === s.name).map((e) => [`${e.held.lock}>${e.acquired.lock}`, { count: e.count, threads: new Set(e.threads.map((t) => t.vtid)) }]),
    );
    assert.deepEqual(mine, r.edges, `${s.name}: lock-order edges, counts and threads`);
    assert.equal(hasCycle(r.edges.keys()), false, `${s.name}: calcjob has no lock-order cycle`);
    edges += r.edges.size;
    // Nobody waits at the end: every request was granted.
    assert.equal(r.waits.filter((w) => w.end === undefined).length, 0);
  }
  assert.ok(edges >= 5, `${edges} lock-order edges (calcjob nests its queue locks with the condition variable's own)`);
  assert.deepEqual(doc.deadlocks, []);
  assert.deepEqual(doc.inversions, []);
  assert.deepEqual(doc.waiting_at_end, { time: null, waits: [], cycles: [] } as unknown);
});

test('waits --min 0ns: every lock wait, as recomputed from babeltrace2', corpusTest(), async () => {
  const trace = tracePath(TRACE);
  const [events, ours] = await Promise.all([bt2Events(trace), tracelane(['waits', trace, '--json', '--no-symbolize', '--min', '0ns'])]);
  assert.equal(ours.code, 0, ours.stderr);
  const doc = parseExact<WaitsDoc>(ours.stdout);
  const key = (source: string, tid: number, lock: string, begin: bigint, d: number, outcome: string) => `${source} ${tid} ${lock} ${begin} ${d} ${outcome}`;
  const expected = SCHEMES.flatMap((s) => recompute(events, s).waits.map((w) => key(s.name, w.tid, w.lock, w.begin, Number(w.end! - w.begin), w.outcome)));
  const mine = doc.lock_waits.map((w) => key(w.lock.source, w.thread.vtid, w.lock.lock, BigInt(w.begin), w.duration_ns, w.outcome));
  assert.deepEqual(mine.sort(), expected.sort());
  assert.ok(expected.length > 500, `${expected.length} waits`);
  assert.deepEqual(doc.hung.locks, []);
  // Longest first.
  const d = doc.lock_waits.map((w) => w.duration_ns);
  assert.deepEqual(d, [...d].sort((a, b) => b - a));
});

test('deadlocks --at T: who waits for whom at T, as recomputed from babeltrace2', corpusTest(), async () => {
  const trace = tracePath(TRACE);
  const events = await bt2Events(trace);
  const per = SCHEMES.map((s) => ({ s, r: recompute(events, s) }));
  // The middles of the three longest waits of each scheme: times when someone surely waits.
  const times = per.flatMap(({ r }) =>
    [...r.waits]
      .sort((a, b) => Number(b.end! - b.begin - (a.end! - a.begin)))
      .slice(0, 3)
      .map((w) => w.begin + (w.end! - w.begin) / 2n),
  );
  let checked = 0;
  let held = 0;
  for (const t of times) {
    const ours = await tracelane(['deadlocks', trace, '--json', '--no-symbolize', '--at', String(t)]);
    assert.equal(ours.code, 0, ours.stderr);
    const at = parseExact<DeadlocksDoc>(ours.stdout).at!;
    const expected: string[] = [];
    for (const { s, r } of per) {
      for (const w of r.waits) {
        if (w.begin > t || (w.end !== undefined && w.end <= t)) continue;
        const h = r.holds.find((x) => x.lock === w.lock && x.begin <= t && (x.end === undefined || x.end > t));
        expected.push(`${s.name} ${w.tid} ${w.lock} ${w.begin} ${h && h.tid !== w.tid ? h.tid : '-'}`);
      }
    }
    const mine = at.waits.map((w) => `${w.waits_for.source} ${w.thread.vtid} ${w.waits_for.lock} ${w.since} ${w.held_by ? w.held_by.vtid : '-'}`);
    assert.deepEqual(mine.sort(), expected.sort(), `at ${t}`);
    assert.deepEqual(at.cycles, []);
    checked += expected.length;
    held += expected.filter((x) => !x.endsWith(' -')).length;
  }
  assert.ok(checked >= times.length, 'each chosen time has at least its own wait');
  assert.ok(held > 0, 'some waits at those times have a known holder');
});

test('calcjob (the demo trace, calcjob events only) shows no deadlock and no inversion', async () => {
  const ours = await tracelane(['deadlocks', join(repoRoot, 'examples', 'demo-trace'), '--json', '--no-symbolize']);
  assert.equal(ours.code, 0, ours.stderr);
  const doc = parseExact<DeadlocksDoc>(ours.stdout);
  assert.deepEqual([doc.deadlocks, doc.inversions], [[], []]);
  assert.ok(doc.lock_order.length === 0 || !hasCycle(doc.lock_order.map((e) => `${e.held.lock}>${e.acquired.lock}`)));
});
