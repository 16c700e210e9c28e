/**
 * `tracelane threads`: per thread, its ids and names, the time it spent in each state (Trace
 * Compass's thread states), its CPU time, context switches (voluntary / preempted), migrations
 * and the CPUs it ran on, over the range.
 */
import type { Command } from 'commander';
import { pidOf } from '../analysis/kernel/queries.js';
import { threadsReport } from '../analysis/kernel/reports.js';
import { THREAD_STATE_NAMES, ThreadState } from '../analysis/kernel/states.js';
import { addAnalysisOptions, intOption, jsonLine, loadKernelModel, rangeLine, type AnalysisOptions } from './analysis-options.js';
import { formatDuration, renderTable } from './table.js';

interface ThreadsOptions extends AnalysisOptions {
  tid?: string;
  name?: string;
  limit?: string;
}

export function registerThreads(program: Command): void {
  addAnalysisOptions(program.command('threads').description('per thread: ids, names, time in each state, CPU time, context switches, migrations, CPUs'))
    .option('--tid <n>', 'only this thread')
    .option('--name <pattern>', 'only threads with this name (glob: * and ?)')
    .option('--limit <n>', 'threads to list, by CPU time (default: all)')
    .action((traces: string[], opts: ThreadsOptions) => {
      process.exitCode = runThreads(traces, opts);
    });
}

/** Column order of the human table: the states people look at first. */
const SHOWN: [number, string][] = [
  [ThreadState.RUN_USER, 'User'],
  [ThreadState.RUN_SYSCALL, 'Syscall'],
  [ThreadState.INTERRUPTED, 'Irq'],
  [ThreadState.WAIT_CPU, 'Wait CPU'],
  [ThreadState.WAIT_BLOCKED, 'Blocked'],
];

export function runThreads(paths: string[], opts: ThreadsOptions): number {
  const tid = intOption(opts.tid, '--tid');
  const limit = intOption(opts.limit, '--limit') ?? 0;
  const l = loadKernelModel(paths, opts, { cpuStates: false, syscallTable: false });
  const all = threadsReport(l.model, l.begin, l.end, { tid, name: opts.name });
  const rows = limit > 0 ? all.slice(0, limit) : all;
  if (opts.json) {
    l.out.line(
      jsonLine({
        begin: l.abs(l.begin),
        end: l.abs(l.end),
        threads: rows.map((r) => ({
          tid: r.thread.tid,
          pid: pidOf(r.thread),
          ppid: r.thread.ppid,
          name: r.thread.name,
          names: r.thread.names,
          prio: r.thread.prio,
          forked_ns: Number.isNaN(r.thread.forkedAt) ? null : l.abs(r.thread.forkedAt),
          exited_ns: Number.isNaN(r.thread.exitedAt) ? null : l.abs(r.thread.exitedAt),
          cpu_time_ns: Math.round(r.cpuTime),
          states_ns: Object.fromEntries(THREAD_STATE_NAMES.map((n, i) => [n, Math.round(r.states[i]!)]).filter(([n]) => n !== 'not_alive')),
          switches: { voluntary: r.voluntary, involuntary: r.involuntary },
          migrations: r.migrations,
          cpu_changes: r.cpuChanges,
          cpus: r.cpus,
        })),
      }),
    );
    return l.finish();
  }
  const out = l.out;
  out.line(rangeLine(l));
  out.line('');
  out.line(`${rows.length} of ${all.length} threads, by CPU time. Switches: voluntary/preempted. Migr: sched_migrate_task events / CPU changes between runs.`);
  const table = renderTable(
    ['TID', 'PID', 'PPID', 'Name', 'CPU time', ...SHOWN.map(([, t]) => t), 'Other', 'Switches', 'Migr', 'CPUs'],
    rows.map((r) => {
      let other = 0;
      for (let s = 1; s < r.states.length; s++) if (!SHOWN.some(([x]) => x === s)) other += r.states[s]!;
      const names = r.thread.names.length > 1 ? `${r.thread.name} (was ${r.thread.names.filter((n) => n !== r.thread.name).join(', ')})` : r.thread.name;
      return [
        String(r.thread.tid),
        String(pidOf(r.thread)),
        r.thread.ppid >= 0 ? String(r.thread.ppid) : '-',
        names,
        formatDuration(r.cpuTime),
        ...SHOWN.map(([s]) => (r.states[s]! > 0 ? formatDuration(r.states[s]!) : '-')),
        other > 0 ? formatDuration(other) : '-',
        `${r.voluntary}/${r.involuntary}`,
        `${r.migrations}/${r.cpuChanges}`,
        r.cpus.join(','),
      ];
    }),
  );
  for (const line of table) out.line(line);
  return l.finish();
}
