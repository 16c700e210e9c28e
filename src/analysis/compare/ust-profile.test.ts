import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceSet } from '../../ctf/trace-set.js';
import { fakeEvents } from '../ust/fake-events.js';
import { detectSchemes, LockAnalysis } from '../ust/locks.js';
import { UstPass } from '../ust/pass.js';
import { SpanAnalysis } from '../ust/spans.js';
import { spanType, ustProfile } from './ust-profile.js';

const LOCK = ['lock', 'lock_id', 'addr'];
const schemes = detectSchemes(
  new Map([
    ['calcjob:lock_wait_begin', new Set(LOCK)],
    ['calcjob:lock_acquired', new Set(LOCK)],
    ['calcjob:lock_release', new Set(LOCK)],
    ['lttng_ust_pthread:pthread_mutex_lock_req', new Set(['mutex'])],
    ['lttng_ust_pthread:pthread_mutex_lock_acq', new Set(['mutex', 'status'])],
    ['lttng_ust_pthread:pthread_mutex_unlock', new Set(['mutex', 'status'])],
  ]),
);

// Two workers of process 7: worker 12 holds job_queue (0x10, also seen by the pthread wrapper)
// 110-150 while worker 13 waits for it 120-160; a mutex only the wrapper sees (0x20) is waited
// for 5 ns. Each worker runs one job.
const EVENTS = `
  100 7/12 calcjob:thread_role role=worker index=0 name=w0
  101 7/13 calcjob:thread_role role=worker index=1 name=w1
  105 7/12 calcjob:lock_wait_begin lock=job_queue lock_id=0 addr=0x10
  106 7/12 lttng_ust_pthread:pthread_mutex_lock_req mutex=0x10
  108 7/12 lttng_ust_pthread:pthread_mutex_lock_acq mutex=0x10 status=0
  110 7/12 calcjob:lock_acquired lock=job_queue lock_id=0 addr=0x10
  120 7/13 calcjob:lock_wait_begin lock=job_queue lock_id=0 addr=0x10
  121 7/13 lttng_ust_pthread:pthread_mutex_lock_req mutex=0x10
  150 7/12 calcjob:lock_release lock=job_queue lock_id=0 addr=0x10
  151 7/12 lttng_ust_pthread:pthread_mutex_unlock mutex=0x10 status=0
  155 7/13 lttng_ust_pthread:pthread_mutex_lock_acq mutex=0x10 status=0
  160 7/13 calcjob:lock_acquired lock=job_queue lock_id=0 addr=0x10
  170 7/13 calcjob:lock_release lock=job_queue lock_id=0 addr=0x10
  171 7/13 lttng_ust_pthread:pthread_mutex_unlock mutex=0x10 status=0
  200 7/12 calcjob:job_start job_id=0 worker=0
  300 7/12 calcjob:job_end job_id=0 worker=0
  210 7/13 calcjob:job_start job_id=1 worker=1
  250 7/13 calcjob:job_end job_id=1 worker=1
  400 7/12 lttng_ust_pthread:pthread_mutex_lock_req mutex=0x20
  405 7/12 lttng_ust_pthread:pthread_mutex_lock_acq mutex=0x20 status=0
  406 7/12 lttng_ust_pthread:pthread_mutex_unlock mutex=0x20 status=0
`;

function run() {
  const locks = new LockAnalysis(schemes);
  const spans = new SpanAnalysis([{ begin: 'calcjob:job_start', end: 'calcjob:job_end' }]);
  const events = fakeEvents(EVENTS).sort((a, b) => a.time - b.time);
  const pass = new UstPass({ origin: 0n } as TraceSet).replay(events, [locks, spans]);
  return ustProfile({ threads: pass.threads.threads, locks: locks.results(), spans: spans.results() });
}

test('locks are known by name; a mutex the program names counts once in the totals', () => {
  const { profile } = run();
  const locks = profile.locks!.map((l) => [l.scheme, l.label, l.acquisitions, l.contended, l.wait.total, l.hold.total, l.inTotals]);
  assert.deepEqual(locks, [
    // calcjob's own events: waits 5 (105-110) and 40 (120-160), holds 40 and 10.
    ['calcjob', 'job_queue', 2, 1, 45, 50, true],
    // The wrapper's view of the same mutex (named through its address), not counted twice:
    // waits 106-108 and 121-155, holds 108-151 and 155-171.
    ['pthread', 'job_queue', 2, 1, 36, 59, false],
    // A mutex nobody named, and no symbols to place it: its address.
    ['pthread', '0x20', 1, 0, 5, 1, true],
  ]);
});

test("threads: names from thread_role, appearance, lock wait of the counted locks; spans per type; wall time", () => {
  const { profile, threads } = run();
  assert.deepEqual(
    threads.map((t) => [t.tid, t.pid, t.name, t.role, t.first, t.lockWait]),
    [
      [12, 7, 'w0', 'w0', 100, 5 + 5],
      [13, 7, 'w1', 'w1', 101, 40],
    ],
  );
  assert.deepEqual(profile.spans, [{ type: 'calcjob:job', count: 2, total: 140, mean: 70, p99: 100, max: 100 }]);
  assert.equal(profile.wall, 406 - 100);
  assert.deepEqual(profile.run, { begin: 100, end: 406 });
  assert.equal(profile.events, 21);
});

test('span types drop the begin suffix', () => {
  assert.equal(spanType('calcjob:job_start'), 'calcjob:job');
  assert.equal(spanType('calcjob:manager_begin'), 'calcjob:manager');
  assert.equal(spanType('app:f_entry'), 'app:f');
});
