/**
 * What the user-space commands (`spans`, `locks`, `callstack`) share: the common options
 * (`--json`, `--begin/--end`, where debug files are), running the analysis pass with progress
 * and warnings on stderr, and the plain-text tables and durations of their reports.
 */
import type { Command } from 'commander';
import { ClockPrinter } from '../ctf/clock-printer.js';
import { TraceSet } from '../ctf/trace-set.js';
import { analyzeKernel, type KernelModel } from '../analysis/kernel/index.js';
import { kernelThreadStates } from '../analysis/ust/kernel-adapter.js';
import type { KernelThreadStates, StateTime } from '../analysis/ust/kernel-states.js';
import { UstPass, type TimeWindow, type UstConsumer } from '../analysis/ust/pass.js';
import { kernelLayoutFor } from '../layouts/index.js';
import { threadLabel, type UstThread } from '../analysis/ust/threads.js';
import { NmSymbols } from '../symbols/nm-file.js';
import { SymbolResolver } from '../symbols/resolver.js';
import { UsageError } from '../util/errors.js';
import { Progress } from './progress.js';
import { renderTable } from './table.js';
import { parseTimeArg } from './time-arg.js';
import { noticeMessage, reportProblems } from './warnings.js';

export interface UstCommonOptions {
  json?: boolean;
  begin?: string;
  end?: string;
  debugInfoDir?: string;
  debugInfoTargetPrefix?: string;
  symbols?: string[];
  /** `--no-symbolize` sets it to false. */
  symbolize?: boolean;
}

/** Adds the options every user-space command takes. */
export function addUstOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'machine-readable output (one JSON document; times in ns, absolute times exact)')
    .option('--begin <time>', 'ignore events before (ns, hh:mm:ss.nnnnnnnnn, or +1.5s from the first event)')
    .option('--end <time>', 'ignore events after')
    .option('--debug-info-dir <dir>', 'where separate debug files are looked for (default /usr/lib/debug), as babeltrace2')
    .option('--debug-info-target-prefix <dir>', 'prefix for the binary paths recorded in the trace (binaries copied elsewhere)')
    .option('--symbols <file>', 'nm-format symbol file for addresses without statedump (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--no-symbolize', 'do not resolve addresses to functions and source lines');
}

export interface UstRun {
  set: TraceSet;
  pass: UstPass;
  resolver: SymbolResolver | undefined;
  /** The --begin/--end window (ns from the origin; infinite sides when not given). */
  window: TimeWindow;
  /** Exit code so far (1 when a stream stopped on bad data). */
  code: number;
}

/** Opens the traces and runs the consumers over them, reporting what was lost on stderr. */
export function runUstPass(paths: string[], opts: UstCommonOptions, consumers: UstConsumer[], set = TraceSet.open(paths)): UstRun {
  const progress = new Progress(set);
  const clock = new ClockPrinter((l) => progress.stderrLine(l));
  const pass = new UstPass(set);
  let window: TimeWindow = { begin: -Infinity, end: Infinity };
  try {
    pass.run(consumers, {
      onNotice: (n) => progress.stderrLine(noticeMessage(set, n, clock)),
      onWarning: (w) => progress.stderrLine(`tracelane: warning: ${w}`),
      onProgress: (readers) => progress.tick(readers),
      window: (first) => (window = timeWindow(set, first, opts)),
    });
  } finally {
    progress.done();
  }
  const code = reportProblems(set);
  const resolver = opts.symbolize === false ? undefined : makeResolver(opts);
  return { set, pass, resolver, window, code };
}

function makeResolver(opts: UstCommonOptions): SymbolResolver {
  const r = new SymbolResolver({
    ...(opts.debugInfoDir !== undefined ? { debugDir: opts.debugInfoDir } : {}),
    ...(opts.debugInfoTargetPrefix !== undefined ? { targetPrefix: opts.debugInfoTargetPrefix } : {}),
    symbolFiles: (opts.symbols ?? []).map((f) => {
      try {
        return NmSymbols.load(f);
      } catch (e) {
        throw new UsageError(`--symbols: cannot read ${f}: ${(e as Error).message}`);
      }
    }),
  });
  return r;
}

/** Prints, once each, what limited symbol resolution (missing binaries, no llvm-symbolizer). */
export function reportSymbolProblems(run: UstRun, needed: boolean): void {
  if (!run.resolver) return;
  const lines = new Set(run.resolver.problems());
  for (const l of lines) process.stderr.write(`tracelane: note: ${l}\n`);
  if (needed && !run.resolver.symbolizer && lines.size === 0) {
    process.stderr.write('tracelane: note: llvm-symbolizer not found (Debian package llvm): function names from ELF symbols only, no source lines\n');
  }
}

function timeWindow(set: TraceSet, first: number, opts: UstCommonOptions): TimeWindow {
  const start = Number.isNaN(first) ? set.origin : set.origin + BigInt(first);
  const begin = opts.begin !== undefined ? Number(parseTimeArg(opts.begin, start, '--begin') - set.origin) : -Infinity;
  const end = opts.end !== undefined ? Number(parseTimeArg(opts.end, start, '--end') - set.origin) : Infinity;
  if (begin > end) throw new UsageError('--begin is after --end');
  return { begin, end };
}

/**
 * With one kernel trace in the set (LTTng kernel, or perf scheduler events that `tracelane
 * record --kernel` aligned on the LTTng clock), the kernel model's thread states, to place
 * user-space intervals in them. One more pass over the traces, done only then.
 */
export function kernelStatesOf(set: TraceSet): KernelThreadStates | undefined {
  const model = kernelModelOf(set);
  return model && kernelThreadStates(model);
}

/** The kernel model of the set's one kernel trace (undefined: none, or several). */
export function kernelModelOf(set: TraceSet): KernelModel | undefined {
  if (set.traces.filter((t) => kernelLayoutFor(t.cls)).length !== 1) return undefined;
  return analyzeKernel(set).model;
}

/** `blocked 52.8 %, wait_cpu 46.3 %, usermode 0.9 %` */
export function statesText(states: StateTime[]): string {
  const all = states.reduce((a, k) => a + k.ns, 0);
  const shown = states.filter((k) => all > 0 && (1000 * k.ns) / all >= 0.5);
  return shown.map((k) => `${k.state} ${((100 * k.ns) / all).toFixed(1)} %`).join(', ') || 'nothing known';
}

/** Durations as every analysis command prints them. */
export { formatDuration as fmtDuration } from './table.js';

/** Absolute time of a pass time, as the text output prints it (`hh:mm:ss.nnnnnnnnn`, local). */
export function fmtTime(run: UstRun, t: number, clock = new ClockPrinter(() => {})): string {
  return clock.formatBig(run.pass.absolute(t));
}

/** JSON for an absolute time: exact integer ns (see `stringifyExact`). */
export function jsonTime(run: UstRun, t: number): { $bigint: string } {
  return { $bigint: run.pass.absolute(t).toString() };
}

export function jsonThread(t: UstThread): Record<string, unknown> {
  const o: Record<string, unknown> = { vpid: t.vpid < 0 ? null : t.vpid, vtid: t.vtid < 0 ? null : t.vtid, procname: t.procname || null };
  if (t.role !== undefined) o['role'] = t.role;
  return o;
}

export { threadLabel };

/** A cell cut to `max` characters (long C++ names). */
export function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Rows under a header, aligned per `align` ('l' or 'r' per column); `header` false leaves out
 * the header and its rule (for indented detail lists).
 */
export function table(headers: string[], rows: string[][], align: string, header = true): string[] {
  const lines = renderTable(
    headers.map((title, i) => ({ title, align: align[i] === 'r' ? ('right' as const) : ('left' as const) })),
    rows,
  );
  return header ? lines : lines.slice(2);
}
