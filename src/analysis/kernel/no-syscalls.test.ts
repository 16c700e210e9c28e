import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceSet } from '../../ctf/trace-set.js';
import { corpusTest, tracePath } from '../../testing/corpus.js';
import { analyzeKernel } from './index.js';
import { cpuReport } from './reports.js';
import { ThreadState } from './states.js';

// `tracelane cpu` reads the trace without syscalls: its report must not change.
// (No perf trace of the corpus records syscalls; bench/perf-xz does, and its `cpu` report is unchanged.)
for (const rel of ['tracecompass/many-threads', 'tracecompass/bug446190', 'tracevizlab/cat-kern-ust/cat-kernel']) {
  test(`${rel}: the model without syscalls gives the same CPU usage as the full model`, corpusTest(), () => {
    const full = analyzeKernel(TraceSet.open([tracePath(rel)])).model;
    const lean = analyzeKernel(TraceSet.open([tracePath(rel)]), { syscalls: false }).model;
    assert.ok(full.syscalls.length > 0, 'the trace has syscalls');
    assert.equal(lean.syscalls.length, 0);
    assert.equal(lean.unfinishedSyscalls.length, 0);
    assert.ok(!lean.threadStates.state.includes(ThreadState.RUN_SYSCALL));
    assert.ok(lean.threadStates.length < full.threadStates.length);
    assert.equal(lean.start, full.start);
    assert.equal(lean.end, full.end);
    assert.deepEqual(cpuReport(lean, lean.start, lean.end, 40), cpuReport(full, full.start, full.end, 40));
  });
}
