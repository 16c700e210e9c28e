/**
 * `tracelane events`: every event of the traces in time order, as babeltrace2 prints them (text),
 * as JSON lines, or decoded and only counted (none, for benchmarks).
 */
import { Option, type Command } from 'commander';
import { eventToJson } from '../ctf/json-format.js';
import { ClockPrinter, TextFormatter } from '../ctf/text-format.js';
import { TraceSet } from '../ctf/trace-set.js';
import { automaticJobs, parallelScan } from '../ctf/parallel.js';
import type { StreamReader } from '../ctf/stream-reader.js';
import { UsageError } from '../util/errors.js';
import { Output } from './output.js';
import { parseTimeArg } from './time-arg.js';
import { Progress } from './progress.js';
import { noticeMessage, reportProblems, timeRegressions } from './warnings.js';

export interface EventsOptions {
  output?: string;
  begin?: string;
  end?: string;
  event?: string;
  cpu?: string;
  tid?: string;
  dumpDecoders?: boolean;
  jobs?: string;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function intOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} takes a whole number, not "${v}"`);
  return Number(v);
}

const TID_FIELDS = ['tid', 'vtid', 'perf_tid'];

/** The thread id of an event, from the contexts LTTng adds or perf's payload. */
function threadOf(r: StreamReader): unknown {
  const rec = r.records;
  for (const scope of [rec.sc, rec.ec, rec.pl]) {
    for (const f of TID_FIELDS) if (f in scope) return scope[f];
  }
  return undefined;
}

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description('print the events of one or more traces, merged in time order (text equals babeltrace2)')
    .argument('<trace...>', 'trace folders (a trace, an LTTng session, or any folder of traces)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'none']).default('text'))
    .option('--begin <time>', 'first time to print (ns, hh:mm:ss.nnnnnnnnn, or +1.5s from the first event)')
    .option('--end <time>', 'last time to print')
    .option('--event <glob>', 'only events whose name matches (e.g. "sched_*")')
    .option('--cpu <n>', 'only events of this CPU (packet cpu_id)')
    .option('--tid <n>', 'only events of this thread (tid/vtid context or perf_tid)')
    .option('--dump-decoders', 'print the generated decoder source and exit')
    .option('-j, --jobs <n>', 'with --output none: decode on n threads (default: automatic, see README)')
    .action(async (traces: string[], opts: EventsOptions) => {
      process.exitCode = await runEvents(traces, opts);
    });
}

/** The generated decoders of every scope and event class, then (text output) their line writers. */
function dumpDecoders(set: TraceSet, mode: string): void {
  const out = new Output();
  const text = mode === 'text' ? new TextFormatter(set) : undefined;
  for (const t of set.traces) {
    t.compiled.compileAll();
    for (const s of t.compiled.sources) out.line(s);
    if (!text) continue;
    for (const sc of t.compiled.streams.values()) {
      for (const ec of sc.eventList) {
        out.line(`// event "${ec.cls.name}" (id ${ec.cls.id}) text line`);
        out.line(text.source(t.compiled.cls, ec));
      }
    }
  }
  out.flush();
}

/** Has any stream's time gone backwards (between events or packets) so far? */
function timeWentBack(readers: readonly StreamReader[]): boolean {
  return readers.some((r) => r.eventRegressions > 0 || r.packetOverlaps > 0);
}

export async function runEvents(paths: string[], opts: EventsOptions): Promise<number> {
  const cpu = intOption(opts.cpu, '--cpu');
  const tid = intOption(opts.tid, '--tid');
  const nameRe = opts.event ? globToRegExp(opts.event) : undefined;
  const set = TraceSet.open(paths);
  if (opts.dumpDecoders) {
    dumpDecoders(set, opts.output ?? 'text');
    return 0;
  }
  const origin = set.origin;
  const mode = opts.output ?? 'text';
  const out = new Output();
  const progress = new Progress(set);
  const text = mode === 'text' ? new TextFormatter(set, (l) => progress.stderrLine(l)) : undefined;
  const clock = text?.clock ?? new ClockPrinter((l) => progress.stderrLine(l));
  // --output none, unfiltered or by name: streams can be decoded in worker threads (parallel.ts).
  const jobs = intOption(opts.jobs, '--jobs');
  const countOnly = mode === 'none' && opts.begin === undefined && opts.end === undefined && cpu === undefined && tid === undefined;
  if (jobs === 0) throw new UsageError('--jobs takes 1 or more');
  if (jobs !== undefined && jobs > 1 && !countOnly) throw new UsageError('--jobs above 1 needs --output none without --begin, --end, --cpu or --tid');
  const threads = countOnly ? (jobs ?? automaticJobs(set)) : 1;
  if (threads > 1) {
    let matched = 0;
    const scan = await parallelScan(paths, {
      jobs: threads,
      set,
      onNotice: (n) => progress.stderrLine(noticeMessage(set, n, clock)),
      onWarning: (w) => progress.stderrLine(`tracelane: warning: ${w}`),
      onEvent: nameRe ? (r) => void (nameRe.test(r.eventClass.cls.name) && matched++) : undefined,
      onTick: (readers) => progress.tick(readers),
    });
    progress.done();
    process.stdout.write(`${nameRe ? matched : scan.events} events\n`);
    const regressions = timeRegressions(scan.readers);
    if (regressions) process.stderr.write(`${regressions}\n`);
    return reportProblems(set);
  }
  const muxer = set.muxer({
    onNotice: (n) => progress.stderrLine(noticeMessage(set, n, clock)),
    onWarning: (w) => progress.stderrLine(`tracelane: warning: ${w}`),
  });
  // Offsets like `+1.5s` count from the first event, which the first step of the merge finds.
  let more = muxer.next();
  const firstTime = more ? muxer.current!.time : Number.NaN;
  const start = Number.isNaN(firstTime) ? origin : origin + BigInt(firstTime);
  const begin = opts.begin !== undefined ? Number(parseTimeArg(opts.begin, start, '--begin') - origin) : -Infinity;
  const end = opts.end !== undefined ? Number(parseTimeArg(opts.end, start, '--end') - origin) : Infinity;
  if (begin > end) throw new UsageError('--begin is after --end');
  // With a start time, the packet indexes let whole packets before it be skipped unread.
  if (begin !== -Infinity) for (const r of muxer.readers) r.seek(begin);
  const filtered = nameRe !== undefined || cpu !== undefined || tid !== undefined || begin !== -Infinity || end !== Infinity;
  // The merge is in time order, so once it passes --end nothing later is in range: stop reading.
  // Not when a stream has no clock (its events sort by ties only) or, below, when some stream has
  // gone back in time so far (then its later events may fall back into the range, see muxer.ts).
  const canStop = end !== Infinity && muxer.readers.every((r) => r.clock !== undefined);
  let count = 0;
  let seen = 0;
  try {
    for (; more; more = muxer.next()) {
      const r = muxer.current!;
      if ((++seen & 0xffff) === 0) progress.tick(muxer.readers);
      if (filtered) {
        if (r.time > end && canStop && !timeWentBack(muxer.readers)) break;
        if (r.time < begin || r.time > end) continue;
        if (nameRe && !nameRe.test(r.eventClass.cls.name)) continue;
        if (cpu !== undefined && r.records.pc['cpu_id'] !== cpu) continue;
        if (tid !== undefined && threadOf(r) !== tid) continue;
      }
      count++;
      if (text) text.writeLine(out.writer, r);
      else if (mode === 'json') out.line(eventToJson(r, Number.isNaN(r.time) ? undefined : origin + BigInt(r.time)));
    }
  } finally {
    out.flush();
    progress.done();
  }
  if (mode === 'none') process.stdout.write(`${count} events\n`);
  const backwards = timeRegressions(muxer.readers);
  if (backwards) process.stderr.write(`${backwards}\n`);
  return reportProblems(set);
}
