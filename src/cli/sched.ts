/**
 * `tracelane sched`: scheduling latency, from a thread's wakeup (the first of `sched_waking`,
 * `sched_wakeup`, `sched_wakeup_new` after it left the CPU) to its switch-in: overall and per
 * thread (count, min, mean, p50, p99, max), a log-scale histogram, and the worst occurrences.
 */
import type { Command } from 'commander';
import { pidOf } from '../analysis/kernel/queries.js';
import { schedReport, wakerLabel } from '../analysis/kernel/reports.js';
import type { Stats } from '../analysis/kernel/stats.js';
import { KIND_NAMES } from '../layouts/canonical.js';
import { addAnalysisOptions, intOption, jsonLine, loadKernelModel, rangeLine, type AnalysisOptions } from './analysis-options.js';
import { bar, formatDuration, renderTable } from './table.js';

interface SchedOptions extends AnalysisOptions {
  tid?: string;
  name?: string;
  limit?: string;
}

export function registerSched(program: Command): void {
  addAnalysisOptions(program.command('sched').description('scheduling latency (wakeup → running) per thread and overall, histogram, worst cases'))
    .option('--tid <n>', 'only this thread')
    .option('--name <pattern>', 'only threads with this name (glob: * and ?)')
    .option('--limit <n>', 'worst occurrences and threads to list (default 10)')
    .action((traces: string[], opts: SchedOptions) => {
      process.exitCode = runSched(traces, opts);
    });
}

function statsJson(s: Stats): Record<string, number | null> {
  const n = (v: number) => (Number.isNaN(v) ? null : Math.round(v));
  return { count: s.count, min_ns: n(s.min), mean_ns: n(s.mean), p50_ns: n(s.p50), p99_ns: n(s.p99), max_ns: n(s.max) };
}

function statsCells(s: Stats): string[] {
  return [String(s.count), formatDuration(s.min), formatDuration(s.mean), formatDuration(s.p50), formatDuration(s.p99), formatDuration(s.max)];
}

export function runSched(paths: string[], opts: SchedOptions): number {
  const tid = intOption(opts.tid, '--tid');
  const limit = intOption(opts.limit, '--limit') ?? 10;
  const l = loadKernelModel(paths, opts, { cpuStates: false, syscallTable: false });
  const r = schedReport(l.model, l.begin, l.end, { tid, name: opts.name }, limit === 0 ? Infinity : limit);
  const threads = limit === 0 ? r.threads : r.threads.slice(0, limit);
  if (opts.json) {
    l.out.line(
      jsonLine({
        begin: l.abs(l.begin),
        end: l.abs(l.end),
        overall: statsJson(r.overall),
        histogram: r.histogram.map((b) => ({ from_ns: b.from, to_ns: b.to, count: b.count })),
        threads: r.threads.map((t) => ({ ...t.thread, ...statsJson(t.stats) })),
        worst: r.worst.map((w) => ({
          wakeup_ns: l.abs(w.wakeup),
          run_ns: l.abs(w.run),
          latency_ns: Math.round(w.latency),
          tid: w.thread.tid,
          pid: pidOf(w.thread),
          name: w.thread.name,
          event: KIND_NAMES[w.event],
          target_cpu: w.targetCpu,
          cpu: w.cpu,
          waker: w.waker,
        })),
      }),
    );
    return l.finish();
  }
  const out = l.out;
  out.line(rangeLine(l));
  out.line('');
  if (r.overall.count === 0) {
    out.line('No wakeup followed by a switch-in in this range (the trace needs sched_switch and sched_waking or sched_wakeup).');
    return l.finish();
  }
  out.line('Scheduling latency (wakeup → running)');
  for (const line of renderTable(['Count', 'Min', 'Mean', 'P50', 'P99', 'Max'], [statsCells(r.overall)])) out.line(line);
  out.line('');
  out.line('Histogram (log scale)');
  const maxCount = Math.max(...r.histogram.map((b) => b.count));
  for (const line of renderTable(
    ['From', 'To', 'Count', ''],
    r.histogram.map((b) => [formatDuration(b.from), formatDuration(b.to), String(b.count), bar(b.count, maxCount, 40)]),
  )) {
    out.line(line);
  }
  out.line('');
  out.line(`Per thread (${threads.length} of ${r.threads.length}, by max latency)`);
  for (const line of renderTable(['TID', 'PID', 'Name', 'Count', 'Min', 'Mean', 'P50', 'P99', 'Max'], threads.map((t) => [String(t.thread.tid), String(t.thread.pid), t.thread.name, ...statsCells(t.stats)]))) {
    out.line(line);
  }
  out.line('');
  out.line(`Worst ${r.worst.length} latencies`);
  for (const line of renderTable(
    ['Wakeup', 'Running', 'Latency', 'TID', 'Name', 'CPU', 'Woken by'],
    r.worst.map((w) => [l.time(w.wakeup), l.time(w.run), formatDuration(w.latency), String(w.thread.tid), w.thread.name, String(w.cpu), wakerLabel(w.waker)]),
  )) {
    out.line(line);
  }
  return l.finish();
}
