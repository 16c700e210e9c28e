/**
 * `tracelane callstack`: call stacks from cyg-profile function entry/exit events: per-function
 * calls, inclusive and self time, folded stacks (`--folded`) and an SVG flame graph (`--flame`).
 */
import { writeFileSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { stringifyExact } from '../ctf/json-format.js';
import { TraceSet } from '../ctf/trace-set.js';
import { CallstackAnalysis, CYG_ENTRY, type CallNode, type FunctionRef, type ThreadCalls } from '../analysis/ust/callstack.js';
import { eventFields } from '../analysis/ust/event-names.js';
import { flameGraphSvg, foldedStacks, type FlameNode } from '../analysis/ust/flamegraph.js';
import { codeLabel, hexAddr, sourceLabel } from '../analysis/ust/names.js';
import { UsageError } from '../util/errors.js';
import { Output } from './output.js';
import { addUstOptions, clip, fmtDuration, jsonThread, reportSymbolProblems, runUstPass, table, threadLabel, type UstCommonOptions } from './ust-common.js';

export interface CallstackOptions extends UstCommonOptions {
  tid?: string;
  flame?: string;
  folded?: boolean;
  mergeThreads?: boolean;
  top?: string;
}

export function registerCallstack(program: Command): void {
  addUstOptions(
    program
      .command('callstack')
      .description('call stacks from cyg-profile func_entry/func_exit: per-function time, folded stacks, flame graph')
      .argument('<trace...>', 'trace folders')
      .option('--tid <n>', 'only this thread (vtid)')
      .option('--flame <file.svg>', 'write an SVG flame graph')
      .option('--folded', 'print folded stacks ("frame;frame;frame self_ns" per line) instead of the table')
      .option('--merge-threads', 'folded stacks and flame graph without a frame per thread')
      .option('--top <n>', 'functions listed', '25'),
  ).action(async (traces: string[], opts: CallstackOptions) => {
    process.exitCode = await runCallstack(traces, opts);
  });
}

function wholeNumber(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} takes a whole number, not "${v}"`);
  return Number(v);
}

export async function runCallstack(paths: string[], opts: CallstackOptions): Promise<number> {
  const tid = wholeNumber(opts.tid, '--tid');
  const top = wholeNumber(opts.top, '--top') ?? 25;
  const set = TraceSet.open(paths);
  const fields = eventFields(set);
  if (!CYG_ENTRY.some((e) => fields.has(e))) {
    throw new UsageError(
      'no lttng_ust_cyg_profile(_fast):func_entry events in the trace: build with -finstrument-functions and run with LD_PRELOAD=liblttng-ust-cyg-profile.so',
    );
  }
  const analysis = new CallstackAnalysis(tid !== undefined ? { tid } : {});
  const run = runUstPass(paths, opts, [analysis], set);
  if (run.resolver) analysis.resolve(run.resolver);
  const threads = analysis.threadCalls();
  if (tid !== undefined && threads.length === 0) process.stderr.write(`tracelane: warning: thread ${tid} has no function entry/exit events\n`);
  const multiProc = new Set(threads.map((t) => t.thread.vpid)).size > 1;
  const name = (fn: FunctionRef) => `${codeLabel(fn.where, fn.addr)}${multiProc ? ` [pid ${fn.vpid}]` : ''}`;
  const roots = flameRoots(threads, name, opts.mergeThreads === true);
  const out = new Output();
  if (opts.flame !== undefined) {
    const all: FlameNode = { name: 'all', total: 0, self: 0, calls: 0, children: roots };
    for (const r of roots) all.total += r.total;
    const title = `Flame graph: ${paths.map((p) => basename(resolvePath(p))).join(', ')}${tid !== undefined ? ` (thread ${tid})` : ''}`;
    writeFileSync(opts.flame, flameGraphSvg(all, { title, formatTime: fmtDuration }));
  }
  const stats = analysis.functionStats();
  if (opts.json) {
    const doc: Record<string, unknown> = {
      threads: threads.map((t) => ({
        thread: jsonThread(t.thread),
        calls: countCalls(t.root),
        total_ns: t.root.total,
        unmatched_exits: t.unmatchedExits,
        truncated: t.truncated,
        unwound: t.unwound,
      })),
      functions: stats.map((s) => ({
        vpid: s.fn.vpid < 0 ? null : s.fn.vpid,
        addr: hexAddr(s.fn.addr),
        name: name(s.fn),
        bin: s.fn.where?.bin ?? '',
        func: s.fn.where?.func ?? '',
        src: s.fn.where?.src ?? '',
        ...(s.fn.where?.function !== undefined ? { function: s.fn.where.function } : {}),
        ...(s.fn.where?.file !== undefined ? { file: s.fn.where.file, line: s.fn.where.line } : {}),
        calls: s.calls,
        total_ns: s.total,
        self_ns: s.self,
        max_ns: s.max,
      })),
    };
    if (opts.folded) doc['folded'] = foldedStacks(roots);
    out.line(stringifyExact(doc));
  } else if (opts.folded) {
    for (const l of foldedStacks(roots)) out.line(l);
  } else {
    const selfSum = stats.reduce((a, s) => a + s.self, 0);
    const rows = stats
      .slice(0, top)
      .map((s) => [
        clip(name(s.fn), 70),
        String(s.calls),
        fmtDuration(s.total),
        fmtDuration(s.self),
        selfSum > 0 ? `${((100 * s.self) / selfSum).toFixed(1)} %` : '',
        fmtDuration(s.max),
        sourceLabel(s.fn.where),
      ]);
    for (const l of table(['function', 'calls', 'total', 'self', 'self %', 'longest', 'source'], rows, 'lrrrrrl')) out.line(l);
    if (stats.length > top) out.line(`… ${stats.length - top} more functions (--top)`);
    out.line('');
    const tRows = threads.map((t) => [
      threadLabel(t.thread),
      String(countCalls(t.root)),
      fmtDuration(t.root.total),
      String(t.unmatchedExits),
      String(t.truncated),
    ]);
    for (const l of table(['thread', 'calls', 'time in calls', 'exits without entry', 'open at end'], tRows, 'lrrrr')) out.line(l);
    if (opts.flame !== undefined) out.line(`\nflame graph: ${opts.flame}`);
  }
  out.flush();
  reportSymbolProblems(run, analysis.allFunctions().some((f) => f.location));
  return run.code;
}

function countCalls(n: CallNode): number {
  let c = n.fn ? n.calls : 0;
  for (const ch of n.children.values()) c += countCalls(ch);
  return c;
}

/** Call trees as flame-graph frames: one root per thread, or the threads merged by function. */
function flameRoots(threads: ThreadCalls[], name: (fn: FunctionRef) => string, merge: boolean): FlameNode[] {
  const convert = (n: CallNode): FlameNode => ({
    name: name(n.fn!),
    total: n.total,
    self: n.self,
    calls: n.calls,
    children: [...n.children.values()].map(convert),
  });
  if (!merge) {
    return threads.map((t) => ({
      name: threadLabel(t.thread),
      total: t.root.total,
      self: 0,
      calls: 1,
      children: [...t.root.children.values()].map(convert),
    }));
  }
  // Merge: same name at the same path adds up.
  const mergeInto = (into: FlameNode[], n: FlameNode) => {
    let m = into.find((x) => x.name === n.name);
    if (!m) into.push((m = { name: n.name, total: 0, self: 0, calls: 0, children: [] }));
    m.total += n.total;
    m.self += n.self;
    m.calls += n.calls;
    for (const c of n.children) mergeInto(m.children, c);
  };
  const out: FlameNode[] = [];
  for (const t of threads) for (const c of t.root.children.values()) mergeInto(out, convert(c));
  return out;
}
