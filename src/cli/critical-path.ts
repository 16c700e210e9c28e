/**
 * `tracelane critical-path`: why a thread took as long as it did, down the chain of waits. The
 * path as segments (when, which thread, doing what, how long), then the time per thread and per
 * state as tables with bars; `--tree` shows the waits as a tree (A waited for B, B was preempted
 * by C…). The analysis itself is ../analysis/critical-path/.
 */
import type { Command } from 'commander';
import { criticalPath, type CriticalPathResult, type PathThread, type PreemptedBy, type WaitTreeNode } from '../analysis/critical-path/index.js';
import type { KernelModel } from '../analysis/kernel/model.js';
import { pidOf, rowsOfTid } from '../analysis/kernel/queries.js';
import { UsageError } from '../util/errors.js';
import { addAnalysisOptions, intOption, jsonLine, loadKernelModel, rangeLine, round, type AnalysisOptions, type Loaded } from './analysis-options.js';
import { bar, formatDuration, formatPct, renderTable } from './table.js';

interface CriticalPathOptions extends AnalysisOptions {
  tid?: string;
  tree?: boolean;
  limit?: string;
}

export function registerCriticalPath(program: Command): void {
  addAnalysisOptions(program.command('critical-path').description("a thread's critical path: what it waited for, down the chain of wakers"))
    .option('--tid <n>', 'the thread (required)')
    .option('--tree', 'show the waits as a tree (who waited for whom) instead of the segments')
    .option('--limit <n>', 'segments to list (default 100; 0 = all)')
    .action((traces: string[], opts: CriticalPathOptions) => {
      process.exitCode = runCriticalPath(traces, opts);
    });
}

/** The lifetime of `tid` that overlaps [begin, end] most. */
function rowFor(model: KernelModel, tid: number, begin: number, end: number): number {
  let best = -1;
  let bestOverlap = -1;
  for (const row of rowsOfTid(model, tid)) {
    const tbl = model.threadStates;
    const lo = tbl.rowOffset[row]!;
    const hi = tbl.rowOffset[row + 1]!;
    if (hi <= lo) continue;
    const overlap = Math.min(end, tbl.end[hi - 1]!) - Math.max(begin, tbl.start[lo]!);
    if (overlap > bestOverlap) {
      best = row;
      bestOverlap = overlap;
    }
  }
  return best;
}

export function runCriticalPath(paths: string[], opts: CriticalPathOptions): number {
  const tid = intOption(opts.tid, '--tid');
  if (tid === undefined) throw new UsageError('critical-path needs --tid N (the thread to explain)');
  const limit = intOption(opts.limit, '--limit') ?? 100;
  const l = loadKernelModel(paths, opts);
  const row = rowFor(l.model, tid, l.begin, l.end);
  if (row < 0) {
    process.stderr.write(`tracelane: no thread ${tid} in the trace\n`);
    l.finish();
    return 1;
  }
  const r = criticalPath(l.model, row, l.begin, l.end);
  if (opts.json) {
    l.out.line(jsonLine(toJson(l, r)));
    return l.finish();
  }
  const out = l.out;
  out.line(rangeLine(l));
  out.line('');
  const who = label(r.thread);
  if (r.segments.length === 0) {
    out.line(`${who} is not alive in this range: no critical path`);
    return l.finish();
  }
  const handoffs = r.handoffs.length === 1 ? '1 hand-off' : `${r.handoffs.length} hand-offs`;
  out.line(`Critical path of ${who}: ${formatDuration(r.summary.total)}, ${r.segments.length} segments, ${handoffs} between threads`);
  out.line('');
  if (opts.tree) printTree(l, r.tree);
  else printSegments(l, r, limit);
  out.line('');
  out.line('Time per thread');
  const maxT = r.summary.byThread[0]?.duration ?? 0;
  for (const line of renderTable(
    ['Thread', { title: 'Time', align: 'right' }, { title: 'Share', align: 'right' }, ''],
    r.summary.byThread.map((t) => [label(t), formatDuration(t.duration), formatPct(t.pct, 1), bar(t.duration, maxT)]),
  )) {
    out.line(line);
  }
  out.line('');
  out.line('Time per state');
  const maxS = r.summary.byType[0]?.duration ?? 0;
  for (const line of renderTable(
    ['State', { title: 'Time', align: 'right' }, { title: 'Share', align: 'right' }, ''],
    r.summary.byType.map((t) => [t.type, formatDuration(t.duration), formatPct(t.pct, 1), bar(t.duration, maxS)]),
  )) {
    out.line(line);
  }
  return l.finish();
}

function label(t: PathThread): string {
  return `${t.name || '?'} (${t.tid})`;
}

function preemptedLabel(p: PreemptedBy[]): string {
  return p.length ? `by ${p.map((x) => `${label(x)} ${formatDuration(x.duration)}`).join(', ')}` : '';
}

function printSegments(l: Loaded, r: CriticalPathResult, limit: number): void {
  const shown = limit === 0 ? r.segments : r.segments.slice(0, limit);
  for (const line of renderTable(
    ['Start', { title: 'Duration', align: 'right' }, 'Thread', 'State', 'Detail'],
    shown.map((s) => [l.time(s.start), formatDuration(s.duration), label(s.thread), s.type, s.preemptedBy ? preemptedLabel(s.preemptedBy) : s.detail]),
  )) {
    l.out.line(line);
  }
  if (shown.length < r.segments.length) l.out.line(`… ${r.segments.length - shown.length} more (--limit 0 lists them all)`);
}

/** Children shown per node of the tree. */
const TREE_CHILDREN = 10;

function printTree(l: Loaded, root: WaitTreeNode): void {
  const own = (n: WaitTreeNode) =>
    Object.entries(n.own)
      .map(([type, d]) => `${type} ${formatDuration(d)}${type === 'preempted' && n.preemptedBy.length ? ` (${preemptedLabel(n.preemptedBy)})` : ''}`)
      .join(', ');
  const walk = (n: WaitTreeNode, prefix: string, childPrefix: string): void => {
    const waits = n === root ? '' : `${n.waits === 1 ? '1 wait' : `${n.waits} waits`}, `;
    l.out.line(`${prefix}${label(n.thread)}  ${waits}${formatDuration(n.total)}${n.children.length || Object.keys(n.own).length ? ': ' : ''}${own(n)}`);
    const shown = n.children.slice(0, TREE_CHILDREN);
    shown.forEach((c, i) => {
      const last = i === shown.length - 1 && n.children.length <= TREE_CHILDREN;
      walk(c, `${childPrefix}${last ? '└─ ' : '├─ '}`, `${childPrefix}${last ? '   ' : '│  '}`);
    });
    if (n.children.length > TREE_CHILDREN) l.out.line(`${childPrefix}└─ … ${n.children.length - TREE_CHILDREN} more threads`);
  };
  walk(root, '', '');
}

function threadJson(l: Loaded, t: PathThread): { tid: number; pid: number; name: string } {
  const info = l.model.threads[t.row];
  return { tid: t.tid, pid: info ? pidOf(info) : t.tid, name: t.name };
}

function treeJson(l: Loaded, n: WaitTreeNode): unknown {
  return {
    ...threadJson(l, n.thread),
    waits: n.waits,
    total_ns: Math.round(n.total),
    own_ns: Object.fromEntries(Object.entries(n.own).map(([k, v]) => [k, Math.round(v)])),
    preempted_by: n.preemptedBy.map((p) => ({ tid: p.tid, name: p.name, duration_ns: Math.round(p.duration) })),
    children: n.children.map((c) => treeJson(l, c)),
  };
}

function toJson(l: Loaded, r: CriticalPathResult): unknown {
  return {
    begin: l.abs(r.begin),
    end: l.abs(r.end),
    thread: threadJson(l, r.thread),
    total_ns: Math.round(r.summary.total),
    segments: r.segments.map((s) => ({
      start: l.abs(s.start),
      end: l.abs(s.end),
      duration_ns: Math.round(s.duration),
      ...threadJson(l, s.thread),
      type: s.type,
      detail: s.detail || null,
      preempted_by: s.preemptedBy?.map((p) => ({ tid: p.tid, name: p.name, duration_ns: Math.round(p.duration) })),
    })),
    handoffs: r.handoffs.map((h) => ({ from_time: l.abs(h.fromTime), to_time: l.abs(h.toTime), from: threadJson(l, h.from), to: threadJson(l, h.to) })),
    by_thread: r.summary.byThread.map((t) => ({ ...threadJson(l, t), duration_ns: Math.round(t.duration), pct: round(t.pct) })),
    by_type: r.summary.byType.map((t) => ({ type: t.type, duration_ns: Math.round(t.duration), pct: round(t.pct) })),
    tree: treeJson(l, r.tree),
  };
}
