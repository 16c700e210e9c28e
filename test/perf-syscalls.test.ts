/**
 * The perf system call path (`raw_syscalls:sys_enter`/`sys_exit`, syscall names from x86-64
 * ids) on a small perf trace recorded here (test/fixtures/perf-syscalls/ctf, see the README beside it): the
 * syscall statistics are recomputed from babeltrace2's text output of the same trace, pairing
 * each thread's `sys_enter` with its next `sys_exit`, with no tracelane code involved.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseBt2Text } from '../src/testing/bt2-text.js';
import { repoRoot } from '../src/testing/corpus.js';
import { babeltrace2, tracelane } from '../src/testing/run.js';

const TRACE = join(repoRoot, 'test', 'fixtures', 'perf-syscalls', 'ctf');

/** A few x86-64 numbers from the kernel's arch/x86/entry/syscalls/syscall_64.tbl. */
const X86_64: Record<number, string> = {
  0: 'read',
  9: 'mmap',
  59: 'execve',
  61: 'wait4',
  230: 'clock_nanosleep',
  257: 'openat',
  262: 'newfstatat',
};

interface Stat {
  name: string;
  count: number;
  errors: number;
  min_ns: number;
  max_ns: number;
  total_ns: number;
}

interface Recomputed {
  count: number;
  errors: number;
  total: number;
  min: number;
  max: number;
}

/** Per syscall id: calls completed on the same thread, errors (ret < 0) and durations. */
async function fromBabeltrace(): Promise<Map<number, Recomputed>> {
  const r = await babeltrace2(['--clock-seconds', TRACE]);
  assert.equal(r.code, 0, r.stderr);
  const open = new Map<number, { time: number; id: number }>();
  const by = new Map<number, Recomputed>();
  for (const e of parseBt2Text(r.stdout)) {
    const tid = e.fields.get('perf_tid') as number;
    if (e.name === 'raw_syscalls:sys_enter') {
      open.set(tid, { time: e.time, id: e.fields.get('id') as number });
    } else if (e.name === 'raw_syscalls:sys_exit') {
      // An exit without its entry (the trace starts inside a call, or a new thread returns
      // from clone) is not a whole call.
      const entry = open.get(tid);
      if (!entry) continue;
      open.delete(tid);
      const d = e.time - entry.time;
      const s = by.get(entry.id) ?? { count: 0, errors: 0, total: 0, min: Infinity, max: -Infinity };
      s.count++;
      if ((e.fields.get('ret') as number) < 0) s.errors++;
      s.total += d;
      s.min = Math.min(s.min, d);
      s.max = Math.max(s.max, d);
      by.set(entry.id, s);
    }
  }
  return by;
}

test('perf trace with raw_syscalls: syscalls statistics equal the ones recomputed from babeltrace2', async () => {
  const [expected, r] = await Promise.all([fromBabeltrace(), tracelane(['syscalls', '--json', TRACE])]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { total: Stat; syscalls: Stat[] };
  const all = [...expected.values()];
  const sum = (f: (s: Recomputed) => number) => all.reduce((a, s) => a + f(s), 0);
  assert.equal(doc.total.count, sum((s) => s.count), 'calls');
  assert.equal(doc.total.errors, sum((s) => s.errors), 'errors');
  assert.equal(doc.total.total_ns, sum((s) => s.total), 'time in syscalls');
  assert.equal(doc.syscalls.length, expected.size, 'distinct syscalls');
  const ours = new Map(doc.syscalls.map((s) => [s.name, s]));
  for (const [id, name] of Object.entries(X86_64)) {
    const want = expected.get(Number(id));
    assert.ok(want, `the fixture has ${name} calls`);
    const got = ours.get(name);
    assert.ok(got, `tracelane names syscall ${id} ${name}`);
    assert.deepEqual(
      { count: got.count, errors: got.errors, min: got.min_ns, max: got.max_ns, total: got.total_ns },
      { count: want.count, errors: want.errors, min: want.min, max: want.max, total: want.total },
      name,
    );
  }
});

test('perf trace with raw_syscalls: a thread asleep in clock_nanosleep is blocked in that syscall', async () => {
  const bt = await babeltrace2(['--clock-seconds', TRACE]);
  assert.equal(bt.code, 0, bt.stderr);
  const events = parseBt2Text(bt.stdout);
  const enter = events.find((e) => e.name === 'raw_syscalls:sys_enter' && e.fields.get('id') === 230)!;
  const tid = enter.fields.get('perf_tid') as number;
  const exit = events.find((e) => e.name === 'raw_syscalls:sys_exit' && e.time > enter.time && e.fields.get('perf_tid') === tid)!;
  // The switch that put it to sleep (prev_state S), after the syscall entry.
  const sleep = events.find((e) => e.name === 'sched:sched_switch' && e.time > enter.time && e.fields.get('prev_pid') === tid)!;
  assert.ok(sleep.time < exit.time);
  const mid = Math.round((sleep.time + exit.time) / 2);
  const r = await tracelane(['state', '--json', TRACE, '--at', `+${mid}ns`]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { threads: { tid: number; state: string; syscall?: string; since_ns: number }[] };
  const thread = doc.threads.find((t) => t.tid === tid);
  assert.ok(thread, `thread ${tid} is alive at the middle of its sleep`);
  assert.equal(thread.state, 'blocked');
  assert.equal(thread.syscall, 'clock_nanosleep');
});
