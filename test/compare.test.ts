/**
 * `tracelane compare` end to end: calcjob recorded for real (LTTng-UST, plus the kernel's
 * scheduler and system calls through perf where perf works) with a deliberate difference, and
 * the comparison must report the direction the difference causes:
 *
 *   --coarse-lock → fine locks (3 workers): one global lock held while computing becomes two
 *                   queue locks held for a push or pop: lock wait and hold collapse, the
 *                   `global` lock is gone and `job_queue`/`result_queue` are new
 *   1 → 3 workers: two more worker threads (only after), three worker spans instead of one,
 *                   worker 0 computes a third of the jobs
 *
 * On this 2-core machine, shared with other jobs, wall time and CPU usage depend on how much CPU
 * the other jobs leave: they are printed, not asserted (see the closing note of issue 9). No
 * timing thresholds: only directions with a wide margin, structure, and identities. A trace
 * compared with itself reports no change on every figure (recorded, demo and corpus traces).
 *
 * Needs lttng-tools, liblttng-ust-dev, g++ and make, as test/record-calcjob.test.ts (same skip
 * rules: skipped with the reason elsewhere, a failure in CI).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { probePerf } from '../src/record/perf.js';
import { findExecutable, processAlive, runSync } from '../src/record/system.js';
import { corpusTest, repoRoot, tracePath } from '../src/testing/corpus.js';
import { missingRecordingTools, recordingSkip } from '../src/testing/recording.js';
import { tracelane, type RunResult } from '../src/testing/run.js';

const CALCJOB_DIR = join(repoRoot, 'examples', 'calcjob');
const DEMO = join(repoRoot, 'examples', 'demo-trace');
// Small enough for a recording of a few seconds, jobs long enough (~30 ms each) that computing
// under the coarse lock dominates the fine locks' sections even when a loaded machine preempts
// a thread inside them (measured under load average 10-15: fine-lock holds 15-44 % of the
// coarse lock's at -s 200000, 3-5 % at -s 300000).
const JOB_ARGS = ['-n', '12', '-s', '300000', '-q'];

const missing = missingRecordingTools('g++');
const skip = recordingSkip(missing, 'compare recording tests');
const perfProblem = missing ? undefined : probePerf();
if (!missing && perfProblem) process.stderr.write(`notice: compare tests record without the kernel: ${perfProblem}\n`);

interface MetricJson {
  id: string;
  section: string;
  group: string | null;
  label: string;
  better: string;
  before: number | null;
  after: number | null;
  change_pct: number | null;
  verdict: string;
}

interface CompareJson {
  before: { kernel: boolean; user_space: boolean };
  after: { kernel: boolean; user_space: boolean };
  wall_from: string | null;
  summary: MetricJson[];
  metrics: MetricJson[];
  threads: { label: string; before: { tid: number } | null; after: { tid: number } | null }[];
  notes: string[];
  gates: { gate: string; checked: string[]; failed: string[] }[];
  gate_failed: boolean;
}

async function compareJson(args: string[]): Promise<CompareJson> {
  const r = await tracelane(['compare', ...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as CompareJson;
}

function metric(c: CompareJson, id: string): MetricJson {
  const m = c.metrics.find((x) => x.id === id);
  assert.ok(m, `metric ${id} in ${c.metrics.map((x) => x.id).join(', ')}`);
  return m;
}

/** Every figure unchanged: what a trace compared with itself must say. */
function assertNoChange(c: CompareJson, what: string): void {
  assert.ok(c.metrics.length > 0, `${what}: metrics compared`);
  for (const m of c.metrics) {
    assert.equal(m.change_pct, 0, `${what}: ${m.id} ${m.before} → ${m.after}`);
    assert.equal(m.before, m.after, `${what}: ${m.id}`);
    assert.equal(m.verdict, 'same', `${what}: ${m.id}`);
  }
  assert.deepEqual(c.summary, [], `${what}: no largest changes`);
  assert.ok(
    c.threads.every((t) => t.before && t.after),
    `${what}: every thread matched`,
  );
}

test('a trace compared with itself: no change on any figure, by name and by tid (demo trace: kernel + UST)', async () => {
  const [byName, byTid, workers, text] = await Promise.all([
    compareJson([DEMO, DEMO, '--match', 'name']),
    compareJson([DEMO, DEMO, '--match', 'tid']),
    compareJson([DEMO, DEMO, '--name', 'calcjob-w*']),
    tracelane(['compare', DEMO, DEMO, '--fail-if-worse', '*:0']),
  ]);
  assertNoChange(workers, 'demo --name calcjob-w*');
  assert.deepEqual(
    workers.threads.map((t) => t.label),
    ['calcjob-w0', 'calcjob-w1', 'calcjob-w2'],
  );
  for (const [match, c] of [
    ['name', byName],
    ['tid', byTid],
  ] as const) {
    assertNoChange(c, `demo --match ${match}`);
    assert.equal(c.wall_from, 'kernel');
    for (const section of ['program', 'threads', 'wakers', 'locks', 'spans']) assert.ok(c.metrics.some((m) => m.section === section), `section ${section}`);
  }
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /No change: every figure is the same in both traces\./);
  assert.match(text.stdout, /Gate \*:0: passed/);
});

test('a trace compared with itself: kernel-only and UST-only corpus traces', corpusTest(), async () => {
  const [kernelOnly, ust] = await Promise.all([
    compareJson([tracePath('tracecompass/bug446190'), tracePath('tracecompass/bug446190')]),
    compareJson([tracePath('recorded-here/a-tracepoints'), tracePath('recorded-here/a-tracepoints')]),
  ]);
  assertNoChange(kernelOnly, 'bug446190');
  assert.ok(kernelOnly.metrics.some((m) => m.id === 'syscalls'));
  assert.ok(kernelOnly.notes.some((n) => /neither trace has user-space events: locks and spans are not compared/.test(n)));
  assertNoChange(ust, 'a-tracepoints');
  assert.equal(ust.wall_from, 'ust');
  assert.ok(ust.notes.some((n) => /neither trace has kernel events/.test(n)));
});

test('the same user-space trace with and without its kernel trace: the shared figures are equal, the rest has a note', async () => {
  const c = await compareJson([DEMO, join(DEMO, 'ust')]);
  assert.equal(c.wall_from, 'ust');
  assert.deepEqual(
    c.notes.filter((n) => n.includes('kernel')),
    [
      'wall time: from the first to the last user-space event of the program (the after trace has no kernel events)',
      'the after trace has no kernel events: CPU, thread states, scheduling latency, wakers, system calls and migrations are not compared',
    ],
  );
  const lockAndSpan = c.metrics.filter((m) => m.section === 'locks' || m.section === 'spans' || m.id === 'lock.wait');
  assert.ok(lockAndSpan.length > 10);
  for (const m of lockAndSpan) assert.equal(m.change_pct, 0, m.id);
  assert.ok(!c.metrics.some((m) => m.id === 'cpu' || m.section === 'wakers'));
});

test('bad usage is one line and exit code 2', async () => {
  const cases = [
    ['--fail-if-worse', 'wall'],
    ['--fail-if-worse', 'wall:much'],
    ['--fail-if-worse', 'no.such.metric:5'],
    ['--fail-if-worse', 'lock.acquisitions:5'],
    ['--match', 'pid'],
    ['--threshold', 'lots'],
    ['--name', 'no-such-thread*'],
  ];
  const runs = await Promise.all(cases.map((args) => tracelane(['compare', DEMO, DEMO, ...args])));
  runs.forEach((r, i) => {
    assert.equal(r.code, 2, `${cases[i]!.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
  const missingTrace = await tracelane(['compare', DEMO, '/nonexistent/trace']);
  assert.notEqual(missingTrace.code, 0);
  assert.doesNotMatch(missingTrace.stderr, /\n\s+at /);
});

test('time ranges per side: the two halves of a trace add up to the whole; every time syntax gives the same range', async () => {
  // The demo trace's first event is 04:21:11.580306821 UTC (1795753271580306821 ns); its halves
  // meet at +0.25 s. Kernel figures are cut at the range's edges (states, CPU time, the
  // program's run) or counted where they start (wakeups, migrations), so the halves add up.
  const MID_NS = '1795753271830306821';
  const [whole, wide, halves, sameByNs, text] = await Promise.all([
    compareJson([DEMO, DEMO]),
    compareJson([DEMO, DEMO, '--begin', '+0s', '--end', '+100s']),
    tracelane(['compare', DEMO, DEMO, '--before-end', '+0.25s', '--after-begin', '+250ms', '--json']),
    compareJson([DEMO, DEMO, '--before-end', MID_NS, '--after-begin', '04:21:11.830306821']),
    tracelane(['compare', DEMO, DEMO, '--after-begin', '+0.25s']),
  ]);
  assertNoChange(wide, 'demo over a range wider than the trace');
  assert.deepEqual(
    wide.metrics.map((m) => [m.id, m.before]),
    whole.metrics.map((m) => [m.id, m.before]),
    'a range covering the trace gives the figures of the whole trace',
  );
  assert.equal(halves.code, 0, halves.stderr);
  // The range in the JSON: absolute ns (read as text: they do not fit a double).
  assert.match(halves.stdout, new RegExp(`"before":\\{[^}]*"range":\\{"begin":null,"end":${MID_NS}\\}`));
  assert.match(halves.stdout, new RegExp(`"after":\\{[^}]*"range":\\{"begin":${MID_NS},"end":null\\}`));
  const h = JSON.parse(halves.stdout) as CompareJson;
  for (const id of ['wall', 'cpu.time', 'running', 'wait_cpu', 'blocked', 'migrations', 'sched.count', 'thread.calcjob-w1.cpu', 'thread.calcjob-mgr.blocked']) {
    const w = metric(whole, id);
    const part = metric(h, id);
    assert.ok(part.before! > 0 && part.after! > 0, `${id}: both halves have some (${part.before}, ${part.after})`);
    assert.ok(Math.abs(part.before! + part.after! - w.before!) <= 2, `${id}: ${part.before} + ${part.after} = ${w.before}`);
  }
  assert.deepEqual(sameByNs.metrics, h.metrics, 'ns since the epoch and hh:mm:ss.nnnnnnnnn name the same range as +0.25s');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /range: \+0\.250000 s to end \(from the trace's first event\)/);

  const bad: [string[], RegExp][] = [
    [['--before-begin', '+0.3s', '--before-end', '+0.1s'], /--before-begin is after --before-end in the before trace/],
    [['--after-end', 'soon'], /--after-end: cannot read time "soon"/],
    [['--begin', '+0.3s', '--after-end', '+0.1s'], /--begin is after --after-end in the after trace/],
    [['--after-begin', '+100s'], /the range asked for is outside the trace/],
  ];
  const runs = await Promise.all(bad.map(([args]) => tracelane(['compare', DEMO, DEMO, ...args])));
  runs.forEach((r, i) => {
    assert.equal(r.code, 2, `${bad[i]![0].join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, bad[i]![1]);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});

describe('tracelane compare on calcjob recorded twice', { skip }, () => {
  const tempDirs: string[] = [];
  const startedDaemons: number[] = [];
  const sessions: string[] = [];
  const kernel = !perfProblem;
  let coarse: string;
  let fine: string;
  let oneWorker: string;
  /** The comparisons several tests read, made once. */
  let coarseToFine: CompareJson;
  let oneToThree: CompareJson;

  async function record(name: string, args: string[], kernelOptions: string[] = []): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'tracelane-compare-test-'));
    tempDirs.push(dir);
    const out = join(dir, name);
    const run: RunResult = await tracelane(['record', '-q', '-o', out, ...(kernel ? ['--kernel=perf', ...kernelOptions] : []), '--', join(CALCJOB_DIR, 'calcjob'), ...JOB_ARGS, ...args]);
    for (const m of run.stderr.matchAll(/started lttng-sessiond .*\(pid (\d+)\)/g)) startedDaemons.push(Number(m[1]));
    assert.equal(run.code, 0, `tracelane record failed:\n${run.stderr}`);
    sessions.push((JSON.parse(readFileSync(join(out, 'tracelane-record.json'), 'utf8')) as { session: string }).session);
    assert.doesNotMatch(run.stderr, /DISCARDED|LOST/);
    return out;
  }

  before(async () => {
    const make = spawnSync('make', ['-C', CALCJOB_DIR, 'calcjob'], { encoding: 'utf8' });
    assert.equal(make.status, 0, `make failed:\n${make.stderr}`);
    coarse = await record('coarse', ['-k', '3', '--coarse-lock']);
    fine = await record('fine', ['-k', '3']);
    // Without system calls (a smaller trace): that side then has none to compare.
    oneWorker = await record('one-worker', ['-k', '1'], ['--no-syscalls']);
    // Gated as a pipeline would: the lock figures must not get worse (they get much better).
    [coarseToFine, oneToThree] = await Promise.all([
      compareJson([coarse, fine, '--fail-if-worse', 'lock.wait:0', '--fail-if-worse', 'lock.hold:0']),
      compareJson([oneWorker, fine]),
    ]);
  });

  after(() => {
    for (const pid of startedDaemons) {
      if (processAlive(pid)) process.kill(pid, 'SIGTERM');
    }
    if (findExecutable('lttng') && runSync('lttng', ['--no-sessiond', 'list']).code === 0) {
      for (const s of sessions) runSync('lttng', ['destroy', s]);
    }
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });

  /** The figures that depend on how much CPU the machine's other jobs left, for the record. */
  function printTimings(c: CompareJson, what: string): void {
    const ids = ['wall', 'cpu', 'wait_cpu', 'blocked', 'lock.wait', 'lock.hold', 'thread.calcjob-w0.cpu'];
    const shown = ids.flatMap((id) => c.metrics.filter((m) => m.id === id)).map((m) => `${m.id} ${m.change_pct === null ? m.verdict : `${m.change_pct.toFixed(1)} %`}`);
    process.stderr.write(`notice: compare ${what}: ${shown.join(', ')}\n`);
  }

  test('coarse lock → fine locks: lock wait and hold collapse; the global lock is gone, the queue locks are new', () => {
    const c = coarseToFine;
    printTimings(c, 'coarse → fine');
    // In the coarse run two workers wait for the lock while the third computes (the whole run);
    // in the fine run a lock is held for a push or a pop (longer when the holder is preempted
    // inside: wait and hold then grow with the machine's load, hence the margins).
    for (const [id, margin] of [
      ['lock.wait', -50],
      ['lock.hold', -30],
    ] as const) {
      const m = metric(c, id);
      assert.ok(m.change_pct !== null && m.change_pct <= margin, `${id}: ${m.before} → ${m.after} (${m.change_pct} %)`);
      assert.equal(m.verdict, 'better', id);
    }
    for (const f of ['wait', 'hold', 'acquisitions']) {
      assert.equal(metric(c, `lock.global.${f}`).verdict, 'gone');
      assert.equal(metric(c, `lock.job_queue.${f}`).verdict, 'new');
      assert.equal(metric(c, `lock.result_queue.${f}`).verdict, 'new');
    }
    // The same work: 12 jobs, by the same threads.
    assert.deepEqual([metric(c, 'span.calcjob:job.count').before, metric(c, 'span.calcjob:job.count').after], [12, 12]);
    for (const name of ['calcjob-mgr', 'calcjob-w0', 'calcjob-w1', 'calcjob-w2']) {
      const t = c.threads.find((x) => x.label === name);
      assert.ok(t?.before && t.after, `${name} matched`);
      assert.notEqual(t.before.tid, t.after.tid, `${name}: two runs, two tids`);
    }
    assert.ok(c.summary.some((m) => m.id === 'lock.wait' || m.id === 'lock.hold'), `summary: ${c.summary.map((m) => m.id).join(', ')}`);
    assert.equal(c.before.kernel, kernel);
    if (kernel) {
      assert.equal(c.wall_from, 'kernel');
      for (const id of ['wall', 'cpu', 'cpu.time', 'wait_cpu', 'blocked', 'sched.p99', 'syscalls', 'thread.calcjob-w1.blocked']) metric(c, id);
    }
  });

  test('the numbers are those of the single-trace commands (threads, locks, spans)', async () => {
    const c = coarseToFine;
    const [locksRun, spansRun, threadsRun] = await Promise.all([
      tracelane(['locks', fine, '--json', '--source', 'calcjob']),
      tracelane(['spans', coarse, '--json', '--begin-event', 'job_start', '--end-event', 'job_end']),
      kernel ? tracelane(['threads', fine, '--json', '--name', 'calcjob*']) : undefined,
    ]);
    const locks = JSON.parse(locksRun.stdout) as { locks: { name: string; wait: { total_ns: number }; hold: { total_ns: number } }[] };
    assert.equal(metric(c, 'lock.wait').after, locks.locks.reduce((s, l) => s + l.wait.total_ns, 0));
    assert.equal(metric(c, 'lock.job_queue.hold').after, locks.locks.find((l) => l.name === 'job_queue')!.hold.total_ns);
    const spans = JSON.parse(spansRun.stdout) as { pairs: { total_ns: number }[] };
    assert.equal(metric(c, 'span.calcjob:job.total').before, spans.pairs[0]!.total_ns);
    if (threadsRun) {
      const threads = JSON.parse(threadsRun.stdout) as { threads: { name: string; cpu_time_ns: number; states_ns: Record<string, number> }[] };
      const w1 = threads.threads.find((t) => t.name === 'calcjob-w1')!;
      assert.equal(metric(c, 'thread.calcjob-w1.cpu').after, w1.cpu_time_ns);
      assert.equal(metric(c, 'thread.calcjob-w1.blocked').after, w1.states_ns['blocked']);
      assert.equal(metric(c, 'cpu.time').after, threads.threads.reduce((s, t) => s + t.cpu_time_ns, 0));
    }
  });

  test('1 → 3 workers: two more workers (only after), three worker spans, worker 0 computes a third of the jobs', async () => {
    const c = oneToThree;
    printTimings(c, '1 → 3 workers');
    const only = (side: 'before' | 'after') => c.threads.filter((t) => t[side] && !t[side === 'before' ? 'after' : 'before']).map((t) => t.label);
    assert.deepEqual(only('after'), ['calcjob-w1', 'calcjob-w2']);
    assert.deepEqual(only('before'), []);
    if (kernel) {
      assert.ok(c.notes.includes('the before trace has no system-call events: system calls are not compared'), c.notes.join('\n'));
      assert.ok(!c.metrics.some((m) => m.section === 'syscalls'));
    }
    const workers = metric(c, 'span.calcjob:worker.count');
    assert.deepEqual([workers.before, workers.after, workers.verdict], [1, 3, 'changed']);
    assert.equal(metric(c, 'span.calcjob:job.count').change_pct, 0);
    if (kernel) {
      // 12 jobs of one worker vs about 4 (whatever the load, the others get some).
      const w0 = metric(c, 'thread.calcjob-w0.cpu');
      assert.ok(w0.change_pct !== null && w0.change_pct < -20, `calcjob-w0 CPU time ${w0.before} → ${w0.after}`);
      assert.equal(metric(c, 'thread.calcjob-w2.cpu').verdict, 'new');
    }
    const text = await tracelane(['compare', oneWorker, fine]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /only after: 2 \(calcjob-w1, calcjob-w2\)/);
    if (kernel) assert.match(text.stdout, /^wall time: \S+ \S+ → \S+ \S+, [-+]\d+\.\d % \((better|WORSE|same)\)$/m);
    assert.match(text.stdout, /== Largest changes =+\n/);
  });

  test('--fail-if-worse gates a pipeline: exit 1 naming the metric when it got worse, 0 when it did not', async () => {
    const worse = await tracelane(['compare', fine, coarse, '--fail-if-worse', 'lock.wait:50', '--fail-if-worse', 'lock.job_queue.wait:0']);
    assert.equal(worse.code, 1, worse.stderr);
    assert.match(worse.stderr, /^tracelane: compare: lock\.wait is worse by \+\d+\.\d %.*more than the 50 % allowed$/m);
    assert.match(worse.stdout, /Gate lock\.wait:50: FAILED/);
    // The lock exists only in the fine run: nothing to compare, not a failure.
    assert.match(worse.stdout, /^Gate lock\.job_queue\.wait:0: nothing checked \(lock\.job_queue\.wait is in one trace only\)$/m);
    // The other way round (compareJson checked the exit code 0).
    assert.equal(coarseToFine.gate_failed, false);
    assert.deepEqual(
      coarseToFine.gates.map((g) => [g.gate, g.checked, g.failed]),
      [
        ['lock.wait:0', ['lock.wait'], []],
        ['lock.hold:0', ['lock.hold'], []],
      ],
    );
  });

  test('a recording compared with itself: no change on any figure', async () => {
    assertNoChange(await compareJson([fine, fine]), 'calcjob fine');
  });

});
