import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../util/errors.js';
import type { Comparison, MetricRow } from './compare.js';
import { evaluateGates, parseGate, worseThan } from './gate.js';
import { isDocumentedMetric } from './metrics.js';

test('METRIC:PCT, the percentage after the last colon', () => {
  assert.deepEqual(parseGate('wall:5'), { metric: 'wall', pct: 5, text: 'wall:5' });
  assert.deepEqual(parseGate('lock.wait:12.5%'), { metric: 'lock.wait', pct: 12.5, text: 'lock.wait:12.5%' });
  assert.equal(parseGate('span.calcjob:job.p99:20').metric, 'span.calcjob:job.p99');
  for (const bad of ['wall', 'wall:', ':5', 'wall:x', 'wall:-5', 'wall:5:']) {
    assert.throws(() => parseGate(bad), (e: unknown) => e instanceof UsageError && e.message.includes('METRIC:PCT'), bad);
  }
});

const r = (id: string, better: MetricRow['better'], before: number | undefined, after: number | undefined, change: number | undefined): MetricRow => ({
  id,
  label: id,
  unit: 'ns',
  better,
  ...(before !== undefined ? { before } : {}),
  ...(after !== undefined ? { after } : {}),
  ...(change !== undefined ? { change } : {}),
  verdict: 'same',
  headline: true,
});

const comparison = (metrics: MetricRow[]) => ({ sections: [{ id: 'program', title: '', groups: [{ label: '', rows: metrics }] }] }) as unknown as Comparison;

test('worse than allowed: up for lower-is-better figures, down for higher-is-better ones', () => {
  assert.equal(worseThan(r('wall', 'lower', 100, 111, 11), 10), true);
  assert.equal(worseThan(r('wall', 'lower', 100, 110, 10), 10), false);
  assert.equal(worseThan(r('wall', 'lower', 100, 50, -50), 0), false);
  assert.equal(worseThan(r('cpu', 'higher', 100, 80, -20), 10), true);
  assert.equal(worseThan(r('cpu', 'higher', 100, 180, 80), 10), false);
  assert.equal(worseThan(r('lock.wait', 'lower', 0, 3, Infinity), 1000), true);
  assert.equal(worseThan(r('x', 'lower', 3, 3, 0), 0), false);
});

test('gates: exact ids and globs; absent documented metrics check nothing; unknown ones are usage errors', () => {
  const c = comparison([
    r('wall', 'lower', 100, 90, -10),
    r('blocked', 'lower', 100, 150, 50),
    r('thread.w#1.blocked', 'lower', 10, 30, 200),
    r('thread.w#2.blocked', 'lower', 10, 10, 0),
    r('thread.w#3.blocked', 'lower', undefined, 10, undefined),
    r('lock.acquisitions', 'none', 10, 20, 100),
  ]);
  const res = evaluateGates([parseGate('wall:0'), parseGate('blocked:20'), parseGate('thread.*.blocked:100'), parseGate('lock.wait:5')], c);
  assert.deepEqual(
    res.map((g) => [g.gate.metric, g.checked.map((x) => x.id), g.failed.map((x) => x.id)]),
    [
      ['wall', ['wall'], []],
      ['blocked', ['blocked'], ['blocked']],
      // A thread only in one trace is not gated.
      ['thread.*.blocked', ['thread.w#1.blocked', 'thread.w#2.blocked'], ['thread.w#1.blocked']],
      // Documented, but these traces have no locks.
      ['lock.wait', [], []],
    ],
  );
  assert.throws(() => evaluateGates([parseGate('wal:5')], c), /no metric "wal"/);
  assert.throws(() => evaluateGates([parseGate('lock.acquisitions:5')], c), /no better or worse direction/);
});

test('documented metric ids', () => {
  for (const id of ['wall', 'cpu', 'sched.p99', 'lock.wait', 'thread.calcjob-w1.blocked', 'lock.job_queue.wait.p99', 'span.calcjob:job.mean', 'syscall.futex.count']) {
    assert.ok(isDocumentedMetric(id), id);
  }
  for (const id of ['wal', 'thread.blocked', 'lock.x.y', 'span..']) assert.ok(!isDocumentedMetric(id), id);
});
