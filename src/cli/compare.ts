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
import type { Profile, ThreadProfile } from '../analysis/compare/profile.js';
import { UsageError } from '../util/errors.js';
import { jsonLine, round } from './analysis-options.js';
import { Output } from './output.js';
import { formatDuration, renderTable } from './table.js';
import { reportProblems } from './warnings.js';

interface CompareOptions {
  json?: boolean;
  match?: string;
  name?: string;
  failIfWorse?: string[];
  threshold?: string;
  limit?: string;
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
  const loaded = [beforePath, afterPath].map((p) => loadProfile(p, { ...(opts.name !== undefined ? { name: opts.name } : {}), onWarning: warn }));
  let code = 0;
  for (const l of loaded) code = Math.max(code, reportProblems(l.set));
  const c = compareProfiles(loaded[0]!.profile, loaded[1]!.profile, { match, thresholdPct });
  const results = evaluateGates(gates, c);
  const out = new Output();
  if (opts.json) out.line(jsonLine(toJson(c, results)));
  else printComparison(out, c, results, limit);
  out.flush();
  for (const r of results) {
    if (r.checked.length === 0) process.stderr.write(`tracelane: note: --fail-if-worse ${r.gate.text}: ${uncheckedReason(r)}\n`);
    for (const f of r.failed) process.stderr.write(`tracelane: compare: ${f.id} is worse by ${changeText(f)} (${fmt(f.unit, f.before)} → ${fmt(f.unit, f.after)}), more than the ${r.gate.pct} % allowed\n`);
  }
  return results.some((r) => r.failed.length > 0) ? 1 : code;
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
  return `${p.path}${what ? ` — ${what}` : ''}\n          ${kinds}; the program: ${p.focus}`;
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

// ── JSON ─────────────────────────────────────────────────────────────────────────────────────

function rowJson(r: MetricRow, section?: string, group?: string): Record<string, unknown> {
  const num = (v: number | undefined) => (v === undefined ? null : r.unit === 'ns' || r.unit === 'count' ? Math.round(v) : round(v, 3));
  return {
    id: r.id,
    ...(section !== undefined ? { section } : {}),
    ...(group !== undefined ? { group: group || null } : {}),
    label: r.label,
    unit: r.unit,
    better: r.better,
    before: num(r.before),
    after: num(r.after),
    change_pct: r.change === undefined || !Number.isFinite(r.change) ? null : round(r.change, 3),
    verdict: r.verdict,
  };
}

function profileJson(p: Profile): Record<string, unknown> {
  return {
    path: p.path,
    focus: p.focus,
    program: p.program ?? null,
    command: p.command ?? null,
    kernel: p.kernel !== undefined,
    user_space: p.ust !== undefined,
    lost: p.lost,
  };
}

function toJson(c: Comparison, gates: GateResult[]): unknown {
  const t = (x: ThreadProfile | undefined) => (x ? { tid: x.tid, pid: x.pid, name: x.name } : null);
  return {
    before: profileJson(c.before),
    after: profileJson(c.after),
    match: c.match,
    threshold_pct: c.thresholdPct,
    wall_from: c.wallFrom ?? null,
    summary: c.summary.map((r) => rowJson(r)),
    metrics: c.sections.flatMap((s) => s.groups.flatMap((g) => g.rows.map((r) => rowJson(r, s.id, g.label)))),
    threads: c.threads.map((p) => ({ label: p.label, before: t(p.before), after: t(p.after) })),
    notes: c.notes,
    gates: gates.map((g) => ({ gate: g.gate.text, metric: g.gate.metric, pct: g.gate.pct, checked: g.checked.map((r) => r.id), failed: g.failed.map((r) => r.id) })),
    gate_failed: gates.some((g) => g.failed.length > 0),
  };
}
