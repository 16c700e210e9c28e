import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchThreads } from './match.js';
import type { ThreadProfile } from './profile.js';

const t = (tid: number, name: string, first: number): ThreadProfile => ({ tid, pid: 1, name, first });

test('threads sharing a name are paired in order of appearance, whatever their tids', () => {
  const before = [t(30, 'worker', 20), t(10, 'main', 0), t(20, 'worker', 10), t(40, 'logger', 5)];
  const after = [t(7, 'worker', 12), t(5, 'main', 0), t(6, 'worker', 11), t(9, 'worker', 13), t(8, 'io', 1)];
  const pairs = matchThreads(before, after, 'name').map((p) => [p.label, p.before?.tid, p.after?.tid]);
  assert.deepEqual(pairs, [
    ['main', 10, 5],
    ['logger', 40, undefined],
    // First worker of one run ↔ first worker of the other.
    ['worker #1', 20, 6],
    ['worker #2', 30, 7],
    ['io', undefined, 8],
    ['worker #3', undefined, 9],
  ]);
});

test('--match tid pairs equal tids', () => {
  const pairs = matchThreads([t(1, 'a', 0), t(2, 'b', 1)], [t(2, 'b2', 0), t(3, 'c', 1)], 'tid').map((p) => [p.label, p.before?.name, p.after?.name]);
  assert.deepEqual(pairs, [
    ['a (1)', 'a', undefined],
    ['b (2)', 'b', 'b2'],
    ['c (3)', undefined, 'c'],
  ]);
});

test('equal appearance times are ordered by tid', () => {
  const pairs = matchThreads([t(9, 'w', 0), t(8, 'w', 0)], [t(3, 'w', 0), t(4, 'w', 0)], 'name').map((p) => [p.label, p.before?.tid, p.after?.tid]);
  assert.deepEqual(pairs, [
    ['w #1', 8, 3],
    ['w #2', 9, 4],
  ]);
});
