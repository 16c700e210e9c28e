/**
 * `tracelane critical-path` on real kernel traces: Trace Compass's own expectation on
 * bug446190 (weston's path leads to kworker/u16:0, CriticalPathTest.java, brief §6.3), where
 * wget's time went in the tracevizlab wget trace (disk while exec'ing, then DNS, connect and the
 * HTTP exchange over the network), the wait tree, and bad usage.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, tracePath } from '../src/testing/corpus.js';
import { tracelane } from '../src/testing/run.js';

interface ThreadJson {
  tid: number;
  pid: number;
  name: string;
}
interface TreeJson extends ThreadJson {
  waits: number;
  total_ns: number;
  own_ns: Record<string, number>;
  children: TreeJson[];
}
interface PathJson {
  begin: string;
  end: string;
  thread: ThreadJson;
  total_ns: number;
  segments: { start: string; end: string; duration_ns: number; tid: number; name: string; type: string; detail: string | null }[];
  handoffs: { from_time: string; to_time: string; from: ThreadJson; to: ThreadJson }[];
  by_thread: (ThreadJson & { duration_ns: number; pct: number })[];
  by_type: { type: string; duration_ns: number; pct: number }[];
  tree: TreeJson;
}

/** Parses our JSON keeping nanosecond timestamps (beyond 2^53) exact, as strings. */
function parseExact<T>(text: string): T {
  return JSON.parse(text.replace(/([:[,])(-?\d{16,})(?=[,\]}])/g, '$1"$2"')) as T;
}

async function pathJson(args: string[]): Promise<PathJson> {
  const r = await tracelane(['critical-path', ...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return parseExact<PathJson>(r.stdout);
}

const BUG446190 = 'tracecompass/bug446190';
const WGET = 'tracevizlab/wget-k-20180802-115043';

test('bug446190: the critical path of weston (338) leads to kworker/u16:0 (6), as Trace Compass tests', corpusTest(), async () => {
  const p = await pathJson([tracePath(BUG446190), '--tid', '338']);
  assert.deepEqual([p.thread.tid, p.thread.name], [338, 'weston']);
  // CriticalPathTest.java: from 1412670963793647239, following forward reaches 1412670963793673139,
  // and the next arrow leads to [kworker/u16:0,6].
  const next = p.handoffs.find((h) => BigInt(h.from_time) >= 1412670963793647239n)!;
  assert.equal(next.from_time, '1412670963793673139');
  assert.deepEqual([next.from.tid, next.to.tid, next.to.name], [338, 6, 'kworker/u16:0']);
  // The segments tile the path in time order, and the summary adds them up.
  for (let i = 1; i < p.segments.length; i++) assert.equal(p.segments[i]!.start, p.segments[i - 1]!.end, `segment ${i} starts where ${i - 1} ends`);
  const sum = p.segments.reduce((s, x) => s + x.duration_ns, 0);
  assert.equal(p.total_ns, sum);
  assert.equal(
    p.by_thread.reduce((s, x) => s + x.duration_ns, 0),
    sum,
  );
  assert.deepEqual(
    p.by_thread.map((t) => t.tid).sort((a, b) => a - b),
    [6, 338, 340],
  );
  // The tree: weston waited for weston-desktop- (340) and kworker/u16:0 (6).
  assert.deepEqual(p.tree.children.map((c) => c.tid).sort((a, b) => a - b), [6, 340]);
  const kworker = p.tree.children.find((c) => c.tid === 6)!;
  assert.ok(kworker.waits >= 2 && kworker.total_ns > 0, JSON.stringify(kworker));
});

test('wget: its time went to the disk while starting, then to DNS, connect and the HTTP exchange', corpusTest(), async () => {
  const p = await pathJson([tracePath(WGET), '--tid', '12243']);
  assert.equal(p.thread.name, 'wget');
  // Nothing it waited for was another thread: every wait ended in an interrupt.
  assert.equal(p.handoffs.length, 0);
  const share = Object.fromEntries(p.by_type.map((t) => [t.type, t.pct]));
  assert.equal(p.by_type[0]!.type, 'network');
  assert.ok(share['network']! > 70, JSON.stringify(share));
  assert.ok(share['block_device']! > 15, JSON.stringify(share));
  assert.ok(share['running']! < 5, JSON.stringify(share));
  // The main segments, in order: disk reads of exec (and a page fault), two DNS polls, connect,
  // the HTTP response.
  const waits = p.segments.filter((s) => s.duration_ns >= 500_000);
  assert.deepEqual(
    waits.map((s) => `${s.type} ${s.detail ?? ''}`),
    [
      'block_device execve, woken by BLOCK softirq',
      'block_device execve, woken by BLOCK softirq',
      'running ',
      'block_device woken by BLOCK softirq',
      'block_device read, woken by BLOCK softirq',
      'running ',
      'network poll, woken by NET_RX softirq',
      'network poll, woken by NET_RX softirq',
      'network connect, woken by NET_RX softirq',
      'network select, woken by NET_RX softirq',
      'network select, woken by NET_RX softirq',
    ],
  );
  const longest = p.segments.reduce((a, b) => (b.duration_ns > a.duration_ns ? b : a));
  assert.deepEqual([longest.start, longest.duration_ns, longest.type], ['1533225044207912452', 171560151, 'network']);
});

test('critical-path --tree and the human report', corpusTest(), async () => {
  const r = await tracelane(['critical-path', tracePath(BUG446190), '--tid', '338', '--tree']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Critical path of weston \(338\): 5\.979 s, \d+ segments, 14 hand-offs between threads$/m);
  assert.match(r.stdout, /^weston \(338\) {2}5\.979 s: blocked /m);
  assert.match(r.stdout, /^[├└]─ kworker\/u16:0 \(6\) {2}5 waits, /m);
  assert.match(r.stdout, /^Time per state\n/m);
  const plain = await tracelane(['critical-path', tracePath(BUG446190), '--tid', '338', '--begin', '1412670963793600000', '--end', '1412670963794000000']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^08:36:03\.793673139 +247\.6 µs +kworker\/u16:0 \(6\) +irq +woken by IRQ 151 RGX$/m);
});

test('critical-path: bad usage is one line and exit code 2; an unknown thread exit code 1', corpusTest(), async () => {
  const noTid = await tracelane(['critical-path', tracePath(BUG446190)]);
  assert.equal(noTid.code, 2);
  assert.equal(noTid.stderr.trim().split('\n').length, 1, noTid.stderr);
  assert.match(noTid.stderr, /--tid/);
  const unknown = await tracelane(['critical-path', tracePath(BUG446190), '--tid', '999999']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no thread 999999/);
});
