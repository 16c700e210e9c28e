/**
 * Oracle values from Trace Compass's own tests on the real traces they ship
 * (../shared/reference/tracecompass-kernel-model.md §6.3), checked through the CLI.
 * The small XML traces of §6.2 are re-encoded in src/analysis/kernel/model.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, tracePath } from '../src/testing/corpus.js';
import { tracelane } from '../src/testing/run.js';

const BUG446190 = 'tracecompass/bug446190';

interface SyscallJson {
  begin: number;
  end: number;
  total: Stat;
  syscalls: Stat[];
}

interface Stat {
  name: string;
  count: number;
  min_ns: number;
  mean_ns: number;
  max_ns: number;
  stdev_ns: number;
  total_ns: number;
}

/** Within half a unit of the last digit Trace Compass shows (`digits` after the unit's point). */
function near(actual: number, shown: number, unit: number, digits: number, what: string): void {
  const tol = (unit / 10 ** digits) * 0.5 + 1e-6;
  assert.ok(Math.abs(actual - shown * unit) <= tol, `${what}: ${actual} ns, Trace Compass shows ${shown}`);
}

const US = 1e3;
const MS = 1e6;
const S = 1e9;

test('bug446190: system call latency statistics (SystemCallLatencyStatisticsTableAnalysisTest)', corpusTest(), async () => {
  const r = await tracelane(['syscalls', '--json', tracePath(BUG446190)]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as SyscallJson;
  // Trace range 1412670961211260539 .. 1412670967217750839 (exact integers in our JSON).
  assert.match(r.stdout, /"begin":1412670961211260539,"end":1412670967217750839/);
  const t = doc.total;
  assert.equal(t.count, 1801, 'segment count (SyscallAnalysisTest)');
  assert.equal(doc.syscalls.length, 55, 'syscall types');
  near(t.min_ns, 1, US, 0, 'total min');
  near(t.max_ns, 5.904, S, 3, 'total max');
  near(t.mean_ns, 15.628, MS, 3, 'total mean');
  near(t.stdev_ns, 175.875, MS, 3, 'total stdev');
  near(t.total_ns, 28.146, S, 3, 'total');
  const by = new Map(doc.syscalls.map((s) => [s.name, s]));
  const select = by.get('select')!;
  assert.equal(select.count, 58);
  near(select.min_ns, 13.6, US, 1, 'select min');
  near(select.max_ns, 1.509, S, 3, 'select max');
  near(select.mean_ns, 192.251, MS, 3, 'select mean');
  near(select.stdev_ns, 386.369, MS, 3, 'select stdev');
  const poll = by.get('poll')!;
  assert.equal(poll.count, 2);
  near(poll.min_ns, 6.3, US, 1, 'poll min');
  near(poll.max_ns, 6.8, US, 1, 'poll max');
  const pipe = by.get('pipe')!;
  assert.equal(pipe.count, 2);
  near(pipe.min_ns, 27.9, US, 1, 'pipe min');
  near(pipe.max_ns, 29.7, US, 1, 'pipe max');
  const sta = by.get('set_tid_address')!;
  assert.equal(sta.count, 1);
  near(sta.min_ns, 2.3, US, 1, 'set_tid_address');
});

test('bug446190: weston (338) blocked at 1412670963793673139 is woken by kworker/u16:0 (6) (CriticalPathTest)', corpusTest(), async () => {
  // The critical path of weston, followed forward from 1412670963793647239, reaches
  // 1412670963793673139 and its next arrow leads to [kworker/u16:0,6]: weston blocks there and
  // kworker/u16:0 wakes it.
  const r = await tracelane(['blocking', '--json', '--tid', '338', tracePath(BUG446190)]);
  assert.equal(r.code, 0, r.stderr);
  const m = /\{"tid":338,"name":"weston","start_ns":1412670963793673139,[^}]*"woken_by":\{([^}]*)\}/.exec(r.stdout);
  assert.ok(m, 'a blocked interval of weston starts at 1412670963793673139');
  const waker = JSON.parse(`{${m[1]}}`) as { kind: string; tid: number; name: string };
  assert.equal(waker.kind, 'thread');
  assert.equal(waker.tid, 6);
  assert.equal(waker.name, 'kworker/u16:0');
});
