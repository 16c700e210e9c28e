/**
 * The kernel commands end to end on real traces: LTTng kernel traces of several lttng-modules
 * versions and perf traces converted to CTF give the same kinds of reports; a UST-only trace
 * gets one clear line and exit code 1; --begin/--end and --at are honoured.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, tracePath } from '../src/testing/corpus.js';
import { tracelane } from '../src/testing/run.js';

const COMMANDS = ['threads', 'cpu', 'sched', 'blocking', 'syscalls', 'irq', 'state'];
const extra = (cmd: string) => (cmd === 'state' ? ['--at', '+50ms'] : []);

async function json<T>(args: string[]): Promise<T> {
  const r = await tracelane(args);
  assert.equal(r.code, 0, `tracelane ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface ThreadsJson {
  threads: { tid: number; name: string; cpu_time_ns: number; states_ns: Record<string, number>; switches: { voluntary: number; involuntary: number }; cpus: number[] }[];
}
interface CpuJson {
  begin: number;
  end: number;
  cpus: { cpu: number; usage_pct: number }[];
  threads: { tid: number; pid: number; name: string; usage_pct: number; migrations: number }[];
}
interface SchedJson {
  overall: { count: number; max_ns: number };
  worst: { latency_ns: number; waker: { kind: string } }[];
}
interface BlockingJson {
  intervals: { tid: number; duration_ns: number; woken_by: { kind: string } | null }[];
}
interface StateJson {
  at: number;
  cpus: { cpu: number; state: string }[];
  threads: { tid: number; state: string }[];
}

// Perf traces: per-CPU streams (cpu_id) with sched_switch/sched_wakeup, and a single stream
// (perf_cpu in every event) from an ARM board with sched_migrate_task and sched_process_*.
const PERF = ['recorded-here/h-hybrid-perf-sched', 'tracecompass/perf-taskset2', 'recorded-here/perf-sched-ctf'];
const LTTNG = ['tracecompass/bug446190', 'tracevizlab/cat-kern-ust/cat-kernel'];

for (const rel of [...LTTNG, ...PERF]) {
  test(`kernel reports on ${rel}`, corpusTest(), async () => {
    const trace = tracePath(rel);
    const threads = await json<ThreadsJson>(['threads', '--json', trace]);
    assert.ok(threads.threads.length > 0, 'threads');
    assert.ok(threads.threads.some((t) => t.cpu_time_ns > 0 && t.cpus.length > 0), 'some thread ran');
    assert.ok(threads.threads.some((t) => t.switches.voluntary + t.switches.involuntary > 0), 'context switches');
    const cpu = await json<CpuJson>(['cpu', '--json', trace]);
    assert.deepEqual(Object.keys(cpu), ['begin', 'end', 'cpus', 'threads']);
    assert.ok(cpu.cpus.length > 0 && cpu.cpus.some((c) => c.usage_pct > 0), 'CPU usage');
    assert.deepEqual(Object.keys(cpu.threads[0]!), ['tid', 'pid', 'name', 'usage_pct', 'migrations']);
    for (const c of cpu.cpus) assert.ok(c.usage_pct >= 0 && c.usage_pct <= 100.0001, `CPU ${c.cpu} usage ${c.usage_pct}`);
    // A thread's usage is at most one CPU; the sum over threads at most every CPU.
    const sum = cpu.threads.reduce((s, t) => s + t.usage_pct, 0);
    assert.ok(sum <= 100 * cpu.cpus.length + 1e-6, `sum of thread usage ${sum}`);
    const state = await json<StateJson>(['state', '--json', '--at', '+50ms', trace]);
    assert.equal(state.cpus.length, cpu.cpus.length);
    assert.ok(state.threads.length > 0);
    if (rel !== 'recorded-here/perf-sched-ctf') {
      // This one recorded sched_switch only; the others have wakeups.
      const sched = await json<SchedJson>(['sched', '--json', trace]);
      assert.ok(sched.overall.count > 0, 'latency samples');
      assert.ok(sched.worst[0]!.latency_ns === sched.overall.max_ns);
      const blocking = await json<BlockingJson>(['blocking', '--json', trace]);
      assert.ok(blocking.intervals.some((b) => b.woken_by !== null), 'woken blocked intervals');
    }
    for (const cmd of ['syscalls', 'irq']) {
      const r = await tracelane([cmd, trace]);
      assert.equal(r.code, 0, r.stderr);
    }
  });
}

test('UST-only traces: every kernel command says so in one line, exit code 1', corpusTest(), async () => {
  for (const cmd of COMMANDS) {
    const r = await tracelane([cmd, ...extra(cmd), tracePath('tracevizlab/ls-ust')]);
    assert.equal(r.code, 1, `${cmd}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^tracelane: error: .*no kernel trace here \(domain: ust\)[^\n]*\n$/);
  }
});

test('a session folder with kernel and UST traces reads the kernel one', corpusTest(), async () => {
  const both = await json<CpuJson>(['cpu', '--json', tracePath('tracevizlab/cat-kern-ust')]);
  const kernel = await json<CpuJson>(['cpu', '--json', tracePath('tracevizlab/cat-kern-ust/cat-kernel')]);
  assert.deepEqual(both.threads, kernel.threads);
});

test('--begin/--end restrict every report; state --at reads up to the instant', corpusTest(), async () => {
  const trace = tracePath('tracecompass/bug446190');
  const full = await tracelane(['cpu', '--json', trace]);
  const start = BigInt(/"begin":(\d+)/.exec(full.stdout)![1]!);
  const part = await tracelane(['cpu', '--json', '--begin', '+1s', '--end', '+2.5s', trace]);
  assert.equal(part.code, 0, part.stderr);
  assert.equal(BigInt(/"begin":(\d+)/.exec(part.stdout)![1]!), start + 1_000_000_000n);
  assert.equal(BigInt(/"end":(\d+)/.exec(part.stdout)![1]!), start + 2_500_000_000n);
  const abs = (start + 1_234_567_890n).toString();
  const at = await tracelane(['state', '--json', '--at', abs, trace]);
  assert.equal(at.code, 0, at.stderr);
  assert.match(at.stdout, new RegExp(`^\\{"at":${abs},`));
  const doc = JSON.parse(at.stdout) as StateJson;
  assert.deepEqual(
    doc.cpus.map((c) => c.cpu),
    [0, 1, 2, 3],
  );
  for (const cmd of COMMANDS.filter((c) => c !== 'state')) {
    const r = await tracelane([cmd, '--begin', '+1s', '--end', '+2s', trace]);
    assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
    assert.match(r.stdout, /^Range: \[08:36:02\.211260539, 08:36:03\.211260539\] \(1\.000000 s\)/);
  }
  const bad = await tracelane(['cpu', '--begin', '+2s', '--end', '+1s', trace]);
  assert.equal(bad.code, 2);
  const noAt = await tracelane(['state', trace]);
  assert.equal(noAt.code, 2);
});

test('blocking --tid/--name select threads; an unknown one is an error', corpusTest(), async () => {
  const trace = tracePath('tracecompass/bug446190');
  const byName = await json<BlockingJson>(['blocking', '--json', '--name', 'wes*', trace]);
  assert.ok(byName.intervals.length > 0);
  assert.ok(byName.intervals.every((b) => b.tid === 338 || b.tid === 340));
  const none = await tracelane(['blocking', '--tid', '999999', trace]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no thread matches --tid 999999/);
});
