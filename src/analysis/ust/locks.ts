/**
 * Lock contention from user-space lock events. A *scheme* says which events mean "wants the
 * lock", "got it" and "released it", and which field names the lock:
 *
 *   pthread   liblttng-ust-pthread-wrapper:  lttng_ust_pthread:pthread_mutex_lock_req {mutex}
 *             → pthread_mutex_lock_acq {mutex, status} → pthread_mutex_unlock {mutex, status};
 *             pthread_mutex_trylock {mutex, status} (status 0 = got it)
 *   app       a program's own events named P:lock_wait_begin / P:lock_acquired / P:lock_release
 *             (calcjob: {lock (name), lock_id, addr (the pthread_mutex_t*)})
 *   custom    any three events and a field, given on the command line
 *
 * Per lock and per thread, as events go:
 *
 *   request ──wait──► acquired ──hold──► release
 *      │ contended if another thread released the lock during the wait (it had to wait for
 *      │ that thread; a lock seen free is not contended even if an untraced unlock, such as
 *      │ pthread_cond_wait's inside glibc, left our view of its holder stale)
 *      └ the request's `ip` context (the caller) is the place where the thread waited
 *
 * A lock is identified by (process, field value). Recursive acquisitions by the holder nest.
 * What the trace does not show (a lock held or waited for before the trace starts) is counted
 * as unmatched, never guessed. `futex` system calls of kernel traces are not used (yet).
 */
import type { StreamReader } from '../../ctf/stream-reader.js';
import { toNumber, type CodeLocation } from '../../symbols/process-maps.js';
import type { ResolvedAddress, SymbolResolver } from '../../symbols/resolver.js';
import { stateBreakdown, type KernelThreadStates, type StateTime } from './kernel-states.js';
import type { FunctionRef } from './callstack.js';
import type { UstConsumer, UstPass } from './pass.js';
import { Durations, TopN, type DurationStats } from './stats.js';
import type { UstThread } from './threads.js';

export interface LockScheme {
  /** Short name shown in reports: `pthread`, the app's provider, or `custom`. */
  name: string;
  request: string[];
  acquired: string[];
  release: string[];
  /** Try-lock events: acquired when the status field is 0, a failed try otherwise. */
  trylock?: string[];
  /** The field identifying the lock. */
  lockField: string;
  /** A field naming the lock for people (`lock = "job_queue"`). */
  nameField?: string;
  /** A status field: non-zero on `acquired` means the lock was not taken. */
  statusField?: string;
}

export const PTHREAD_SCHEME: LockScheme = {
  name: 'pthread',
  request: ['lttng_ust_pthread:pthread_mutex_lock_req'],
  acquired: ['lttng_ust_pthread:pthread_mutex_lock_acq'],
  release: ['lttng_ust_pthread:pthread_mutex_unlock'],
  trylock: ['lttng_ust_pthread:pthread_mutex_trylock'],
  lockField: 'mutex',
  statusField: 'status',
};

/** Which lock schemes a trace's events support (`fields`: event name → its field names). */
export function detectSchemes(fields: Map<string, Set<string>>): LockScheme[] {
  const out: LockScheme[] = [];
  if (PTHREAD_SCHEME.acquired.every((n) => fields.has(n)) || PTHREAD_SCHEME.trylock!.some((n) => fields.has(n))) {
    out.push(PTHREAD_SCHEME);
  }
  for (const name of [...fields.keys()].sort()) {
    if (!name.endsWith(':lock_acquired')) continue;
    const provider = name.slice(0, -':lock_acquired'.length);
    if (provider === 'lttng_ust_pthread') continue;
    const req = `${provider}:lock_wait_begin`;
    const rel = `${provider}:lock_release`;
    if (!fields.has(req) || !fields.has(rel)) continue;
    const f = fields.get(name)!;
    const lockField = ['addr', 'lock_id', 'lock', 'mutex'].find((x) => f.has(x));
    if (!lockField) continue;
    const scheme: LockScheme = { name: provider, request: [req], acquired: [name], release: [rel], lockField };
    if (f.has('lock') && lockField !== 'lock') scheme.nameField = 'lock';
    out.push(scheme);
  }
  return out;
}

/**
 * Where a thread waited: the request's `ip` context placed in a binary, or just the event; with
 * function entry/exit events in the trace, also the calls the thread was in (innermost first).
 */
export interface WaitSite {
  /** The tracepoint that marked the request. */
  event: string;
  ip?: number;
  location?: CodeLocation;
  /** Filled by `LockAnalysis.resolve`. */
  where?: ResolvedAddress;
  stack?: FunctionRef[];
}

export interface WaitTally {
  count: number;
  total: number;
  max: number;
}

export interface LockWait {
  begin: number;
  end: number;
  thread: UstThread;
  site: WaitSite;
  contended: boolean;
}

export interface LockResult {
  scheme: string;
  vpid: number;
  /** The lock's field value (`mutex`/`addr` as a number, or a name). */
  lock: string | number;
  /** Its name, from the scheme's name field or another scheme naming the same address. */
  name?: string;
  /** For a lock inside a binary's data (a static mutex): where, filled by `resolve`. */
  home?: CodeLocation;
  homeName?: string;
  acquisitions: number;
  contended: number;
  /** Failed try-locks and acquisitions reporting an error status. */
  failed: number;
  wait: DurationStats;
  hold: DurationStats;
  /** Threads by total wait, most first. */
  waiters: (WaitTally & { thread: UstThread })[];
  /** Wait sites by total wait, most first. */
  sites: (WaitTally & { site: WaitSite })[];
  worstWaits: LockWait[];
  unmatched: { acquiredWithoutRequest: number; releasedWithoutAcquire: number; waitingAtEnd: number; heldAtEnd: number };
  /** With kernel thread states: how the waiting threads spent their waits (ns per state). */
  kernel?: StateTime[];
}

interface Pending {
  since: number;
  site: WaitSite;
  /** `LockState.releases` at the request. */
  releasesBefore: number;
}

class LockState {
  name: string | undefined;
  holder: UstThread | undefined;
  depth = 0;
  holdStart = 0;
  readonly waiting = new Map<number, Pending>();
  acquisitions = 0;
  contended = 0;
  failed = 0;
  readonly waits = new Durations();
  readonly holds = new Durations();
  readonly byThread = new Map<number, WaitTally & { thread: UstThread }>();
  readonly bySite = new Map<string, WaitTally & { site: WaitSite }>();
  readonly worst: TopN<LockWait>;
  /** Every completed wait, kept only when kernel states are to be joined. */
  readonly allWaits: LockWait[] = [];
  acquiredWithoutRequest = 0;
  releasedWithoutAcquire = 0;
  /** Traced releases so far, by any thread. */
  releases = 0;
  home: CodeLocation | undefined;

  constructor(
    readonly scheme: LockScheme,
    readonly vpid: number,
    readonly lock: string | number,
    top: number,
  ) {
    this.worst = new TopN(top);
  }
}

export type LockRole = 'request' | 'acquired' | 'release' | 'trylock';

/** Event name → the schemes it belongs to and what it means in each. */
export function lockEventRoutes(schemes: LockScheme[]): Map<string, [LockScheme, LockRole][]> {
  const routes = new Map<string, [LockScheme, LockRole][]>();
  for (const s of schemes) {
    const add = (names: string[] | undefined, role: LockRole) => {
      for (const n of names ?? []) {
        let list = routes.get(n);
        if (!list) routes.set(n, (list = []));
        list.push([s, role]);
      }
    };
    add(s.request, 'request');
    add(s.acquired, 'acquired');
    add(s.release, 'release');
    add(s.trylock, 'trylock');
  }
  return routes;
}

function lockValue(v: unknown): string | number | undefined {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  return undefined;
}

export interface LockOptions {
  /** Worst waits kept per lock (default 5). */
  top?: number;
  /** The calls a thread is in now, innermost first (from a CallstackAnalysis in the same pass). */
  stackOf?: (thread: UstThread) => FunctionRef[];
  /** Keep every wait, to join them with kernel thread states later. */
  keepWaits?: boolean;
}

export class LockAnalysis implements UstConsumer {
  private readonly routes: Map<string, [LockScheme, LockRole][]>;
  private readonly locks = new Map<string, LockState>();

  constructor(
    readonly schemes: LockScheme[],
    private readonly opts: LockOptions = {},
  ) {
    this.routes = lockEventRoutes(schemes);
  }

  wants(name: string): boolean {
    return this.routes.has(name);
  }

  onEvent(r: StreamReader, thread: UstThread, pass: UstPass): void {
    const pl = r.records.pl;
    const t = r.time;
    for (const [scheme, role] of this.routes.get(r.eventClass.cls.name)!) {
      const value = lockValue(pl[scheme.lockField]);
      if (value === undefined) continue;
      const key = `${scheme.name}\0${thread.vpid}\0${value}`;
      let s = this.locks.get(key);
      if (!s) {
        s = new LockState(scheme, thread.vpid, value, this.opts.top ?? 5);
        // A lock in a binary's data (a static mutex) can be named from its symbols.
        if (typeof value === 'number') s.home = pass.maps.locate(thread.vpid, value);
        this.locks.set(key, s);
      }
      if (scheme.nameField && typeof pl[scheme.nameField] === 'string') s.name = pl[scheme.nameField] as string;
      const status = scheme.statusField !== undefined ? toNumber(pl[scheme.statusField]) : 0;
      switch (role) {
        case 'request':
          s.waiting.set(thread.id, { since: t, site: this.site(r, thread, pass), releasesBefore: s.releases });
          break;
        case 'trylock':
          if (status === 0) this.acquire(s, thread, t);
          else s.failed++;
          break;
        case 'acquired':
          if (status !== 0) {
            s.waiting.delete(thread.id);
            s.failed++;
          } else {
            this.acquire(s, thread, t);
          }
          break;
        case 'release':
          s.releases++;
          if (s.holder === thread && s.depth > 0) {
            if (--s.depth === 0) {
              s.holds.push(t - s.holdStart);
              s.holder = undefined;
            }
          } else {
            s.releasedWithoutAcquire++;
          }
          break;
      }
    }
  }

  private site(r: StreamReader, thread: UstThread, pass: UstPass): WaitSite {
    const site: WaitSite = { event: r.eventClass.cls.name };
    const stack = this.opts.stackOf?.(thread);
    if (stack && stack.length > 0) site.stack = stack;
    const ip = r.records.sc['ip'] ?? r.records.ec['ip'];
    if (ip !== undefined) {
      site.ip = toNumber(ip);
      const loc = pass.maps.locate(thread.vpid, site.ip);
      if (loc) site.location = loc;
    }
    return site;
  }

  private acquire(s: LockState, thread: UstThread, t: number): void {
    s.acquisitions++;
    const w = s.waiting.get(thread.id);
    if (w) {
      s.waiting.delete(thread.id);
      const d = t - w.since;
      const contended = s.releases > w.releasesBefore;
      s.waits.push(d);
      if (contended) s.contended++;
      tally(s.byThread, thread.id, d, () => ({ thread }));
      tally(s.bySite, siteKey(w.site), d, () => ({ site: w.site }));
      const wait: LockWait = { begin: w.since, end: t, thread, site: w.site, contended };
      s.worst.add(d, wait);
      if (this.opts.keepWaits) s.allWaits.push(wait);
    } else {
      s.acquiredWithoutRequest++;
    }
    if (s.holder === thread && s.depth > 0) {
      s.depth++;
    } else {
      // A new holder while another still "holds" it: that release was not traced.
      s.holder = thread;
      s.depth = 1;
      s.holdStart = t;
    }
  }

  /** Every lock, most waited-for first. `kernel` joins the waits with kernel thread states. */
  results(kernel?: KernelThreadStates): LockResult[] {
    // Names known for an address in one scheme (calcjob's `lock`) name it in the others.
    const names = new Map<string, string>();
    for (const s of this.locks.values()) if (s.name !== undefined) names.set(`${s.vpid}\0${s.lock}`, s.name);
    const out: LockResult[] = [];
    for (const s of this.locks.values()) {
      const name = s.name ?? names.get(`${s.vpid}\0${s.lock}`);
      const res: LockResult = {
        scheme: s.scheme.name,
        vpid: s.vpid,
        lock: s.lock,
        acquisitions: s.acquisitions,
        contended: s.contended,
        failed: s.failed,
        wait: s.waits.stats(),
        hold: s.holds.stats(),
        waiters: [...s.byThread.values()].sort((a, b) => b.total - a.total),
        sites: [...s.bySite.values()].sort((a, b) => b.total - a.total),
        worstWaits: s.worst.list(),
        unmatched: {
          acquiredWithoutRequest: s.acquiredWithoutRequest,
          releasedWithoutAcquire: s.releasedWithoutAcquire,
          waitingAtEnd: s.waiting.size,
          heldAtEnd: s.holder ? 1 : 0,
        },
      };
      if (name !== undefined) res.name = name;
      if (s.home) res.home = s.home;
      if (kernel) res.kernel = stateBreakdown(kernel, s.allWaits.map((w) => ({ tid: w.thread.vtid, begin: w.begin, end: w.end })));
      out.push(res);
    }
    return out.sort((a, b) => b.wait.total - a.wait.total || b.acquisitions - a.acquisitions);
  }

  /** Resolves the wait sites of `results` to functions and source lines (one batch). */
  static resolve(results: LockResult[], resolver: SymbolResolver): void {
    const sites = results.flatMap((r) => [...r.sites.map((s) => s.site), ...r.worstWaits.map((w) => w.site)]);
    const frames = sites.flatMap((s) => s.stack ?? []);
    resolver.resolveAll([...sites.flatMap((s) => (s.location ? [s.location] : [])), ...frames.flatMap((f) => (f.location ? [f.location] : []))]);
    for (const f of frames) {
      if (f.where) continue;
      if (f.location) f.where = resolver.get(f.location);
      else {
        const u = resolver.unmapped(f.addr);
        if (u.func !== '') f.where = u;
      }
    }
    for (const r of results) {
      if (!r.home) continue;
      const d = resolver.data(r.home);
      r.homeName = d.symbol !== undefined ? `${d.symbol} in ${r.home.binary.name}` : d.bin;
    }
    for (const s of sites) {
      if (s.location) s.where = resolver.get(s.location);
      else if (s.ip !== undefined) {
        const u = resolver.unmapped(s.ip);
        if (u.func !== '') s.where = u;
      }
    }
  }
}

function siteKey(s: WaitSite): string {
  const stack = s.stack ? s.stack.map((f) => f.addr).join(',') : '';
  return s.ip === undefined ? `${s.event}\0${stack}` : `${s.event}\0${s.ip}\0${stack}`;
}

function tally<T extends object>(m: Map<number | string, WaitTally & T>, key: number | string, d: number, make: () => T): void {
  let e = m.get(key);
  if (!e) m.set(key, (e = { ...make(), count: 0, total: 0, max: 0 }));
  e.count++;
  e.total += d;
  if (d > e.max) e.max = d;
}
