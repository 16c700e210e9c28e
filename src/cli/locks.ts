/**
 * `tracelane locks`: lock contention per mutex from user-space lock events (pthread wrapper,
 * a program's own `lock_wait_begin/lock_acquired/lock_release` events, or any three events
 * named on the command line): acquisitions, contended ones, wait and hold times, the threads
 * that waited most and the code where they waited. With a kernel trace that recorded syscall
 * arguments, also the contention the kernel saw: `futex` waits per futex word, and who woke them.
 */
import type { Command } from 'commander';
import { stringifyExact } from '../ctf/json-format.js';
import { ClockPrinter } from '../ctf/clock-printer.js';
import { TraceSet } from '../ctf/trace-set.js';
import { eventFields, hexFields, matchEventName } from '../analysis/ust/event-names.js';
import { detectSchemes, LockAnalysis, type LockResult, type LockScheme, type WaitSite } from '../analysis/ust/locks.js';
import { CallstackAnalysis, CYG_ENTRY } from '../analysis/ust/callstack.js';
import { codeLabel, hexAddr, sourceLabel } from '../analysis/ust/names.js';
import { kernelThreadStates } from '../analysis/ust/kernel-adapter.js';
import { futexContention, hasFutexArguments, type FutexResult } from '../analysis/kernel/futex.js';
import { wakerLabel } from '../analysis/kernel/reports.js';
import { pidOf } from '../analysis/kernel/queries.js';
import type { DurationStats } from '../analysis/ust/stats.js';
import { UsageError } from '../util/errors.js';
import { Output } from './output.js';
import {
  addUstOptions,
  clip,
  statesText,
  fmtDuration,
  jsonThread,
  kernelModelOf,
  jsonTime,
  reportSymbolProblems,
  runUstPass,
  table,
  threadLabel,
  type UstCommonOptions,
  type UstRun,
} from './ust-common.js';

export interface LocksOptions extends UstCommonOptions {
  source?: string[];
  lockEvents?: string;
  lockField?: string;
  lockNameField?: string;
  top?: string;
  limit?: string;
}

export function registerLocks(program: Command): void {
  addUstOptions(
    program
      .command('locks')
      .description('lock contention per mutex: acquisitions, contended ones, wait and hold times, who waited and where')
      .argument('<trace...>', 'trace folders')
      .option('--source <name>', 'only these locks: "pthread", a provider such as "calcjob", or "futex" (kernel) (repeatable)', (v: string, p: string[] = []) => [...p, v])
      .option('--lock-events <req,acq,rel>', 'your own lock events: request, acquired and release event names, comma-separated')
      .option('--lock-field <field>', 'with --lock-events: the field identifying the lock (default: addr, mutex or lock, whichever exists)')
      .option('--lock-name-field <field>', 'with --lock-events: a string field naming the lock')
      .option('--top <n>', 'threads, wait sites and worst waits shown per lock', '5')
      .option('--limit <n>', 'locks shown in detail (the most waited-for)', '5'),
  ).action(async (traces: string[], opts: LocksOptions) => {
    process.exitCode = await runLocks(traces, opts);
  });
}

function wholeNumber(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} takes a whole number, not "${v}"`);
  return Number(v);
}

/**
 * The lock schemes to use, from the options and the events the trace declares; none is an
 * error unless the kernel trace's futex calls (`haveFutexes`) can stand in.
 */
export function chooseSchemes(set: TraceSet, opts: LocksOptions, haveFutexes = false): LockScheme[] {
  const fields = eventFields(set);
  if (opts.lockEvents !== undefined) {
    const parts = opts.lockEvents.split(',').map((s) => s.trim());
    if (parts.length !== 3 || parts.some((p) => p === '')) throw new UsageError('--lock-events takes three event names: request,acquired,release');
    const [req, acq, rel] = parts.map((p) => matchEventName(p, fields.keys(), '--lock-events')) as [string, string, string];
    const has = (f: string) => [req, acq, rel].every((e) => fields.get(e)?.has(f));
    const lockField = opts.lockField ?? ['addr', 'mutex', 'lock', 'lock_id'].find(has);
    if (lockField === undefined) throw new UsageError('--lock-field: name the field identifying the lock (no addr, mutex or lock field in all three events)');
    if (!has(lockField)) throw new UsageError(`--lock-field: not every lock event has the field "${lockField}"`);
    const scheme: LockScheme = { name: 'custom', request: [req], acquired: [acq], release: [rel], lockField };
    if (opts.lockNameField !== undefined) scheme.nameField = opts.lockNameField;
    return [scheme];
  }
  if (opts.lockField !== undefined || opts.lockNameField !== undefined) throw new UsageError('--lock-field and --lock-name-field go with --lock-events');
  let schemes = detectSchemes(fields);
  if (opts.source && opts.source.length > 0) {
    const known = [...schemes.map((s) => s.name), ...(haveFutexes ? ['futex'] : [])];
    for (const s of opts.source) if (!known.includes(s)) throw new UsageError(`--source: no "${s}" lock events in the trace (found: ${known.join(', ') || 'none'})`);
    schemes = schemes.filter((s) => opts.source!.includes(s.name));
  }
  if (schemes.length === 0 && !haveFutexes) {
    throw new UsageError(
      'no lock events in the trace: record with liblttng-ust-pthread-wrapper (lttng_ust_pthread:*), emit P:lock_wait_begin/lock_acquired/lock_release, name your events with --lock-events, or add a kernel trace with futex syscalls',
    );
  }
  return schemes;
}

export async function runLocks(paths: string[], opts: LocksOptions): Promise<number> {
  const top = wholeNumber(opts.top, '--top', 5);
  const limit = wholeNumber(opts.limit, '--limit', 5);
  const set = TraceSet.open(paths);
  const model = opts.lockEvents === undefined && (opts.source === undefined || opts.source.includes('futex')) ? kernelModelOf(set) : undefined;
  const futexes = model !== undefined && hasFutexArguments(model);
  const schemes = chooseSchemes(set, opts, futexes);
  const kernel = model && kernelThreadStates(model);
  // With function entry/exit events, a wait site also says which calls the thread was in.
  const calls = CYG_ENTRY.some((e) => eventFields(set).has(e)) ? new CallstackAnalysis() : undefined;
  const analysis = new LockAnalysis(schemes, { top, keepWaits: kernel !== undefined, ...(calls ? { stackOf: (t) => calls.currentStack(t, 4) } : {}) });
  const run = runUstPass(paths, opts, calls ? [calls, analysis] : [analysis], set);
  const results = analysis.results(kernel);
  if (run.resolver) LockAnalysis.resolve(results, run.resolver);
  const hex = hexFields(set);
  const lockText = (r: LockResult) => {
    const scheme = schemes.find((s) => s.name === r.scheme)!;
    const isHex = typeof r.lock === 'number' && scheme.acquired.some((e) => hex.get(e)?.has(scheme.lockField));
    return isHex ? hexAddr(r.lock as number) : String(r.lock);
  };
  // A system-wide kernel trace sees every process's futexes: keep those of the traced programs.
  const programs = new Set(results.map((r) => r.vpid));
  const futex = futexes
    ? futexContention(model, run.window.begin, run.window.end, top).filter((f) => programs.size === 0 || programs.has(-1) || programs.has(f.pid))
    : undefined;
  const futexName = futexNames(results);
  const out = new Output();
  if (opts.json) out.line(stringifyExact({ ...(locksJson(run, schemes, results, lockText) as object), ...(futex ? { futexes: futexJson(run, futex, futexName) } : {}) }));
  else {
    if (schemes.length > 0 || !futex) printLocks(out, run, schemes, results, lockText, { top, limit });
    if (futex) printFutexes(out, run, futex, futexName, { top, limit, after: schemes.length > 0 });
  }
  out.flush();
  reportSymbolProblems(run, results.some((r) => r.sites.some((s) => s.site.location)));
  return run.code;
}

function statsJson(s: DurationStats): Record<string, number> {
  return { count: s.count, total_ns: s.total, min_ns: s.min, mean_ns: Math.round(s.mean), p99_ns: s.p99, max_ns: s.max };
}

function siteJson(s: WaitSite): Record<string, unknown> {
  const o: Record<string, unknown> = { event: s.event };
  if (s.ip !== undefined) o['ip'] = s.ip;
  if (s.where) {
    o['bin'] = s.where.bin;
    o['func'] = s.where.func;
    o['src'] = s.where.src;
    if (s.where.function !== undefined) o['function'] = s.where.function;
    if (s.where.file !== undefined) o['file'] = s.where.file;
    if (s.where.line !== undefined) o['line'] = s.where.line;
  }
  if (s.stack) o['stack'] = s.stack.map((f) => ({ addr: hexAddr(f.addr), name: codeLabel(f.where, f.addr) }));
  return o;
}

function locksJson(run: UstRun, schemes: LockScheme[], results: LockResult[], lockText: (r: LockResult) => string): unknown {
  return {
    sources: schemes.map((s) => ({ name: s.name, request: s.request, acquired: s.acquired, release: s.release, trylock: s.trylock ?? [], lock_field: s.lockField })),
    locks: results.map((r) => ({
      source: r.scheme,
      vpid: r.vpid < 0 ? null : r.vpid,
      lock: lockText(r),
      name: r.name ?? null,
      in_binary: r.homeName ?? null,
      acquisitions: r.acquisitions,
      contended: r.contended,
      failed: r.failed,
      wait: statsJson(r.wait),
      hold: statsJson(r.hold),
      waiters: r.waiters.map((w) => ({ thread: jsonThread(w.thread), count: w.count, total_ns: w.total, max_ns: w.max })),
      sites: r.sites.map((s) => ({ ...siteJson(s.site), count: s.count, total_ns: s.total, max_ns: s.max })),
      ...(r.kernel ? { kernel_states: r.kernel.map((k) => ({ state: k.state, ns: k.ns })) } : {}),
      worst_waits: r.worstWaits.map((w) => ({
        begin: jsonTime(run, w.begin),
        duration_ns: w.end - w.begin,
        thread: jsonThread(w.thread),
        contended: w.contended,
        site: siteJson(w.site),
      })),
      unmatched: {
        acquired_without_request: r.unmatched.acquiredWithoutRequest,
        released_without_acquire: r.unmatched.releasedWithoutAcquire,
        waiting_at_end: r.unmatched.waitingAtEnd,
        held_at_end: r.unmatched.heldAtEnd,
      },
    })),
  };
}

function siteText(s: WaitSite): string {
  let text = s.event;
  if (s.where || s.ip !== undefined) {
    const fn = codeLabel(s.where, s.ip ?? Number.NaN);
    const src = sourceLabel(s.where);
    // The binary and offset only where there is no source line to show.
    const bin = s.where?.bin && s.where.function && !src ? ` [${s.where.bin}]` : '';
    text = `${fn}${src ? ` ${src}` : ''}${bin}`;
  }
  if (!s.stack) return text;
  // The calls the thread was in; the innermost is often the function holding the ip itself.
  const names = s.stack.map((f) => codeLabel(f.where, f.addr));
  const site = s.where ? codeLabel(s.where, s.ip ?? Number.NaN) : '';
  if (names[0] === site) names.shift();
  return names.length > 0 ? `${text} ← ${names.join(' ← ')}` : text;
}

function printLocks(
  out: Output,
  run: UstRun,
  schemes: LockScheme[],
  results: LockResult[],
  lockText: (r: LockResult) => string,
  o: { top: number; limit: number },
): void {
  for (const s of schemes) out.line(`${s.name}: ${[...s.request, ...s.acquired, ...s.release, ...(s.trylock ?? [])].join(', ')} (lock = ${s.lockField})`);
  out.line('');
  if (results.length === 0) {
    out.line('No lock events occurred.');
    return;
  }
  const name = (r: LockResult) => {
    const label = r.name ?? r.homeName;
    return `${lockText(r)}${label !== undefined && label !== lockText(r) ? ` ${label}` : ''}`;
  };
  const multiProc = new Set(results.map((r) => r.vpid)).size > 1;
  const rows = results.map((r) => [
    r.scheme,
    clip(multiProc ? `${name(r)} (pid ${r.vpid})` : name(r), 70),
    String(r.acquisitions),
    String(r.contended),
    fmtDuration(r.wait.total),
    fmtDuration(r.wait.max),
    fmtDuration(r.hold.total),
    fmtDuration(r.hold.max),
  ]);
  for (const l of table(['source', 'lock', 'acquired', 'contended', 'wait total', 'wait max', 'hold total', 'hold max'], rows, 'llrrrrrr')) out.line(l);
  const clock = new ClockPrinter(() => {});
  for (const r of results.filter((x) => x.wait.count > 0).slice(0, o.limit)) {
    out.line('');
    out.line(`${r.scheme} ${name(r)}${r.vpid >= 0 ? `, process ${r.vpid}` : ''}: ${r.wait.count} waits, mean ${fmtDuration(r.wait.mean)}, p99 ${fmtDuration(r.wait.p99)}`);
    if (r.kernel) out.line(`  while waiting, the threads were (kernel trace): ${statesText(r.kernel)}`);
    out.line('  threads that waited most:');
    const wRows = r.waiters.slice(0, o.top).map((w) => [threadLabel(w.thread), `${w.count} waits`, fmtDuration(w.total), `max ${fmtDuration(w.max)}`]);
    for (const l of table(['', '', '', ''], wRows, 'lrrr', false)) out.line(`    ${l}`);
    out.line('  where they waited:');
    const sRows = r.sites.slice(0, o.top).map((s) => [clip(siteText(s.site), 100), `${s.count} waits`, fmtDuration(s.total), `max ${fmtDuration(s.max)}`]);
    for (const l of table(['', '', '', ''], sRows, 'lrrr', false)) out.line(`    ${l}`);
    out.line('  longest waits:');
    for (const w of r.worstWaits.slice(0, o.top)) {
      out.line(`    ${fmtDuration(w.end - w.begin).padStart(10)}  at ${clock.formatBig(run.pass.absolute(w.begin))}  ${threadLabel(w.thread)}  ${siteText(w.site)}`);
    }
    const u = r.unmatched;
    const notes: string[] = [];
    if (u.acquiredWithoutRequest > 0) notes.push(`${u.acquiredWithoutRequest} acquired without a traced request`);
    if (u.releasedWithoutAcquire > 0) {
      notes.push(`${u.releasedWithoutAcquire} released without a traced acquisition (e.g. re-locked inside pthread_cond_wait: hold times of this lock are partial)`);
    }
    if (u.waitingAtEnd > 0) notes.push(`${u.waitingAtEnd} still waiting at the end`);
    if (u.heldAtEnd > 0) notes.push('still held at the end');
    if (r.failed > 0) notes.push(`${r.failed} failed (trylock busy or error status)`);
    if (notes.length > 0) out.line(`  not counted: ${notes.join('; ')}`);
  }
}

// ── futex words (kernel) ─────────────────────────────────────────────────────────────────────

/** Names of futex words that are the address of a traced lock ("pid:addr" → name): a mutex's futex word is its first field. */
function futexNames(results: LockResult[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const r of results) {
    if (typeof r.lock !== 'number') continue;
    const label = r.name ?? r.homeName ?? `${r.scheme} ${hexAddr(r.lock)}`;
    names.set(`${r.vpid}:${r.lock}`, label);
    // A trace of one process has no vpid context: match that lock in any process.
    if (r.vpid < 0) names.set(`*:${r.lock}`, label);
  }
  return names;
}

function futexLabel(f: FutexResult, names: Map<string, string>): string {
  const name = names.get(`${f.pid}:${f.uaddr}`) ?? names.get(`*:${f.uaddr}`);
  return `${hexAddr(f.uaddr)}${name !== undefined ? ` (${name})` : ''}`;
}

function kthread(t: { tid: number; name: string; pid: number; ppid: number }): string {
  return `${t.name || '?'} (${t.tid})`;
}

function futexJson(run: UstRun, futexes: FutexResult[], names: Map<string, string>): unknown {
  return futexes.map((f) => ({
    pid: f.pid,
    uaddr: hexAddr(f.uaddr),
    name: names.get(`${f.pid}:${f.uaddr}`) ?? names.get(`*:${f.uaddr}`) ?? null,
    waits: f.waits,
    near_misses: f.nearMisses,
    timeouts: f.timeouts,
    wakes: f.wakes,
    wait_total_ns: f.waitTotal,
    wait_max_ns: f.waitMax,
    waiters: f.waiters.map((w) => ({ tid: w.thread.tid, pid: pidOf(w.thread), name: w.thread.name, count: w.count, total_ns: w.total, max_ns: w.max })),
    woken_by: f.wakers.map((w) => ({ waker: wakerLabel(w.waker), count: w.count, total_ns: w.total })),
    waking_threads: f.wakerThreads.map((w) => ({ tid: w.thread.tid, name: w.thread.name, count: w.count })),
    waiting_at_end: f.waitingAtEnd.map((w) => ({ tid: w.thread.tid, name: w.thread.name, since: jsonTime(run, w.start) })),
    worst_waits: f.worst.map((w) => ({
      begin: jsonTime(run, w.start),
      duration_ns: w.end - w.start,
      blocked_ns: w.blocked,
      tid: w.thread.tid,
      name: w.thread.name,
      outcome: w.outcome,
      woken_by: w.wokenBy ? wakerLabel(w.wokenBy) : null,
    })),
  }));
}

function printFutexes(out: Output, run: UstRun, futexes: FutexResult[], names: Map<string, string>, o: { top: number; limit: number; after: boolean }): void {
  if (o.after) out.line('');
  out.line('futex (kernel): waits in futex() per futex word; the kernel sees only contended locks, so no acquisitions nor hold times');
  out.line('');
  if (futexes.length === 0) {
    out.line('No futex waits occurred.');
    return;
  }
  const multiProc = new Set(futexes.map((f) => f.pid)).size > 1;
  const rows = futexes.map((f) => [
    clip(multiProc ? `${futexLabel(f, names)} (pid ${f.pid})` : futexLabel(f, names), 70),
    String(f.waits),
    String(f.nearMisses),
    String(f.wakes),
    fmtDuration(f.waitTotal),
    fmtDuration(f.waitMax),
    clip(f.waiters.slice(0, 3).map((w) => kthread(w.thread)).join(', ') || '-', 50),
  ]);
  for (const l of table(['futex word', 'waits', 'no wait', 'wakes', 'wait total', 'wait max', 'waiting threads'], rows, 'lrrrrrl')) out.line(l);
  const clock = new ClockPrinter(() => {});
  for (const f of futexes.filter((x) => x.waits > 0).slice(0, o.limit)) {
    out.line('');
    out.line(`futex ${futexLabel(f, names)}, process ${f.pid}: ${f.waits} waits${f.timeouts > 0 ? ` (${f.timeouts} timed out)` : ''}, ${f.wakes} wake calls`);
    if (f.waiters.length > 0) {
      out.line('  threads that waited most:');
      const wRows = f.waiters.slice(0, o.top).map((w) => [kthread(w.thread), `${w.count} waits`, fmtDuration(w.total), `max ${fmtDuration(w.max)}`]);
      for (const l of table(['', '', '', ''], wRows, 'lrrr', false)) out.line(`    ${l}`);
    }
    if (f.wakers.length > 0) {
      out.line('  woken by:');
      const kRows = f.wakers.slice(0, o.top).map((w) => [wakerLabel(w.waker), `${w.count} waits`, fmtDuration(w.total)]);
      for (const l of table(['', '', ''], kRows, 'lrr', false)) out.line(`    ${l}`);
    }
    if (f.worst.length > 0) {
      out.line('  longest waits:');
      for (const w of f.worst) {
        out.line(`    ${fmtDuration(w.end - w.start).padStart(10)}  at ${clock.formatBig(run.pass.absolute(w.start))}  ${kthread(w.thread)}  ${w.outcome}${w.wokenBy ? ` by ${wakerLabel(w.wokenBy)}` : ''}`);
      }
    }
    for (const w of f.waitingAtEnd) out.line(`  still waiting at the end of the trace: ${kthread(w.thread)} since ${clock.formatBig(run.pass.absolute(w.start))}`);
  }
}
