/**
 * `tracelane blocking`: every blocked wait of the selected threads (a `sched_switch` out in state
 * S/D/I/P until the wakeup): when it started, how long it lasted, the syscall it blocked in and
 * what woke it (a thread and its CPU, or an IRQ, softirq, timer or IPI); then the blocked time
 * per waker and per syscall.
 */
import type { Command } from 'commander';
import { pidOf } from '../analysis/kernel/queries.js';
import { blockingReport, selectThreads, wakerLabel } from '../analysis/kernel/reports.js';
import { addAnalysisOptions, intOption, jsonLine, loadKernelModel, rangeLine, type AnalysisOptions } from './analysis-options.js';
import { formatDuration, formatPct, renderTable } from './table.js';

interface BlockingOptions extends AnalysisOptions {
  tid?: string;
  name?: string;
  limit?: string;
}

export function registerBlocking(program: Command): void {
  addAnalysisOptions(program.command('blocking').description('blocked intervals of threads: when, how long, in which syscall, and who woke them'))
    .option('--tid <n>', 'only this thread')
    .option('--name <pattern>', 'only threads with this name (glob: * and ?)')
    .option('--limit <n>', 'intervals to list (default: all with --tid/--name, else 50; 0 = all)')
    .action((traces: string[], opts: BlockingOptions) => {
      process.exitCode = runBlocking(traces, opts);
    });
}

export function runBlocking(paths: string[], opts: BlockingOptions): number {
  const tid = intOption(opts.tid, '--tid');
  const filtered = tid !== undefined || opts.name !== undefined;
  const limit = intOption(opts.limit, '--limit') ?? (filtered ? 0 : 50);
  const l = loadKernelModel(paths, opts, { cpuStates: false, syscallTable: false });
  const filter = { tid, name: opts.name };
  const selected = selectThreads(l.model, filter);
  if (filtered && selected.length === 0) {
    process.stderr.write(`tracelane: no thread matches ${tid !== undefined ? `--tid ${tid}` : ''}${tid !== undefined && opts.name ? ' ' : ''}${opts.name ? `--name ${opts.name}` : ''}\n`);
    l.finish();
    return 1;
  }
  const r = blockingReport(l.model, l.begin, l.end, filter);
  const shown = limit === 0 ? r.intervals : r.intervals.slice(0, limit);
  if (opts.json) {
    l.out.line(
      jsonLine({
        begin: l.abs(l.begin),
        end: l.abs(l.end),
        threads: filtered ? selected.map((t) => ({ tid: t.tid, pid: pidOf(t), name: t.name })) : undefined,
        intervals: r.intervals.map((b) => ({
          tid: b.thread.tid,
          name: b.thread.name,
          start_ns: l.abs(b.start),
          duration_ns: Math.round(b.duration),
          syscall: b.syscall || null,
          woken_by: b.waker ?? null,
        })),
        by_waker: r.byWaker.map((w) => ({ waker: w.waker, count: w.count, total_ns: Math.round(w.total) })),
        by_syscall: r.bySyscall.map((s) => ({ syscall: s.syscall, count: s.count, total_ns: Math.round(s.total) })),
        total_ns: Math.round(r.total),
      }),
    );
    return l.finish();
  }
  const out = l.out;
  out.line(rangeLine(l));
  out.line('');
  const who = filtered ? selected.map((t) => `${t.name} (${t.tid})`).slice(0, 8).join(', ') + (selected.length > 8 ? ', …' : '') : 'all threads';
  out.line(`Blocked intervals of ${who}: ${r.intervals.length}, ${formatDuration(r.total)} in total`);
  if (r.intervals.length === 0) return l.finish();
  for (const line of renderTable(
    ['Start', 'Duration', 'TID', 'Name', 'Syscall', 'Woken by'],
    shown.map((b) => [l.time(b.start), formatDuration(b.duration), String(b.thread.tid), b.thread.name, b.syscall || '-', b.waker ? wakerLabel(b.waker) : 'not woken in the trace']),
  )) {
    out.line(line);
  }
  if (shown.length < r.intervals.length) out.line(`… ${r.intervals.length - shown.length} more (--limit 0 lists them all)`);
  const pct = (v: number) => formatPct(r.total > 0 ? (100 * v) / r.total : 0, 1);
  out.line('');
  out.line('Blocked time per waker');
  for (const line of renderTable(['Woken by', 'Count', 'Total', 'Share'], r.byWaker.map((w) => [w.waker, String(w.count), formatDuration(w.total), pct(w.total)]))) out.line(line);
  out.line('');
  out.line('Blocked time per syscall');
  for (const line of renderTable(['Syscall', 'Count', 'Total', 'Share'], r.bySyscall.map((s) => [s.syscall, String(s.count), formatDuration(s.total), pct(s.total)]))) out.line(line);
  return l.finish();
}
