/**
 * `tracelane irq`: hardware IRQ, softirq and x86 IPI handlers per CPU: count and durations, and
 * for softirqs the latency from raise to entry.
 */
import type { Command } from 'commander';
import { irqReport } from '../analysis/kernel/reports.js';
import type { Stats } from '../analysis/kernel/stats.js';
import { addAnalysisOptions, jsonLine, loadKernelModel, rangeLine, type AnalysisOptions } from './analysis-options.js';
import { formatDuration, renderTable } from './table.js';

export function registerIrq(program: Command): void {
  addAnalysisOptions(program.command('irq').description('IRQ, softirq and IPI counts and durations per CPU')).action((traces: string[], opts: AnalysisOptions) => {
    process.exitCode = runIrq(traces, opts);
  });
}

function statsJson(s: Stats): Record<string, number | null> {
  const n = (v: number) => (Number.isNaN(v) ? null : Math.round(v));
  return { count: s.count, min_ns: n(s.min), mean_ns: n(s.mean), max_ns: n(s.max), stdev_ns: n(s.stdev), total_ns: n(s.total) };
}

export function runIrq(paths: string[], opts: AnalysisOptions): number {
  const l = loadKernelModel(paths, opts, { cpuStates: false, syscallTable: false });
  const rows = irqReport(l.model, l.begin, l.end);
  if (opts.json) {
    l.out.line(
      jsonLine({
        begin: l.abs(l.begin),
        end: l.abs(l.end),
        irqs: rows.map((r) => ({ cpu: r.cpu, type: r.kind, number: r.num, name: r.name, ...statsJson(r.stats), raise_latency: r.raiseLatency ? statsJson(r.raiseLatency) : null })),
      }),
    );
    return l.finish();
  }
  const out = l.out;
  out.line(rangeLine(l));
  if (rows.length === 0) {
    out.line('');
    out.line('No interrupt handler in this range (the trace needs irq_handler_entry/exit or softirq events).');
    return l.finish();
  }
  for (const cpu of [...new Set(rows.map((r) => r.cpu))]) {
    out.line('');
    out.line(`CPU ${cpu}`);
    const lines = renderTable(
      ['Type', 'Number', 'Name', 'Count', 'Min', 'Mean', 'Max', 'Total', 'Raise→entry mean', 'max'],
      rows
        .filter((r) => r.cpu === cpu)
        .map((r) => [
          r.kind,
          String(r.num),
          r.name || '-',
          String(r.stats.count),
          formatDuration(r.stats.min),
          formatDuration(r.stats.mean),
          formatDuration(r.stats.max),
          formatDuration(r.stats.total),
          r.raiseLatency ? formatDuration(r.raiseLatency.mean) : '-',
          r.raiseLatency ? formatDuration(r.raiseLatency.max) : '-',
        ]),
    );
    for (const line of lines) out.line(line);
  }
  return l.finish();
}
