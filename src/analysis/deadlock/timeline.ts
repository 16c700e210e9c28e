/**
 * Who held and who waited for which lock, over the whole trace: the record the deadlock and
 * wait analyses read. It follows the same lock schemes as `../ust/locks.ts` (pthread wrapper,
 * a program's own `P:lock_wait_begin/lock_acquired/lock_release`, custom events), one state
 * machine per scheme (calcjob's own events and the pthread wrapper's describe the same mutexes
 * twice; each scheme is followed on its own and their findings are merged by the reports).
 *
 * What it keeps, per scheme:
 *
 *   waits     request → acquired (or failed, or still waiting at the end), and the thread that
 *             last released the lock during the wait (who let it go on)
 *   holds     acquired → released; a lock acquired by another thread while "held" was released
 *             without a traced unlock (inside glibc's pthread_cond_wait): that hold ends there,
 *             marked `inferred`, so a lock never has two holders
 *   order     per thread, the locks it holds; asking for B while holding A is an edge A → B of
 *             the lock-order graph (added at the request, as ThreadSanitizer's deadlock detector
 *             does before locking: a request never granted counts), with one example (thread,
 *             time, both sites) and how often. A successful try-lock does not wait, so it adds
 *             no edge into its lock, but it is held like any other
 *   cycles    at each request, the chain "lock → its holder → the lock that holder waits for →
 *             …" is followed; coming back to the requester is a deadlock, recorded when it
 *             formed, and marked resolved if one of its waits ends later (a timed or failed
 *             lock, or a release the trace did not show)
 *
 * A thread's held locks are its own view: a lock re-taken inside pthread_cond_wait is held by
 * that thread again, so it stays in its list (edges from it remain right); only the single
 * holder used for the wait-for graph changes hands.
 */
import type { StreamReader } from '../../ctf/stream-reader.js';
import { toNumber, type CodeLocation } from '../../symbols/process-maps.js';
import { lockEventRoutes, type LockRole, type LockScheme, type WaitSite } from '../ust/locks.js';
import type { UstConsumer, UstPass } from '../ust/pass.js';
import type { UstThread } from '../ust/threads.js';

/** One lock of one scheme in one process. */
export interface LockRef {
  /** Index in `LockTimeline.locks`. */
  index: number;
  scheme: string;
  vpid: number;
  /** The lock's field value: an address (`mutex`, `addr`) or a name. */
  value: string | number;
  /** From the scheme's name field (calcjob's `lock = "job_queue"`), or another scheme's name for the same address. */
  name?: string;
  /** A lock in a binary's data (a static mutex). */
  home?: CodeLocation;
  /** Filled by `resolveTimeline`: `account_a in lockorder`. */
  homeName?: string;
  /** Whether `value` is an address shown in hex. */
  hex: boolean;
}

export type WaitOutcome = 'acquired' | 'failed' | 'waiting';

export interface LockWaitRecord {
  thread: UstThread;
  lock: LockRef;
  begin: number;
  /** Acquisition or failure; NaN while (or when still) waiting at the end of the trace. */
  end: number;
  outcome: WaitOutcome;
  site: WaitSite;
  /** The holder when the wait began (undefined: free, or not known). */
  holderAtBegin?: UstThread;
  /** The last other thread that released the lock during the wait. */
  releasedBy?: UstThread;
}

export interface HoldRecord {
  thread: UstThread;
  lock: LockRef;
  begin: number;
  /** NaN: still held at the end of the trace. */
  end: number;
  /** Where it was taken (the request's site, or the acquisition's when no request was traced). */
  site: WaitSite;
  /** Ended by another thread's acquisition: the release was not traced. */
  inferred: boolean;
}

export interface OrderExample {
  thread: UstThread;
  /** When `to` was asked for (or acquired, without a traced request). */
  time: number;
  /** Where `to` was asked for. */
  site: WaitSite;
  /** When and where `from` had been acquired. */
  heldSince: number;
  heldSite: WaitSite;
}

/** `to` was asked for (or acquired) while `from` was held. */
export interface OrderEdge {
  from: LockRef;
  to: LockRef;
  count: number;
  threads: UstThread[];
  example: OrderExample;
  /** Locks held (besides `from`) at every one of these acquisitions: a common "gate" lock. */
  guards: Set<number>;
}

export interface CycleLink {
  thread: UstThread;
  /** The lock it waits for… */
  lock: LockRef;
  wait: LockWaitRecord;
  /** …held by this thread (the next link's thread). */
  holder: UstThread;
  hold: HoldRecord;
}

export interface DeadlockCycle {
  scheme: string;
  /** When the last wait closing the cycle began. */
  formed: number;
  links: CycleLink[];
  /** When one of its waits ended (undefined: deadlocked until the end of the trace). */
  resolved?: { time: number; thread: UstThread; outcome: WaitOutcome };
}

/** The last events of a thread, newest last (what it did before a hang). */
export interface RecentEvent {
  name: string;
  time: number;
  site: WaitSite;
}

interface HeldEntry {
  lock: LockState;
  since: number;
  site: WaitSite;
  depth: number;
}

interface ThreadState {
  waiting: LockWaitRecord | undefined;
  held: HeldEntry[];
}

class LockState {
  holder: UstThread | undefined;
  depth = 0;
  hold: HoldRecord | undefined;
  lastRelease: { thread: UstThread; time: number } | undefined;
  constructor(readonly ref: LockRef) {}
}


function lockValue(v: unknown): string | number | undefined {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  return undefined;
}

export interface TimelineOptions {
  /** Events remembered per thread for "what it did last" (default 4). */
  recent?: number;
  /** Event-name → field names declared hex (to print lock addresses in hex). */
  hexFields?: Map<string, Set<string>>;
}

export class LockTimeline implements UstConsumer {
  readonly locks: LockRef[] = [];
  readonly waits: LockWaitRecord[] = [];
  readonly holds: HoldRecord[] = [];
  readonly cycles: DeadlockCycle[] = [];
  /** Per scheme, `from\0to` (lock indices) → edge. */
  readonly order = new Map<string, OrderEdge>();
  /** Thread id → its last events. */
  readonly recent = new Map<number, RecentEvent[]>();
  /** Releases of a lock the thread was not known to hold (pthread_cond_wait's hidden re-lock). */
  unmatchedReleases = 0;
  acquiredWithoutRequest = 0;

  private readonly routes: Map<string, [LockScheme, LockRole][]>;
  private readonly states = new Map<string, LockState>();
  private readonly threads = new Map<string, ThreadState>();
  private readonly cycleOf = new Map<LockWaitRecord, DeadlockCycle[]>();
  private readonly recentMax: number;

  constructor(
    readonly schemes: LockScheme[],
    private readonly opts: TimelineOptions = {},
  ) {
    this.recentMax = opts.recent ?? 4;
    this.routes = lockEventRoutes(schemes);
  }

  /** Every event: the lock events drive the state machines, all feed "what each thread did last". */
  wants(): boolean {
    return true;
  }

  onEvent(r: StreamReader, thread: UstThread, pass: UstPass): void {
    const name = r.eventClass.cls.name;
    const routes = this.routes.get(name);
    // Events of no known thread (a kernel trace in the same set) say nothing a hang report needs.
    if (!routes && thread.vtid < 0) return;
    const t = r.time;
    const site = siteOf(r, thread, pass);
    if (this.recentMax > 0 && !name.startsWith('lttng_ust_statedump:')) {
      let list = this.recent.get(thread.id);
      if (!list) this.recent.set(thread.id, (list = []));
      if (list.length >= this.recentMax) list.shift();
      list.push({ name, time: t, site });
    }
    if (!routes) return;
    const pl = r.records.pl;
    for (const [scheme, role] of routes) {
      const value = lockValue(pl[scheme.lockField]);
      if (value === undefined) continue;
      const s = this.lockState(scheme, thread.vpid, value, pass, name);
      if (scheme.nameField && typeof pl[scheme.nameField] === 'string') s.ref.name = pl[scheme.nameField] as string;
      const ts = this.threadState(scheme, thread);
      const status = scheme.statusField !== undefined ? toNumber(pl[scheme.statusField]) : 0;
      switch (role) {
        case 'request':
          this.request(s, ts, thread, t, site);
          break;
        case 'trylock':
          if (status === 0) this.acquire(s, ts, thread, t, site, true);
          break;
        case 'acquired':
          if (status !== 0) this.endWait(ts, s, t, 'failed');
          else this.acquire(s, ts, thread, t, site, false);
          break;
        case 'release':
          this.release(s, ts, thread, t);
          break;
      }
    }
  }

  finish(): void {
    // Holds still open stay NaN-ended; waits still open are 'waiting'.
  }

  private lockState(scheme: LockScheme, vpid: number, value: string | number, pass: UstPass, event: string): LockState {
    const key = `${scheme.name}\0${vpid}\0${value}`;
    let s = this.states.get(key);
    if (!s) {
      const hex = typeof value === 'number' && (this.opts.hexFields?.get(event)?.has(scheme.lockField) ?? false);
      const ref: LockRef = { index: this.locks.length, scheme: scheme.name, vpid, value, hex };
      if (typeof value === 'number') {
        const home = pass.maps.locate(vpid, value);
        if (home) ref.home = home;
      }
      this.locks.push(ref);
      this.states.set(key, (s = new LockState(ref)));
    }
    return s;
  }

  private threadState(scheme: LockScheme, thread: UstThread): ThreadState {
    const key = `${scheme.name}\0${thread.id}`;
    let ts = this.threads.get(key);
    if (!ts) this.threads.set(key, (ts = { waiting: undefined, held: [] }));
    return ts;
  }

  private request(s: LockState, ts: ThreadState, thread: UstThread, t: number, site: WaitSite): void {
    // A new request while another is pending: the earlier one ended untraced (not a wait any more).
    if (ts.waiting) this.endWait(ts, undefined, t, 'failed');
    const w: LockWaitRecord = { thread, lock: s.ref, begin: t, end: Number.NaN, outcome: 'waiting', site };
    if (s.holder && s.holder !== thread) w.holderAtBegin = s.holder;
    this.waits.push(w);
    ts.waiting = w;
    // Holding A while asking for B is the hazard, whether or not B is ever granted.
    if (!ts.held.some((h) => h.lock === s)) for (const h of ts.held) this.orderEdge(h, s, ts, thread, t, site);
    this.detectCycle(s, thread, w, t);
  }

  /** Follows lock → holder → the lock it waits for …; back at `thread` is a deadlock. */
  private detectCycle(s: LockState, thread: UstThread, w: LockWaitRecord, t: number): void {
    const links: CycleLink[] = [];
    let lock = s;
    let wait = w;
    let waiter = thread;
    const seen = new Set<UstThread>([thread]);
    for (;;) {
      const holder = lock.holder;
      if (!holder || holder === waiter || !lock.hold) return;
      links.push({ thread: waiter, lock: lock.ref, wait, holder, hold: lock.hold });
      if (holder === thread) break;
      if (seen.has(holder)) return; // a cycle not through this thread: reported when it formed
      seen.add(holder);
      const next = this.threads.get(`${w.lock.scheme}\0${holder.id}`)?.waiting;
      if (!next) return;
      const nextLock = this.states.get(`${w.lock.scheme}\0${next.lock.vpid}\0${next.lock.value}`);
      if (!nextLock) return;
      lock = nextLock;
      wait = next;
      waiter = holder;
    }
    const cycle: DeadlockCycle = { scheme: w.lock.scheme, formed: t, links };
    this.cycles.push(cycle);
    for (const l of links) {
      const list = this.cycleOf.get(l.wait);
      if (list) list.push(cycle);
      else this.cycleOf.set(l.wait, [cycle]);
    }
  }

  private endWait(ts: ThreadState, s: LockState | undefined, t: number, outcome: WaitOutcome): LockWaitRecord | undefined {
    const w = ts.waiting;
    if (!w || (s && w.lock !== s.ref)) return undefined;
    ts.waiting = undefined;
    w.end = t;
    w.outcome = outcome;
    const rel = s?.lastRelease;
    if (rel && rel.time >= w.begin && rel.thread !== w.thread) w.releasedBy = rel.thread;
    for (const c of this.cycleOf.get(w) ?? []) if (!c.resolved) c.resolved = { time: t, thread: w.thread, outcome };
    this.cycleOf.delete(w);
    return w;
  }

  private acquire(s: LockState, ts: ThreadState, thread: UstThread, t: number, site: WaitSite, trylock: boolean): void {
    const w = trylock ? undefined : this.endWait(ts, s, t, 'acquired');
    if (!trylock && !w) this.acquiredWithoutRequest++;
    const where = w?.site ?? site;
    // Lock order: every other lock this thread holds was held while this one was acquired.
    const mine = ts.held.find((h) => h.lock === s);
    if (mine) mine.depth++;
    else {
      // Edges were added at the request; an acquisition without one (or an untraced request) adds them now.
      if (!trylock && !w) for (const h of ts.held) this.orderEdge(h, s, ts, thread, t, where);
      ts.held.push({ lock: s, since: t, site: where, depth: 1 });
    }
    if (s.holder === thread && s.depth > 0) {
      s.depth++;
      return;
    }
    if (s.hold) {
      // Another thread "held" it: its release was not traced (pthread_cond_wait).
      s.hold.end = t;
      s.hold.inferred = true;
    }
    s.holder = thread;
    s.depth = 1;
    s.hold = { thread, lock: s.ref, begin: t, end: Number.NaN, site: where, inferred: false };
    this.holds.push(s.hold);
  }

  private orderEdge(h: HeldEntry, s: LockState, ts: ThreadState, thread: UstThread, t: number, site: WaitSite): void {
    const key = `${h.lock.ref.index}\0${s.ref.index}`;
    const others = ts.held.filter((x) => x !== h && x.lock !== s).map((x) => x.lock.ref.index);
    let e = this.order.get(key);
    if (!e) {
      e = {
        from: h.lock.ref,
        to: s.ref,
        count: 0,
        threads: [],
        example: { thread, time: t, site, heldSince: h.since, heldSite: h.site },
        guards: new Set(others),
      };
      this.order.set(key, e);
    } else {
      for (const g of e.guards) if (!others.includes(g)) e.guards.delete(g);
    }
    e.count++;
    if (!e.threads.includes(thread)) e.threads.push(thread);
  }

  private release(s: LockState, ts: ThreadState, thread: UstThread, t: number): void {
    const i = ts.held.findIndex((h) => h.lock === s);
    if (i >= 0) {
      if (--ts.held[i]!.depth === 0) ts.held.splice(i, 1);
    } else {
      this.unmatchedReleases++;
    }
    s.lastRelease = { thread, time: t };
    if (s.holder === thread && s.depth > 0 && --s.depth === 0) {
      s.hold!.end = t;
      s.hold = undefined;
      s.holder = undefined;
    }
  }
}

/**
 * The event's `ip` context placed in a binary. The `ip` is a return address (the instruction
 * after the call to the lock function or tracepoint): the byte before it is the call itself, so
 * its source line is the line of the call, as debuggers place stack frames; the return address
 * may already belong to the next line.
 */
function siteOf(r: StreamReader, thread: UstThread, pass: UstPass): WaitSite {
  const site: WaitSite = { event: r.eventClass.cls.name };
  const ip = r.records.sc['ip'] ?? r.records.ec['ip'];
  if (ip !== undefined) {
    site.ip = toNumber(ip);
    const loc = pass.maps.locate(thread.vpid, site.ip - 1);
    if (loc) site.location = loc;
  }
  return site;
}
