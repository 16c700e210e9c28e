import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelStatesFrom, stateAt, stateBreakdown } from './kernel-states.js';

const k = kernelStatesFrom(
  ['running', 'preempted', 'blocked'],
  new Map([
    [
      5,
      [
        { start: 0, end: 10, state: 'running' },
        { start: 10, end: 25, state: 'blocked' },
        { start: 25, end: 30, state: 'preempted' },
        { start: 30, end: 50, state: 'running' },
      ],
    ],
  ]),
);

test('state of a thread at a time', () => {
  assert.equal(stateAt(k, 5, 0), 'running');
  assert.equal(stateAt(k, 5, 10), 'blocked');
  assert.equal(stateAt(k, 5, 29.5), 'preempted');
  assert.equal(stateAt(k, 5, 50), undefined);
  assert.equal(stateAt(k, 6, 1), undefined);
});

test('time per state over intervals, unknown where the kernel trace says nothing', () => {
  assert.deepEqual(
    stateBreakdown(k, [
      { tid: 5, begin: 5, end: 40 },
      { tid: 5, begin: 45, end: 60 },
      { tid: 7, begin: 0, end: 3 },
    ]),
    [
      { state: 'running', ns: 5 + 10 + 5 },
      { state: 'blocked', ns: 15 },
      { state: 'unknown', ns: 10 + 3 },
      { state: 'preempted', ns: 5 },
    ],
  );
});
