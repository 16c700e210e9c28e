/**
 * `tracelane waits`: unexpected waits — lock waits (user-space lock events) and blocked
 * intervals (kernel trace) at least as long as a threshold: each thread's own 99.9th percentile
 * by default, or `--min D` — with what the thread waited on (the lock, or the syscall and futex
 * word) and who let it go on (the thread that released the lock, the kernel's waker); then the
 * threads still waiting when the trace ended (hung), with the holder and the last things they did.
 */
import type { Command } from 'commander';
import { stringifyExact } from '../ctf/json-format.js';
import {
  DEFAULT_FLOOR_NS,
  hungKernelThreads,
  hungLockWaits,
  kernelThreadOf,
  threadsOfProcesses,
  unexpectedKernelWaits,
  unexpectedLockWaits,
  type HungKernelThread,
  type HungLockWait,
  type KernelWaitFinding,
  type LockWaitFinding,
} from '../analysis/deadlock/index.js';
import { futexCommand } from '../analysis/kernel/futex.js';
import { pidOf } from '../analysis/kernel/queries.js';
import { wakerLabel } from '../analysis/kernel/reports.js';
import type { WaitSite } from '../analysis/ust/locks.js';
import { hexAddr } from '../analysis/ust/names.js';
import { UsageError } from '../util/errors.js';
import { addLockSourceOptions, futexName, loadLockRun, lockJson, lockLabel, resolveAll, siteJson, siteLabel, timeText, ustProcesses, type LockRun, type LockRunOptions } from './deadlocks.js';
import { Output } from './output.js';
import { clip, fmtDuration, jsonThread, jsonTime, reportSymbolProblems, table, threadLabel } from './ust-common.js';

interface WaitsOptions extends LockRunOptions {
  min?: string;
  tid?: string;
  name?: string;
}

export function registerWaits(program: Command): void {
  addLockSourceOptions(
    program
      .command('waits')
      .description('unexpected waits (lock waits and blocked intervals longer than usual or than --min), who ended them, and threads hung at the end')
      .argument('<trace...>', 'trace folders'),
  )
    .option('--min <duration>', "report waits of at least this long (e.g. 10ms, 1.5s, 200us) instead of each thread's 99.9th percentile")
    .option('--tid <n>', 'only this thread')
    .option('--name <pattern>', 'only threads with this name (glob: * and ?)')
    .option('--limit <n>', 'waits listed per kind (0 = all)', '20')
    .action((traces: string[], opts: WaitsOptions) => {
      process.exitCode = runWaits(traces, opts);
    });
}

const UNIT_NS: Record<string, number> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };

/** `10ms`, `1.5s`, `200us`, `500ns` → ns. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|ms|us|ns)$/.exec(text.trim());
  if (!m) throw new UsageError(`${option}: cannot read duration "${text}" (e.g. 10ms, 1.5s, 200us, 500ns)`);
  return Math.round(Number(m[1]) * UNIT_NS[m[2]!]!);
}

function globRe(p: string): RegExp {
  return new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

export function runWaits(paths: string[], opts: WaitsOptions): number {
  const min = opts.min !== undefined ? parseDuration(opts.min, '--min') : undefined;
  const limit = opts.limit !== undefined && /^\d+$/.test(opts.limit) ? Number(opts.limit) : undefined;
  if (limit === undefined) throw new UsageError(`--limit takes a whole number, not "${opts.limit}"`);
  if (opts.tid !== undefined && !/^\d+$/.test(opts.tid)) throw new UsageError(`--tid takes a whole number, not "${opts.tid}"`);
  const tid = opts.tid !== undefined ? Number(opts.tid) : undefined;
  const nameRe = opts.name !== undefined ? globRe(opts.name) : undefined;
  const lr = loadLockRun(paths, opts, () => true);
  const { run, tl, model } = lr;
  const thresholds = min !== undefined ? { min } : {};
  const ustWanted = (t: { vtid: number; procnames: string[]; role?: string }) =>
    (tid === undefined || t.vtid === tid) && (!nameRe || t.procnames.some((n) => nameRe.test(n)) || (t.role !== undefined && nameRe.test(t.role)));
  const end = Number.isNaN(run.pass.last) ? 0 : run.pass.last;
  const lockWaits = unexpectedLockWaits(tl, end, thresholds).filter((f) => ustWanted(f.wait.thread));
  const hungLocks = hungLockWaits(tl).filter((h) => ustWanted(h.wait.thread));
  // A system-wide kernel trace: keep to the programs the user-space trace saw, unless threads are named.
  const procs = ustProcesses(lr);
  const kFilter =
    tid !== undefined || nameRe
      ? (t: { tid: number; names: readonly string[] }) => (tid === undefined || t.tid === tid) && (!nameRe || t.names.some((n) => nameRe.test(n)))
      : procs.size > 0
        ? threadsOfProcesses(procs)
        : undefined;
  const begin = Math.max(run.window.begin, model?.start ?? -Infinity);
  const kEnd = Math.min(run.window.end, model?.end ?? Infinity);
  const kernelWaits = model ? unexpectedKernelWaits(model, begin, kEnd, thresholds, kFilter) : [];
  // Hung in the kernel: user threads (in a syscall), or the selected ones.
  const hungKernel = model ? hungKernelThreads(model, kFilter).filter((h) => kFilter !== undefined || h.syscall !== undefined) : [];
  const cut = <T>(xs: T[]) => (limit === 0 ? xs : xs.slice(0, limit));
  const sites: WaitSite[] = [];
  for (const f of cut(lockWaits)) sites.push(f.wait.site);
  for (const h of hungLocks) sites.push(h.wait.site, ...(h.holder ? [h.holder.site] : []), ...h.recent.map((r) => r.site));
  resolveAll(lr, sites);
  const out = new Output();
  const threshold = min !== undefined ? `at least ${fmtDuration(min)}` : `at or above the thread's own 99.9th percentile, and at least ${fmtDuration(DEFAULT_FLOOR_NS)} (--min D: a fixed threshold)`;
  if (opts.json) {
    out.line(
      stringifyExact({
        threshold: min !== undefined ? { min_ns: min } : { percentile: 99.9, floor_ns: DEFAULT_FLOOR_NS },
        lock_waits: lockWaits.map((f) => lockFindingJson(lr, f)),
        ...(model ? { kernel_waits: kernelWaits.map((f) => kernelFindingJson(lr, f)) } : {}),
        hung: {
          locks: hungLocks.map((h) => hungLockJson(lr, h)),
          ...(model ? { kernel: hungKernel.map((h) => hungKernelJson(lr, h)) } : {}),
        },
      }),
    );
  } else {
    const t = (x: number) => timeText(run, x);
    out.line(`Unexpected waits: ${threshold}`);
    if (lr.schemes.length > 0) {
      out.line('');
      out.line(`Lock waits (${lr.schemes.map((s) => s.name).join(', ')}): ${lockWaits.length}`);
      const rows = cut(lockWaits).map((f) => [
        fmtDuration(f.duration),
        t(f.wait.begin),
        threadLabel(f.wait.thread),
        clip(lockLabel(f.wait.lock), 50),
        clip(siteLabel(f.wait.site), 50),
        f.wait.outcome === 'waiting' ? 'still waiting' : f.wait.outcome === 'failed' ? 'failed' : f.wait.releasedBy ? `released by ${threadLabel(f.wait.releasedBy)}` : 'no release seen',
        min === undefined ? fmtDuration(f.threshold) : '',
      ]);
      if (rows.length > 0) for (const l of table(['duration', 'began', 'thread', 'lock', 'where', 'ended', min === undefined ? 'p99.9' : ''], rows, 'rllllll')) out.line(l);
      if (lockWaits.length > rows.length) out.line(`… ${lockWaits.length - rows.length} more (--limit 0 lists them all)`);
    }
    if (model) {
      out.line('');
      const scope = kFilter === undefined ? 'all threads' : tid !== undefined || nameRe ? 'the selected threads' : `the threads of process${procs.size > 1 ? 'es' : ''} ${[...procs].join(', ')}`;
      out.line(`Blocked in the kernel (${scope}): ${kernelWaits.length}`);
      const rows = cut(kernelWaits).map((f) => [
        fmtDuration(f.duration),
        t(f.begin),
        `${f.thread.name || '?'} (${f.thread.tid})`,
        clip(kernelWhat(lr, f.thread, f.syscall, f.futex), 60),
        f.wokenBy ? wakerLabel(f.wokenBy) : 'not woken in the trace',
        min === undefined ? fmtDuration(f.threshold) : '',
      ]);
      if (rows.length > 0) for (const l of table(['duration', 'began', 'thread', 'waited in', 'woken by', min === undefined ? 'p99.9' : ''], rows, 'rlllll')) out.line(l);
      if (kernelWaits.length > rows.length) out.line(`… ${kernelWaits.length - rows.length} more (--limit 0 lists them all)`);
    }
    out.line('');
    out.line(`Still waiting when the trace ended (hung): ${hungLocks.length + hungKernel.length === 0 ? 'none' : hungLocks.length + hungKernel.length}`);
    for (const h of hungLocks) {
      out.line(`  ${threadLabel(h.wait.thread)} waits for ${lockLabel(h.wait.lock)} since ${t(h.wait.begin)} (${fmtDuration(end - h.wait.begin)}), at ${siteLabel(h.wait.site)}`);
      out.line(`    ${h.holder ? `held by ${threadLabel(h.holder.thread)} since ${t(h.holder.begin)}, taken at ${siteLabel(h.holder.site)}` : 'holder unknown (free as far as the trace shows)'}`);
      if (h.recent.length > 0) out.line(`    last events: ${h.recent.map((r) => `${t(r.time)} ${r.name}${r.site.where || r.site.ip !== undefined ? ` at ${siteLabel(r.site)}` : ''}`).join('; ')}`);
      const exited = exitedAt(lr, h);
      if (exited !== undefined) out.line(`    the kernel trace shows the thread exiting at ${t(exited)} without having got the lock (the process ended)`);
    }
    for (const h of cut(hungKernel)) {
      const s = h.syscall;
      const inCall = s ? `in ${kernelWhat(lr, h.thread, s.name, s.name === 'futex' && !Number.isNaN(s.arg0) ? { uaddr: s.arg0, op: s.arg1 } : undefined)} since ${t(s.start)}` : 'in no known syscall';
      out.line(`  ${h.thread.name || '?'} (${h.thread.tid}) blocked since ${t(h.since)} (${fmtDuration((model?.end ?? end) - h.since)}), ${inCall}`);
      if (h.lastSyscall) out.line(`    last syscall before: ${h.lastSyscall.name} at ${t(h.lastSyscall.start)} → ${h.lastSyscall.ret}`);
    }
    if (hungKernel.length > cut(hungKernel).length) out.line(`  … ${hungKernel.length - cut(hungKernel).length} more blocked threads (--limit 0 lists them all)`);
  }
  out.flush();
  reportSymbolProblems(run, sites.some((s) => s.location));
  return run.code;
}

const FUTEX_OPS = ['WAIT', 'WAKE', 'FD', 'REQUEUE', 'CMP_REQUEUE', 'WAKE_OP', 'LOCK_PI', 'UNLOCK_PI', 'TRYLOCK_PI', 'WAIT_BITSET', 'WAKE_BITSET', 'WAIT_REQUEUE_PI', 'CMP_REQUEUE_PI', 'LOCK_PI2'];

/** `futex 0x7f… WAIT (job_queue)`, `read`, `-` (in no syscall). */
function kernelWhat(lr: LockRun, th: { tid: number; pid: number }, syscall: string, futex: { uaddr: number; op: number } | undefined): string {
  if (!syscall) return '-';
  if (!futex) return syscall;
  const name = futexName(lr, pidOf(th as Parameters<typeof pidOf>[0]), futex.uaddr);
  return `futex ${hexAddr(futex.uaddr)} ${FUTEX_OPS[futexCommand(futex.op)] ?? futexCommand(futex.op)}${name !== undefined ? ` (${name})` : ''}`;
}

function lockFindingJson(lr: LockRun, f: LockWaitFinding): unknown {
  const w = f.wait;
  return {
    thread: jsonThread(w.thread),
    lock: lockJson(w.lock),
    begin: jsonTime(lr.run, w.begin),
    duration_ns: f.duration,
    threshold_ns: f.threshold,
    outcome: w.outcome,
    site: siteJson(w.site),
    held_at_begin_by: w.holderAtBegin ? jsonThread(w.holderAtBegin) : null,
    released_by: w.releasedBy ? jsonThread(w.releasedBy) : null,
  };
}

function kernelFindingJson(lr: LockRun, f: KernelWaitFinding): unknown {
  return {
    tid: f.thread.tid,
    pid: pidOf(f.thread),
    name: f.thread.name,
    begin: jsonTime(lr.run, f.begin),
    duration_ns: f.duration,
    threshold_ns: f.threshold,
    syscall: f.syscall || null,
    futex: f.futex ? { uaddr: hexAddr(f.futex.uaddr), op: f.futex.op, wait: f.futex.wait, lock: futexName(lr, pidOf(f.thread), f.futex.uaddr) ?? null } : null,
    woken_by: f.wokenBy ? { ...f.wokenBy, label: wakerLabel(f.wokenBy) } : null,
  };
}

/** When the kernel trace saw a thread still waiting for a lock exit (undefined: it did not). */
function exitedAt(lr: LockRun, h: HungLockWait): number | undefined {
  if (!lr.model) return undefined;
  const k = kernelThreadOf(lr.model, h.wait.thread);
  return k && Number.isFinite(k.exitedAt) && k.exitedAt >= h.wait.begin ? k.exitedAt : undefined;
}

function hungLockJson(lr: LockRun, h: HungLockWait): unknown {
  const exited = exitedAt(lr, h);
  return {
    exited: exited !== undefined ? jsonTime(lr.run, exited) : null,
    thread: jsonThread(h.wait.thread),
    lock: lockJson(h.wait.lock),
    since: jsonTime(lr.run, h.wait.begin),
    site: siteJson(h.wait.site),
    held_by: h.holder ? jsonThread(h.holder.thread) : null,
    held_since: h.holder ? jsonTime(lr.run, h.holder.begin) : null,
    held_site: h.holder ? siteJson(h.holder.site) : null,
    last_events: h.recent.map((r) => ({ name: r.name, time: jsonTime(lr.run, r.time), site: siteJson(r.site) })),
  };
}

function hungKernelJson(lr: LockRun, h: HungKernelThread): unknown {
  const s = h.syscall;
  return {
    tid: h.thread.tid,
    pid: pidOf(h.thread),
    name: h.thread.name,
    since: jsonTime(lr.run, h.since),
    syscall: s
      ? { name: s.name, start: jsonTime(lr.run, s.start), arg0: Number.isNaN(s.arg0) ? null : s.arg0, arg1: Number.isNaN(s.arg1) ? null : s.arg1, lock: s.name === 'futex' && !Number.isNaN(s.arg0) ? (futexName(lr, pidOf(h.thread), s.arg0) ?? null) : null }
      : null,
    last_syscall: h.lastSyscall ? { name: h.lastSyscall.name, start: jsonTime(lr.run, h.lastSyscall.start), end: jsonTime(lr.run, h.lastSyscall.end), ret: h.lastSyscall.ret } : null,
  };
}
