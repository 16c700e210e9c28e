/**
 * `tracelane cpu`: CPU usage per CPU and per thread, with lttng-cputop's definitions (a thread's
 * time from switch-in to switch-out, interrupts included; a CPU is busy while its current thread
 * is not the idle thread; the thread found running first on a CPU counts from the trace start),
 * and each CPU's usage over time as a sparkline.
 */
import type { Command } from 'commander';
import { cpuReport } from '../analysis/kernel/reports.js';
import { addAnalysisOptions, intOption, jsonLine, loadKernelModel, rangeLine, round, type AnalysisOptions } from './analysis-options.js';
import { bar, formatDuration, formatPct, renderTable, sparkline } from './table.js';

interface CpuOptions extends AnalysisOptions {
  limit?: string;
  width?: string;
}

export function registerCpu(program: Command): void {
  addAnalysisOptions(program.command('cpu').description('CPU usage per CPU and per thread (lttng-cputop definitions), with usage over time'))
    .option('--limit <n>', 'threads to list (default 20, 0 = all)')
    .option('--width <n>', 'characters of the usage-over-time sparkline (default 60)')
    .action((traces: string[], opts: CpuOptions) => {
      process.exitCode = runCpu(traces, opts);
    });
}

export function runCpu(paths: string[], opts: CpuOptions): number {
  const limit = intOption(opts.limit, '--limit') ?? 20;
  const width = Math.max(1, intOption(opts.width, '--width') ?? 60);
  // CPU usage needs who ran where, not syscalls: ~90% of a busy trace's events are skipped.
  const l = loadKernelModel(paths, opts, { syscalls: false });
  const r = cpuReport(l.model, l.begin, l.end, width);
  if (opts.json) {
    l.out.line(
      jsonLine({
        begin: l.abs(l.begin),
        end: l.abs(l.end),
        cpus: r.cpus.map((c) => ({ cpu: c.cpu, usage_pct: round(c.usagePct, 4) })),
        threads: r.threads.map((t) => ({ tid: t.tid, pid: t.pid, name: t.name, usage_pct: round(t.usagePct, 4), migrations: t.migrations })),
      }),
    );
    return l.finish();
  }
  const out = l.out;
  out.line(rangeLine(l));
  out.line('');
  const bucket = (l.end - l.begin) / width;
  out.line(`Per-CPU usage (usage over time: one character = ${formatDuration(bucket)})`);
  for (const line of renderTable(['CPU', 'Usage', 'Over time'], r.cpus.map((c) => [String(c.cpu), formatPct(c.usagePct), `|${sparkline(c.overTime)}|`]))) out.line(line);
  out.line('');
  out.line(`Total CPU usage: ${formatPct(r.totalPct)} of ${r.cpus.length} CPU${r.cpus.length === 1 ? '' : 's'}`);
  out.line('');
  const shown = limit === 0 ? r.threads : r.threads.slice(0, limit);
  const max = shown[0]?.usagePct ?? 0;
  out.line(`Per-thread usage (${shown.length} of ${r.threads.length} threads)`);
  for (const line of renderTable(
    ['TID', 'PID', 'Name', 'Usage', 'CPU time', 'Migrations', ''],
    shown.map((t) => [String(t.tid), String(t.pid), t.name, formatPct(t.usagePct), formatDuration(t.cpuTime), String(t.migrations), bar(t.usagePct, max, 30)]),
  )) {
    out.line(line);
  }
  return l.finish();
}
