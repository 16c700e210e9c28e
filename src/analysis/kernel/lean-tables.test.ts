import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceSet } from '../../ctf/trace-set.js';
import { corpusTest, tracePath } from '../../testing/corpus.js';
import { analyzeKernel } from './index.js';
import { cpuTime, stateDurations, threadTotals, type SwitchCounts } from './queries.js';
import type { KernelModel } from './model.js';
import { ThreadState } from './states.js';
import { blockingReport, irqReport, schedReport, threadsReport } from './reports.js';

/** A report as plain data: threads by row (their objects also hold the model's state while reading), numbers as text (NaN stays NaN). */
function plain(report: unknown): unknown {
  return JSON.parse(
    JSON.stringify(report, (key, v: unknown) => {
      if (key === 'thread' && typeof v === 'object' && v !== null) return (v as { row: number }).row;
      if (ArrayBuffer.isView(v)) return Array.from(v as Float64Array, String);
      return typeof v === 'number' ? String(v) : v;
    }),
  );
}

/**
 * The switch counts walked on their own (what `switchCounts` computed before `threadTotals`
 * summed them with the state durations), as the reference `threadTotals` is checked against.
 */
function referenceSwitchCounts(model: KernelModel, row: number, t1: number, t2: number): SwitchCounts {
  const { start, end, state, aux, rowOffset } = model.threadStates;
  const lo = rowOffset[row]!;
  const hi = rowOffset[row + 1]!;
  let voluntary = 0;
  let involuntary = 0;
  let cpuChanges = 0;
  const cpus = new Set<number>();
  // The CPU added last: a thread's runs follow each other on one CPU, skip re-adding it.
  let added = -1;
  let lastCpu = -1;
  let prevOn = false;
  for (let i = lo; i < hi; i++) {
    const s = state[i]!;
    const cpu = aux[i]!;
    const on = cpu >= 0 && (s === ThreadState.RUN_USER || s === ThreadState.RUN_SYSCALL || s === ThreadState.INTERRUPTED);
    if (on) {
      const from = start[i]!;
      if (cpu !== added && end[i]! > t1 && from <= t2) {
        cpus.add(cpu);
        added = cpu;
      }
      // A new run (the previous interval was off-CPU) on another CPU than the previous run.
      if (!prevOn && lastCpu >= 0 && cpu !== lastCpu && from >= t1 && from <= t2) cpuChanges++;
      lastCpu = cpu;
    } else if (prevOn) {
      // An off-CPU interval right after an on-CPU one is a switch-out at its start.
      const t = start[i]!;
      if (t >= t1 && t <= t2) {
        if (s === ThreadState.WAIT_CPU) involuntary++;
        else voluntary++;
      }
    }
    prevOn = on;
  }
  return { voluntary, involuntary, cpuChanges, cpus: [...cpus].sort((a, b) => a - b) };
}

const TRACES = ['tracecompass/many-threads', 'tracecompass/bug446190', 'tracevizlab/cat-kern-ust/cat-kernel'];

// Reports that read neither CPU states nor the syscall table get a model without them: their
// results must not change.
for (const rel of TRACES) {
  test(`${rel}: a model without CPU states nor syscall rows gives the same thread, sched, blocking and irq reports`, corpusTest(), () => {
    const full = analyzeKernel(TraceSet.open([tracePath(rel)])).model;
    const lean = analyzeKernel(TraceSet.open([tracePath(rel)]), { cpuStates: false, syscallTable: false }).model;
    assert.ok(full.syscalls.length > 0, 'the trace has syscalls');
    assert.equal(lean.syscalls.length, 0);
    assert.equal(lean.cpuStates.length, lean.cpus.length, 'one "unknown" interval per CPU');
    // Without syscall rows, syscall arguments are not read: the same unfinished syscalls, no arguments.
    const u = lean.unfinishedSyscalls;
    const e = full.unfinishedSyscalls;
    assert.deepEqual([u.length, u.start, u.end, u.thread, u.id, u.ret], [e.length, e.start, e.end, e.thread, e.id, e.ret]);
    assert.ok(u.arg0.every(Number.isNaN) && u.arg1.every(Number.isNaN));
    assert.deepEqual(lean.threadStates, full.threadStates);
    const { start, end } = full;
    assert.deepEqual(plain(threadsReport(lean, start, end)), plain(threadsReport(full, start, end)));
    assert.deepEqual(plain(schedReport(lean, start, end)), plain(schedReport(full, start, end)));
    assert.deepEqual(plain(blockingReport(lean, start, end)), plain(blockingReport(full, start, end)));
    assert.deepEqual(plain(irqReport(lean, start, end)), plain(irqReport(full, start, end)));
  });
}

test('threadTotals: the same figures as stateDurations, cpuTime and switchCounts, over the whole trace and parts of it', corpusTest(), () => {
  for (const rel of TRACES) {
    const m = analyzeKernel(TraceSet.open([tracePath(rel)])).model;
    const d = m.end - m.start;
    const ranges: [number, number][] = [
      [m.start, m.end],
      [m.start + d / 3, m.start + d / 2],
      [m.start - 1, m.start + d / 7],
      [m.end - d / 5, m.end + 1],
    ];
    for (const t of m.threads) {
      for (const [a, b] of ranges) {
        const all = threadTotals(m, t.row, a, b);
        assert.deepEqual(all.states, stateDurations(m, t.row, a, b), `${rel} row ${t.row}`);
        assert.equal(all.cpuTime, cpuTime(m, t.row, a, b));
        const { voluntary, involuntary, cpuChanges, cpus } = all;
        assert.deepEqual({ voluntary, involuntary, cpuChanges, cpus }, referenceSwitchCounts(m, t.row, a, b));
      }
    }
  }
});
