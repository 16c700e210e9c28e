import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceSet } from '../../ctf/trace-set.js';
import { fakeEvents } from './fake-events.js';
import { kernelStatesFrom } from './kernel-states.js';
import { UstPass } from './pass.js';
import { detectPairs, SpanAnalysis } from './spans.js';

const pass = () => new UstPass({ origin: 0n } as TraceSet);

test('pairs are detected from *_begin/*_end, *_start/*_end and *_entry/*_exit names', () => {
  const names = [
    'calcjob:job_start',
    'calcjob:job_end',
    'calcjob:cond_wait_begin',
    'calcjob:cond_wait_end',
    'calcjob:lock_wait_begin',
    'lttng_ust_cyg_profile:func_entry',
    'lttng_ust_cyg_profile:func_exit',
    'lttng_ust_statedump:start',
    'lttng_ust_statedump:end',
    'p:x_begin',
    'p:x_start',
    'p:x_end',
    'irq_handler_entry',
    'irq_handler_exit',
  ];
  assert.deepEqual(detectPairs(names), [
    { begin: 'calcjob:cond_wait_begin', end: 'calcjob:cond_wait_end' },
    { begin: 'calcjob:job_start', end: 'calcjob:job_end' },
    { begin: 'lttng_ust_cyg_profile:func_entry', end: 'lttng_ust_cyg_profile:func_exit' },
    { begin: 'p:x_begin', end: 'p:x_end' },
  ]);
});

test('spans match per thread, innermost first, and count what stays unmatched', () => {
  const a = new SpanAnalysis([{ begin: 'p:a_begin', end: 'p:a_end' }], { top: 2 });
  pass().replay(
    fakeEvents(`
      5   1/11 p:a_end
      10  1/11 p:a_begin n=1
      20  1/12 p:a_begin n=2
      30  1/11 p:a_begin n=3
      35  1/11 p:a_end
      70  1/11 p:a_end
      100 1/12 p:a_end
      110 1/12 p:a_begin n=4
    `),
    [a],
  );
  const [r] = a.results();
  assert.ok(r);
  // Thread 11: 30→35 (5), 10→70 (60); thread 12: 20→100 (80).
  assert.deepEqual(r.stats, { count: 3, total: 145, min: 5, mean: 145 / 3, p99: 80, max: 80 });
  assert.equal(r.unmatchedEnds, 1);
  assert.equal(r.open, 1);
  assert.deepEqual(
    r.worst.map((w) => [w.begin, w.duration, w.fields['n']]),
    [
      [20, 80, 2],
      [10, 60, 1],
    ],
  );
  assert.deepEqual(
    r.groups.map((g) => [g.thread?.vtid, g.stats.count, g.stats.total]),
    [
      [12, 1, 80],
      [11, 2, 65],
    ],
  );
});

test('with a key, begin and end match across threads by the key value', () => {
  const a = new SpanAnalysis([{ begin: 'p:enqueue', end: 'p:done', key: 'id' }]);
  pass().replay(
    fakeEvents(`
      10 1/1 p:enqueue id=1
      11 1/1 p:enqueue id=2
      50 1/2 p:done id=2
      60 1/3 p:done id=1
      61 1/3 p:done
    `),
    [a],
  );
  const [r] = a.results();
  assert.ok(r);
  assert.equal(r.stats.count, 2);
  assert.equal(r.stats.total, 39 + 50);
  assert.equal(r.missingKey, 1);
  assert.equal(r.worst[0]!.thread.vtid, 1);
  assert.equal(r.worst[0]!.endThread.vtid, 3);
  assert.equal(r.worst[0]!.key, 1);
});

test('spans placed in kernel thread states', () => {
  const a = new SpanAnalysis([{ begin: 'p:a_begin', end: 'p:a_end' }], { keepSpans: true });
  pass().replay(fakeEvents('10 1/5 p:a_begin\n40 1/5 p:a_end'), [a]);
  const k = kernelStatesFrom(['running', 'blocked'], new Map([[5, [{ start: 0, end: 20, state: 'running' }, { start: 20, end: 100, state: 'blocked' }]]]));
  assert.deepEqual(a.results(k)[0]!.kernel, [
    { state: 'blocked', ns: 20 },
    { state: 'running', ns: 10 },
  ]);
});
