/**
 * What every kernel analysis command shares: the `--begin/--end/--json` options, reading the
 * trace into the kernel model (one pass, with progress on a terminal), the time range, time
 * formatting, and the end-of-run warnings (discarded events, damaged streams).
 */
import type { Command } from 'commander';
import { jsonWithBigints } from '../ctf/json-exact.js';
import { ClockPrinter } from '../ctf/clock-printer.js';
import { TraceSet } from '../ctf/trace-set.js';
import { analyzeKernel, type KernelAnalysis } from '../analysis/kernel/index.js';
import type { KernelModel } from '../analysis/kernel/model.js';
import { kernelTraceOf } from '../layouts/source.js';
import { ANNOUNCED_BYTES, findKernelRun, kernelRunFiles, writeKernelRun, type KernelRun, type ModelContent } from './kernel-cache.js';
import { UsageError } from '../util/errors.js';
import { Output } from './output.js';
import { Progress } from './progress.js';
import { parseTimeArg } from './time-arg.js';
import { reportProblems, timeRegressions } from './warnings.js';

export interface AnalysisOptions {
  begin?: string;
  end?: string;
  json?: boolean;
  /** false with `--no-cache`. */
  cache?: boolean;
}

export function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .argument('<trace...>', 'trace folders (a kernel trace, an LTTng session, or a perf CTF trace)')
    .option('--begin <time>', 'start of the range (ns, hh:mm:ss.nnnnnnnnn, or +1.5s from the first event)')
    .option('--end <time>', 'end of the range')
    .option('--json', 'print one JSON document (times in ns since the epoch)')
    .option('--no-cache', 'do not read or write the kernel model cache (~/.cache/tracelane)');
}

export interface Loaded {
  set: TraceSet;
  /** The reading (its `read.readers` are empty when the model came from the cache). */
  analysis: KernelAnalysis;
  model: KernelModel;
  /** The range asked for, within the trace (ns from the origin). */
  begin: number;
  end: number;
  out: Output;
  /** Absolute ns since the epoch of a model time. */
  abs(t: number): bigint;
  /** `hh:mm:ss.nnnnnnnnn` (local time, like `events`) of a model time. */
  time(t: number): string;
  /** Prints warnings and returns the exit code (1 when streams were damaged). */
  finish(): number;
}

/**
 * Reads the kernel trace of `paths` into the kernel model, for the range of the options.
 * `syscalls: false` leaves syscalls out of the model (for reports that do not use them);
 * `cpuStates: false` and `syscallTable: false` leave out tables a report does not read.
 */
export function loadKernelModel(paths: string[], opts: AnalysisOptions, content: { syscalls?: boolean; cpuStates?: boolean; syscallTable?: boolean } = {}): Loaded {
  const set = TraceSet.open(paths);
  // Whole-trace models are cached (ranges stop the reading early: they are not).
  const wanted: ModelContent = { syscalls: content.syscalls !== false, cpuStates: content.cpuStates !== false, syscallTable: content.syscallTable !== false };
  const whole = opts.cache !== false && opts.begin === undefined && opts.end === undefined;
  const cacheFiles = whole ? kernelRunFiles(set, wanted) : [];
  const cached = findKernelRun(cacheFiles);
  const cacheFile = cacheFiles[0]?.file;
  if (cached) return loaded(set, { model: cached.model, kernel: kernelTraceOf(set), read: { ...cached.read, readers: [] } }, -Infinity, Infinity, cached);
  const progress = new Progress(set);
  const warnings: string[] = [];
  let discarded = 0;
  let lostPackets = 0;
  let beginRel = -Infinity;
  let endRel = Infinity;
  const parseRange = (first: number): number => {
    const start = set.origin + BigInt(first);
    if (opts.begin !== undefined) beginRel = Number(parseTimeArg(opts.begin, start, '--begin') - set.origin);
    if (opts.end !== undefined) endRel = Number(parseTimeArg(opts.end, start, '--end') - set.origin);
    if (beginRel > endRel) throw new UsageError('--begin is after --end');
    return endRel;
  };
  let analysis: KernelAnalysis;
  try {
    analysis = analyzeKernel(set, {
      end: parseRange,
      onNotice: (n) => {
        if (n.kind === 'discarded-events') discarded += n.count ?? 1;
        else lostPackets += n.count ?? 1;
      },
      onWarning: (w) => {
        const line = `tracelane: warning: ${w}`;
        warnings.push(line);
        progress.stderrLine(line);
      },
      onTick: (readers) => progress.tick(readers),
      ...content,
    });
  } finally {
    progress.done();
  }
  const run = { warnings, discarded, lostPackets, regressions: timeRegressions(analysis.read.readers) ?? null };
  if (cacheFile !== undefined && set.problems.length === 0) {
    const { events, first, last, end } = analysis.read;
    const bytes = writeKernelRun(cacheFile, { content: wanted, model: analysis.model, read: { events, first, last, end }, ...run });
    if (bytes !== undefined && bytes >= ANNOUNCED_BYTES) {
      process.stderr.write(`tracelane: the kernel model is kept in ${cacheFile} (${Math.round(bytes / 2 ** 20)} MiB) for the next report on this trace (--no-cache: neither kept nor read)\n`);
    }
  }
  return loaded(set, analysis, beginRel, endRel, { ...run, warnings: [] });
}

/**
 * What reports get: the model, the range within it and the end-of-run warnings (`warnings`:
 * lines to print first, those a cached reading printed).
 */
function loaded(set: TraceSet, analysis: KernelAnalysis, beginRel: number, endRel: number, run: Pick<KernelRun, 'warnings' | 'discarded' | 'lostPackets' | 'regressions'>): Loaded {
  for (const line of run.warnings) process.stderr.write(`${line}\n`);
  const model = analysis.model;
  const begin = Math.max(beginRel, model.start);
  const end = Math.min(endRel, model.end);
  const clock = new ClockPrinter();
  return {
    set,
    analysis,
    model,
    begin,
    end: Math.max(begin, end),
    out: new Output(),
    abs: (t) => set.origin + BigInt(Math.round(t)),
    time: (t) => clock.formatBig(set.origin + BigInt(Math.round(t))),
    finish() {
      this.out.flush();
      const { discarded, lostPackets } = run;
      if (discarded > 0 || lostPackets > 0) {
        const what = [discarded > 0 ? `${discarded} discarded events` : '', lostPackets > 0 ? `${lostPackets} lost packets` : ''].filter(Boolean).join(' and ');
        process.stderr.write(`tracelane: warning: the tracer lost data (${what}); states around the gaps may be wrong\n`);
      }
      if (run.regressions) process.stderr.write(`${run.regressions}\n`);
      return reportProblems(set);
    },
  };
}

/** One JSON document with bigints printed as exact integers. */
export function jsonLine(doc: unknown): string {
  return jsonWithBigints(doc);
}

/** Parses a whole-number option. */
export function intOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} takes a whole number, not "${v}"`);
  return Number(v);
}

/** Rounds to `d` decimals (JSON figures). */
export function round(v: number, d = 3): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}

/** The header line every human report starts with. */
export function rangeLine(l: Loaded): string {
  const dur = (l.end - l.begin) / 1e9;
  return `Range: [${l.time(l.begin)}, ${l.time(l.end)}] (${dur.toFixed(6)} s), ${l.analysis.kernel.layout.name}`;
}
