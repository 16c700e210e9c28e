/**
 * A comparison as one JSON document: what `tracelane compare --json` prints and what the
 * side-by-side page's `/api/compare` answers (one function, so both give the same numbers).
 * Durations in ns and counts are integers; absolute times are bigints (ns since the epoch), to be
 * written with ctf/json-format's jsonWithBigints.
 */
import type { Comparison, MetricRow } from './compare.js';
import type { GateResult } from './gate.js';
import type { Profile, ThreadProfile } from './profile.js';

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function rowJson(r: MetricRow, section?: string, group?: string): Record<string, unknown> {
  const num = (v: number | undefined) => (v === undefined ? null : r.unit === 'ns' || r.unit === 'count' ? Math.round(v) : round3(v));
  return {
    id: r.id,
    ...(section !== undefined ? { section } : {}),
    ...(group !== undefined ? { group: group || null } : {}),
    label: r.label,
    unit: r.unit,
    better: r.better,
    before: num(r.before),
    after: num(r.after),
    change_pct: r.change === undefined || !Number.isFinite(r.change) ? null : round3(r.change),
    verdict: r.verdict,
  };
}

/** The range profiled (ns since the epoch; null: that side is open), or null for the whole trace. */
function rangeJson(p: Profile): { begin: bigint | null; end: bigint | null } | null {
  const r = p.range;
  if (!r) return null;
  const abs = (t: number) => (Number.isFinite(t) ? r.origin + BigInt(Math.round(t)) : null);
  return { begin: abs(r.begin), end: abs(r.end) };
}

/**
 * The program's run the wall time measures (ns since the epoch): the kernel's or the user-space
 * events', as `wall_from` says (when the wall time is not compared, this side's own, kernel
 * first); null when the program has no thread or event here.
 */
function runJson(p: Profile, from: Comparison['wallFrom']): { begin: bigint; end: bigint } | null {
  const run = (from ?? (p.kernel ? 'kernel' : 'ust')) === 'kernel' ? p.kernel?.run : p.ust?.run;
  if (!run || p.origin === undefined) return null;
  return { begin: p.origin + BigInt(Math.round(run.begin)), end: p.origin + BigInt(Math.round(run.end)) };
}

function profileJson(p: Profile, from: Comparison['wallFrom']): Record<string, unknown> {
  return {
    path: p.path,
    focus: p.focus,
    program: p.program ?? null,
    command: p.command ?? null,
    kernel: p.kernel !== undefined,
    user_space: p.ust !== undefined,
    lost: p.lost,
    range: rangeJson(p),
    run: runJson(p, from),
  };
}

export function comparisonJson(c: Comparison, gates: GateResult[] = []): Record<string, unknown> {
  const t = (x: ThreadProfile | undefined) => (x ? { tid: x.tid, pid: x.pid, name: x.name } : null);
  return {
    before: profileJson(c.before, c.wallFrom),
    after: profileJson(c.after, c.wallFrom),
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
