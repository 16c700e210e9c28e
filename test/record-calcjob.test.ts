/**
 * End to end: build examples/calcjob, record it for real with `tracelane record` (LTTng-UST, plus
 * the kernel's scheduler through perf where perf works), and check the trace with our own
 * reader: every job goes manager → one worker → manager exactly once, locks and condition
 * variables are used consistently per thread, nothing was discarded, the kernel events sit on
 * the same clock (a thread is only ever blocked inside a lock or condition wait), and
 * `tracelane events` merges both traces exactly as babeltrace2 does.
 *
 * Needs lttng-tools, liblttng-ust-dev, g++ and make (CI installs them; elsewhere the tests are
 * skipped with the reason). The kernel part needs perf and root; it is skipped with a printed
 * reason where it cannot work. No timing thresholds: only orders and counts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openTrace } from '../src/index.js';
import { probePerf } from '../src/record/perf.js';
import { findExecutable, processAlive, runSync } from '../src/record/system.js';
import { repoRoot } from '../src/testing/corpus.js';
import { missingRecordingTools, recordingSkip } from '../src/testing/recording.js';
import { babeltrace2, tracelane, type RunResult } from '../src/testing/run.js';

const CALCJOB_DIR = join(repoRoot, 'examples', 'calcjob');
const JOBS = 16;
const WORKERS = 3;

const missing = missingRecordingTools('g++');
const skip = recordingSkip(missing, 'record tests');
const perfProblem = missing ? undefined : probePerf();
const perfSkip = missing ? skip : perfProblem ? `kernel part skipped: ${perfProblem}` : false;
if (!missing && perfSkip) process.stderr.write(`notice: ${perfSkip}\n`);

interface UstEvent {
  name: string;
  ts: bigint;
  vpid: number;
  vtid: number;
  p: Record<string, unknown>;
}

interface Switch {
  ts: bigint;
  prevPid: number;
  prevState: number;
  nextPid: number;
}

interface Recording {
  dir: string;
  run: RunResult;
  manifest: { pid: number; session: string; exit_code: number; lttng_losses: { discarded_events: number } };
  ust: UstEvent[];
  all: UstEvent[];
  switches: Switch[];
  discarded: number;
  kernelEvents: number;
}

const tempDirs: string[] = [];
const startedDaemons: number[] = [];
const sessions: string[] = [];

async function recordCalcjob(args: string[], command: string[]): Promise<Recording> {
  const dir = mkdtempSync(join(tmpdir(), 'tracelane-record-test-'));
  tempDirs.push(dir);
  const out = join(dir, 'trace');
  const run = await tracelane(['record', '-o', out, ...args, '--', ...command]);
  for (const m of run.stderr.matchAll(/started lttng-sessiond .*\(pid (\d+)\)/g)) startedDaemons.push(Number(m[1]));
  assert.equal(run.code, 0, `tracelane record failed:\n${run.stderr}`);
  const manifest = JSON.parse(readFileSync(join(out, 'tracelane-record.json'), 'utf8')) as Recording['manifest'];
  sessions.push(manifest.session);
  const rec: Recording = { dir: out, run, manifest, ust: [], all: [], switches: [], discarded: 0, kernelEvents: 0 };
  const trace = openTrace(out);
  for (const ev of trace.events({ onNotice: (n) => (rec.discarded += n.count ?? 1) })) {
    const sc = ev.fields.streamContext;
    if (typeof sc['vtid'] === 'number') {
      const e = { name: ev.name, ts: ev.timestamp!, vpid: sc['vpid'] as number, vtid: sc['vtid'] as number, p: { ...ev.payload } };
      rec.all.push(e);
      if (ev.name.startsWith('calcjob:')) rec.ust.push({ ...e, name: ev.name.slice('calcjob:'.length) });
    } else {
      rec.kernelEvents++;
      if (ev.name === 'sched:sched_switch') {
        const p = ev.payload;
        rec.switches.push({ ts: ev.timestamp!, prevPid: p['prev_pid'] as number, prevState: Number(p['prev_state']), nextPid: p['next_pid'] as number });
      }
    }
  }
  return rec;
}

interface ThreadWork {
  begin: UstEvent;
  end: UstEvent;
  /** Where the thread may block: lock waits (with the lock's address), condition waits, signals. */
  sync: [bigint, bigint, string, unknown][];
  jobs: [bigint, bigint][];
}

/** A manager or worker thread's synchronisation intervals and jobs, from its calcjob events. */
function workOf(rec: Recording, tid: number): ThreadWork | undefined {
  const evs = rec.ust.filter((e) => e.vtid === tid);
  const begin = evs.find((e) => e.name === 'worker_begin' || e.name === 'manager_begin');
  const end = evs.find((e) => e.name === 'worker_end' || e.name === 'manager_end');
  if (!begin || !end) return undefined;
  const sync: ThreadWork['sync'] = [];
  const jobs: [bigint, bigint][] = [];
  const open = new Map<string, bigint>();
  for (const e of evs) {
    if (e.name === 'lock_acquired') sync.push([open.get('lock')!, e.ts, 'lock wait', e.p['addr']]);
    else if (e.name === 'cond_wait_end') sync.push([open.get('cond')!, e.ts, 'condition wait', e.p['addr']]);
    else if (e.name === 'lock_release' && open.has('signal')) {
      sync.push([open.get('signal')!, e.ts, 'signal', e.p['addr']]);
      open.delete('signal');
    } else if (e.name === 'job_end') jobs.push([open.get('job')!, e.ts]);
    const opens: Record<string, string> = { lock_wait_begin: 'lock', cond_wait_begin: 'cond', cond_signal: 'signal', job_start: 'job' };
    if (opens[e.name]) open.set(opens[e.name]!, e.ts);
  }
  return { begin, end, sync, jobs };
}

function byName(events: UstEvent[], name: string): UstEvent[] {
  return events.filter((e) => e.name === name);
}

/** vtid → [role, index] from calcjob:thread_role. */
function roles(rec: Recording): Map<number, { role: string; index: number }> {
  const m = new Map<number, { role: string; index: number }>();
  for (const e of byName(rec.ust, 'thread_role')) m.set(e.vtid, { role: e.p['role'] as string, index: e.p['index'] as number });
  return m;
}

describe('tracelane record on examples/calcjob', { skip }, () => {
  let rec: Recording;
  let cyg: Recording;

  before(async () => {
    // Both variants the tests record, built without warnings (a fresh clone builds from scratch).
    const make = spawnSync('make', ['-C', CALCJOB_DIR, 'calcjob', 'calcjob-cyg'], { encoding: 'utf8' });
    assert.equal(make.status, 0, `make failed:\n${make.stderr}`);
    assert.doesNotMatch(make.stderr, /warning:/, make.stderr);
    const kernel = perfSkip ? [] : ['--kernel=perf'];
    rec = await recordCalcjob(kernel, [join(CALCJOB_DIR, 'calcjob'), '-n', String(JOBS), '-k', String(WORKERS), '-s', '40000']);
    cyg = await recordCalcjob(['--cyg-profile', '--pthread'], [join(CALCJOB_DIR, 'calcjob-cyg'), '-n', '4', '-k', '2', '-s', '20000']);
  });

  after(() => {
    // Nothing may be left behind: a daemon tracelane started that still runs, or a session.
    for (const pid of startedDaemons) {
      if (processAlive(pid)) process.kill(pid, 'SIGTERM');
    }
    if (findExecutable('lttng') && runSync('lttng', ['--no-sessiond', 'list']).code === 0) {
      for (const s of sessions) runSync('lttng', ['destroy', s]);
    }
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  });

  test('the command ran with its exit code passed through; tracelane said where the trace is', () => {
    assert.equal(rec.manifest.exit_code, 0);
    assert.ok(rec.run.stderr.includes(`trace: ${rec.dir}\n`), rec.run.stderr);
    assert.match(rec.run.stdout, new RegExp(`calcjob: ${JOBS} jobs, ${WORKERS} workers`), "the command's stdout is its own");
    assert.doesNotMatch(rec.run.stderr, /DISCARDED|LOST|error/);
  });

  test('every event is from the recorded process', () => {
    assert.ok(rec.ust.length > 0);
    for (const e of rec.ust) assert.equal(e.vpid, rec.manifest.pid, `${e.name} from pid ${e.vpid}`);
  });

  test('no event was discarded', () => {
    assert.equal(rec.discarded, 0, 'discarded events in the packets');
    assert.equal(rec.manifest.lttng_losses.discarded_events, 0, 'lttng list');
    assert.equal(cyg.discarded, 0);
  });

  test('every job is enqueued by the manager, started and finished once by one worker thread, collected once', () => {
    const r = roles(rec);
    const managers = [...r].filter(([, v]) => v.role === 'manager').map(([tid]) => tid);
    const workers = new Map([...r].filter(([, v]) => v.role === 'worker').map(([tid, v]) => [tid, v.index]));
    assert.equal(managers.length, 1, 'one manager thread');
    assert.equal(workers.size, WORKERS, 'K worker threads');
    const manager = managers[0]!;
    assert.ok(!workers.has(manager));

    for (const [name, who] of [
      ['job_enqueue', 'manager'],
      ['job_start', 'worker'],
      ['job_end', 'worker'],
      ['result_collect', 'manager'],
    ] as const) {
      const evs = byName(rec.ust, name);
      assert.deepEqual(evs.map((e) => e.p['job_id'] as number).sort((a, b) => a - b), [...Array(JOBS).keys()], `${name}: each job once`);
      for (const e of evs) {
        if (who === 'manager') assert.equal(e.vtid, manager, `${name} ${e.p['job_id']} on the manager thread`);
        else {
          assert.notEqual(e.vtid, manager, `${name} ${e.p['job_id']} not on the manager thread`);
          assert.equal(workers.get(e.vtid), e.p['worker'], `${name} ${e.p['job_id']}: reported worker index is the thread's`);
        }
      }
    }
    const at = (name: string, id: number) => byName(rec.ust, name).find((e) => e.p['job_id'] === id)!;
    for (let id = 0; id < JOBS; id++) {
      const [q, s, f, c] = ['job_enqueue', 'job_start', 'job_end', 'result_collect'].map((n) => at(n, id));
      assert.equal(s!.vtid, f!.vtid, `job ${id} finished by the thread that started it`);
      assert.equal(c!.p['worker'], s!.p['worker'], `job ${id}: the result names its worker`);
      assert.equal(c!.p['result'], f!.p['result'], `job ${id}: the result collected is the one computed`);
      assert.ok(q!.ts <= s!.ts && s!.ts <= f!.ts && f!.ts <= c!.ts, `job ${id}: enqueue ≤ start ≤ end ≤ collect`);
    }
    const jobsDone = byName(rec.ust, 'worker_end').reduce((n, e) => n + (e.p['jobs_done'] as number), 0);
    assert.equal(jobsDone, JOBS);
  });

  test('lock and condition-variable events are well formed per thread; one holder at a time', () => {
    type State = { lock: 'free' | 'waiting' | 'held'; inCond: boolean; waitBegin: bigint };
    const states = new Map<string, State>();
    const holder = new Map<number, number>();
    const addrOf = new Map<number, unknown>();
    let acquisitions = 0;
    for (const e of rec.ust) {
      if (!e.name.startsWith('lock_') && !e.name.startsWith('cond_')) continue;
      const id = e.p['lock_id'] as number;
      if (!addrOf.has(id)) addrOf.set(id, e.p['addr']);
      assert.equal(e.p['addr'], addrOf.get(id), `lock ${id} keeps its address`);
      const key = `${e.vtid}/${id}`;
      const s = states.get(key) ?? { lock: 'free', inCond: false, waitBegin: 0n };
      states.set(key, s);
      const where = `${e.name} of thread ${e.vtid} on lock ${id} (${e.p['lock']}) at ${e.ts}`;
      switch (e.name) {
        case 'lock_wait_begin':
          assert.equal(s.lock, 'free', where);
          s.lock = 'waiting';
          s.waitBegin = e.ts;
          break;
        case 'lock_acquired':
          assert.equal(s.lock, 'waiting', where);
          assert.ok(e.ts >= s.waitBegin, `${where}: wait time ≥ 0`);
          assert.equal(holder.get(id), undefined, `${where}: lock already held by ${holder.get(id)}`);
          holder.set(id, e.vtid);
          s.lock = 'held';
          acquisitions++;
          break;
        case 'lock_release':
          assert.equal(s.lock, 'held', where);
          assert.equal(holder.get(id), e.vtid, where);
          holder.delete(id);
          s.lock = 'free';
          break;
        case 'cond_wait_begin':
          assert.ok(s.lock === 'held' && !s.inCond, where);
          s.inCond = true;
          break;
        case 'cond_wait_end':
          assert.ok(s.lock === 'held' && s.inCond, where);
          s.inCond = false;
          break;
        case 'cond_signal':
          assert.equal(s.lock, 'held', where);
          break;
        default:
          assert.fail(`unknown event calcjob:${e.name}`);
      }
    }
    for (const [key, s] of states) assert.ok(s.lock === 'free' && !s.inCond, `thread/lock ${key} ends ${s.lock}`);
    assert.deepEqual([...addrOf.keys()].sort(), [0, 1], 'job_queue and result_queue');
    // Each job: the manager pushes it and pops its result, a worker pops it and pushes the result.
    assert.ok(acquisitions >= 4 * JOBS, `${acquisitions} acquisitions`);
  });

  test('the kernel trace (perf) has the calcjob threads, on the same clock', { skip: perfSkip }, () => {
    assert.ok(rec.kernelEvents > 0, 'kernel events recorded');
    const r = roles(rec);
    for (const [tid, v] of r) {
      assert.ok(rec.switches.some((s) => s.nextPid === tid), `thread ${tid} (${v.role} ${v.index}) is switched in at least once`);
    }
    // Same clock: whenever a manager or worker thread blocks in the kernel (switched out
    // sleeping) during its work, it is inside a lock wait, a condition wait or a signal of its
    // own, never while computing a job.
    let checked = 0;
    for (const [tid] of r) {
      const w = workOf(rec, tid);
      if (!w) continue;
      const { begin, end, sync, jobs } = w;
      for (const s of rec.switches) {
        // prev_state: 0 running (preempted; 0x100 "R+" on recent kernels), else sleeping (S, D...).
        if (s.prevPid !== tid || (s.prevState & 0x7f) === 0 || s.ts <= begin.ts || s.ts >= end.ts) continue;
        const job = jobs.find(([a, b]) => s.ts > a && s.ts < b);
        assert.equal(job, undefined, `thread ${tid} blocked at ${s.ts} while computing a job`);
        const inside = sync.find(([a, b]) => s.ts > a && s.ts < b);
        assert.ok(inside, `thread ${tid} blocked at ${s.ts} (state ${s.prevState}) outside its lock and condition waits`);
        checked++;
      }
    }
    process.stderr.write(`notice: ${checked} blocking points of calcjob threads checked against their lock/condition waits\n`);
  });

  test('tracelane locks: the futex waits of calcjob threads lie inside their own lock and condition waits', { skip: perfSkip }, async () => {
    const run = await tracelane(['locks', rec.dir, '--json', '--top', '100000']);
    assert.equal(run.code, 0, run.stderr);
    interface FutexJson {
      pid: number;
      uaddr: string;
      name: string | null;
      worst_waits: { begin: string; duration_ns: number; tid: number }[];
    }
    const futexes = (JSON.parse(run.stdout) as { futexes?: FutexJson[] }).futexes;
    assert.ok(futexes, 'the kernel trace has the futex calls with their arguments');
    const r = roles(rec);
    let checked = 0;
    for (const f of futexes.filter((x) => x.pid === rec.manifest.pid)) {
      for (const w of f.worst_waits) {
        const work = workOf(rec, w.tid);
        const begin = BigInt(w.begin);
        if (!work || begin <= work.begin.ts || begin >= work.end.ts) continue;
        const end = begin + BigInt(w.duration_ns);
        const inside = work.sync.find(([a, b]) => begin > a && end < b);
        assert.ok(inside, `${r.get(w.tid)?.role} ${w.tid} waited in futex ${f.uaddr} at ${begin} outside its lock and condition waits`);
        // A futex word named after a traced mutex is that mutex: its waits are waits for it.
        if (f.name === 'job_queue' || f.name === 'result_queue') assert.equal(BigInt(inside[3] as number), BigInt(f.uaddr), `futex ${f.uaddr} (${f.name}) wait at ${begin}`);
        checked++;
      }
    }
    assert.ok(checked > 0, 'calcjob threads waited in futex at least once');
    process.stderr.write(`notice: ${checked} futex waits of calcjob threads checked against their lock/condition waits\n`);
  });

  test('tracelane events merges the UST and kernel traces exactly as babeltrace2 does', { skip: perfSkip }, async (t) => {
    if (!findExecutable('babeltrace2')) {
      t.skip('babeltrace2 not installed');
      return;
    }
    const [bt, ours] = await Promise.all([babeltrace2([rec.dir]), tracelane(['events', rec.dir])]);
    assert.equal(bt.code, 0, bt.stderr);
    assert.equal(ours.code, 0, ours.stderr);
    assert.ok(ours.stdout === bt.stdout, 'tracelane events and babeltrace2 print the same merged text');
    assert.match(ours.stdout, /sched:sched_switch/);
    assert.match(ours.stdout, /calcjob:job_start/);
  });

  test('--cyg-profile and --pthread preload lttng-ust helpers: balanced calls, the same mutexes', () => {
    const depth = new Map<number, number>();
    let entries = 0;
    for (const e of cyg.all) {
      if (e.name === 'lttng_ust_cyg_profile:func_entry') {
        depth.set(e.vtid, (depth.get(e.vtid) ?? 0) + 1);
        entries++;
      } else if (e.name === 'lttng_ust_cyg_profile:func_exit') {
        const d = (depth.get(e.vtid) ?? 0) - 1;
        assert.ok(d >= 0, `thread ${e.vtid}: func_exit without func_entry`);
        depth.set(e.vtid, d);
      }
    }
    assert.ok(entries > 0, 'func_entry events');
    for (const [tid, d] of depth) {
      const role = roles(cyg).get(tid);
      // Worker and manager functions all return before their thread ends (main's do not: exit()).
      if (role && role.role !== 'main') assert.equal(d, 0, `thread ${tid} (${role.role}) returns from every function it entered`);
    }
    const lockAddrs = new Set(cyg.ust.filter((e) => e.name === 'lock_acquired').map((e) => e.p['addr']));
    const pthreadAcq = cyg.all.filter((e) => e.name === 'lttng_ust_pthread:pthread_mutex_lock_acq');
    assert.ok(pthreadAcq.length > 0, 'pthread wrapper events');
    for (const a of lockAddrs) assert.ok(pthreadAcq.some((e) => e.p['mutex'] === a), `the pthread wrapper saw calcjob's mutex ${String(a)}`);
    const binaries = cyg.all.filter((e) => e.name === 'lttng_ust_statedump:bin_info').map((e) => e.p['path'] as string);
    assert.ok(binaries.some((p) => p.endsWith('/calcjob-cyg')), 'statedump names the executable (for addresses → source lines)');
  });

  test("a command's exit code is passed through, and a trace without events is said to be empty", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracelane-record-test-'));
    tempDirs.push(dir);
    const r = await tracelane(['record', '-o', join(dir, 'trace'), '--', '/bin/sh', '-c', 'echo out; exit 3']);
    for (const m of r.stderr.matchAll(/started lttng-sessiond .*\(pid (\d+)\)/g)) startedDaemons.push(Number(m[1]));
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /exited with code 3/);
    assert.match(r.stderr, /no events recorded/);
    const manifest = JSON.parse(readFileSync(join(dir, 'trace', 'tracelane-record.json'), 'utf8')) as Recording['manifest'];
    sessions.push(manifest.session);
  });

  test('no session or session daemon of ours is left', () => {
    for (const pid of startedDaemons) assert.ok(!processAlive(pid), `lttng-sessiond ${pid} that tracelane started is stopped`);
    if (runSync('lttng', ['--no-sessiond', 'list']).code === 0) {
      const list = runSync('lttng', ['list']).stdout;
      for (const s of sessions) assert.ok(!list.includes(s), `session ${s} destroyed`);
    }
  });
});
