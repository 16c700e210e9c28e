import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceSet } from '../../ctf/trace-set.js';
import { fakeEvents } from './fake-events.js';
import { kernelStatesFrom } from './kernel-states.js';
import { detectSchemes, LockAnalysis, PTHREAD_SCHEME } from './locks.js';
import { UstPass } from './pass.js';

const pass = () => new UstPass({ origin: 0n } as TraceSet);
const REQ = 'lttng_ust_pthread:pthread_mutex_lock_req';
const ACQ = 'lttng_ust_pthread:pthread_mutex_lock_acq';
const REL = 'lttng_ust_pthread:pthread_mutex_unlock';
const TRY = 'lttng_ust_pthread:pthread_mutex_trylock';

test('lock schemes are found from the event names', () => {
  const f = (names: Record<string, string[]>) => new Map(Object.entries(names).map(([k, v]) => [k, new Set(v)]));
  const schemes = detectSchemes(
    f({
      [REQ]: ['mutex'],
      [ACQ]: ['mutex', 'status'],
      [REL]: ['mutex', 'status'],
      'calcjob:lock_wait_begin': ['lock', 'lock_id', 'addr'],
      'calcjob:lock_acquired': ['lock', 'lock_id', 'addr'],
      'calcjob:lock_release': ['lock', 'lock_id', 'addr'],
      'other:lock_acquired': ['x'],
    }),
  );
  assert.deepEqual(
    schemes.map((s) => [s.name, s.lockField, s.nameField]),
    [
      ['pthread', 'mutex', undefined],
      ['calcjob', 'addr', 'lock'],
    ],
  );
});

test('waits, holds, contention, recursion, try-locks and what is not matched', () => {
  const a = new LockAnalysis([PTHREAD_SCHEME], { keepWaits: true });
  pass().replay(
    fakeEvents(`
      # thread 1 takes the lock; thread 2 waits for it until thread 1 releases: contended.
      100 1/1 ${REQ} mutex=0x10 .ip=0x400
      110 1/1 ${ACQ} mutex=0x10 status=0
      120 1/2 ${REQ} mutex=0x10 .ip=0x500
      150 1/1 ${REL} mutex=0x10 status=0
      160 1/2 ${ACQ} mutex=0x10 status=0
      # recursive acquisition by the holder nests
      170 1/2 ${REQ} mutex=0x10 .ip=0x500
      171 1/2 ${ACQ} mutex=0x10 status=0
      180 1/2 ${REL} mutex=0x10 status=0
      200 1/2 ${REL} mutex=0x10 status=0
      # thread 1 waits while the lock looks free: not contended
      300 1/1 ${REQ} mutex=0x10 .ip=0x400
      305 1/1 ${ACQ} mutex=0x10 status=0
      310 1/2 ${TRY} mutex=0x10 status=16
      320 1/1 ${REL} mutex=0x10 status=0
      330 1/3 ${REL} mutex=0x10 status=0
      400 1/3 ${ACQ} mutex=0x20 status=0
    `),
    [a],
  );
  const k = kernelStatesFrom(
    ['running', 'blocked'],
    new Map([
      [2, [{ start: 120, end: 130, state: 'running' }, { start: 130, end: 160, state: 'blocked' }]],
      [1, [{ start: 0, end: 1000, state: 'running' }]],
    ]),
  );
  const [m10, m20] = a.results(k);
  assert.ok(m10 && m20);
  assert.equal(m10.lock, 0x10);
  assert.equal(m10.acquisitions, 4);
  assert.equal(m10.contended, 1);
  assert.equal(m10.failed, 1);
  // Waits: 10 (t1), 40 (t2, contended), 1 (t2, recursive), 5 (t1).
  assert.deepEqual([m10.wait.count, m10.wait.total, m10.wait.max], [4, 56, 40]);
  // Holds: 110→150, 160→200 (nested 171→180 inside), 305→320.
  assert.deepEqual([m10.hold.count, m10.hold.total, m10.hold.max], [3, 40 + 40 + 15, 40]);
  assert.deepEqual(
    m10.waiters.map((w) => [w.thread.vtid, w.count, w.total, w.max]),
    [
      [2, 2, 41, 40],
      [1, 2, 15, 10],
    ],
  );
  assert.deepEqual(
    m10.sites.map((s) => [s.site.ip, s.count, s.total]),
    [
      [0x500, 2, 41],
      [0x400, 2, 15],
    ],
  );
  assert.equal(m10.worstWaits[0]!.contended, true);
  assert.deepEqual(m10.unmatched, { acquiredWithoutRequest: 0, releasedWithoutAcquire: 1, waitingAtEnd: 0, heldAtEnd: 0 });
  // Thread 2's second wait (170→171) is outside its known states.
  assert.deepEqual(m10.kernel, [
    { state: 'blocked', ns: 30 },
    { state: 'running', ns: 10 + 10 + 5 },
    { state: 'unknown', ns: 1 },
  ]);
  assert.deepEqual(m20.unmatched, { acquiredWithoutRequest: 1, releasedWithoutAcquire: 0, waitingAtEnd: 0, heldAtEnd: 1 });
});

test('an app scheme names the pthread mutex at the same address', () => {
  const app = { name: 'app', request: ['app:lock_wait_begin'], acquired: ['app:lock_acquired'], release: ['app:lock_release'], lockField: 'addr', nameField: 'lock' };
  const a = new LockAnalysis([PTHREAD_SCHEME, app]);
  pass().replay(
    fakeEvents(`
      1 1/1 app:lock_wait_begin lock="queue" addr=0x10
      2 1/1 ${REQ} mutex=0x10
      3 1/1 ${ACQ} mutex=0x10 status=0
      4 1/1 app:lock_acquired lock="queue" addr=0x10
    `),
    [a],
  );
  assert.deepEqual(
    a.results().map((r) => [r.scheme, r.name]),
    [
      ['app', 'queue'],
      ['pthread', 'queue'],
    ],
  );
});
