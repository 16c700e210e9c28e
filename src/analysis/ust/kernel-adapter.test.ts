import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntervalTable } from '../../store/interval-table.js';
import type { KernelModel } from '../kernel/model.js';
import { ThreadState } from '../kernel/states.js';
import { kernelThreadStates } from './kernel-adapter.js';
import { stateBreakdown } from './kernel-states.js';

test("the kernel model's thread rows, per tid (a reused tid joins its rows)", () => {
  // Rows: 0 = tid 10 (0–100), 1 = tid 11, 2 = tid 10 again (200–300), 3 = an idle thread.
  const table = new IntervalTable(
    Int32Array.of(0, 2, 3, 4, 5),
    Float64Array.of(0, 50, 0, 200, 0),
    Float64Array.of(50, 100, 300, 300, 300),
    Uint8Array.of(ThreadState.RUN_USER, ThreadState.WAIT_BLOCKED, ThreadState.RUN_USER, ThreadState.WAIT_CPU, ThreadState.RUN_USER),
    new Int32Array(5),
    new Int32Array(5),
    300,
  );
  const threads = [
    { row: 0, tid: 10, idleCpu: -1 },
    { row: 1, tid: 11, idleCpu: -1 },
    { row: 2, tid: 10, idleCpu: -1 },
    { row: 3, tid: 0, idleCpu: 0 },
  ];
  const k = kernelThreadStates({ threadStates: table, threads } as unknown as KernelModel);
  assert.equal(k.forTid(10)?.length, 3);
  assert.equal(k.forTid(0), undefined);
  assert.deepEqual(stateBreakdown(k, [{ tid: 10, begin: 40, end: 250 }]), [
    { state: 'unknown', ns: 100 },
    { state: 'blocked', ns: 50 },
    { state: 'wait_cpu', ns: 50 },
    { state: 'usermode', ns: 10 },
  ]);
});
