/**
 * `tracelane compare <before> <after>`: did my change help? Two traces of the same program side
 * by side — wall time, CPU usage, time per thread state, scheduling latency, blocked time per
 * waker, system calls, locks, spans, migrations — with the change in % and whether it is better
 * or worse: the five largest changes first, then the detail. `--fail-if-worse METRIC:PCT` makes
 * it a pipeline gate (exit 1 when a metric got worse by more than PCT %).
 */
import type { Command } from 'commander';
import { compareProfiles, DEFAULT_THRESHOLD_PCT, type Comparison, type MetricRow } from '../analysis/compare/compare.js';
import { evaluateGates, parseGate, type Gate, type GateResult } from '../analysis/compare/gate.js';
import { loadProfile } from '../analysis/compare/load.js';
import type { MatchMode } from '../analysis/compare/match.js';
import { FAMILY_METRICS, PROGRAM_METRICS, type Unit } from '../analysis/compare/metrics.js';
import { comparisonJson } from '../analysis/compare/json.js';
import type { Profile, ThreadProfile } from '../analysis/compare/profile.js';
import type { TimeWindow } from '../analysis/ust/pass.js';
import { UsageError } from '../util/errors.js';
import { jsonLine } from './analysis-options.js';
import { Output } from './output.js';
import { formatDuration, renderTable } from './table.js';
import { parseTimeArg } from './time-arg.js';
import { reportProblems } from './warnings.js';

interface CompareOptions {
  json?: boolean;
  match?: string;
  name?: string;
  failIfWorse?: string[];
  threshold?: string;
  limit?: string;
  begin?: string;
  end?: string;
  beforeBegin?: string;
  beforeEnd?: string;
  afterBegin?: string;
  afterEnd?: string;
}

function metricsHelp(): string {
  const lines = ['', 'Metric ids (for --fail-if-worse and the JSON):'];
  const w = Math.max(...PROGRAM_METRICS.map((m) => m.id.length));
  for (const m of PROGRAM_METRICS) lines.push(`  ${m.id.padEnd(w)}  ${m.better === 'none' ? '' : `(${m.better} is better) `}${m.doc}`);
  lines.push('Per thing: FAMILY.<name>.FIGURE, e.g. thread.calcjob-w1.blocked, lock.job_queue.wait, span.calcjob:job.p99');
  for (const f of FAMILY_METRICS) lines.push(`  ${f.family}.<${f.family}>.{${f.figures.map((x) => x.id).join(',')}}`);
  lines.push('METRIC may be a glob (thread.*.blocked). PCT: how much worse is allowed, in % (0 = any worsening).');
  return lines.join('\n');
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare two traces of a program: what got better or worse (wall time, CPU, thread states, scheduling, wakers, syscalls, locks, spans)')
    .argument('<before>', 'the trace before the change (trace folder or session, e.g. from tracelane record --kernel)')
    .argument('<after>', 'the trace after the change')
    .option('--json', 'one JSON document (for CI)')
    .option('--match <how>', 'how threads are paired: name (same name, in order of appearance) or tid', 'name')
    .option('--name <pattern>', "the program's threads (glob; default: the recorded process, else the processes with user-space events, else all)")
    .option('--fail-if-worse <METRIC:PCT>', 'exit 1 when METRIC got worse by more than PCT % (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--threshold <pct>', 'changes smaller than this (in %) are marked "same"', String(DEFAULT_THRESHOLD_PCT))
    .option('--limit <n>', 'rows per detail section (threads, wakers, syscalls, locks, spans; 0 = all)', '10')
    .option('--begin <time>', "start of the range in both traces (ns, hh:mm:ss.nnnnnnnnn, or +1.5s from each trace's first event)")
    .option('--end <time>', 'end of the range in both traces')
    .option('--before-begin <time>', 'start of the range in the before trace (overrides --begin)')
    .option('--before-end <time>', 'end of the range in the before trace (overrides --end)')
    .option('--after-begin <time>', 'start of the range in the after trace (overrides --begin)')
    .option('--after-end <time>', 'end of the range in the after trace (overrides --end)')
    .addHelpText('after', metricsHelp())
    .action((before: string, after: string, opts: CompareOptions) => {
      process.exitCode = runCompare(before, after, opts);
    });
}

function nonNegative(v: string | undefined, name: string, dflt: number, whole = false): number {
  if (v === undefined) return dflt;
  if (!(whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(v)) throw new UsageError(`${name} takes a ${whole ? 'whole ' : ''}number, not "${v}"`);
  return Number(v);
}

export function runCompare(beforePath: string, afterPath: string, opts: CompareOptions): number {
  if (opts.match !== undefined && opts.match !== 'name' && opts.match !== 'tid') throw new UsageError(`--match takes name or tid, not "${opts.match}"`);
  const match = (opts.match ?? 'name') as MatchMode;
  const thresholdPct = nonNegative(opts.threshold, '--threshold', DEFAULT_THRESHOLD_PCT);
  const limit = nonNegative(opts.limit, '--limit', 10, true);
  const gates: Gate[] = (opts.failIfWorse ?? []).map(parseGate);
  const warn = (l: string) => process.stderr.write(`tracelane: warning: ${l}\n`);
  const sides = [
    { path: beforePath, window: sideWindow('before', opts.beforeBegin ?? opts.begin, opts.beforeEnd ?? opts.end, opts.beforeBegin === undefined, opts.beforeEnd === undefined) },
    { path: afterPath, window: sideWindow('after', opts.afterBegin ?? opts.begin, opts.afterEnd ?? opts.end, opts.afterBegin === undefined, opts.afterEnd === undefined) },
  ];
  const loaded = sides.map((s) => loadProfile(s.path, { ...(opts.name !== undefined ? { name: opts.name } : {}), ...(s.window ? { window: s.window } : {}), onWarning: warn }));
  let code = 0;
  for (const l of loaded) code = Math.max(code, reportProblems(l.set));
  const c = compareProfiles(loaded[0]!.profile, loaded[1]!.profile, { match, thresholdPct });
  const results = evaluateGates(gates, c);
  const out = new Output();
  if (opts.json) out.line(jsonLine(comparisonJson(c, results)));
  else printComparison(out, c, results, limit);
  out.flush();
  for (const r of results) {
    if (r.checked.length === 0) process.stderr.write(`tracelane: note: --fail-if-worse ${r.gate.text}: ${uncheckedReason(r)}\n`);
    for (const f of r.failed) process.stderr.write(`tracelane: compare: ${f.id} is worse by ${changeText(f)} (${fmt(f.unit, f.before)} → ${fmt(f.unit, f.after)}), more than the ${r.gate.pct} % allowed\n`);
  }
  return results.some((r) => r.failed.length > 0) ? 1 : code;
}

/**
 * One side's range as `loadProfile` wants it: parsed once the trace's first event is known (for
 * `+1.5s`). The option named in errors is the one the user gave.
 */
function sideWindow(side: 'before' | 'after', begin: string | undefined, end: string | undefined, sharedBegin: boolean, sharedEnd: boolean): ((first: number, origin: bigint) => TimeWindow) | undefined {
  if (begin === undefined && end === undefined) return undefined;
  const beginOpt = sharedBegin ? '--begin' : `--${side}-begin`;
  const endOpt = sharedEnd ? '--end' : `--${side}-end`;
  return (first, origin) => {
    const start = Number.isNaN(first) ? origin : origin + BigInt(first);
    const b = begin === undefined ? -Infinity : Number(parseTimeArg(begin, start, beginOpt) - origin);
    const e = end === undefined ? Infinity : Number(parseTimeArg(end, start, endOpt) - origin);
    if (b > e) throw new UsageError(`${beginOpt} is after ${endOpt} in the ${side} trace`);
    return { begin: b, end: e };
  };
}

function uncheckedReason(g: GateResult): string {
  return g.matched > 0 ? `nothing checked (${g.gate.metric} is in one trace only)` : `nothing checked (${g.gate.metric} is not measured in these traces)`;
}

// ── text ─────────────────────────────────────────────────────────────────────────────────────

function fmt(unit: Unit, v: number | undefined): string {
  if (v === undefined) return '-';
  if (unit === 'ns') return formatDuration(v);
  if (unit === 'pct') return `${v.toFixed(1)} %`;
  return String(Math.round(v));
}

function changeText(r: MetricRow): string {
  if (r.change === undefined) return '-';
  if (!Number.isFinite(r.change)) return 'from 0';
  return `${r.change > 0 ? '+' : ''}${r.change.toFixed(1)} %`;
}

const COLUMNS = (first: string) => [first, { title: 'Before', align: 'right' as const }, { title: 'After', align: 'right' as const }, { title: 'Change', align: 'right' as const }, ''];

const MARKS: Record<MetricRow['verdict'], string> = { better: 'better', worse: 'WORSE', same: 'same', changed: '', new: 'only after', gone: 'only before' };

function rowCells(r: MetricRow, label: string): string[] {
  return [label, fmt(r.unit, r.before), fmt(r.unit, r.after), changeText(r), MARKS[r.verdict]];
}

function describe(p: Profile): string {
  const what = p.command ? p.command.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ') : '';
  const kinds = [p.kernel ? 'kernel' : '', p.ust ? 'user-space' : ''].filter(Boolean).join(' + ');
  return `${p.path}${what ? ` — ${what}` : ''}\n          ${kinds}; the program: ${p.focus}${rangeText(p)}`;
}

/** `; range +0.010000 s to +0.050000 s` (offsets from the trace's first event), '' for the whole trace. */
function rangeText(p: Profile): string {
  const r = p.range;
  if (!r) return '';
  const at = (t: number) => (Number.isFinite(t) ? `+${((t - (Number.isNaN(r.first) ? 0 : r.first)) / 1e9).toFixed(6)} s` : '');
  return `\n          range: ${Number.isFinite(r.begin) ? at(r.begin) : 'start'} to ${Number.isFinite(r.end) ? at(r.end) : 'end'} (from the trace's first event)`;
}

function threadLine(c: Comparison): string {
  const only = (side: 'before' | 'after') => c.threads.filter((t) => t[side] && !t[side === 'before' ? 'after' : 'before']).map((t) => t.label);
  const ob = only('before');
  const oa = only('after');
  const matched = c.threads.length - ob.length - oa.length;
  const list = (l: string[]) => (l.length > 6 ? `${l.slice(0, 6).join(', ')}, …` : l.join(', '));
  return (
    `threads matched by ${c.match}: ${matched}` +
    (ob.length ? `; only before: ${ob.length} (${list(ob)})` : '') +
    (oa.length ? `; only after: ${oa.length} (${list(oa)})` : '')
  );
}

function heading(out: Output, title: string): void {
  out.line('');
  out.line(`== ${title} ${'='.repeat(Math.max(3, 72 - title.length))}`);
}

function printComparison(out: Output, c: Comparison, gates: GateResult[], limit: number): void {
  out.line(`before:   ${describe(c.before)}`);
  out.line(`after:    ${describe(c.after)}`);
  out.line(threadLine(c));
  const main = c.sections.find((s) => s.id === 'program')?.groups[0]?.rows ?? [];
  const wall = main.find((r) => r.id === 'wall');
  if (wall) out.line(`wall time: ${fmt(wall.unit, wall.before)} → ${fmt(wall.unit, wall.after)}, ${changeText(wall)} (${wall.verdict === 'worse' ? 'WORSE' : wall.verdict})`);
  const count = (v: MetricRow['verdict']) => main.filter((r) => r.verdict === v).length;
  heading(out, 'Largest changes');
  if (c.summary.length === 0) {
    out.line(main.every((r) => r.change === 0) ? 'No change: every figure is the same in both traces.' : `No change larger than ${c.thresholdPct} % in the main figures.`);
  } else {
    for (const l of renderTable(COLUMNS(''), c.summary.map((r) => rowCells(r, summaryLabel(c, r))))) out.line(l);
  }
  if (main.length > 0) out.line(`Program figures: ${count('better')} better, ${count('worse')} worse, ${count('same')} the same (changes under ${c.thresholdPct} %).`);
  for (const g of gates) {
    const verdict = g.checked.length === 0 ? uncheckedReason(g) : g.failed.length > 0 ? `FAILED (${g.failed.map((f) => `${f.id} ${changeText(f)}`).join(', ')})` : 'passed';
    out.line(`Gate ${g.gate.text}: ${verdict}`);
  }

  for (const s of c.sections) {
    heading(out, s.title);
    const rows: string[][] = [];
    const groups = s.id === 'program' || limit === 0 ? s.groups : s.groups.slice(0, limit);
    for (const g of groups) {
      // Figures that are 0 on both sides say nothing (the JSON has them).
      const shown = g.rows.filter((r) => !(r.before === 0 && r.after === 0) && !(r.before === undefined && r.after === 0) && !(r.after === undefined && r.before === 0));
      if (shown.length === 0) continue;
      if (g.label === '') {
        for (const r of shown) rows.push(rowCells(r, r.label));
        continue;
      }
      rows.push([g.label, '', '', '', '']);
      for (const r of shown) rows.push(rowCells(r, `  ${r.label}`));
    }
    const first = s.id === 'program' ? 'Metric' : s.id === 'threads' ? 'Thread' : s.id === 'wakers' ? 'Waker' : s.id === 'syscalls' ? 'System call' : s.id === 'locks' ? 'Lock' : 'Span type';
    for (const l of renderTable(COLUMNS(first), rows)) out.line(l);
    if (groups.length < s.groups.length) out.line(`… ${s.groups.length - groups.length} more (--limit 0 shows all)`);
  }
  if (c.threads.length > 0) {
    heading(out, `Threads matched by ${c.match}`);
    const tid = (t: ThreadProfile | undefined) => (t ? String(t.tid) : '-');
    const shown = limit === 0 ? c.threads : c.threads.slice(0, Math.max(limit, 20));
    for (const l of renderTable(['Thread', 'TID before', 'TID after'], shown.map((t) => [t.label, tid(t.before), tid(t.after)]))) out.line(l);
    if (shown.length < c.threads.length) out.line(`… ${c.threads.length - shown.length} more (--limit 0 shows all)`);
  }
  if (c.notes.length > 0) {
    out.line('');
    for (const n of c.notes) out.line(`note: ${n}`);
  }
}

/** `wall time`, `lock job_queue: wait`, `span calcjob:job: mean`. */
function summaryLabel(c: Comparison, r: MetricRow): string {
  for (const s of c.sections) {
    for (const g of s.groups) {
      if (!g.rows.includes(r)) continue;
      if (g.label === '') return r.label;
      const what = s.id === 'locks' ? 'lock' : s.id === 'spans' ? 'span' : s.id === 'threads' ? 'thread' : s.id === 'wakers' ? 'waker' : 'syscall';
      return `${what} ${g.label}: ${r.label}`;
    }
  }
  return r.label;
}
