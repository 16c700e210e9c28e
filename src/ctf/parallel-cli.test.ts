import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, tracePath } from '../testing/corpus.js';
import { tracelane } from '../testing/run.js';

// `events --output none --jobs 2` (worker threads) says exactly what the single thread says:
// the count, the discarded-events/packets warnings in the same order, the stream errors and the
// exit code (the per-stream counters behind the time-regression warning: parallel.test.ts).
const CASES: { rel: string; args: string[] }[] = [
  { rel: 'tracecompass/hello-lost', args: [] },
  { rel: 'babeltrace/ctf-traces/packet-seq-num/2-streams-lost-in-2', args: [] },
  { rel: 'babeltrace/ctf-traces/deterministic-ordering', args: [] },
  { rel: 'tracecompass/many-threads', args: ['--event', 'sched_*'] },
];

for (const { rel, args } of CASES) {
  test(`events --output none --jobs 2 ${args.join(' ')} on ${rel} equals one thread`, corpusTest(), async () => {
    const one = await tracelane(['events', '--output', 'none', '--jobs', '1', ...args, tracePath(rel)]);
    const two = await tracelane(['events', '--output', 'none', '--jobs', '2', ...args, tracePath(rel)]);
    assert.match(one.stdout, /^\d+ events\n$/);
    assert.equal(two.stdout, one.stdout);
    assert.equal(two.stderr, one.stderr);
    assert.equal(two.code, one.code);
  });
}

test('the warnings, errors and filters above are exercised', corpusTest(), async () => {
  const lost = await tracelane(['events', '--output', 'none', '--jobs', '2', tracePath(CASES[0]!.rel)]);
  assert.match(lost.stderr, /WARNING: Tracer discarded/);
  const bad = await tracelane(['events', '--output', 'none', '--jobs', '2', tracePath(CASES[2]!.rel)]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /tracelane: error: /);
  const all = await tracelane(['events', '--output', 'none', '--jobs', '2', tracePath(CASES[3]!.rel)]);
  const some = await tracelane(['events', '--output', 'none', '--jobs', '2', '--event', 'sched_*', tracePath(CASES[3]!.rel)]);
  assert.ok(parseInt(some.stdout, 10) < parseInt(all.stdout, 10));
});

test('--jobs above 1 with text output or a time/CPU/thread filter is a usage error', corpusTest(), async () => {
  const trace = tracePath('tracecompass/bug446190');
  for (const args of [['--jobs', '2'], ['--output', 'none', '--jobs', '2', '--cpu', '0'], ['--output', 'none', '--jobs', '0'], ['--output', 'none', '--jobs', 'two']]) {
    const r = await tracelane(['events', ...args, trace]);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, args.join(' '));
    assert.match(r.stderr, /--jobs/);
  }
});
