/**
 * Lock contention seen from the kernel: `futex` system calls, grouped by futex word (process,
 * `uaddr`). A pthread mutex, condition variable or semaphore enters the kernel only when it has
 * to wait (or to wake a waiter), so what a kernel trace shows is contention, never the
 * uncontended acquisitions nor how long a lock was held:
 *
 *   FUTEX_WAIT / WAIT_BITSET / LOCK_PI / LOCK_PI2 / WAIT_REQUEUE_PI   a thread waits on `uaddr`
 *     returns 0 (woken), -ETIMEDOUT (gave up), -EAGAIN (the word changed first: did not sleep),
 *     or never returns before the trace ends (still waiting: a hang?)
 *   FUTEX_WAKE / WAKE_BITSET / UNLOCK_PI / WAKE_OP / (CMP_)REQUEUE(_PI)   a thread wakes waiters
 *
 * Who ended a wait is the waker of the blocked interval inside the syscall (the kernel model's
 * wakeup table), so it names the thread that released the lock even when it was a requeue.
 * Needs the syscall arguments (LTTng `syscall_entry_futex` {uaddr, op}, perf
 * `raw_syscalls:sys_enter` args[0..1]); `hasFutexArguments` says whether the trace has them.
 */
import type { KernelModel, ThreadInfo } from './model.js';
import { pidOf } from './queries.js';
import { wakerOf, type Waker } from './reports.js';
import { ThreadState } from './states.js';
import type { SyscallTable } from './tables.js';

/** `futex_op` commands (include/uapi/linux/futex.h), after masking the private/clock flags. */
export const FutexCmd = {
  WAIT: 0,
  WAKE: 1,
  REQUEUE: 3,
  CMP_REQUEUE: 4,
  WAKE_OP: 5,
  LOCK_PI: 6,
  UNLOCK_PI: 7,
  TRYLOCK_PI: 8,
  WAIT_BITSET: 9,
  WAKE_BITSET: 10,
  WAIT_REQUEUE_PI: 11,
  CMP_REQUEUE_PI: 12,
  LOCK_PI2: 13,
} as const;

/** FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME (256) masked off. */
const CMD_MASK = 127;
const WAIT_CMDS = new Set<number>([FutexCmd.WAIT, FutexCmd.WAIT_BITSET, FutexCmd.LOCK_PI, FutexCmd.LOCK_PI2, FutexCmd.WAIT_REQUEUE_PI]);
const WAKE_CMDS = new Set<number>([
  FutexCmd.WAKE,
  FutexCmd.WAKE_BITSET,
  FutexCmd.UNLOCK_PI,
  FutexCmd.WAKE_OP,
  FutexCmd.REQUEUE,
  FutexCmd.CMP_REQUEUE,
  FutexCmd.CMP_REQUEUE_PI,
]);
const EAGAIN = -11;
const ETIMEDOUT = -110;

export function futexCommand(op: number): number {
  return op & CMD_MASK;
}

export interface FutexWait {
  thread: ThreadInfo;
  start: number;
  /** The syscall's return (the trace's end for a wait still in progress). */
  end: number;
  /** 'woken' (returned 0), 'timeout', 'error' (other negative return), 'waiting' (at the end of the trace). */
  outcome: 'woken' | 'timeout' | 'error' | 'waiting';
  /** Time the thread was blocked inside the call (the rest is getting in and out, or waiting for a CPU). */
  blocked: number;
  /** What ended the blocked interval (undefined: not woken in the trace). */
  wokenBy?: Waker;
}

export interface FutexTally {
  count: number;
  total: number;
  max: number;
}

export interface FutexResult {
  pid: number;
  uaddr: number;
  /** Wait calls that slept or were still sleeping (EAGAIN returns excluded: they did not wait). */
  waits: number;
  /** Wait calls that returned -EAGAIN at once (the word changed: a near miss). */
  nearMisses: number;
  timeouts: number;
  /** Wake calls on this word. */
  wakes: number;
  /** Total and longest time in wait calls (completed ones). */
  waitTotal: number;
  waitMax: number;
  /** Threads by total wait, most first. */
  waiters: (FutexTally & { thread: ThreadInfo })[];
  /** Who ended the waits, by total wait ended, most first (label → tally). */
  wakers: (FutexTally & { waker: Waker })[];
  /** Threads calling wake on this word, by count. */
  wakerThreads: { thread: ThreadInfo; count: number }[];
  /** Waits still in progress at the end of the trace. */
  waitingAtEnd: FutexWait[];
  worst: FutexWait[];
}

/** Whether the model's futex syscalls carry their arguments (else nothing can be grouped). */
export function hasFutexArguments(model: KernelModel): boolean {
  const id = model.syscallNames.indexOf('futex');
  if (id < 0) return false;
  const s = model.syscalls;
  for (let i = 0; i < s.length; i++) if (s.id[i] === id && !Number.isNaN(s.arg0[i]!)) return true;
  return false;
}

class Word {
  waits = 0;
  nearMisses = 0;
  timeouts = 0;
  wakes = 0;
  waitTotal = 0;
  waitMax = 0;
  readonly waiters = new Map<number, FutexTally & { thread: ThreadInfo }>();
  readonly wakers = new Map<string, FutexTally & { waker: Waker }>();
  readonly wakerThreads = new Map<number, { thread: ThreadInfo; count: number }>();
  readonly waitingAtEnd: FutexWait[] = [];
  readonly all: FutexWait[] = [];

  constructor(
    readonly pid: number,
    readonly uaddr: number,
  ) {}
}

function tally<K, T extends FutexTally>(m: Map<K, T>, key: K, make: () => T, d: number): void {
  let t = m.get(key);
  if (!t) m.set(key, (t = make()));
  t.count++;
  t.total += d;
  if (d > t.max) t.max = d;
}

function wakerKey(w: Waker): string {
  return `${w.kind}:${w.tid ?? w.irq ?? w.vec ?? ''}`;
}

/**
 * Futex contention per word, for the calls that started within [begin, end] (ns from the origin).
 * `top` worst waits are kept per word.
 */
export function futexContention(model: KernelModel, begin = -Infinity, end = Infinity, top = 5): FutexResult[] {
  const id = model.syscallNames.indexOf('futex');
  if (id < 0) return [];
  const words = new Map<string, Word>();
  const wordOf = (th: ThreadInfo, uaddr: number): Word => {
    const pid = pidOf(th);
    const key = `${pid}:${uaddr}`;
    let w = words.get(key);
    if (!w) words.set(key, (w = new Word(pid, uaddr)));
    return w;
  };
  const visit = (s: SyscallTable, running: boolean) => {
    for (let i = 0; i < s.length; i++) {
      if (s.id[i] !== id) continue;
      const t0 = s.start[i]!;
      const uaddr = s.arg0[i]!;
      if (t0 < begin || t0 > end || Number.isNaN(uaddr)) continue;
      const th = model.threads[s.thread[i]!]!;
      const cmd = futexCommand(s.arg1[i]!);
      const w = wordOf(th, uaddr);
      if (WAKE_CMDS.has(cmd)) {
        w.wakes++;
        const wt = w.wakerThreads.get(th.row);
        if (wt) wt.count++;
        else w.wakerThreads.set(th.row, { thread: th, count: 1 });
        continue;
      }
      if (!WAIT_CMDS.has(cmd)) continue;
      const ret = s.ret[i]!;
      if (ret === EAGAIN) {
        w.nearMisses++;
        continue;
      }
      const t1 = s.end[i]!;
      const wait = blockedIn(model, th, t0, t1);
      const fw: FutexWait = {
        thread: th,
        start: t0,
        end: t1,
        outcome: running ? 'waiting' : ret === 0 ? 'woken' : ret === ETIMEDOUT ? 'timeout' : 'error',
        blocked: wait.blocked,
        ...(wait.wakeup >= 0 ? { wokenBy: wakerOf(model, wait.wakeup) } : {}),
      };
      w.waits++;
      w.all.push(fw);
      if (running) {
        w.waitingAtEnd.push(fw);
        continue;
      }
      if (fw.outcome === 'timeout') w.timeouts++;
      const d = t1 - t0;
      w.waitTotal += d;
      if (d > w.waitMax) w.waitMax = d;
      tally(w.waiters, th.row, () => ({ thread: th, count: 0, total: 0, max: 0 }), d);
      const by = fw.wokenBy;
      if (by) tally(w.wakers, wakerKey(by), () => ({ waker: by, count: 0, total: 0, max: 0 }), d);
    }
  };
  visit(model.syscalls, false);
  visit(model.unfinishedSyscalls, true);
  const byTotal = (a: FutexTally, b: FutexTally) => b.total - a.total || b.count - a.count;
  return [...words.values()]
    .filter((w) => w.waits > 0 || w.nearMisses > 0)
    .map((w) => ({
      pid: w.pid,
      uaddr: w.uaddr,
      waits: w.waits,
      nearMisses: w.nearMisses,
      timeouts: w.timeouts,
      wakes: w.wakes,
      waitTotal: w.waitTotal,
      waitMax: w.waitMax,
      waiters: [...w.waiters.values()].sort(byTotal),
      wakers: [...w.wakers.values()].sort(byTotal),
      wakerThreads: [...w.wakerThreads.values()].sort((a, b) => b.count - a.count),
      waitingAtEnd: w.waitingAtEnd,
      worst: w.all
        .filter((x) => x.outcome !== 'waiting')
        .sort((a, b) => b.end - b.start - (a.end - a.start))
        .slice(0, top),
    }))
    .sort((a, b) => b.waitTotal - a.waitTotal || b.waits - a.waits || a.pid - b.pid || a.uaddr - b.uaddr);
}

/** Blocked time of a thread within [t0, t1], and the wakeup that ended its last blocked interval (-1: none). */
function blockedIn(model: KernelModel, th: ThreadInfo, t0: number, t1: number): { blocked: number; wakeup: number } {
  const tbl = model.threadStates;
  let blocked = 0;
  let wakeup = -1;
  tbl.forEachIn(th.row, t0, t1, (i, from, to) => {
    if (tbl.state[i] !== ThreadState.WAIT_BLOCKED) return;
    blocked += to - from;
    wakeup = tbl.aux[i]!;
  });
  return { blocked, wakeup };
}
