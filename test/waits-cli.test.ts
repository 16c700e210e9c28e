/**
 * `tracelane waits` and `tracelane deadlocks` on a kernel-only trace (tracevizlab/wget-k…/kernel:
 * LTTng 2.10 with syscall arguments) and on bad arguments. The thresholds are checked against the
 * blocked intervals `tracelane blocking` lists for the same threads: with `--min`, every blocked
 * interval at least that long and only those; by default, per thread, those at or above the
 * larger of 1 ms and the thread's 99.9th percentile (nearest rank, recomputed here).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { nearestRank } from '../src/testing/bt2-text.js';
import { corpusTest, repoRoot, tracePath } from '../src/testing/corpus.js';
import { tracelane } from '../src/testing/run.js';

const TRACE = 'tracevizlab/wget-k-20180802-115043/kernel';

interface Blocked {
  tid: number;
  start_ns: string;
  duration_ns: number;
  syscall: string | null;
}
interface KernelWait {
  tid: number;
  begin: string;
  duration_ns: number;
  threshold_ns: number;
  syscall: string | null;
  futex: { uaddr: string; wait: boolean } | null;
}

function parseExact<T>(text: string): T {
  return JSON.parse(text.replace(/([:[,])(-?\d{16,})(?=[,\]}])/g, '$1"$2"')) as T;
}

test('waits on a kernel trace: the blocked intervals over the threshold, as tracelane blocking lists them', corpusTest(), async () => {
  const trace = tracePath(TRACE);
  const [blocking, fixed, dflt] = await Promise.all([
    tracelane(['blocking', trace, '--json']),
    tracelane(['waits', trace, '--json', '--min', '50ms']),
    tracelane(['waits', trace, '--json']),
  ]);
  for (const r of [blocking, fixed, dflt]) assert.equal(r.code, 0, r.stderr);
  const all = parseExact<{ intervals: Blocked[] }>(blocking.stdout).intervals.filter((b) => b.tid !== 0);
  const key = (tid: number, begin: string, d: number) => `${tid} ${begin} ${d}`;
  const f = parseExact<{ kernel_waits: KernelWait[] }>(fixed.stdout).kernel_waits;
  assert.deepEqual(
    f.map((w) => key(w.tid, w.begin, w.duration_ns)).sort(),
    all.filter((b) => b.duration_ns >= 50e6).map((b) => key(b.tid, b.start_ns, b.duration_ns)).sort(),
  );
  assert.ok(f.length > 10);
  const byTid = new Map<number, number[]>();
  for (const b of all) byTid.set(b.tid, [...(byTid.get(b.tid) ?? []), b.duration_ns]);
  const limit = (tid: number) => Math.max(1e6, nearestRank(byTid.get(tid)!, 99.9));
  const d = parseExact<{ kernel_waits: KernelWait[] }>(dflt.stdout).kernel_waits;
  assert.deepEqual(
    d.map((w) => key(w.tid, w.begin, w.duration_ns)).sort(),
    all.filter((b) => b.duration_ns >= limit(b.tid)).map((b) => key(b.tid, b.start_ns, b.duration_ns)).sort(),
  );
  for (const w of d) assert.equal(w.threshold_ns, limit(w.tid));
  // LTTng recorded futex's arguments: the futex waits name their word.
  assert.ok(d.some((w) => w.syscall === 'futex' && w.futex?.wait === true));
});

test('deadlocks on a kernel trace: threads in futex waits at the end, no lock events, no cycles', corpusTest(), async () => {
  const r = await tracelane(['deadlocks', tracePath(TRACE), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = parseExact<{ sources: string[]; deadlocks: unknown[]; futex_waiting_at_end: { tid: number; uaddr: string }[] }>(r.stdout);
  assert.deepEqual([doc.sources, doc.deadlocks], [[], []]);
  const w = await tracelane(['waits', tracePath(TRACE), '--json']);
  const hung = parseExact<{ hung: { kernel: { tid: number; syscall: { name: string; arg0: number | null } | null }[] } }>(w.stdout).hung.kernel;
  // Every thread deadlocks lists in futex is one waits lists as hung in futex on the same word.
  const inFutex = hung.filter((h) => h.syscall?.name === 'futex').map((h) => `${h.tid} 0x${h.syscall!.arg0!.toString(16)}`);
  assert.ok(doc.futex_waiting_at_end.length > 0);
  for (const f of doc.futex_waiting_at_end) assert.ok(inFutex.includes(`${f.tid} ${f.uaddr}`), `${f.tid} ${f.uaddr}`);
});

test('bad arguments: one line, exit code 2', async () => {
  const demo = join(repoRoot, 'examples', 'demo-trace');
  for (const args of [
    ['waits', demo, '--min', '10 parsecs'],
    ['waits', demo, '--limit', 'x'],
    ['deadlocks', demo, '--at', 'noon'],
    ['deadlocks', demo, '--limit', 'many'],
  ]) {
    const r = await tracelane(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});
