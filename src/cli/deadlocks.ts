/**
 * `tracelane deadlocks`: wait-for cycles (threads waiting for each other's locks: deadlocks),
 * lock-order inversions (two locks taken in opposite orders: deadlocks waiting to happen), and
 * the wait-for graph at the end of the trace or at `--at T`, from user-space lock events (pthread
 * wrapper, a program's own lock events, or `--lock-events`); with a kernel trace that recorded
 * syscall arguments, also the threads still waiting in `futex` when it ended.
 *
 * Also the shared setup and labels of `tracelane waits` (./waits.ts).
 */
import type { Command } from 'commander';
import { stringifyExact } from '../ctf/json-format.js';
import { ClockPrinter } from '../ctf/clock-printer.js';
import { TraceSet } from '../ctf/trace-set.js';
import {
  deadlocks,
  futexWaitsAt,
  hungKernelThreads,
  isFutexWait,
  lockOrderInversions,
  LockTimeline,
  resolveSites,
  shareLockNames,
  threadsOfProcesses,
  waitForGraphAt,
  type Deadlock,
  type FutexWaitAt,
  type HungKernelThread,
  type Inversion,
  type LockRef,
  type OrderEdge,
  type WaitEdge,
  type WaitForGraph,
} from '../analysis/deadlock/index.js';
import { hasFutexArguments } from '../analysis/kernel/futex.js';
import type { KernelModel } from '../analysis/kernel/model.js';
import { pidOf } from '../analysis/kernel/queries.js';
import { eventFields, hexFields } from '../analysis/ust/event-names.js';
import type { LockScheme, WaitSite } from '../analysis/ust/locks.js';
import { codeLabel, hexAddr, sourceLabel } from '../analysis/ust/names.js';
import type { UstThread } from '../analysis/ust/threads.js';
import { UsageError } from '../util/errors.js';
import { chooseSchemes, type LocksOptions } from './locks.js';
import { Output } from './output.js';
import { addUstOptions, fmtDuration, jsonThread, jsonTime, kernelModelOf, reportSymbolProblems, runUstPass, threadLabel, type UstRun } from './ust-common.js';
import { parseTimeArg } from './time-arg.js';

export interface LockRunOptions extends LocksOptions {
  limit?: string;
}

/** The lock-scheme options `locks` has, for `deadlocks` and `waits`. */
export function addLockSourceOptions(cmd: Command): Command {
  return addUstOptions(cmd)
    .option('--source <name>', 'only these lock events: "pthread", or a provider such as "calcjob" (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--lock-events <req,acq,rel>', 'your own lock events: request, acquired and release event names, comma-separated')
    .option('--lock-field <field>', 'with --lock-events: the field identifying the lock')
    .option('--lock-name-field <field>', 'with --lock-events: a string field naming the lock');
}

export interface LockRun {
  run: UstRun;
  tl: LockTimeline;
  schemes: LockScheme[];
  /** The kernel model, when the set holds one kernel trace. */
  model: KernelModel | undefined;
}

/**
 * Reads the traces: the lock timeline of the user-space lock events, and the kernel model when
 * there is a kernel trace. `kernelEnough`: a kernel trace alone is enough (no lock events needed).
 */
export function loadLockRun(paths: string[], opts: LockRunOptions, kernelEnough: (m: KernelModel) => boolean): LockRun {
  const set = TraceSet.open(paths);
  const model = kernelModelOf(set);
  const schemes = chooseSchemes(set, { ...opts, source: opts.source?.filter((s) => s !== 'futex') }, model !== undefined && kernelEnough(model));
  const tl = new LockTimeline(schemes, { hexFields: hexFields(set) });
  // Without lock events the pass only names threads: skip it on kernel-only sets.
  const run = runUstPass(paths, opts, schemes.length > 0 || eventFields(set, true).size > 0 ? [tl] : [], set);
  shareLockNames(tl);
  return { run, tl, schemes, model };
}

// ── labels ───────────────────────────────────────────────────────────────────────────────────

/** `account_a in lockorder (0x55d304aa80c0)`, `job_queue (0x…)`, `0x7f…`, or a name. */
export function lockLabel(l: LockRef): string {
  const v = l.hex || (typeof l.value === 'number' && l.value > 0xffff) ? hexAddr(l.value as number) : String(l.value);
  const name = l.name ?? l.homeName;
  return name !== undefined && name !== v ? `${name} (${v})` : v;
}

/** `transfer lockorder.c:53`, else the function, else the tracepoint. */
export function siteLabel(s: WaitSite): string {
  if (!s.where && s.ip === undefined) return s.event;
  const fn = codeLabel(s.where, s.ip ?? Number.NaN);
  const src = sourceLabel(s.where);
  return src ? `${fn} ${src}` : fn;
}

export function siteJson(s: WaitSite): Record<string, unknown> {
  const o: Record<string, unknown> = { event: s.event };
  if (s.ip !== undefined) o['ip'] = hexAddr(s.ip);
  if (s.where) {
    o['bin'] = s.where.bin;
    o['func'] = s.where.func;
    o['src'] = s.where.src;
    if (s.where.function !== undefined) o['function'] = s.where.function;
    if (s.where.file !== undefined) o['file'] = s.where.file;
    if (s.where.line !== undefined) o['line'] = s.where.line;
  }
  return o;
}

export function lockJson(l: LockRef): Record<string, unknown> {
  return {
    source: l.scheme,
    vpid: l.vpid < 0 ? null : l.vpid,
    lock: l.hex || typeof l.value === 'number' ? hexAddr(l.value as number) : l.value,
    name: l.name ?? null,
    in_binary: l.homeName ?? null,
  };
}

export function timeText(run: UstRun, t: number): string {
  return new ClockPrinter(() => {}).formatBig(run.pass.absolute(t));
}

/** Resolves every site a report will show (one batch per binary). */
export function resolveAll(lr: LockRun, sites: WaitSite[]): void {
  if (lr.run.resolver) resolveSites(sites, lr.tl.locks, lr.run.resolver);
}

/** The processes the user-space trace saw (to keep a system-wide kernel trace to them). */
export function ustProcesses(lr: LockRun): Set<number> {
  return new Set(lr.run.pass.threads.threads.map((t) => t.vpid).filter((p) => p >= 0));
}

/** A futex word named after a traced lock at the same address in the same process. */
export function futexName(lr: LockRun, pid: number, uaddr: number): string | undefined {
  const l = lr.tl.locks.find((x) => x.value === uaddr && (x.vpid === pid || x.vpid < 0));
  return l && (l.name ?? l.homeName ?? `${l.scheme} mutex`);
}

// ── the command ──────────────────────────────────────────────────────────────────────────────

interface DeadlocksOptions extends LockRunOptions {
  at?: string;
}

export function registerDeadlocks(program: Command): void {
  addLockSourceOptions(
    program
      .command('deadlocks')
      .description('deadlocks (threads waiting for each other\'s locks), lock-order inversions, and who waits for whom at the end or at --at T')
      .argument('<trace...>', 'trace folders'),
  )
    .option('--at <time>', 'also the wait-for graph at this time (ns, hh:mm:ss.nnnnnnnnn, or +1.5s from the first event)')
    .option('--limit <n>', 'deadlocks and inversions listed (0 = all)', '20')
    .action((traces: string[], opts: DeadlocksOptions) => {
      process.exitCode = runDeadlocks(traces, opts);
    });
}

function wholeNumber(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} takes a whole number, not "${v}"`);
  return Number(v);
}

export function runDeadlocks(paths: string[], opts: DeadlocksOptions): number {
  const limit = wholeNumber(opts.limit, '--limit', 20);
  const lr = loadLockRun(paths, opts, hasFutexArguments);
  const { run, tl } = lr;
  let at: number | undefined;
  if (opts.at !== undefined) {
    const start = run.set.origin + BigInt(Number.isNaN(run.pass.first) ? 0 : run.pass.first);
    at = Number(parseTimeArg(opts.at, start, '--at') - run.set.origin);
  }
  const found = deadlocks(tl);
  const inversions = lockOrderInversions(tl);
  const atEnd = waitForGraphAt(tl, Infinity);
  const atT = at !== undefined ? waitForGraphAt(tl, at) : undefined;
  const cut = <T>(xs: T[]) => (limit === 0 ? xs : xs.slice(0, limit));
  // Kernel: threads of the traced programs hung in futex when the trace ended.
  const procs = ustProcesses(lr);
  const futexHung =
    lr.model && hasFutexArguments(lr.model)
      ? hungKernelThreads(lr.model, procs.size > 0 ? threadsOfProcesses(procs) : undefined).filter((h) => h.syscall?.name === 'futex' && isFutexWait(h.syscall.arg1))
      : [];
  const futexAtT = at !== undefined && lr.model && hasFutexArguments(lr.model) ? futexWaitsAt(lr.model, at, procs.size > 0 ? threadsOfProcesses(procs) : undefined) : undefined;
  const sites: WaitSite[] = [];
  for (const d of cut(found)) for (const l of d.cycle.links) sites.push(l.wait.site, l.hold.site);
  for (const inv of cut(inversions)) for (const e of inv.edges) sites.push(e.example.site, e.example.heldSite);
  for (const g of [atEnd, atT]) for (const e of g?.edges ?? []) sites.push(e.wait.site, ...(e.hold ? [e.hold.site] : []));
  resolveAll(lr, sites);
  const out = new Output();
  if (opts.json) {
    out.line(
      stringifyExact({
        sources: lr.schemes.map((s) => s.name),
        deadlocks: found.map((d) => deadlockJson(run, d)),
        inversions: inversions.map((i) => inversionJson(run, i)),
        lock_order: [...tl.order.values()].map((e) => edgeJson(run, e)),
        waiting_at_end: graphJson(run, atEnd),
        ...(atT ? { at: { ...(graphJson(run, atT) as object), ...(futexAtT ? { futex_waits: futexAtT.map((f) => futexAtJson(lr, f)) } : {}) } } : {}),
        ...(lr.model ? { futex_waiting_at_end: futexHung.map((h) => futexHungJson(lr, h)) } : {}),
      }),
    );
  } else {
    printReport(out, lr, { found: cut(found), total: found.length }, { list: cut(inversions), total: inversions.length }, atEnd, atT, futexHung, futexAtT);
  }
  out.flush();
  reportSymbolProblems(run, sites.some((s) => s.location));
  return run.code;
}

// ── JSON ─────────────────────────────────────────────────────────────────────────────────────

function deadlockJson(run: UstRun, d: Deadlock): unknown {
  const c = d.cycle;
  return {
    sources: d.sources,
    formed: jsonTime(run, c.formed),
    at_end: d.atEnd,
    resolved: c.resolved ? { time: jsonTime(run, c.resolved.time), thread: jsonThread(c.resolved.thread), outcome: c.resolved.outcome } : null,
    threads: c.links.map((l) => jsonThread(l.thread)),
    locks: c.links.map((l) => lockJson(l.lock)),
    links: c.links.map((l) => ({
      thread: jsonThread(l.thread),
      waits_for: lockJson(l.lock),
      since: jsonTime(run, l.wait.begin),
      site: siteJson(l.wait.site),
      held_by: jsonThread(l.holder),
      held_since: jsonTime(run, l.hold.begin),
      held_site: siteJson(l.hold.site),
    })),
  };
}

function edgeJson(run: UstRun, e: OrderEdge): unknown {
  return {
    held: lockJson(e.from),
    acquired: lockJson(e.to),
    count: e.count,
    threads: e.threads.map(jsonThread),
    example: {
      thread: jsonThread(e.example.thread),
      time: jsonTime(run, e.example.time),
      site: siteJson(e.example.site),
      held_since: jsonTime(run, e.example.heldSince),
      held_site: siteJson(e.example.heldSite),
    },
  };
}

function inversionJson(run: UstRun, i: Inversion): unknown {
  return {
    sources: i.sources,
    locks: i.locks.map(lockJson),
    threads: i.threads.map(jsonThread),
    guarded_by: i.guardedBy.map(lockJson),
    edges: i.edges.map((e) => edgeJson(run, e)),
  };
}

export function waitEdgeJson(run: UstRun, e: WaitEdge): unknown {
  return {
    thread: jsonThread(e.wait.thread),
    waits_for: lockJson(e.wait.lock),
    since: jsonTime(run, e.wait.begin),
    site: siteJson(e.wait.site),
    held_by: e.hold ? jsonThread(e.hold.thread) : null,
    held_since: e.hold ? jsonTime(run, e.hold.begin) : null,
    held_site: e.hold ? siteJson(e.hold.site) : null,
  };
}

function graphJson(run: UstRun, g: WaitForGraph): unknown {
  return {
    time: Number.isFinite(g.time) ? jsonTime(run, g.time) : null,
    waits: g.edges.map((e) => waitEdgeJson(run, e)),
    cycles: g.cycles.map((c) => c.map((e) => ({ thread: jsonThread(e.wait.thread), waits_for: lockJson(e.wait.lock), held_by: jsonThread(e.hold!.thread) }))),
  };
}

function futexAtJson(lr: LockRun, f: FutexWaitAt): unknown {
  return {
    tid: f.thread.tid,
    pid: pidOf(f.thread),
    name: f.thread.name,
    uaddr: hexAddr(f.uaddr),
    op: f.op,
    lock: futexName(lr, pidOf(f.thread), f.uaddr) ?? null,
    since: jsonTime(lr.run, f.since),
  };
}

function futexHungJson(lr: LockRun, h: HungKernelThread): unknown {
  const s = h.syscall!;
  return {
    tid: h.thread.tid,
    pid: pidOf(h.thread),
    name: h.thread.name,
    uaddr: hexAddr(s.arg0),
    lock: futexName(lr, pidOf(h.thread), s.arg0) ?? null,
    since: jsonTime(lr.run, s.start),
  };
}

// ── text ─────────────────────────────────────────────────────────────────────────────────────

function printReport(
  out: Output,
  lr: LockRun,
  d: { found: Deadlock[]; total: number },
  inv: { list: Inversion[]; total: number },
  atEnd: WaitForGraph,
  atT: WaitForGraph | undefined,
  futexHung: HungKernelThread[],
  futexAtT: FutexWaitAt[] | undefined,
): void {
  const { run } = lr;
  const t = (x: number) => timeText(run, x);
  const th = (x: UstThread) => threadLabel(x);
  if (lr.schemes.length > 0) out.line(`Lock events: ${lr.schemes.map((s) => `${s.name} (${[...s.request, ...s.acquired, ...s.release].join(', ')})`).join('; ')}`);
  else {
    out.line('No user-space lock events (pthread wrapper, P:lock_wait_begin/lock_acquired/lock_release): only the kernel trace\'s futex waits are shown;');
    out.line('a futex tells who waits, never who holds, so no wait-for cycle can be found from it.');
    printFutexes(out, lr, futexAtT, futexHung);
    return;
  }
  out.line('');
  out.line(`Deadlocks (threads waiting for each other's locks): ${d.total === 0 ? 'none' : d.total}`);
  d.found.forEach((x, i) => {
    const c = x.cycle;
    const state = x.atEnd
      ? `still deadlocked when the trace ended (${fmtDuration(run.pass.last - c.formed)} later)`
      : `resolved at ${t(c.resolved!.time)} (${fmtDuration(c.resolved!.time - c.formed)} later: ${th(c.resolved!.thread)} ${c.resolved!.outcome === 'acquired' ? 'got its lock — a release the trace did not show' : 'gave up'})`;
    out.line(`  ${i + 1}. at ${t(c.formed)}, ${c.links.length} threads, ${state}; seen by ${x.sources.join(', ')}`);
    for (const l of c.links) {
      out.line(`     ${th(l.thread)} waits for ${lockLabel(l.lock)} since ${t(l.wait.begin)}, at ${siteLabel(l.wait.site)}`);
      out.line(`       held by ${th(l.holder)} since ${t(l.hold.begin)}, taken at ${siteLabel(l.hold.site)}`);
    }
  });
  if (d.found.length < d.total) out.line(`  … ${d.total - d.found.length} more (--limit 0 lists them all)`);
  out.line('');
  out.line(`Lock-order inversions (locks taken in opposite orders: potential deadlocks): ${inv.total === 0 ? 'none' : inv.total}`);
  inv.list.forEach((x, i) => {
    const cycle = [...x.locks, x.locks[0]!].map(lockLabel).join(' → ');
    const guard = x.guardedBy.length > 0 ? `; always under ${x.guardedBy.map(lockLabel).join(', ')}, which serialises them: cannot deadlock` : '';
    out.line(`  ${i + 1}. ${cycle}; threads ${x.threads.map(th).join(', ')}; seen by ${x.sources.join(', ')}${guard}`);
    for (const e of x.edges) {
      const ex = e.example;
      out.line(`     ${lockLabel(e.to)} asked for while holding ${lockLabel(e.from)}: ${e.count}×, e.g. ${th(ex.thread)} at ${t(ex.time)}`);
      out.line(`       asked at ${siteLabel(ex.site)}; ${lockLabel(e.from)} taken at ${siteLabel(ex.heldSite)}`);
    }
  });
  if (inv.list.length < inv.total) out.line(`  … ${inv.total - inv.list.length} more (--limit 0 lists them all)`);
  if (atT) {
    out.line('');
    printGraph(out, lr, atT, `Waiting at ${t(atT.time)}`);
  }
  out.line('');
  printGraph(out, lr, atEnd, 'Waiting for a lock when the trace ended');
  if (lr.model && hasFutexArguments(lr.model)) printFutexes(out, lr, futexAtT, futexHung);
  else if (lr.model) {
    out.line('');
    out.line('(the kernel trace has no futex arguments: its futex waits cannot be tied to locks)');
  }
}

function printFutexes(out: Output, lr: LockRun, atT: FutexWaitAt[] | undefined, hung: HungKernelThread[]): void {
  const t = (x: number) => timeText(lr.run, x);
  const line = (th: { name: string; tid: number; pid: number; ppid: number }, since: number, uaddr: number) => {
    const name = futexName(lr, pidOf(th as Parameters<typeof pidOf>[0]), uaddr);
    out.line(`  ${th.name || '?'} (${th.tid}) since ${t(since)} on futex ${hexAddr(uaddr)}${name !== undefined ? ` (${name})` : ''}`);
  };
  if (atT) {
    out.line('');
    out.line(`Waiting in futex (kernel) at the --at time: ${atT.length === 0 ? 'none' : atT.length}`);
    for (const f of atT) line(f.thread, f.since, f.uaddr);
  }
  out.line('');
  out.line(`Waiting in futex (kernel) when the trace ended: ${hung.length === 0 ? 'none' : hung.length}${hung.length > 0 ? ' (a futex shows who waits, not who holds)' : ''}`);
  for (const h of hung) line(h.thread, h.syscall!.start, h.syscall!.arg0);
}

export function printGraph(out: Output, lr: LockRun, g: WaitForGraph, title: string): void {
  const t = (x: number) => timeText(lr.run, x);
  const end = lr.run.pass.last;
  out.line(`${title}: ${g.edges.length === 0 ? 'no thread' : `${g.edges.length} thread${g.edges.length > 1 ? 's' : ''}`}${g.cycles.length > 0 ? `, ${g.cycles.length} cycle${g.cycles.length > 1 ? 's' : ''}` : ''}`);
  for (const e of g.edges) {
    const upTo = Number.isFinite(g.time) ? g.time : end;
    const holder = e.hold ? `held by ${threadLabel(e.hold.thread)} since ${t(e.hold.begin)}` : 'holder unknown (free as far as the trace shows)';
    out.line(`  ${threadLabel(e.wait.thread)} waits for ${lockLabel(e.wait.lock)} since ${t(e.wait.begin)} (${fmtDuration(upTo - e.wait.begin)}), at ${siteLabel(e.wait.site)}; ${holder}`);
  }
  for (const c of g.cycles) out.line(`  cycle: ${c.map((e) => `${threadLabel(e.wait.thread)} → ${lockLabel(e.wait.lock)}`).join(' → ')} → ${threadLabel(c[0]!.wait.thread)}`);
}
