/**
 * End to end on a real deadlock: build examples/lockorder, record its three modes for real with
 * `tracelane record --pthread` (the kernel too, through perf, where perf works), and check what
 * `tracelane deadlocks` and `tracelane waits` say against what the program does:
 *
 *   deadlock   xfer-ab holds account_a and asks for account_b, xfer-ba the reverse; the watchdog
 *              exits with status 3 → one deadlock, both threads, both mutexes, each held by the
 *              other thread, asked for at the line of the second lock; also an inversion;
 *              both threads hung at the end; in the kernel, each waits in futex on its mutex
 *              and exits (the watchdog's exit()) without having got it
 *   risk       the same inversion, run one thread after the other → no deadlock, one inversion
 *   ordered    one global order → lock-order edges, but neither a deadlock nor an inversion
 *
 * Needs lttng-tools, liblttng-ust-dev (the pthread wrapper), gcc and make (CI installs them;
 * elsewhere skipped with the reason). No timing thresholds.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { probePerf } from '../src/record/perf.js';
import { findExecutable, processAlive, runSync } from '../src/record/system.js';
import { cliPath, repoRoot } from '../src/testing/corpus.js';
import { missingRecordingTools, recordingSkip } from '../src/testing/recording.js';
import { run, tracelane } from '../src/testing/run.js';

const DIR = join(repoRoot, 'examples', 'lockorder');
const WRAPPER = ['/usr/lib/x86_64-linux-gnu/liblttng-ust-pthread-wrapper.so.1', '/usr/lib/aarch64-linux-gnu/liblttng-ust-pthread-wrapper.so.1', '/usr/lib/liblttng-ust-pthread-wrapper.so.1'];

const missing = missingRecordingTools('gcc', [{ anyOf: WRAPPER, what: 'liblttng-ust-pthread-wrapper' }]);
const skip = recordingSkip(missing, 'lockorder record tests');
const perfProblem = missing ? undefined : probePerf();
const perfSkip = missing ? skip : perfProblem ? `kernel part skipped: ${perfProblem}` : false;
if (!missing && perfSkip) process.stderr.write(`notice: ${perfSkip}\n`);
const symbolizer = findExecutable('llvm-symbolizer') !== undefined;

/** Line numbers of the two lock calls in transfer(), read from the source (not hard-coded). */
function lockLines(): { first: number; second: number } {
  const lines = readFileSync(join(DIR, 'lockorder.c'), 'utf8').split('\n');
  const at = (s: string) => lines.findIndex((l) => l.includes(s)) + 1;
  return { first: at('pthread_mutex_lock(&first->lock)'), second: at('pthread_mutex_lock(&second->lock)') };
}

interface JThread {
  vpid: number;
  vtid: number;
  procname: string;
}
interface JLock {
  source: string;
  lock: string;
  in_binary: string | null;
}
interface JSite {
  file?: string;
  line?: number;
}
interface DeadlocksDoc {
  deadlocks: {
    at_end: boolean;
    threads: JThread[];
    locks: JLock[];
    links: { thread: JThread; waits_for: JLock; site: JSite; held_by: JThread; held_site: JSite; since: string; held_since: string }[];
  }[];
  inversions: { locks: JLock[]; threads: JThread[]; guarded_by: JLock[]; edges: { held: JLock; acquired: JLock; example: { thread: JThread; site: JSite; held_site: JSite } }[] }[];
  lock_order: { held: JLock; acquired: JLock; count: number; threads: JThread[] }[];
  waiting_at_end: { waits: unknown[]; cycles: unknown[][] };
}
interface WaitsDoc {
  lock_waits: { thread: JThread; lock: JLock; outcome: string }[];
  kernel_waits?: { tid: number; pid: number; syscall: string | null; futex: { uaddr: string; wait: boolean } | null }[];
  hung: { locks: { thread: JThread; lock: JLock; held_by: JThread | null; last_events: { name: string }[]; exited: string | null }[] };
}

function parseExact<T>(text: string): T {
  return JSON.parse(text.replace(/([:[,])(-?\d{16,})(?=[,\]}])/g, '$1"$2"')) as T;
}

const accounts = ['account_a in lockorder', 'account_b in lockorder'];

/**
 * The findings about one process: a recording session sees every instrumented program that runs
 * meanwhile (another test recording lockorder at the same time, say), so keep to the recorded pid.
 */
function ofPid(doc: DeadlocksDoc, pid: number): DeadlocksDoc {
  return {
    deadlocks: doc.deadlocks.filter((d) => d.threads.every((t) => t.vpid === pid)),
    inversions: doc.inversions.filter((i) => i.threads.every((t) => t.vpid === pid)),
    lock_order: doc.lock_order.filter((e) => e.threads.every((t) => t.vpid === pid)),
    waiting_at_end: {
      waits: doc.waiting_at_end.waits.filter((w) => (w as { thread: JThread }).thread.vpid === pid),
      cycles: doc.waiting_at_end.cycles.filter((c) => c.every((e) => (e as { thread: JThread }).thread.vpid === pid)),
    },
  };
}

describe('deadlocks and waits on examples/lockorder, recorded for real', { skip }, () => {
  const temp = mkdtempSync(join(tmpdir(), 'tracelane-lockorder-test-'));
  const daemons: number[] = [];
  const sessions: string[] = [];
  const traces: Record<string, string> = {};
  const codes: Record<string, number> = {};
  const pids: Record<string, number> = {};

  async function record(mode: string, extra: string[]): Promise<void> {
    const out = join(temp, mode);
    // The lock events come in the program's first milliseconds: it waits (up to 30 s, instead of
    // LTTng-UST's default 3 s) for the session daemon to enable them, even on a loaded machine.
    const r = await run(process.execPath, [cliPath, 'record', '-q', '--pthread', ...extra, '-o', out, '--', join(DIR, 'lockorder'), mode], { LTTNG_UST_REGISTER_TIMEOUT: '30000' });
    for (const m of r.stderr.matchAll(/started lttng-sessiond .*\(pid (\d+)\)/g)) daemons.push(Number(m[1]));
    const manifest = join(out, 'tracelane-record.json');
    assert.ok(existsSync(manifest), `tracelane record ${mode} made no trace:\n${r.stderr}`);
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { session: string; pid: number };
    sessions.push(m.session);
    pids[mode] = m.pid;
    traces[mode] = out;
    codes[mode] = r.code;
  }

  before(async () => {
    const make = spawnSync('make', ['-C', DIR], { encoding: 'utf8' });
    assert.equal(make.status, 0, `make failed:\n${make.stderr}`);
    assert.doesNotMatch(make.stderr, /warning:/, make.stderr);
    await record('deadlock', perfSkip ? [] : ['--kernel=perf']);
    await record('risk', []);
    await record('ordered', []);
  });

  after(() => {
    for (const pid of daemons) if (processAlive(pid)) process.kill(pid, 'SIGTERM');
    if (findExecutable('lttng') && runSync('lttng', ['--no-sessiond', 'list']).code === 0) for (const s of sessions) runSync('lttng', ['destroy', s]);
    rmSync(temp, { recursive: true, force: true });
  });

  test('the deadlock mode deadlocked (the watchdog exit status 3 passes through); the others ran to the end', () => {
    assert.deepEqual(codes, { deadlock: 3, risk: 0, ordered: 0 });
  });

  test('deadlock: one cycle, both threads, both mutexes, each held by the other thread, with the source lines', async () => {
    const r = await tracelane(['deadlocks', traces['deadlock']!, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = ofPid(parseExact<DeadlocksDoc>(r.stdout), pids['deadlock']!);
    assert.equal(doc.deadlocks.length, 1, r.stdout);
    const d = doc.deadlocks[0]!;
    assert.equal(d.at_end, true, 'still deadlocked when the trace ended');
    assert.deepEqual(d.threads.map((t) => t.procname).sort(), ['xfer-ab', 'xfer-ba']);
    assert.deepEqual(d.locks.map((l) => l.in_binary).sort(), accounts);
    const { first, second } = lockLines();
    for (const l of d.links) {
      // xfer-ab transfers A → B: it waits for B, held by xfer-ba; and the reverse.
      const waitsFor = l.thread.procname === 'xfer-ab' ? 'account_b in lockorder' : 'account_a in lockorder';
      assert.equal(l.waits_for.in_binary, waitsFor, `${l.thread.procname} waits for ${waitsFor}`);
      assert.notEqual(l.held_by.vtid, l.thread.vtid);
      // The barrier: both held their first lock before either asked for its second.
      assert.ok(BigInt(l.held_since) < BigInt(l.since), 'held before the wait began');
      if (symbolizer) {
        assert.deepEqual([l.site.file?.endsWith('lockorder.c'), l.site.line], [true, second], 'asked for at the second lock');
        assert.deepEqual([l.held_site.file?.endsWith('lockorder.c'), l.held_site.line], [true, first], 'taken at the first lock');
      }
    }
    assert.equal(doc.inversions.length, 1, 'the inversion is in the lock-order graph too');
    assert.deepEqual(doc.inversions[0]!.locks.map((l) => l.in_binary).sort(), accounts);
    assert.equal(doc.waiting_at_end.waits.length, 2);
    assert.equal(doc.waiting_at_end.cycles.length, 1);
  });

  test('deadlock: waits says both threads hung, each on the lock the other holds, after their request', async () => {
    const r = await tracelane(['waits', traces['deadlock']!, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = parseExact<WaitsDoc>(r.stdout);
    const pid = pids['deadlock']!;
    const hung = doc.hung.locks.filter((h) => h.thread.vpid === pid);
    assert.deepEqual(hung.map((h) => h.thread.procname).sort(), ['xfer-ab', 'xfer-ba']);
    for (const h of hung) {
      assert.ok(h.held_by, 'the holder is known');
      assert.notEqual(h.held_by.procname, h.thread.procname);
      assert.equal(h.last_events.at(-1)?.name, 'lttng_ust_pthread:pthread_mutex_lock_req');
    }
    // The still-open waits are the longest of their threads: unexpected by the default rule.
    const open = doc.lock_waits.filter((w) => w.outcome === 'waiting' && w.thread.vpid === pid).map((w) => w.thread.procname);
    assert.deepEqual(open.sort(), ['xfer-ab', 'xfer-ba']);
  });

  test('deadlock, kernel: each thread blocked in futex on the very mutex it waits for', { skip: perfSkip }, async () => {
    const r = await tracelane(['waits', traces['deadlock']!, '--json', '--min', '0ns']);
    assert.equal(r.code, 0, r.stderr);
    const doc = parseExact<WaitsDoc>(r.stdout);
    assert.ok(doc.kernel_waits, 'a kernel trace was read');
    const hung = doc.hung.locks.filter((h) => h.thread.vpid === pids['deadlock']);
    assert.equal(hung.length, 2);
    for (const h of hung) {
      const futexes = doc.kernel_waits.filter((k) => k.tid === h.thread.vtid && k.pid === h.thread.vpid && k.futex?.wait).map((k) => k.futex!.uaddr);
      assert.ok(futexes.includes(h.lock.lock), `${h.thread.procname} waited in futex on ${h.lock.lock} (its futex waits: ${futexes.join(', ')})`);
      // The watchdog's exit() ended the process: the kernel saw the thread exit, still waiting.
      assert.ok(h.exited !== null && BigInt(h.exited) > 0n, `${h.thread.procname} exited while waiting`);
    }
  });

  test('risk: no deadlock, one unguarded inversion of both mutexes by both threads', async () => {
    const r = await tracelane(['deadlocks', traces['risk']!, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = ofPid(parseExact<DeadlocksDoc>(r.stdout), pids['risk']!);
    assert.deepEqual(doc.deadlocks, []);
    assert.equal(doc.inversions.length, 1, r.stdout);
    const inv = doc.inversions[0]!;
    assert.deepEqual(inv.locks.map((l) => l.in_binary).sort(), accounts);
    assert.deepEqual(inv.threads.map((t) => t.procname).sort(), ['xfer-ab', 'xfer-ba']);
    assert.deepEqual(inv.guarded_by, []);
    const { first, second } = lockLines();
    for (const e of inv.edges) {
      assert.equal(e.example.thread.procname, e.held.in_binary === 'account_a in lockorder' ? 'xfer-ab' : 'xfer-ba');
      if (symbolizer) assert.deepEqual([e.example.site.line, e.example.held_site.line], [second, first]);
    }
    assert.deepEqual(doc.waiting_at_end.waits, []);
  });

  test('ordered: both threads nest the locks the same way: an edge, no inversion', async () => {
    const r = await tracelane(['deadlocks', traces['ordered']!, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = ofPid(parseExact<DeadlocksDoc>(r.stdout), pids['ordered']!);
    assert.deepEqual([doc.deadlocks, doc.inversions], [[], []]);
    const mine = doc.lock_order.filter((e) => e.held.in_binary?.startsWith('account_'));
    assert.equal(mine.length, 1, JSON.stringify(doc.lock_order));
    assert.deepEqual(mine[0]!.threads.map((t) => t.procname).sort(), ['xfer-ab', 'xfer-ba']);
  });

  test('no session or session daemon of ours is left', () => {
    for (const pid of daemons) assert.ok(!processAlive(pid), `lttng-sessiond ${pid} stopped`);
    if (runSync('lttng', ['--no-sessiond', 'list']).code === 0) {
      const list = runSync('lttng', ['list']).stdout;
      for (const s of sessions) assert.ok(!list.includes(s), `session ${s} destroyed`);
    }
  });
});
