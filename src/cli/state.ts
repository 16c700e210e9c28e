/**
 * `tracelane state --at T`: what every CPU and every live thread was doing at one instant (the
 * trace is read up to T only).
 */
import type { Command } from 'commander';
import { pidOf } from '../analysis/kernel/queries.js';
import { stateAt } from '../analysis/kernel/reports.js';
import { UsageError } from '../util/errors.js';
import { addAnalysisOptions, jsonLine, loadKernelModel, type AnalysisOptions } from './analysis-options.js';
import { formatDuration, renderTable } from './table.js';

interface StateOptions extends AnalysisOptions {
  at?: string;
}

export function registerState(program: Command): void {
  addAnalysisOptions(program.command('state').description('what every CPU and live thread was doing at time T'))
    .requiredOption('--at <time>', 'the instant (ns, hh:mm:ss.nnnnnnnnn, or +1.5s from the first event)')
    .action((traces: string[], opts: StateOptions) => {
      process.exitCode = runState(traces, opts);
    });
}

export function runState(paths: string[], opts: StateOptions): number {
  if (opts.at === undefined) throw new UsageError('state needs --at TIME');
  // Read up to the instant: the range ends there.
  const l = loadKernelModel(paths, { ...opts, end: opts.at }, { syscallTable: false });
  if (l.analysis.read.events === 0) throw new UsageError(`--at ${opts.at} is before the first event of the trace`);
  const t = l.end;
  const s = stateAt(l.model, t);
  if (opts.json) {
    l.out.line(
      jsonLine({
        at: l.abs(t),
        cpus: s.cpus.map((c) => ({ cpu: c.cpu, state: c.state, tid: c.tid, name: c.name, syscall: c.syscall, irq: c.irq, irq_name: c.irqName, since_ns: Number.isNaN(c.since) ? null : l.abs(c.since) })),
        threads: s.threads.map((x) => ({
          tid: x.thread.tid,
          pid: pidOf(x.thread),
          name: x.thread.name,
          state: x.state,
          syscall: x.syscall ?? null,
          cpu: x.cpu,
          since_ns: l.abs(x.since),
        })),
      }),
    );
    return l.finish();
  }
  const out = l.out;
  out.line(`At ${l.time(t)} (${formatDuration(t - l.model.start)} after the first event), ${l.analysis.kernel.layout.name}`);
  out.line('');
  out.line('CPUs');
  for (const line of renderTable(
    ['CPU', 'State', 'TID', 'Name', 'Detail', 'Since'],
    s.cpus.map((c) => [
      String(c.cpu),
      c.state,
      c.tid >= 0 ? String(c.tid) : '-',
      c.name || '-',
      c.syscall ?? (c.irq !== undefined ? `${c.irq}${c.irqName ? ` ${c.irqName}` : ''}` : ''),
      Number.isNaN(c.since) ? '-' : formatDuration(t - c.since),
    ]),
  )) {
    out.line(line);
  }
  out.line('');
  out.line(`Threads alive (${s.threads.length})`);
  for (const line of renderTable(
    ['TID', 'PID', 'Name', 'State', 'Syscall', 'CPU', 'Since'],
    s.threads.map((x) => [String(x.thread.tid), String(pidOf(x.thread)), x.thread.name, x.state, x.syscall ?? '-', x.cpu >= 0 ? String(x.cpu) : '-', formatDuration(t - x.since)]),
  )) {
    out.line(line);
  }
  return l.finish();
}
