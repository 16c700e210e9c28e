/**
 * `tracelane record [options] [-o DIR] -- COMMAND [ARGS...]`: records COMMAND with LTTng
 * (user space; with --kernel also the kernel, through perf where LTTng's kernel tracer is not
 * available), then says where the trace is and what it holds. tracelane's own messages go to
 * stderr, so the command's stdout stays its own; the exit code is the command's.
 */
import type { Command } from 'commander';
import { RecordError } from '../record/errors.js';
import { parseRecordOptions, type RecordCliOptions } from '../record/options.js';
import { MANIFEST, PERF_TRACE_DIR, record, type RecordResult } from '../record/record.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerRecord(program: Command): void {
  program
    .command('record')
    .description('record a command with LTTng (user space, and with --kernel the kernel too), then summarise the trace')
    .usage('[options] [-o DIR] -- COMMAND [ARGS...]')
    .argument('<command...>', 'the command to run and record (put -- before it when it has options)')
    .option('-o, --output <dir>', 'output folder (default: ~/lttng-traces/COMMAND-YYYYMMDD-HHMMSS); must be new or empty')
    .option('-e, --event <names>', 'user-space events to record, e.g. "myapp:*" (repeatable; default: all)', collect)
    .option('-t, --context <type>', 'extra context besides vpid, vtid, procname, ip, e.g. pthread_id (repeatable)', collect)
    .option('--kernel [how]', 'also record the kernel: auto (LTTng, else perf), lttng or perf')
    .option('--no-syscalls', 'with --kernel: no system-call events (scheduling and IRQs only)')
    .option('--pthread', 'preload liblttng-ust-pthread-wrapper: mutex lock/unlock events')
    .option('--libc', 'preload liblttng-ust-libc-wrapper: malloc/free events')
    .option('--cyg-profile', 'preload liblttng-ust-cyg-profile: function entry/exit (build with -finstrument-functions)')
    .option('--cyg-profile-fast', 'preload liblttng-ust-cyg-profile-fast (smaller events, no call sites)')
    .option('--preload <lib>', 'another library to LD_PRELOAD into the command (repeatable)', collect)
    .option('--subbuf-size <size>', 'user-space sub-buffer size per CPU (power of two; default 4M)')
    .option('--num-subbuf <n>', 'sub-buffers per CPU (power of two; default 8)')
    .option('--session <name>', 'LTTng session name (default: tracelane-COMMAND-DATE-PID)')
    .option('-q, --quiet', 'print only warnings, errors and where the trace is')
    .action(async (command: string[], raw: RecordCliOptions) => {
      process.exitCode = await runRecord(command, raw);
    });
}

function say(line: string): void {
  process.stderr.write(`tracelane: ${line}\n`);
}

export async function runRecord(command: string[], raw: RecordCliOptions): Promise<number> {
  const o = parseRecordOptions(command, raw);
  let result: RecordResult;
  try {
    result = await record(o, { info: (m) => (o.quiet ? undefined : say(m)), warn: (m) => say(`warning: ${m}`) });
  } catch (e) {
    if (e instanceof RecordError) {
      say(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
  printSummary(result, o.quiet);
  return result.exitCode;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function printSummary(r: RecordResult, quiet: boolean): void {
  const prog = r.command[0] ?? '';
  const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
  const lines: string[] = [];
  lines.push(`${prog} (pid ${r.pid ?? '?'}) ${how}`);
  lines.push(`trace: ${r.outputDir}`);
  const s = r.summary;
  if (!s) {
    if (r.summaryError && !/no CTF trace here/.test(r.summaryError)) lines.push(`  cannot read the trace: ${r.summaryError}`);
    else {
      lines.push('  no events recorded: is the program instrumented (LTTng-UST tracepoints, linked with -llttng-ust),');
      lines.push('  or run with --pthread, --libc or --cyg-profile?');
    }
  } else {
    const w = Math.max(...s.traces.map((t) => t.path.length));
    for (const t of s.traces) {
      const mine = r.pid !== undefined ? ` (${t.eventsOfProcess} of pid ${r.pid})` : '';
      const top = t.names
        .slice(0, 4)
        .map(([n, c]) => `${n} ${c}`)
        .join(', ');
      lines.push(`  ${t.path.padEnd(w)}  ${t.tracer.padEnd(15)} ${plural(t.events, 'event')}${mine}${top ? `: ${top}${t.names.length > 4 ? ', ...' : ''}` : ''}`);
    }
    if (r.kernel.mode === 'perf' && r.kernel.clock) {
      lines.push(
        r.kernel.clock.method === 'lttng-clock'
          ? `  ${PERF_TRACE_DIR}: perf kernel events on the LTTng clock (same CLOCK_MONOTONIC, offset from ${r.kernel.clock.reference.source})`
          : `  ${PERF_TRACE_DIR}: perf kernel events, time of day from perf's reference (no LTTng trace to align to)`,
      );
    }
    if (!s.traces.some((t) => t.domain === 'ust')) {
      lines.push('  no user-space events: is the program instrumented (LTTng-UST tracepoints), or run with --pthread/--cyg-profile?');
    }
    lines.push(`  discarded events: ${s.discardedEvents}, lost packets: ${s.lostPackets}`);
  }
  for (const l of lines) {
    if (!quiet || l.startsWith('trace:')) say(l);
  }
  const discarded = Math.max(r.summary?.discardedEvents ?? 0, r.lttng.discardedEvents);
  if (discarded > 0) {
    say(
      `WARNING: THE TRACER DISCARDED ${discarded} EVENTS: the trace has gaps. Record again with bigger buffers, ` +
        'e.g. --subbuf-size 8M --num-subbuf 16, or fewer events (-e).',
    );
  }
  const lost = Math.max(r.summary?.lostPackets ?? 0, r.lttng.lostPackets);
  if (lost > 0) say(`WARNING: ${plural(lost, 'packet')} LOST: the trace has gaps.`);
  if (r.kernel.perfLostEvents) {
    say(`WARNING: PERF LOST ${r.kernel.perfLostEvents} KERNEL EVENTS (its ring buffers overflowed): the kernel trace has gaps.`);
  }
  for (const p of r.summary?.problems ?? []) say(`error: ${p}`);
  if (!quiet && s) say(`next: tracelane info ${r.outputDir}   |   tracelane events ${r.outputDir}   (${MANIFEST} says how it was recorded)`);
}
