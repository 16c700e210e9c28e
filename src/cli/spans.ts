/**
 * `tracelane spans`: durations between begin/end tracepoint pairs, per thread or per key value:
 * count, min/mean/p99/max, total and the worst occurrences. Without `--begin-event/--end-event`
 * every pair named `*_begin/*_end`, `*_start/*_end`, `*_entry/*_exit` is measured.
 */
import type { Command } from 'commander';
import { stringifyExact } from '../ctf/json-format.js';
import { ClockPrinter } from '../ctf/clock-printer.js';
import { TraceSet } from '../ctf/trace-set.js';
import { eventFields, hexFields, matchEventName } from '../analysis/ust/event-names.js';
import { detectPairs, SpanAnalysis, type FieldValue, type SpanPair, type SpanResult } from '../analysis/ust/spans.js';
import type { DurationStats } from '../analysis/ust/stats.js';
import { UsageError } from '../util/errors.js';
import { Output } from './output.js';
import {
  addUstOptions,
  fmtDuration,
  jsonThread,
  jsonTime,
  kernelStatesOf,
  runUstPass,
  statesText,
  table,
  threadLabel,
  type UstCommonOptions,
  type UstRun,
} from './ust-common.js';

export interface SpansOptions extends UstCommonOptions {
  beginEvent?: string;
  endEvent?: string;
  key?: string;
  top?: string;
}

export function registerSpans(program: Command): void {
  addUstOptions(
    program
      .command('spans')
      .description('durations between begin/end events (default: every *_begin/*_end, *_start/*_end, *_entry/*_exit pair)')
      .argument('<trace...>', 'trace folders')
      .option('--begin-event <name>', 'event that opens a span (full name or without provider)')
      .option('--end-event <name>', 'event that closes it')
      .option('--key <field>', 'match begin and end by this field (e.g. job_id) instead of by thread, and group by it')
      .option('--top <n>', 'worst occurrences shown per pair', '5'),
  ).action(async (traces: string[], opts: SpansOptions) => {
    process.exitCode = await runSpans(traces, opts);
  });
}

/** The pairs to measure, from the options and the events the trace declares. */
export function choosePairs(set: TraceSet, opts: SpansOptions): SpanPair[] {
  const fields = eventFields(set);
  if ((opts.beginEvent === undefined) !== (opts.endEvent === undefined)) {
    throw new UsageError('--begin-event and --end-event go together');
  }
  let pairs: SpanPair[];
  if (opts.beginEvent !== undefined) {
    const begin = matchEventName(opts.beginEvent, fields.keys(), '--begin-event');
    const end = matchEventName(opts.endEvent!, fields.keys(), '--end-event');
    if (begin === end) throw new UsageError('--begin-event and --end-event name the same event');
    pairs = [{ begin, end }];
  } else {
    // Kernel and perf traces of the same session have pairs too (irq_handler_entry/exit), but
    // they are per CPU, not per thread: only user-space events are paired automatically.
    pairs = detectPairs(eventFields(set, true).keys());
    if (pairs.length === 0) {
      throw new UsageError('no *_begin/*_end, *_start/*_end or *_entry/*_exit event pairs in the trace; name them with --begin-event and --end-event');
    }
  }
  if (opts.key !== undefined) {
    const key = opts.key;
    const keyed = pairs.filter((p) => fields.get(p.begin)?.has(key) && fields.get(p.end)?.has(key));
    if (keyed.length === 0) {
      const p = pairs[0]!;
      throw new UsageError(
        pairs.length === 1 ? `--key: ${fields.get(p.begin)?.has(key) ? p.end : p.begin} has no field "${key}"` : `--key: no event pair has the field "${key}" on both sides`,
      );
    }
    pairs = keyed.map((p) => ({ ...p, key }));
  }
  return pairs;
}

export async function runSpans(paths: string[], opts: SpansOptions): Promise<number> {
  const top = Number(opts.top ?? '5');
  if (!Number.isInteger(top) || top < 0) throw new UsageError(`--top takes a whole number, not "${opts.top}"`);
  const set = TraceSet.open(paths);
  const pairs = choosePairs(set, opts);
  const kernel = kernelStatesOf(set);
  const analysis = new SpanAnalysis(pairs, { top, keepSpans: kernel !== undefined });
  const run = runUstPass(paths, opts, [analysis], set);
  const results = analysis.results(kernel);
  const out = new Output();
  if (opts.json) out.line(stringifyExact(spansJson(run, results)));
  else printSpans(out, run, results, hexFields(set));
  out.flush();
  return run.code;
}

function fieldText(v: FieldValue, hex = false): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return hex && (typeof v === 'number' || typeof v === 'bigint') ? `0x${v.toString(16)}` : String(v);
}

function statsJson(s: DurationStats): Record<string, number> {
  return { count: s.count, total_ns: s.total, min_ns: s.min, mean_ns: Math.round(s.mean), p99_ns: s.p99, max_ns: s.max };
}

function jsonValue(v: FieldValue | undefined): unknown {
  return typeof v === 'bigint' ? { $bigint: v.toString() } : v;
}

function spansJson(run: UstRun, results: SpanResult[]): unknown {
  return {
    pairs: results.map((r) => ({
      begin_event: r.pair.begin,
      end_event: r.pair.end,
      matched_by: r.pair.key ?? 'thread',
      ...statsJson(r.stats),
      open_at_end: r.open,
      ends_without_begin: r.unmatchedEnds,
      ...(r.pair.key !== undefined ? { events_without_key: r.missingKey } : {}),
      ...(r.kernel ? { kernel_states: r.kernel } : {}),
      groups: r.groups.map((g) => ({ ...(g.thread ? { thread: jsonThread(g.thread) } : { key: jsonValue(g.key) }), ...statsJson(g.stats) })),
      worst: r.worst.map((w) => ({
        begin: jsonTime(run, w.begin),
        end: jsonTime(run, w.end),
        duration_ns: w.duration,
        thread: jsonThread(w.thread),
        ...(w.endThread !== w.thread ? { end_thread: jsonThread(w.endThread) } : {}),
        ...(w.key !== undefined ? { key: jsonValue(w.key) } : {}),
        fields: Object.fromEntries(Object.entries(w.fields).map(([k, v]) => [k, jsonValue(v)])),
      })),
    })),
  };
}

const STAT_HEADERS = ['count', 'min', 'mean', 'p99', 'max', 'total'];

function statCells(s: DurationStats): string[] {
  return [String(s.count), fmtDuration(s.min), fmtDuration(s.mean), fmtDuration(s.p99), fmtDuration(s.max), fmtDuration(s.total)];
}

function printSpans(out: Output, run: UstRun, results: SpanResult[], hex: Map<string, Set<string>>): void {
  if (results.length === 0) {
    out.line('No spans: none of the begin/end events occurred.');
    return;
  }
  const clock = new ClockPrinter(() => {});
  results.forEach((r, i) => {
    if (i > 0) out.line('');
    out.line(`${r.pair.begin} → ${r.pair.end}  (matched by ${r.pair.key ?? 'thread'})`);
    const hexBegin = hex.get(r.pair.begin) ?? new Set<string>();
    const keyHex = r.pair.key !== undefined && hexBegin.has(r.pair.key);
    // A key unique to each span (a job ID) makes one-span groups: then only the total is useful.
    const groups = r.pair.key === undefined || r.groups.some((g) => g.stats.count > 1) ? r.groups : [];
    const rows = groups.slice(0, 20).map((g) => [g.thread ? threadLabel(g.thread) : `${r.pair.key} = ${fieldText(g.key!, keyHex)}`, ...statCells(g.stats)]);
    if (groups.length > 20) rows.push([`… ${groups.length - 20} more`, '', '', '', '', '', '']);
    if (groups.length !== 1) rows.push(['all', ...statCells(r.stats)]);
    for (const l of table([r.pair.key ?? 'thread', ...STAT_HEADERS], rows, 'lrrrrrr')) out.line(`  ${l}`);
    if (r.kernel) out.line(`  during these spans the threads were (kernel trace): ${statesText(r.kernel)}`);
    if (r.worst.length > 0) {
      out.line('  worst:');
      for (const w of r.worst) {
        const fields = Object.entries(w.fields)
          .map(([k, v]) => `${k}=${fieldText(v, hexBegin.has(k))}`)
          .join(' ');
        const where = w.endThread !== w.thread ? `${threadLabel(w.thread)} → ${threadLabel(w.endThread)}` : threadLabel(w.thread);
        out.line(`    ${fmtDuration(w.duration).padStart(10)}  at ${clock.formatBig(run.pass.absolute(w.begin))}  ${where}${fields ? `  ${fields}` : ''}`);
      }
    }
    const notes: string[] = [];
    if (r.open > 0) notes.push(`${r.open} begin${r.open === 1 ? '' : 's'} without end (still open at the end)`);
    if (r.unmatchedEnds > 0) notes.push(`${r.unmatchedEnds} end${r.unmatchedEnds === 1 ? '' : 's'} without begin`);
    if (r.missingKey > 0) notes.push(`${r.missingKey} events without the key field`);
    if (notes.length > 0) out.line(`  not counted: ${notes.join('; ')}`);
  });
}
