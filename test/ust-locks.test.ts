/**
 * `tracelane locks` against numbers recomputed from babeltrace2's text output of the same
 * trace (../src/testing/bt2-text.ts), with the rules the README states: a wait runs from the
 * request to the acquisition by the same thread, a hold from the acquisition to the release by
 * the holder (recursive acquisitions nest), and a wait is contended when another thread
 * released the lock during it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, tracePath } from '../src/testing/corpus.js';
import { parseBt2Text, type Bt2Event } from '../src/testing/bt2-text.js';
import { babeltrace2, tracelane } from '../src/testing/run.js';

interface Expected {
  acquisitions: number;
  contended: number;
  waits: number[];
  holds: number[];
  byThread: Map<number, number>;
}

interface Names {
  req: string;
  acq: string;
  rel: string;
  field: string;
  status?: string;
}

function recompute(events: Bt2Event[], n: Names): Map<string, Expected> {
  const locks = new Map<string, Expected & { releases: number; holder?: number; depth: number; since: number; pending: Map<number, [number, number]> }>();
  for (const e of events) {
    if (e.name !== n.req && e.name !== n.acq && e.name !== n.rel) continue;
    const key = `0x${(e.fields.get(n.field) as number).toString(16)}`;
    let s = locks.get(key);
    if (!s) locks.set(key, (s = { acquisitions: 0, contended: 0, waits: [], holds: [], byThread: new Map(), releases: 0, depth: 0, since: 0, pending: new Map() }));
    const tid = e.fields.get('vtid') as number;
    if (e.name === n.req) {
      s.pending.set(tid, [e.time, s.releases]);
    } else if (e.name === n.acq) {
      if (n.status && e.fields.get(n.status) !== 0) {
        s.pending.delete(tid);
        continue;
      }
      s.acquisitions++;
      const p = s.pending.get(tid);
      if (p) {
        s.pending.delete(tid);
        const d = e.time - p[0];
        s.waits.push(d);
        if (s.releases > p[1]) s.contended++;
        s.byThread.set(tid, (s.byThread.get(tid) ?? 0) + d);
      }
      if (s.holder === tid && s.depth > 0) s.depth++;
      else {
        s.holder = tid;
        s.depth = 1;
        s.since = e.time;
      }
    } else {
      s.releases++;
      if (s.holder === tid && s.depth > 0 && --s.depth === 0) {
        s.holds.push(e.time - s.since);
        s.holder = undefined;
      }
    }
  }
  return locks;
}

interface OurStats {
  count: number;
  total_ns: number;
  max_ns: number;
  min_ns: number;
  p99_ns: number;
}

interface OurLock {
  source: string;
  lock: string;
  name: string | null;
  acquisitions: number;
  contended: number;
  wait: OurStats;
  hold: OurStats;
  waiters: { thread: { vtid: number }; total_ns: number }[];
  sites: { count: number; bin?: string }[];
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

function compare(ours: OurLock[], expected: Map<string, Expected>, source: string): number {
  const mine = ours.filter((l) => l.source === source);
  assert.deepEqual(mine.map((l) => l.lock).sort(), [...expected.keys()].sort(), `${source}: the same locks`);
  let waits = 0;
  for (const l of mine) {
    const e = expected.get(l.lock)!;
    const what = `${source} ${l.lock}`;
    assert.equal(l.acquisitions, e.acquisitions, `${what} acquisitions`);
    assert.equal(l.contended, e.contended, `${what} contended`);
    assert.deepEqual([l.wait.count, l.wait.total_ns, l.wait.max_ns], [e.waits.length, sum(e.waits), Math.max(0, ...e.waits)], `${what} waits`);
    assert.deepEqual([l.hold.count, l.hold.total_ns, l.hold.max_ns], [e.holds.length, sum(e.holds), Math.max(0, ...e.holds)], `${what} holds`);
    assert.deepEqual(new Map(l.waiters.map((w) => [w.thread.vtid, w.total_ns])), e.byThread, `${what} waiting threads`);
    assert.equal(sum(l.sites.map((s) => s.count)), e.waits.length, `${what} wait sites`);
    assert.ok(e.waits.every((d) => d >= 0) && e.holds.every((d) => d >= 0));
    waits += e.waits.length;
  }
  return waits;
}

test('locks of recorded-here/c-pthread-wrapper equal those recomputed from babeltrace2', corpusTest(), async () => {
  const trace = tracePath('recorded-here/c-pthread-wrapper');
  const [bt, ours] = await Promise.all([babeltrace2(['--clock-seconds', trace]), tracelane(['locks', trace, '--json', '--no-symbolize'])]);
  assert.equal(bt.code, 0, bt.stderr);
  assert.equal(ours.code, 0, ours.stderr);
  const events = parseBt2Text(bt.stdout);
  const doc = JSON.parse(ours.stdout) as { locks: OurLock[] };
  const pthread = recompute(events, {
    req: 'lttng_ust_pthread:pthread_mutex_lock_req',
    acq: 'lttng_ust_pthread:pthread_mutex_lock_acq',
    rel: 'lttng_ust_pthread:pthread_mutex_unlock',
    field: 'mutex',
    status: 'status',
  });
  assert.equal(pthread.size, 9);
  assert.ok(compare(doc.locks, pthread, 'pthread') > 300);
  const app = recompute(events, { req: 'calcjob:lock_wait_begin', acq: 'calcjob:lock_acquired', rel: 'calcjob:lock_release', field: 'addr' });
  assert.equal(compare(doc.locks, app, 'calcjob'), 205);
  // calcjob names its queues; the pthread mutex at the same address gets the name.
  const named = doc.locks.filter((l) => l.name !== null).map((l) => `${l.source} ${l.lock} ${l.name}`);
  assert.deepEqual(named.sort(), [
    'calcjob 0x560393c069c8 result_queue',
    'calcjob 0x560393c06a88 job_queue',
    'pthread 0x560393c069c8 result_queue',
    'pthread 0x560393c06a88 job_queue',
  ]);
});

test('wait sites are the request ip placed in the binary, as babeltrace2 --debug-info places it', corpusTest(), async () => {
  const trace = tracePath('recorded-here/c-pthread-wrapper');
  const [bt, ours] = await Promise.all([babeltrace2(['--debug-info', trace]), tracelane(['locks', trace, '--json', '--source', 'calcjob'])]);
  const sites = new Set([...bt.stdout.matchAll(/calcjob:lock_wait_begin: .*?bin = "([^"]*)"/g)].map((m) => m[1]));
  const doc = JSON.parse(ours.stdout) as { locks: OurLock[] };
  const ourSites = new Set(doc.locks.flatMap((l) => l.sites.map((s) => s.bin)));
  // babeltrace2 prints nothing for a binary missing from this machine; then compare offsets
  // with the ip and the statedump's load address ourselves.
  if ([...sites].some((s) => s !== '')) assert.deepEqual(ourSites, sites);
  else assert.deepEqual(ourSites, new Set(['calcjob+0x4536']));
});

test('locks --lock-events names any three events', corpusTest(), async () => {
  const trace = tracePath('recorded-here/c-pthread-wrapper');
  const r = await tracelane(['locks', trace, '--json', '--no-symbolize', '--lock-events', 'lock_wait_begin,lock_acquired,lock_release', '--lock-name-field', 'lock']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { locks: OurLock[] };
  assert.deepEqual(doc.locks.map((l) => [l.source, l.name, l.acquisitions]).sort(), [
    ['custom', 'job_queue', 85],
    ['custom', 'result_queue', 120],
  ]);
  const bad = await tracelane(['locks', trace, '--lock-events', 'a,b']);
  assert.equal(bad.code, 2);
});
