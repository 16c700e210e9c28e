import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelOf } from '../fixture.js';
import { futexCommand, futexContention, FutexCmd, hasFutexArguments } from './futex.js';

// Threads 11 and 12 of process 10 contend on the futex word 0x1000; 12 holds it and wakes 11.
// op 128 = FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 129 = FUTEX_WAKE | PRIVATE.
const CONTENTION = `
  1 cpu0 sched_switch prev=0:swapper(R) next=11:a ctx=0 ctxpid=0
  1 cpu1 sched_switch prev=0:swapper(R) next=12:b ctx=0 ctxpid=0
  2 cpu1 syscall_entry futex arg0=0x1000 arg1=129 ctx=12 ctxpid=10
  3 cpu1 syscall_exit ret=0 ctx=12 ctxpid=10
  10 cpu0 syscall_entry futex arg0=0x1000 arg1=128 ctx=11 ctxpid=10
  12 cpu0 sched_switch prev=11:a(S) next=0:swapper ctx=11 ctxpid=10
  40 cpu1 syscall_entry futex arg0=0x1000 arg1=129 ctx=12 ctxpid=10
  41 cpu1 sched_waking tid=11 target=0 ctx=12 ctxpid=10
  42 cpu1 syscall_exit ret=1 ctx=12 ctxpid=10
  45 cpu0 sched_switch prev=0:swapper(R) next=11:a ctx=0 ctxpid=0
  47 cpu0 syscall_exit ret=0 ctx=11 ctxpid=10
  50 cpu0 syscall_entry futex arg0=0x1000 arg1=128 ctx=11 ctxpid=10
  51 cpu0 syscall_exit ret=-11 ctx=11 ctxpid=10
  60 cpu1 syscall_entry futex arg0=0x2000 arg1=0 ctx=12 ctxpid=10
  61 cpu1 sched_switch prev=12:b(S) next=0:swapper ctx=12 ctxpid=10
  70 cpu0 syscall_entry read arg0=3 arg1=0x10 ctx=11 ctxpid=10
  80 cpu0 syscall_exit ret=4 ctx=11 ctxpid=10
`;

test('futex commands ignore the private and clock flags', () => {
  assert.equal(futexCommand(128), FutexCmd.WAIT);
  assert.equal(futexCommand(129), FutexCmd.WAKE);
  assert.equal(futexCommand(256 + 128 + 9), FutexCmd.WAIT_BITSET);
});

test('waits per futex word: duration, blocked time, who woke the waiter, near misses, waits left at the end', () => {
  const model = modelOf(CONTENTION);
  assert.ok(hasFutexArguments(model));
  const [word, hung, ...rest] = futexContention(model);
  assert.equal(rest.length, 0);
  assert.ok(word && hung);
  assert.equal(word.pid, 10);
  assert.equal(word.uaddr, 0x1000);
  assert.equal(word.waits, 1);
  assert.equal(word.nearMisses, 1, 'the -EAGAIN return did not sleep');
  assert.equal(word.wakes, 2);
  assert.equal(word.waitTotal, 37);
  assert.equal(word.waitMax, 37);
  assert.deepEqual(
    word.waiters.map((w) => [w.thread.tid, w.count, w.total]),
    [[11, 1, 37]],
  );
  assert.deepEqual(
    word.wakers.map((w) => [w.waker.kind, w.waker.tid, w.count]),
    [['thread', 12, 1]],
  );
  assert.deepEqual(
    word.wakerThreads.map((w) => [w.thread.tid, w.count]),
    [[12, 2]],
  );
  const w = word.worst[0]!;
  assert.equal(w.outcome, 'woken');
  assert.equal(w.blocked, 41 - 12, 'blocked from the switch out to the wakeup');
  assert.equal(hung.uaddr, 0x2000);
  assert.equal(hung.waitingAtEnd.length, 1);
  assert.equal(hung.waitingAtEnd[0]!.thread.tid, 12);
  assert.equal(hung.waitingAtEnd[0]!.start, 60);
  assert.equal(hung.waitTotal, 0, 'an unfinished wait has no duration yet');
});

test('the time range keeps the calls that started in it', () => {
  const model = modelOf(CONTENTION);
  assert.deepEqual(
    futexContention(model, 45, 100).map((f) => [f.uaddr, f.waits, f.nearMisses]),
    [[0x2000, 1, 0], [0x1000, 0, 1]],
  );
});

test('syscalls of the arguments the tracer recorded; none without arguments', () => {
  const model = modelOf(CONTENTION);
  const read = model.syscallNames.indexOf('read');
  const s = model.syscalls;
  const i = [...s.id].indexOf(read);
  assert.deepEqual([s.arg0[i], s.arg1[i], s.ret[i]], [3, 16, 4]);
  assert.equal(model.unfinishedSyscalls.length, 1);
  assert.ok(Number.isNaN(model.unfinishedSyscalls.ret[0]!));
  const bare = modelOf(CONTENTION.replace(/ arg\d=\S+/g, ''));
  assert.equal(hasFutexArguments(bare), false);
  assert.deepEqual(futexContention(bare), []);
});

test('an event of another thread than the one believed current means a sched_switch was lost', () => {
  // perf lost the switch to 12 on cpu0: the syscall of 12 is still paired with 12.
  const model = modelOf(`
    1 cpu0 sched_switch prev=0:swapper(R) next=11:a ctx=0
    5 cpu0 syscall_entry futex arg0=0x1000 arg1=128 ctx=11
    6 cpu0 sched_switch prev=11:a(S) next=0:swapper ctx=11
    20 cpu0 syscall_exit ret=0 ctx=12
    21 cpu0 syscall_entry futex arg0=0x1000 arg1=129 ctx=12
    22 cpu0 syscall_exit ret=0 ctx=12
  `);
  const s = model.syscalls;
  assert.equal(s.length, 1, 'the exit of 12 is not taken for the wait of 11');
  assert.equal(model.threads[s.thread[0]!]!.tid, 12);
  assert.equal(model.unfinishedSyscalls.length, 1);
  assert.equal(model.threads[model.unfinishedSyscalls.thread[0]!]!.tid, 11);
});
