import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceSet } from '../../ctf/trace-set.js';
import { modelOf } from '../fixture.js';
import { fakeEvents } from '../ust/fake-events.js';
import { PTHREAD_SCHEME, type LockScheme } from '../ust/locks.js';
import { UstPass } from '../ust/pass.js';
import { simpleCycles } from './cycles.js';
import { deadlocks, lockOrderInversions, shareLockNames, waitForGraphAt } from './deadlocks.js';
import { LockTimeline } from './timeline.js';
import { futexWaitsAt, hungKernelThreads, hungLockWaits, unexpectedKernelWaits, unexpectedLockWaits } from './waits.js';

const REQ = 'lttng_ust_pthread:pthread_mutex_lock_req';
const ACQ = 'lttng_ust_pthread:pthread_mutex_lock_acq';
const REL = 'lttng_ust_pthread:pthread_mutex_unlock';
const TRY = 'lttng_ust_pthread:pthread_mutex_trylock';

function timeline(text: string, schemes: LockScheme[] = [PTHREAD_SCHEME]): LockTimeline {
  const tl = new LockTimeline(schemes);
  new UstPass({ origin: 0n } as TraceSet).replay(fakeEvents(text), [tl]);
  shareLockNames(tl);
  return tl;
}

// Threads 1 and 2 take A (0xa) and B (0xb) in opposite orders and deadlock at 40.
const DEADLOCK = `
  10 1/1 ${REQ} mutex=0xa .ip=0x100
  11 1/1 ${ACQ} mutex=0xa status=0 .ip=0x100
  20 1/2 ${REQ} mutex=0xb .ip=0x100
  21 1/2 ${ACQ} mutex=0xb status=0 .ip=0x100
  30 1/1 ${REQ} mutex=0xb .ip=0x200
  40 1/2 ${REQ} mutex=0xa .ip=0x200
  50 1/3 ${REQ} mutex=0xa .ip=0x300
`;

test('a wait-for cycle is a deadlock: threads, locks, when each wait began, who holds what', () => {
  const tl = timeline(DEADLOCK);
  const [d, ...more] = deadlocks(tl);
  assert.equal(more.length, 0);
  assert.ok(d);
  assert.equal(d.atEnd, true);
  assert.equal(d.cycle.formed, 40);
  assert.deepEqual(
    d.cycle.links.map((l) => [l.thread.vtid, l.lock.value, l.wait.begin, l.wait.site.ip, l.holder.vtid, l.hold.begin]),
    [
      [2, 0xa, 40, 0x200, 1, 11],
      [1, 0xb, 30, 0x200, 2, 21],
    ],
  );
  // Thread 3 waits for A too, but is not part of the cycle.
  const end = waitForGraphAt(tl, Infinity);
  assert.deepEqual(
    end.edges.map((e) => [e.wait.thread.vtid, e.wait.lock.value, e.hold?.thread.vtid]),
    [
      [1, 0xb, 2],
      [2, 0xa, 1],
      [3, 0xa, 1],
    ],
  );
  assert.equal(end.cycles.length, 1);
  assert.deepEqual(end.cycles[0]!.map((e) => e.wait.thread.vtid).sort(), [1, 2]);
  // Before the second request there was no cycle yet; before any request nobody waited.
  const at35 = waitForGraphAt(tl, 35);
  assert.deepEqual(
    at35.edges.map((e) => [e.wait.thread.vtid, e.hold?.thread.vtid]),
    [[1, 2]],
  );
  assert.equal(at35.cycles.length, 0);
  assert.equal(waitForGraphAt(tl, 15).edges.length, 0);
  // The same inversion is in the lock-order graph (the requests count, though never granted).
  const [inv] = lockOrderInversions(tl);
  assert.ok(inv);
  assert.deepEqual(
    inv.locks.map((l) => l.value),
    [0xa, 0xb],
  );
  assert.deepEqual(
    inv.edges.map((e) => [e.from.value, e.to.value, e.example.thread.vtid, e.example.time, e.example.site.ip, e.example.heldSite.ip]),
    [
      [0xa, 0xb, 1, 30, 0x200, 0x100],
      [0xb, 0xa, 2, 40, 0x200, 0x100],
    ],
  );
  assert.deepEqual(hungLockWaits(tl).map((h) => [h.wait.thread.vtid, h.holder?.thread.vtid, h.recent.at(-1)?.name]), [
    [1, 2, REQ],
    [2, 1, REQ],
    [3, 1, REQ],
  ]);
});

test('a cycle that ends (a failed or timed lock) is reported as resolved', () => {
  const tl = timeline(`${DEADLOCK}
    60 1/2 ${ACQ} mutex=0xa status=110
    61 1/2 ${REL} mutex=0xb status=0
    62 1/1 ${ACQ} mutex=0xb status=0
  `);
  const [d] = deadlocks(tl);
  assert.ok(d);
  assert.equal(d.atEnd, false);
  assert.deepEqual([d.cycle.resolved?.time, d.cycle.resolved?.thread.vtid, d.cycle.resolved?.outcome], [60, 2, 'failed']);
  assert.equal(waitForGraphAt(tl, Infinity).cycles.length, 0);
  assert.equal(waitForGraphAt(tl, 55).cycles.length, 1, 'the graph at a time inside the deadlock has it');
  // Thread 1 got B once thread 2 released it.
  const w = tl.waits.find((x) => x.thread.vtid === 1 && x.lock.value === 0xb)!;
  assert.deepEqual([w.outcome, w.end, w.releasedBy?.vtid, w.holderAtBegin?.vtid], ['acquired', 62, 2, 2]);
});

test('locks always taken in one order, try-locks and recursion make no inversion; a gate lock guards one', () => {
  const ordered = timeline(`
    1 1/1 ${REQ} mutex=0xa
    2 1/1 ${ACQ} mutex=0xa status=0
    3 1/1 ${REQ} mutex=0xb
    4 1/1 ${ACQ} mutex=0xb status=0
    5 1/1 ${REQ} mutex=0xb
    6 1/1 ${ACQ} mutex=0xb status=0
    7 1/1 ${REL} mutex=0xb status=0
    8 1/1 ${REL} mutex=0xb status=0
    9 1/1 ${REL} mutex=0xa status=0
    # B then A, but A by try-lock: it never waits, no edge B → A
    10 1/2 ${REQ} mutex=0xb
    11 1/2 ${ACQ} mutex=0xb status=0
    12 1/2 ${TRY} mutex=0xa status=0
    13 1/2 ${REL} mutex=0xa status=0
    14 1/2 ${REL} mutex=0xb status=0
  `);
  assert.deepEqual(
    [...ordered.order.values()].map((e) => [e.from.value, e.to.value, e.count]),
    [[0xa, 0xb, 1]],
  );
  assert.equal(lockOrderInversions(ordered).length, 0);

  // The opposite orders, but always under G (0x9): reported as guarded.
  const gated = timeline(`
    1 1/1 ${ACQ} mutex=0x9 status=0
    2 1/1 ${ACQ} mutex=0xa status=0
    3 1/1 ${REQ} mutex=0xb
    4 1/1 ${ACQ} mutex=0xb status=0
    5 1/1 ${REL} mutex=0xb status=0
    6 1/1 ${REL} mutex=0xa status=0
    7 1/1 ${REL} mutex=0x9 status=0
    8 1/2 ${ACQ} mutex=0x9 status=0
    9 1/2 ${ACQ} mutex=0xb status=0
    10 1/2 ${REQ} mutex=0xa
    11 1/2 ${ACQ} mutex=0xa status=0
  `);
  const [inv] = lockOrderInversions(gated);
  assert.ok(inv);
  assert.deepEqual(
    inv.guardedBy.map((l) => l.value),
    [0x9],
  );
  assert.equal(gated.acquiredWithoutRequest, 4);
});

test('a lock re-taken inside pthread_cond_wait (untraced) changes hands without two holders', () => {
  const tl = timeline(`
    1 1/1 ${REQ} mutex=0xa
    2 1/1 ${ACQ} mutex=0xa status=0
    # thread 1 waits on a condition: glibc unlocks A without the wrapper seeing it
    5 1/2 ${REQ} mutex=0xa
    6 1/2 ${ACQ} mutex=0xa status=0
    7 1/2 ${REL} mutex=0xa status=0
    # thread 1 wakes up holding A again, and unlocks it (traced)
    9 1/1 ${REL} mutex=0xa status=0
  `);
  assert.deepEqual(
    tl.holds.map((h) => [h.thread.vtid, h.begin, h.end, h.inferred]),
    [
      [1, 2, 6, true],
      [2, 6, 7, false],
    ],
  );
  assert.equal(tl.unmatchedReleases, 0, "thread 1's release matches its own acquisition");
  assert.equal(deadlocks(tl).length, 0);
});

test('schemes naming the same mutexes find one deadlock, seen by both', () => {
  const app: LockScheme = { name: 'app', request: ['app:lock_wait_begin'], acquired: ['app:lock_acquired'], release: ['app:lock_release'], lockField: 'addr', nameField: 'lock' };
  const both = DEADLOCK.replace(/^\s*(\d+) (\S+) (\S+) mutex=(\S+)(.*)$/gm, (_m, t: string, ids: string, ev: string, mutex: string, rest: string) => {
    const appEv = ev === REQ ? 'app:lock_wait_begin' : 'app:lock_acquired';
    return `${t} ${ids} ${appEv} addr=${mutex} lock="${mutex === '0xa' ? 'A' : 'B'}"\n${t} ${ids} ${ev} mutex=${mutex}${rest}`;
  });
  const tl = timeline(both, [PTHREAD_SCHEME, app]);
  const ds = deadlocks(tl);
  assert.equal(ds.length, 1);
  assert.deepEqual(ds[0]!.sources.sort(), ['app', 'pthread']);
  assert.deepEqual(
    ds[0]!.cycle.links.map((l) => l.lock.name),
    ['A', 'B'],
    'the pthread locks are named by the app scheme',
  );
  assert.equal(lockOrderInversions(tl).length, 1);
});

test('unexpected lock waits: per-thread percentile with a 1 ms floor, or a fixed minimum', () => {
  const ms = 1_000_000;
  const tl = timeline(`
    0 1/1 ${REQ} mutex=0xa
    ${0.5 * ms} 1/1 ${ACQ} mutex=0xa status=0
    ${0.6 * ms} 1/1 ${REL} mutex=0xa status=0
    ${1 * ms} 1/2 ${REQ} mutex=0xa
    ${3 * ms} 1/2 ${ACQ} mutex=0xa status=0
    ${4 * ms} 1/2 ${REL} mutex=0xa status=0
    ${5 * ms} 1/2 ${REQ} mutex=0xa
    ${5.5 * ms} 1/2 ${ACQ} mutex=0xa status=0
    ${10 * ms} 1/1 ${REQ} mutex=0xa
  `);
  // Thread 1: 0.5 ms (below the floor) and a wait still open at the end (30 ms later); thread 2: 2 ms and 0.5 ms.
  const found = unexpectedLockWaits(tl, 40 * ms);
  assert.deepEqual(
    found.map((f) => [f.wait.thread.vtid, f.duration, f.wait.outcome, f.threshold]),
    [
      [1, 30 * ms, 'waiting', 30 * ms],
      [2, 2 * ms, 'acquired', 2 * ms],
    ],
  );
  assert.equal(found[1]!.wait.releasedBy, undefined, 'thread 1 released before thread 2 asked');
  assert.deepEqual(
    unexpectedLockWaits(tl, 40 * ms, { min: 0.5 * ms }).map((f) => f.duration),
    [30 * ms, 2 * ms, 0.5 * ms, 0.5 * ms],
  );
});

// Process 10: thread 11 waits on futex 0x1000 until 12 wakes it; 12 then hangs on 0x2000.
const KERNEL = `
  1 cpu0 sched_switch prev=0:swapper(R) next=11:a ctx=0 ctxpid=0
  1 cpu1 sched_switch prev=0:swapper(R) next=12:b ctx=0 ctxpid=0
  10 cpu0 syscall_entry futex arg0=0x1000 arg1=128 ctx=11 ctxpid=10
  12 cpu0 sched_switch prev=11:a(S) next=0:swapper ctx=11 ctxpid=10
  40 cpu1 syscall_entry futex arg0=0x1000 arg1=129 ctx=12 ctxpid=10
  41 cpu1 sched_waking tid=11 target=0 ctx=12 ctxpid=10
  42 cpu1 syscall_exit ret=1 ctx=12 ctxpid=10
  45 cpu0 sched_switch prev=0:swapper(R) next=11:a ctx=0 ctxpid=0
  47 cpu0 syscall_exit ret=0 ctx=11 ctxpid=10
  60 cpu1 syscall_entry futex arg0=0x2000 arg1=0 ctx=12 ctxpid=10
  61 cpu1 sched_switch prev=12:b(S) next=0:swapper ctx=12 ctxpid=10
  70 cpu0 syscall_entry read arg0=3 arg1=0x10 ctx=11 ctxpid=10
  80 cpu0 syscall_exit ret=4 ctx=11 ctxpid=10
`;

test('kernel waits: the futex word and who woke the thread; threads hung at the end and their last syscall', () => {
  const model = modelOf(KERNEL);
  const waits = unexpectedKernelWaits(model, -Infinity, Infinity, { min: 0 });
  assert.deepEqual(
    waits.map((w) => [w.thread.tid, w.begin, w.duration, w.syscall, w.futex?.uaddr, w.futex?.wait, w.wokenBy?.tid]),
    [
      [11, 12, 29, 'futex', 0x1000, true, 12],
      [12, 61, 19, 'futex', 0x2000, true, undefined],
    ],
  );
  const hung = hungKernelThreads(model);
  assert.deepEqual(
    hung.map((h) => [h.thread.tid, h.since, h.syscall?.name, h.syscall?.arg0, h.lastSyscall?.name, h.lastSyscall?.ret]),
    [[12, 61, 'futex', 0x2000, 'futex', 1]],
  );
  // The kernel's half of the wait-for graph: who is inside a futex wait call at a time.
  assert.deepEqual(
    futexWaitsAt(model, 20).map((f) => [f.thread.tid, f.uaddr, f.since]),
    [[11, 0x1000, 10]],
  );
  assert.deepEqual(futexWaitsAt(model, 50), []);
  assert.deepEqual(
    futexWaitsAt(model, 90).map((f) => [f.thread.tid, f.uaddr]),
    [[12, 0x2000]],
  );
  // The default threshold keeps sub-millisecond waits out.
  assert.equal(unexpectedKernelWaits(model, -Infinity, Infinity).length, 0);
});

test('elementary cycles are found once each, from their smallest node', () => {
  const g = new Map<number, number[]>([
    [1, [2]],
    [2, [1, 3]],
    [3, [1, 4]],
    [4, []],
    [5, [5]],
  ]);
  const cycles = simpleCycles(g.keys(), (n) => g.get(n) ?? []);
  assert.deepEqual(cycles, [
    [1, 2],
    [1, 2, 3],
  ]);
  assert.equal(simpleCycles(g.keys(), (n) => g.get(n) ?? [], 1).length, 1);
});
