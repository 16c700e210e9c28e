import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceSet } from '../../ctf/trace-set.js';
import { CallstackAnalysis } from './callstack.js';
import { fakeEvents } from './fake-events.js';
import { foldedStacks, type FlameNode } from './flamegraph.js';
import { UstPass } from './pass.js';

const pass = () => new UstPass({ origin: 0n } as TraceSet);
const IN = 'lttng_ust_cyg_profile:func_entry';
const OUT = 'lttng_ust_cyg_profile:func_exit';

function byAddr(a: CallstackAnalysis): Record<number, [number, number, number]> {
  return Object.fromEntries(a.functionStats().map((s) => [s.fn.addr, [s.calls, s.total, s.self]]));
}

test('self and total time of nested calls', () => {
  const a = new CallstackAnalysis();
  pass().replay(
    fakeEvents(`
      0   1/1 ${IN} addr=0xa
      10  1/1 ${IN} addr=0xb
      30  1/1 ${OUT} addr=0xb
      40  1/1 ${IN} addr=0xb
      45  1/1 ${OUT} addr=0xb
      100 1/1 ${OUT} addr=0xa
    `),
    [a],
  );
  assert.deepEqual(byAddr(a), { 0xa: [1, 100, 75], 0xb: [2, 25, 25] });
  const [t] = a.threadCalls();
  assert.equal(t!.root.total, 100);
});

test('recursion counts the outermost call in total time, every call in self time', () => {
  const a = new CallstackAnalysis();
  pass().replay(
    fakeEvents(`
      0  1/1 ${IN} addr=0xa
      10 1/1 ${IN} addr=0xa
      20 1/1 ${OUT} addr=0xa
      50 1/1 ${OUT} addr=0xa
    `),
    [a],
  );
  assert.deepEqual(byAddr(a), { 0xa: [2, 50, 50] });
});

test('an exit deeper in the stack closes the calls above it; unknown exits are counted', () => {
  const a = new CallstackAnalysis();
  pass().replay(
    fakeEvents(`
      5  1/1 ${OUT} addr=0xf
      10 1/1 ${IN} addr=0xa
      20 1/1 ${IN} addr=0xb
      30 1/1 ${OUT} addr=0xc
      40 1/1 ${OUT} addr=0xa
      50 1/1 ${IN} addr=0xd
      60 1/1 p:other
    `),
    [a],
  );
  // 0xd is still open at the end: closed at its thread's last event (60).
  assert.deepEqual(byAddr(a), { 0xa: [1, 30, 10], 0xb: [1, 20, 20], 0xd: [1, 10, 10] });
  const [t] = a.threadCalls();
  assert.deepEqual([t!.unmatchedExits, t!.unwound, t!.truncated], [2, 1, 1]);
});

test('fast variant: exits close the innermost call; threads are separate; folded stacks', () => {
  const a = new CallstackAnalysis();
  const FIN = 'lttng_ust_cyg_profile_fast:func_entry';
  const FOUT = 'lttng_ust_cyg_profile_fast:func_exit';
  pass().replay(
    fakeEvents(`
      0  1/1 ${FIN} addr=0xa
      0  1/2 ${FIN} addr=0xa
      10 1/1 ${FIN} addr=0xb
      15 1/1 ${FOUT}
      20 1/1 ${FOUT}
      30 1/2 ${FOUT}
    `),
    [a],
  );
  assert.deepEqual(byAddr(a), { 0xa: [2, 50, 45], 0xb: [1, 5, 5] });
  const roots = a.threadCalls().map((t) => ({
    name: `t${t.thread.vtid}`,
    total: t.root.total,
    self: 0,
    calls: 1,
    children: [...t.root.children.values()].map(function conv(n): FlameNode {
      return { name: n.fn!.addr.toString(16), total: n.total, self: n.self, calls: n.calls, children: [...n.children.values()].map(conv) };
    }),
  }));
  assert.deepEqual(foldedStacks(roots), ['t1;a 15', 't1;a;b 5', 't2;a 30']);
});

test('--tid keeps one thread', () => {
  const a = new CallstackAnalysis({ tid: 2 });
  pass().replay(fakeEvents(`0 1/1 ${IN} addr=0xa\n1 1/2 ${IN} addr=0xb\n2 1/2 ${OUT} addr=0xb`), [a]);
  assert.deepEqual(Object.keys(byAddr(a)), [String(0xb)]);
});
