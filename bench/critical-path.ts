/**
 * Critical-path timings (`node dist/bench/critical-path.js [rounds]`): on the kernel traces of
 * the shared corpus, the time to build the execution graph from the kernel model, the critical
 * path over the whole trace of its main threads (named ones, and the three with most CPU time),
 * and (on the smaller traces) the slowest path over every thread of the trace. The kernel model itself (one pass over
 * the trace, shared with every kernel analysis) is timed apart. Best of N rounds, in process.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { criticalPath } from '../src/analysis/critical-path/index.js';
import { buildThreadGraph } from '../src/analysis/critical-path/model-graph.js';
import { analyzeKernel } from '../src/analysis/kernel/index.js';
import type { KernelModel } from '../src/analysis/kernel/model.js';
import { cpuTime } from '../src/analysis/kernel/queries.js';
import { TraceSet } from '../src/ctf/trace-set.js';
import { renderTable } from '../src/cli/table.js';
import { tracesDir } from '../src/testing/corpus.js';

/** `main`: threads timed by name; `sweep`: also time every thread's path (the slowest is shown). */
const TRACES: { rel: string; main: number[]; sweep: boolean }[] = [
  { rel: 'tracevizlab/wget-k-20180802-115043', main: [12243], sweep: true },
  { rel: 'tracevizlab/cat-kern-ust/cat-kernel', main: [], sweep: true },
  { rel: 'tracevizlab/simple-kernel', main: [], sweep: true },
  { rel: 'tracecompass/bug446190', main: [338, 340], sweep: true },
  { rel: 'tracecompass/many-threads', main: [], sweep: false },
];

function ms(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function best(rounds: number, f: () => void): number {
  let b = Infinity;
  for (let i = 0; i < rounds; i++) b = Math.min(b, ms(f));
  return b;
}

/** Rows of the named tids and of the three threads with most CPU time. */
function mainRows(model: KernelModel, tids: number[]): number[] {
  const rows = model.threads.filter((t) => tids.includes(t.tid)).map((t) => t.row);
  const busiest = model.threads
    .filter((t) => t.tid > 0)
    .map((t) => ({ row: t.row, cpu: cpuTime(model, t.row, model.start, model.end) }))
    .sort((a, b) => b.cpu - a.cpu)
    .slice(0, 3)
    .map((t) => t.row);
  return [...new Set([...rows, ...busiest])];
}

export function criticalPathBench(rounds = 3): string[] {
  const table: string[][] = [];
  for (const { rel, main, sweep } of TRACES) {
    const trace = join(tracesDir, rel);
    if (!existsSync(trace)) continue;
    let model: KernelModel | undefined;
    const modelMs = best(1, () => {
      model = analyzeKernel(TraceSet.open([trace])).model;
    });
    const m = model!;
    let vertices = 0;
    const graphMs = best(rounds, () => {
      vertices = buildThreadGraph(m).graph.vertexCount;
    });
    for (const row of mainRows(m, main)) {
      let segments = 0;
      const pathMs = best(rounds, () => {
        segments = criticalPath(m, row, m.start, m.end).segments.length;
      });
      const t = m.threads[row]!;
      table.push([rel, `${t.name} (${t.tid})`, String(m.threadStates.length), String(vertices), modelMs.toFixed(0), graphMs.toFixed(1), pathMs.toFixed(1), String(segments)]);
    }
    if (!sweep) continue;
    // Every thread once (the graph is cached after the first): the slowest and the total.
    let slowest = 0;
    let slowestName = '';
    const all = ms(() => {
      for (const t of m.threads) {
        const d = ms(() => criticalPath(m, t.row, m.start, m.end));
        if (d > slowest) {
          slowest = d;
          slowestName = `${t.name} (${t.tid})`;
        }
      }
    });
    table.push([rel, `slowest of all ${m.threads.length}: ${slowestName}`, '', '', '', '', slowest.toFixed(1), `all: ${all.toFixed(0)} ms`]);
  }
  return renderTable(
    [
      'trace',
      'thread',
      { title: 'intervals', align: 'right' },
      { title: 'vertices', align: 'right' },
      { title: 'model ms', align: 'right' },
      { title: 'graph ms', align: 'right' },
      { title: 'path ms', align: 'right' },
      { title: 'segments', align: 'right' },
    ],
    table,
  );
}

if (process.argv[1]?.endsWith('critical-path.js')) {
  const rounds = Number(process.argv[2] ?? 3) || 3;
  for (const line of criticalPathBench(rounds)) console.log(line);
  console.log(`(in process, best of ${rounds}; path = critical path over the whole trace + segments, summary and tree; model = one pass over the trace, once)`);
}
