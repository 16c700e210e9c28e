import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelOf } from '../fixture.js';
import { focusRows, kernelProfile } from './kernel-profile.js';

// A program (pid 100) with a thread (101) and a child process (200); `other` (300) and the shell
// (10) are not the program. Thread 100 blocks in futex at 140, is woken by 101 at 150 and runs
// again at 160 (scheduling latency 10).
const RUN = `
  100 cpu0 sched_process_fork parent=10 child=100 pid=100 comm=prog
  105 cpu0 sched_process_fork parent=100 child=101 pid=100 comm=prog
  106 cpu0 sched_process_fork parent=100 child=200 pid=200 comm=prog
  107 cpu0 sched_process_fork parent=10 child=300 pid=300 comm=other
  110 cpu0 sched_switch prev=10:shell(S) next=100:prog
  120 cpu1 sched_switch prev=0:swapper/1(R) next=101:prog
  130 cpu0 syscall_entry futex
  140 cpu0 sched_switch prev=100:prog(S) next=300:other
  150 cpu1 sched_waking tid=100 target=0
  160 cpu0 sched_switch prev=300:other(R) next=100:prog
  170 cpu0 syscall_exit ret=0
  180 cpu1 sched_process_exit tid=101
  190 cpu1 sched_switch prev=101:prog(X) next=200:prog
  200 cpu0 sched_process_exit tid=100
  210 cpu0 sched_switch prev=100:prog(X) next=0:swapper/0
  220 cpu1 sched_process_exit tid=200
  230 cpu1 sched_switch prev=200:prog(X) next=300:other
`;

const tids = (m: ReturnType<typeof modelOf>, rows: Set<number>) => [...rows].map((r) => m.threads[r]!.tid).sort((a, b) => a - b);

test('the program is its process and the processes it started', () => {
  const m = modelOf(RUN);
  assert.deepEqual(tids(m, focusRows(m, { kind: 'pids', pids: new Set([100]) })), [100, 101, 200]);
  assert.deepEqual(tids(m, focusRows(m, { kind: 'pids', pids: new Set([200]) })), [200]);
  assert.deepEqual(tids(m, focusRows(m, { kind: 'name', glob: 'oth*' })), [300]);
  assert.deepEqual(tids(m, focusRows(m, { kind: 'all' })), [10, 100, 101, 200, 300]);
});

test("the program's figures: wall time, CPU, states, latency, wakers, system calls", () => {
  const m = modelOf(RUN);
  const { profile, threads } = kernelProfile(m, focusRows(m, { kind: 'pids', pids: new Set([100]) }));
  // Fork of 100 at 100 to the exit of the last thread (200) at 220.
  assert.equal(profile.wall, 120);
  assert.deepEqual(profile.run, { begin: 100, end: 220 });
  // On CPU: 100 110-140 and 160-210, 101 120-190, 200 190-230.
  assert.deepEqual(
    threads.map((t) => [t.tid, t.pid, t.name, t.first, t.kernel]),
    [
      [100, 100, 'prog', 100, { cpuTime: 80, running: 80, waitCpu: 20, blocked: 10, migrations: 0 }],
      [101, 100, 'prog', 105, { cpuTime: 70, running: 70, waitCpu: 15, blocked: 0, migrations: 0 }],
      [200, 200, 'prog', 106, { cpuTime: 40, running: 40, waitCpu: 84, blocked: 0, migrations: 0 }],
    ],
  );
  assert.equal(profile.cpuTime, 190);
  assert.equal(profile.running, 190);
  assert.equal(profile.waitCpu, 20 + 15 + 84);
  assert.equal(profile.blocked, 10);
  assert.deepEqual(profile.sched, { count: 1, total: 10, mean: 10, p50: 10, p99: 10, max: 10 });
  assert.deepEqual(profile.wakers, [{ kind: 'thread', name: 'prog', tid: 101, count: 1, total: 10 }]);
  assert.deepEqual(profile.syscalls?.byName, [{ name: 'futex', count: 1, errors: 0, total: 40, mean: 40, p99: 40 }]);
  assert.equal(profile.syscalls?.all.count, 1);
});

test('the whole trace as the program: its wall time is the trace; no syscall events, no syscall figures', () => {
  const noSyscalls = RUN.split('\n')
    .filter((l) => !l.includes('syscall'))
    .join('\n');
  const m = modelOf(noSyscalls);
  const { profile } = kernelProfile(m, focusRows(m, { kind: 'all' }), true);
  assert.equal(profile.wall, 230 - 100);
  assert.deepEqual(profile.run, { begin: 100, end: 230 });
  assert.equal(profile.syscalls, undefined);
  // `other` (300) was preempted at 160: it waits for a CPU until cpu1 takes it at 230.
  assert.ok(profile.waitCpu > 20 + 15 + 84);
});

test('a window: states and CPU time cut at its edges, wakeups and system calls counted where they start', () => {
  const m = modelOf(RUN);
  const focus = focusRows(m, { kind: 'pids', pids: new Set([100]) });
  // [135, 175]: 100 runs 135-140 and 160-175, blocked 140-150, waits for a CPU 150-160; 101 runs
  // throughout; 200 waits for a CPU throughout. The wakeup (150) is in; the futex call began at 130.
  const { profile, threads } = kernelProfile(m, focus, false, { begin: 135, end: 175 });
  assert.equal(profile.wall, 40);
  assert.deepEqual(profile.run, { begin: 135, end: 175 });
  assert.deepEqual(
    threads.map((t) => [t.tid, t.kernel]).sort((x, y) => Number(x[0]) - Number(y[0])),
    [
      [100, { cpuTime: 20, running: 20, waitCpu: 10, blocked: 10, migrations: 0 }],
      [101, { cpuTime: 40, running: 40, waitCpu: 0, blocked: 0, migrations: 0 }],
      [200, { cpuTime: 0, running: 0, waitCpu: 40, blocked: 0, migrations: 0 }],
    ],
  );
  assert.equal(profile.sched.count, 1);
  assert.deepEqual(profile.wakers, [{ kind: 'thread', name: 'prog', tid: 101, count: 1, total: 10 }]);
  assert.equal(profile.syscalls?.all.count, 0);
  // [100, 135] and [135, 230] add up to the whole trace.
  const a = kernelProfile(m, focus, false, { begin: 100, end: 135 }).profile;
  const b = kernelProfile(m, focus, false, { begin: 135, end: 230 }).profile;
  const whole = kernelProfile(m, focus).profile;
  for (const k of ['wall', 'cpuTime', 'running', 'waitCpu', 'blocked'] as const) assert.equal(a[k] + b[k], whole[k], k);
  assert.equal(a.syscalls!.all.count + b.syscalls!.all.count, whole.syscalls!.all.count);
});
