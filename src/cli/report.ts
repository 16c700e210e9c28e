/**
 * `tracelane report`: the first look at a trace that a new user wants — what it holds, which
 * threads ran and for how long, CPU usage, who blocked and who woke them, lock contention.
 * Without a trace it reports on the bundled demo (examples/demo-trace, calcjob recorded with
 * `tracelane record`); `npm start` runs it, then serves the demo trace in the browser.
 *
 * When the trace was made by `tracelane record` (it has `tracelane-record.json`), the thread
 * sections focus on the recorded program's threads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { TraceSet } from '../ctf/trace-set.js';
import { TraceFormatError, UsageError } from '../util/errors.js';
import { runBlocking } from './blocking.js';
import { runCpu } from './cpu.js';
import { summarise } from './info.js';
import { runLocks } from './locks.js';
import { runThreads } from './threads.js';
import { formatDuration } from './table.js';

interface ReportOptions {
  name?: string;
}

/** The demo trace bundled in the repository. */
export function demoTracePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return join(dir, 'examples', 'demo-trace');
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('a first look: what the trace holds, threads, CPU usage, who blocked and why, lock contention')
    .argument('[trace...]', 'trace folders (default: the bundled demo trace)')
    .option('--name <pattern>', 'threads to focus on (glob; default: the recorded program, for traces made by `tracelane record`)')
    .action(async (traces: string[], opts: ReportOptions) => {
      process.exitCode = await runReport(traces, opts);
    });
}

/** The program `tracelane record` recorded, from the manifest it leaves in the trace folder. */
function recordedProgram(paths: string[]): string | undefined {
  for (const p of paths) {
    const manifest = join(resolve(p), 'tracelane-record.json');
    if (!existsSync(manifest)) continue;
    try {
      const m = JSON.parse(readFileSync(manifest, 'utf8')) as { program?: unknown };
      if (typeof m.program === 'string' && m.program) return m.program;
    } catch {
      // A damaged manifest only costs the focus.
    }
  }
  return undefined;
}

function heading(title: string): void {
  process.stdout.write(`\n== ${title} ${'='.repeat(Math.max(3, 72 - title.length))}\n`);
}

/** Runs one section; a section that does not apply (e.g. no kernel events) says why in one line. */
async function section(title: string, run: () => number | Promise<number>): Promise<number> {
  heading(title);
  try {
    return await run();
  } catch (e) {
    if (e instanceof UsageError || e instanceof TraceFormatError) {
      process.stdout.write(`(not available: ${e instanceof TraceFormatError ? e.describe() : e.message})\n`);
      return 0;
    }
    throw e;
  }
}

export async function runReport(traces: string[], opts: ReportOptions): Promise<number> {
  const paths = traces.length > 0 ? traces : [demoTracePath()];
  if (traces.length === 0 && !existsSync(paths[0]!)) {
    throw new UsageError('no trace given, and the demo trace (examples/demo-trace) is not there');
  }
  const program = recordedProgram(paths);
  // calcjob names its threads calcjob-mgr, calcjob-w1…: the program name then anything.
  const name = opts.name ?? (program ? `${program}*` : undefined);
  let code = 0;
  const worst = (c: number) => {
    code = Math.max(code, c);
  };

  heading('Trace');
  const set = TraceSet.open(paths);
  for (const s of summarise(set)) {
    const span = s.first_ns !== null && s.last_ns !== null ? formatDuration(Number(s.last_ns - s.first_ns)) : '-';
    const lost = s.discarded_events + s.discarded_packets > 0 ? `, LOST: ${s.discarded_events} events, ${s.discarded_packets} packets` : '';
    process.stdout.write(`${s.path}\n  ${s.tracer ?? 'unknown tracer'} (${s.domain ?? '?'}), ${s.events} events over ${span}, ${s.cpus.length} CPUs${lost}\n`);
  }
  if (program) process.stdout.write(`recorded program: ${program} (threads shown: ${name})\n`);

  worst(await section('Threads (by CPU time)', () => runThreads(paths, { name, limit: '15' })));
  worst(await section('CPU usage', () => runCpu(paths, { limit: '10', width: '50' })));
  worst(await section('Who blocked, and who woke them', () => runBlocking(paths, { name, limit: '10' })));
  worst(await section('Lock contention', () => runLocks(paths, { top: '5', limit: '3' })));
  process.stdout.write(`\nMore: npx tracelane --help (threads, cpu, sched, blocking, syscalls, irq, state, locks, spans, callstack, events)\n`);
  return code;
}
