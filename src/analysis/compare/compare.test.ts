import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changePct, compareProfiles, verdictOf, type Comparison, type MetricRow } from './compare.js';
import type { KernelProfile, LockProfile, Profile, ThreadProfile } from './profile.js';

const durations = (p50: number, p99: number, count = 10) => ({ count, total: p50 * count, mean: p50, p50, p99, max: p99 });

function kernel(over: Partial<KernelProfile> = {}): KernelProfile {
  return {
    wall: 1000,
    cpuTime: 800,
    running: 800,
    waitCpu: 100,
    blocked: 400,
    migrations: 4,
    sched: durations(10, 50),
    wakers: [
      { kind: 'thread', name: 'main', tid: 1, count: 2, total: 300 },
      { kind: 'timer', name: '', count: 1, total: 100 },
    ],
    syscalls: { all: durations(5, 40, 20), byName: [{ name: 'futex', count: 20, errors: 0, total: 100, mean: 5, p99: 40 }] },
    ...over,
  };
}

function lock(label: string, wait: number, hold: number, over: Partial<LockProfile> = {}): LockProfile {
  return { scheme: 'app', label, acquisitions: 10, contended: 2, wait: { total: wait, max: wait, p99: wait / 2 }, hold: { total: hold, max: hold, p99: hold / 2 }, inTotals: true, ...over };
}

function thread(tid: number, name: string, first: number, cpuTime: number, blocked = 0, lockWait?: number): ThreadProfile {
  return { tid, pid: 1, name, first, kernel: { cpuTime, running: cpuTime, waitCpu: 10, blocked, migrations: 1 }, ...(lockWait !== undefined ? { lockWait } : {}) };
}

function profile(over: Partial<Profile> = {}): Profile {
  return {
    path: 'trace',
    focus: 'process 1',
    kernel: kernel(),
    ust: { wall: 900, events: 100, locks: [lock('queue', 200, 300)], spans: [{ type: 'app:job', count: 4, total: 400, mean: 100, p99: 150, max: 150 }] },
    threads: [thread(1, 'main', 0, 100, 300, 0), thread(2, 'worker', 10, 700, 100, 200)],
    lost: 0,
    ...over,
  };
}

const rows = (c: Comparison): MetricRow[] => c.sections.flatMap((s) => s.groups.flatMap((g) => g.rows));
const row = (c: Comparison, id: string): MetricRow => {
  const r = rows(c).find((x) => x.id === id);
  assert.ok(r, `metric ${id}`);
  return r;
};

test('change in %: from 0 is unbounded, equal is 0', () => {
  assert.equal(changePct(200, 100), -50);
  assert.equal(changePct(100, 250), 150);
  assert.equal(changePct(0, 0), 0);
  assert.equal(changePct(0, 3), Infinity);
  assert.equal(changePct(7, 7), 0);
});

test('verdicts follow the direction of each metric; small changes are the same', () => {
  assert.equal(verdictOf('lower', -20, 10, 8, 5), 'better');
  assert.equal(verdictOf('lower', 20, 10, 12, 5), 'worse');
  assert.equal(verdictOf('higher', 20, 10, 12, 5), 'better');
  assert.equal(verdictOf('higher', -20, 10, 8, 5), 'worse');
  assert.equal(verdictOf('lower', 4.9, 100, 104.9, 5), 'same');
  assert.equal(verdictOf('none', 50, 2, 3, 5), 'changed');
  assert.equal(verdictOf('lower', undefined, undefined, 3, 5), 'new');
  assert.equal(verdictOf('lower', undefined, 3, undefined, 5), 'gone');
  assert.equal(verdictOf('lower', Infinity, 0, 3, 5), 'worse');
});

test('a profile compared with itself: no change anywhere, nothing in the summary', () => {
  const p = profile();
  const c = compareProfiles(p, p);
  const all = rows(c);
  assert.ok(all.length > 30, `${all.length} metrics`);
  for (const r of all) {
    assert.equal(r.change, 0, r.id);
    assert.equal(r.verdict, 'same', r.id);
  }
  assert.deepEqual(c.summary, []);
  assert.deepEqual(c.notes, []);
  assert.deepEqual(
    c.sections.map((s) => s.id),
    ['program', 'threads', 'wakers', 'syscalls', 'locks', 'spans'],
  );
});

test('the program: each figure with its change and verdict', () => {
  const before = profile();
  // Twice the workers: shorter run, more CPUs busy, more waiting for a CPU, more lock waits.
  const after = profile({
    kernel: kernel({ wall: 600, cpuTime: 840, waitCpu: 250, blocked: 380, sched: durations(10, 90) }),
    ust: { ...before.ust!, locks: [lock('queue', 500, 320)] },
  });
  const c = compareProfiles(before, after);
  const fig = (id: string) => {
    const r = row(c, id);
    return [r.before, r.after, Math.round(r.change! * 10) / 10, r.verdict];
  };
  assert.deepEqual(fig('wall'), [1000, 600, -40, 'better']);
  assert.deepEqual(fig('cpu'), [80, 140, 75, 'better']);
  assert.deepEqual(fig('cpu.time'), [800, 840, 5, 'worse']);
  assert.deepEqual(fig('wait_cpu'), [100, 250, 150, 'worse']);
  assert.deepEqual(fig('blocked'), [400, 380, -5, 'better']);
  assert.deepEqual(fig('sched.p50'), [10, 10, 0, 'same']);
  assert.deepEqual(fig('sched.p99'), [50, 90, 80, 'worse']);
  assert.deepEqual(fig('lock.wait'), [200, 500, 150, 'worse']);
  assert.deepEqual(fig('lock.acquisitions'), [10, 10, 0, 'same']);
  assert.equal(c.wallFrom, 'kernel');
  // The largest changes of the main figures, by ratio: cpu ×1.75, wait_cpu ×2.5, lock.wait and
  // the lock's own wait ×2.5, sched.p99 ×1.8, wall ×0.6.
  assert.deepEqual(
    c.summary.map((r) => r.id),
    ['wait_cpu', 'lock.wait', 'lock.queue.wait', 'sched.p99', 'cpu'],
  );
});

test('threads matched by name and order of appearance; unmatched ones are new or gone', () => {
  const before = profile({ threads: [thread(10, 'main', 0, 100), thread(11, 'worker', 5, 900, 50)] });
  const after = profile({ threads: [thread(20, 'main', 0, 110), thread(22, 'worker', 6, 400), thread(21, 'worker', 5, 450), thread(23, 'io', 7, 5)] });
  const c = compareProfiles(before, after);
  assert.deepEqual(
    c.threads.map((p) => [p.label, p.before?.tid, p.after?.tid]),
    [
      ['main', 10, 20],
      ['worker #1', 11, 21],
      ['worker #2', undefined, 22],
      ['io', undefined, 23],
    ],
  );
  const threads = c.sections.find((s) => s.id === 'threads')!;
  // The busiest first.
  assert.deepEqual(
    threads.groups.map((g) => g.label),
    ['worker #1', 'worker #2', 'main', 'io'],
  );
  assert.deepEqual([row(c, 'thread.worker#1.cpu').before, row(c, 'thread.worker#1.cpu').after], [900, 450]);
  assert.equal(row(c, 'thread.worker#2.cpu').verdict, 'new');
  assert.equal(row(c, 'thread.worker#1.blocked').verdict, 'better');
  // Usage: CPU time over the program's wall time (1000 in both).
  assert.equal(row(c, 'thread.worker#1.usage').after, 45);
  assert.equal(compareProfiles(after, before).sections.find((s) => s.id === 'threads')!.groups.find((g) => g.label === 'io')!.rows[0]!.verdict, 'gone');
});

test('wakers: by name when matching by name, by tid when matching by tid', () => {
  const before = profile({ kernel: kernel({ wakers: [{ kind: 'thread', name: 'w', tid: 5, count: 1, total: 10 }, { kind: 'thread', name: 'w', tid: 6, count: 1, total: 30 }] }) });
  const after = profile({ kernel: kernel({ wakers: [{ kind: 'thread', name: 'w', tid: 7, count: 2, total: 20 }, { kind: 'irq', name: '16 eth0', count: 1, total: 5 }] }) });
  const byName = compareProfiles(before, after).sections.find((s) => s.id === 'wakers')!;
  assert.deepEqual(
    byName.groups.map((g) => [g.label, g.rows[0]!.id, g.rows[0]!.before, g.rows[0]!.after]),
    [
      ['w', 'waker.w.blocked', 40, 20],
      ['IRQ 16 eth0', 'waker.IRQ_16_eth0.blocked', undefined, 5],
    ],
  );
  const byTid = compareProfiles(before, after, { match: 'tid' }).sections.find((s) => s.id === 'wakers')!;
  assert.deepEqual(
    byTid.groups.map((g) => g.label),
    ['w (6)', 'w (7)', 'w (5)', 'IRQ 16 eth0'],
  );
});

test('locks: totals count each mutex once; a label used by two schemes names its scheme', () => {
  const locks = [lock('queue', 100, 10), lock('queue', 90, 12, { scheme: 'pthread', inTotals: false }), lock('other', 1, 1, { scheme: 'pthread' })];
  const before = profile({ ust: { wall: 1, events: 1, locks } });
  const after = profile({ ust: { wall: 1, events: 1, locks: [lock('queue', 50, 10), lock('other', 2, 1, { scheme: 'pthread' })] } });
  const c = compareProfiles(before, after);
  assert.deepEqual([row(c, 'lock.wait').before, row(c, 'lock.wait').after], [101, 52]);
  assert.deepEqual(
    c.sections.find((s) => s.id === 'locks')!.groups.map((g) => [g.label, g.rows[0]!.id, g.rows[0]!.verdict]),
    [
      ['queue (app)', 'lock.app/queue.wait', 'better'],
      ['queue (pthread)', 'lock.pthread/queue.wait', 'gone'],
      ['other', 'lock.other.wait', 'worse'],
    ],
  );
});

test('what a trace lacks is not compared, with one note each', () => {
  const full = profile();
  const ustOnly = profile({ kernel: undefined });
  const c = compareProfiles(full, ustOnly);
  assert.equal(c.wallFrom, 'ust');
  assert.deepEqual([row(c, 'wall').before, row(c, 'wall').after], [900, 900]);
  assert.ok(!rows(c).some((r) => r.id === 'cpu' || r.id.startsWith('waker.') || r.id.startsWith('syscall')));
  assert.deepEqual(c.notes, [
    'wall time: from the first to the last user-space event of the program (the after trace has no kernel events)',
    'the after trace has no kernel events: CPU, thread states, scheduling latency, wakers, system calls and migrations are not compared',
  ]);
  // Threads still compare their lock waits.
  assert.equal(row(c, 'thread.worker.lock.wait').before, 200);

  const kernelOnly = profile({ ust: undefined, threads: [] });
  const k = compareProfiles(kernelOnly, kernelOnly);
  assert.deepEqual(k.notes, ['neither trace has user-space events: locks and spans are not compared']);
  assert.ok(!k.sections.some((s) => s.id === 'locks' || s.id === 'spans'));

  const mixed = compareProfiles(kernelOnly, profile({ kernel: undefined }));
  assert.equal(mixed.wallFrom, undefined);
  assert.ok(!mixed.sections.some((s) => s.id === 'program'));

  const noSyscalls = compareProfiles(full, profile({ kernel: kernel({ syscalls: undefined }), lost: 3 }));
  assert.deepEqual(noSyscalls.notes, [
    'the after trace has no system-call events: system calls are not compared',
    'after: the tracer lost 3 events or packets; figures around the gaps may be off',
  ]);
});
