import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationStats, percentile, TopN } from './stats.js';

test('p99 is the nearest-rank percentile (an observed value)', () => {
  const v = Float64Array.from({ length: 200 }, (_, i) => i + 1);
  assert.equal(percentile(v, 99), 198);
  assert.equal(percentile(Float64Array.of(7), 99), 7);
  assert.equal(percentile(Float64Array.of(1, 2, 3), 50), 2);
  assert.equal(percentile(new Float64Array(0), 99), 0);
});

test('duration statistics', () => {
  assert.deepEqual(durationStats([30, 10, 20]), { count: 3, total: 60, min: 10, mean: 20, p99: 30, max: 30 });
  assert.equal(durationStats([]).count, 0);
});

test('TopN keeps the largest, earliest first among equals', () => {
  const t = new TopN<string>(2);
  t.add(5, 'a');
  t.add(9, 'b');
  t.add(5, 'c');
  t.add(9, 'd');
  assert.deepEqual(t.list(), ['b', 'd']);
  assert.equal(new TopN<number>(0).accepts(1), false);
});
