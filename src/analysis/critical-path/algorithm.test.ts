/**
 * The critical-path algorithm on Trace Compass's hand-built test graphs (GraphFactory.java in
 * analysis.graph.core.tests, checked there by TmfCriticalPathAlgoBoundedTest): each graph is
 * re-encoded in our graph fixture notation, with its expected bounded critical path
 * (`criticalPathBounded()`) written as the path's steps in time order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeCriticalPath } from './algorithm.js';
import { graphOf, pathText } from './graph-fixture.js';
import { EdgeType, ExecGraphBuilder } from './graph.js';

function criticalPathOf(graphText: string, worker = 'A0', end = Infinity): string[] {
  const f = graphOf(graphText);
  return pathText(computeCriticalPath(f.graph, f.head(worker), end), f.names);
}

const CASES: { name: string; graph: string; expected: string[] }[] = [
  {
    name: 'basic',
    graph: 'A0: 0 -R- 1',
    expected: ['A0 0-1 R'],
  },
  {
    // The timer's vertical edge on the same worker relabels the blocked edge.
    name: 'wakeup_self',
    graph: `
      A0: 0 -R- 1 -R- 2 -B- 3 -R- 4
      A0@1 -T-> A0@3`,
    expected: ['A0 0-1 R', 'A0 1-2 R', 'A0 2-3 T', 'A0 3-4 R'],
  },
  {
    name: 'wakeup_missing',
    graph: 'A0: 0 -R- 2 -B- 4 -R- 6',
    expected: ['A0 0-2 R', 'A0 2-4 B', 'A0 4-6 R'],
  },
  {
    // A network edge from a worker with nothing before: the gap is unknown.
    name: 'wakeup_unknown',
    graph: `
      A0: 0 -R- 2 -B- 4 -R- 6
      A1: 3
      A1@3 -N-> A0@4`,
    expected: ['A0 0-2 R', 'A0@2 > A1@2', 'A1 2-3 U', 'A1@3 >N A0@4', 'A0 4-6 R'],
  },
  {
    name: 'wakeup_new',
    graph: `
      A0: 0 -R- 2 -R- 4 -B- 6 -R- 8
      A1: 3 -R- 6
      A0@2 -> A1@3
      A1@6 -> A0@6`,
    expected: ['A0 0-2 R', 'A0 2-4 R', 'A0@4 > A1@4', 'A1 4-6 R', 'A1@6 > A0@6', 'A0 6-8 R'],
  },
  {
    name: 'opened',
    graph: `
      A0: 0 -R- 3 -B- 6 -R- 9
      A1: 0 -R- 6 -R- 9
      A1@6 -> A0@6`,
    expected: ['A0 0-3 R', 'A0@3 > A1@3', 'A1 3-6 R', 'A1@6 > A0@6', 'A0 6-9 R'],
  },
  {
    // The waker's vertex lies before the wait: the shortcut, a hand-off across the gap.
    name: 'opened (delay)',
    graph: `
      A0: 0 -R- 3 -B- 6 -R- 9
      A1: 0 -R- 2 -R- 5
      A1@2 -> A0@6`,
    expected: ['A0 0-3 R', 'A0@3 > A1@3', 'A1@3 > A0@6', 'A0 6-9 R'],
  },
  {
    name: 'wakeup_mutual',
    graph: `
      A0: 0 -R- 1 -R- 2 -R- 3 -B- 4 -R- 5
      A1: 0 -R- 1 -B- 2 -R- 3 -R- 4 -R- 5
      A0@2 -> A1@2
      A1@4 -> A0@4`,
    expected: ['A0 0-1 R', 'A0 1-2 R', 'A0 2-3 R', 'A0@3 > A1@3', 'A1 3-4 R', 'A1@4 > A0@4', 'A0 4-5 R'],
  },
  {
    name: 'wakeup_embeded',
    graph: `
      A0: 0 -R- 2 -R- 4 -R- 6 -B- 8 -B- 10 -R- 12
      A1: 4 -R- 8
      A2: 2 -R- 10
      A0@2 -> A2@2
      A0@4 -> A1@4
      A1@8 -> A0@8
      A2@10 -> A0@10`,
    expected: ['A0 0-2 R', 'A0 2-4 R', 'A0 4-6 R', 'A0@6 > A1@6', 'A1 6-8 R', 'A1@8 > A0@8', 'A0@8 > A2@8', 'A2 8-10 R', 'A2@10 > A0@10', 'A0 10-12 R'],
  },
  {
    name: 'wakeup_interleave',
    graph: `
      A0: 0 -R- 2 -R- 4 -R- 6 -B- 8 -B- 10 -R- 12
      A1: 2 -R- 8
      A2: 4 -R- 10
      A0@2 -> A1@2
      A0@4 -> A2@4
      A1@8 -> A0@8
      A2@10 -> A0@10`,
    expected: ['A0 0-2 R', 'A0 2-4 R', 'A0 4-6 R', 'A0@6 > A1@6', 'A1 6-8 R', 'A1@8 > A0@8', 'A0@8 > A2@8', 'A2 8-10 R', 'A2@10 > A0@10', 'A0 10-12 R'],
  },
  {
    // Nested waits: every running stretch stays, the blocked edges become hand-offs.
    name: 'wakeup_nested',
    graph: `
      A0: 0 -R- 1 -B- 6 -R- 7
      A1: 1 -R- 2 -B- 5 -R- 6
      A2: 2 -R- 3 -B- 4 -R- 5
      A3: 3 -R- 4
      A0@1 -> A1@1
      A1@2 -> A2@2
      A2@3 -> A3@3
      A3@4 -> A2@4
      A2@5 -> A1@5
      A1@6 -> A0@6`,
    expected: [
      'A0 0-1 R',
      'A0@1 > A1@1',
      'A1 1-2 R',
      'A1@2 > A2@2',
      'A2 2-3 R',
      'A2@3 > A3@3',
      'A3 3-4 R',
      'A3@4 > A2@4',
      'A2 4-5 R',
      'A2@5 > A1@5',
      'A1 5-6 R',
      'A1@6 > A0@6',
      'A0 6-7 R',
    ],
  },
  {
    // Network messages between three other workers before the one that wakes A0.
    name: 'wakeup_net1',
    graph: `
      A0: 0 -R- 1 -B- 11 -R- 12
      A1: 3 -R- 4 -R- 5
      A2: 6 -R- 7 -R- 8
      A3: 9 -R- 10 -R- 11
      A1@4 -N-> A2@7
      A2@8 -N-> A3@10
      A3@11 -> A0@11`,
    expected: ['A0 0-1 R', 'A0@1 > A1@1', 'A1 1-3 U', 'A1 3-4 R', 'A1@4 >N A2@7', 'A2 7-8 R', 'A2@8 >N A3@10', 'A3 10-11 R', 'A3@11 > A0@11', 'A0 11-12 R'],
  },
];

for (const c of CASES) {
  test(`Trace Compass GraphFactory "${c.name}": bounded critical path`, () => {
    assert.deepEqual(criticalPathOf(c.graph), c.expected);
  });
}

test('findIncoming walks forwards over zero-duration edges (TC HEAD re-tests the first vertex)', () => {
  // The wakeup's vertex is a second vertex at the blocked edge's end time.
  const path = criticalPathOf(`
    A0: 0 -R- 2 -B- 4 -E- 4 -R- 6
    A1: 0 -R- 4
    A1@4 -> A0@4`);
  assert.deepEqual(path, ['A0 0-2 R', 'A0@2 > A1@2', 'A1 2-4 R', 'A1@4 > A0@4', 'A0 4-6 R']);
});

test('a dead end on the waker chain falls back to the latest vertical edge into it', () => {
  // A1 ran from 3 (forked by A2 at 3) and woke A0 at 8; A1 has nothing before 3: its parent explains it.
  const path = criticalPathOf(`
    A0: 0 -R- 2 -B- 8 -R- 9
    A1: 3 -R- 8
    A2: 0 -R- 3 -R- 9
    A2@3 -> A1@3
    A1@8 -> A0@8`);
  assert.deepEqual(path, ['A0 0-2 R', 'A0@2 > A2@2', 'A2 2-3 R', 'A2@3 > A1@3', 'A1 3-8 R', 'A1@8 > A0@8', 'A0 8-9 R']);
});

test('an unexplained network wait on the waker chain stays on the path', () => {
  const path = criticalPathOf(`
    A0: 0 -R- 1 -B- 8 -R- 9
    A1: 0 -N- 5 -R- 8
    A1@8 -> A0@8`);
  assert.deepEqual(path, ['A0 0-1 R', 'A0@1 > A1@1', 'A1 1-5 N', 'A1 5-8 R', 'A1@8 > A0@8', 'A0 8-9 R']);
});

test('chains of nested waits 20 000 deep do not overflow the stack (a recursive walk would)', () => {
  // Worker k runs from k, blocks from k + 0.5 until worker k + 1 wakes it at 2N - k: N nested
  // windows. Built directly (the text fixture is slow at this size).
  const N = 20_000;
  const b = new ExecGraphBuilder();
  const wake: number[] = [];
  const woken: number[] = [];
  for (let k = 0; k <= N; k++) {
    b.startWorker();
    b.vertex(k);
    b.append(k + 0.5, EdgeType.RUNNING);
    if (k === N) {
      wake[k] = b.tail;
      continue;
    }
    woken[k] = b.append(2 * N - k, EdgeType.BLOCKED);
    wake[k] = b.append(2 * N - k + 0.25, EdgeType.RUNNING);
  }
  for (let k = 0; k < N; k++) b.vertical(wake[k + 1]!, woken[k]!);
  const names = Array.from({ length: N + 1 }, (_, k) => `W${k}`);
  const path = pathText(computeCriticalPath(b.finish(), 0), names);
  assert.equal(path[0], 'W0 0-0.5 R');
  assert.equal(path.at(-1), `W0 ${2 * N}-${2 * N + 0.25} R`);
  assert.ok(path.includes(`W${N} ${N}-${N + 0.5} R`), 'the innermost worker is on the path');
});

test('the end time stops the walk after the edge that crosses it', () => {
  assert.deepEqual(criticalPathOf('A0: 0 -R- 2 -P- 4 -R- 6', 'A0', 3), ['A0 0-2 R', 'A0 2-4 P']);
});
