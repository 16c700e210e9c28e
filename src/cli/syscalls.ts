/**
 * `tracelane syscalls`: system call durations (entry to exit of the same thread, syscalls whose
 * entry falls in the range) per syscall and per thread: count, errors (negative return values),
 * min, mean, p99, max and total.
 */
import type { Command } from 'commander';
import { syscallReport, type SyscallStats } from '../analysis/kernel/reports.js';
import { addAnalysisOptions, intOption, jsonLine, loadKernelModel, rangeLine, type AnalysisOptions } from './analysis-options.js';
import { formatDuration, renderTable } from './table.js';

interface SyscallsOptions extends AnalysisOptions {
  tid?: string;
  name?: string;
  limit?: string;
}

export function registerSyscalls(program: Command): void {
  addAnalysisOptions(program.command('syscalls').description('system call counts, errors and durations per syscall and per thread'))
    .option('--tid <n>', 'only this thread')
    .option('--name <pattern>', 'only threads with this name (glob: * and ?)')
    .option('--limit <n>', 'threads to detail, by time in syscalls (default 10, 0 = all)')
    .action((traces: string[], opts: SyscallsOptions) => {
      process.exitCode = runSyscalls(traces, opts);
    });
}

function statsJson(s: SyscallStats): Record<string, unknown> {
  const n = (v: number) => (Number.isNaN(v) ? null : Math.round(v));
  return { name: s.name, count: s.count, errors: s.errors, min_ns: n(s.min), mean_ns: n(s.mean), p99_ns: n(s.p99), max_ns: n(s.max), stdev_ns: n(s.stdev), total_ns: n(s.total) };
}

function cells(s: SyscallStats): string[] {
  return [s.name, String(s.count), String(s.errors), formatDuration(s.min), formatDuration(s.mean), formatDuration(s.p99), formatDuration(s.max), formatDuration(s.total)];
}

const HEAD = ['Syscall', 'Count', 'Errors', 'Min', 'Mean', 'P99', 'Max', 'Total'];

export function runSyscalls(paths: string[], opts: SyscallsOptions): number {
  const tid = intOption(opts.tid, '--tid');
  const limit = intOption(opts.limit, '--limit') ?? 10;
  const l = loadKernelModel(paths, opts, { cpuStates: false });
  const r = syscallReport(l.model, l.begin, l.end, { tid, name: opts.name });
  if (opts.json) {
    l.out.line(
      jsonLine({
        begin: l.abs(l.begin),
        end: l.abs(l.end),
        total: statsJson(r.total),
        syscalls: r.syscalls.map(statsJson),
        threads: r.threads.map((t) => ({ ...t.thread, total: statsJson(t.total), syscalls: t.syscalls.map(statsJson) })),
      }),
    );
    return l.finish();
  }
  const out = l.out;
  out.line(rangeLine(l));
  out.line('');
  if (r.total.count === 0) {
    out.line('No complete system call in this range (the trace needs syscall entry and exit events).');
    return l.finish();
  }
  out.line(`Per syscall (${r.syscalls.length} syscalls, ${r.total.count} calls)`);
  for (const line of renderTable(HEAD, [...r.syscalls.map(cells), cells(r.total)])) out.line(line);
  const threads = limit === 0 ? r.threads : r.threads.slice(0, limit);
  for (const t of threads) {
    out.line('');
    out.line(`${t.thread.name} (tid ${t.thread.tid}, pid ${t.thread.pid})`);
    for (const line of renderTable(HEAD, [...t.syscalls.map(cells), cells(t.total)])) out.line(line);
  }
  if (threads.length < r.threads.length) {
    out.line('');
    out.line(`… ${r.threads.length - threads.length} more threads (--limit 0 lists them all)`);
  }
  return l.finish();
}
