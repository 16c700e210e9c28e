/**
 * The kernel reports' model cache (src/cli/kernel-cache.ts): a report served from the cache
 * prints exactly what reading the trace prints, the cache is what a later report reads, and
 * ranges, `--no-cache`, `TRACELANE_CACHE_DIR=off` and a changed trace file bypass it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { analyzeKernel } from '../src/analysis/kernel/index.js';
import { kernelRunFiles, writeKernelRun } from '../src/cli/kernel-cache.js';
import { TraceSet } from '../src/ctf/trace-set.js';
import { readCacheFile, writeCacheFile } from '../src/store/cache-file.js';
import { corpusTest, cliPath, repoRoot, tracePath } from '../src/testing/corpus.js';
import { firstDifference, run, type RunResult } from '../src/testing/run.js';

const FIXTURE = join(repoRoot, 'test', 'fixtures', 'perf-syscalls', 'ctf');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freshCacheDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tracelane-cache-test-'));
  dirs.push(d);
  return d;
}

function tracelaneIn(cacheDir: string, args: string[]): Promise<RunResult> {
  return run(process.execPath, [cliPath, ...args], { TRACELANE_CACHE_DIR: cacheDir });
}

function cacheFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.tlcache'));
}

function assertSameRun(expected: RunResult, actual: RunResult, what: string): void {
  assert.equal(actual.code, expected.code, `${what}: exit code`);
  assert.equal(firstDifference(expected.stdout, actual.stdout), undefined, `${what}: stdout`);
  assert.equal(firstDifference(expected.stderr, actual.stderr), undefined, `${what}: stderr`);
}

const REPORTS: string[][] = [
  ['threads', '--json'],
  ['threads'],
  ['cpu', '--json'],
  ['sched', '--json'],
  ['syscalls'],
  ['irq', '--json'],
  ['blocking', '--json'],
];

for (const [name, trace] of [
  ['tracecompass/bug446190 (LTTng 2.x kernel)', 'tracecompass/bug446190'],
  ['tracevizlab/cat-kern-ust/cat-kernel (LTTng 2.10 kernel)', 'tracevizlab/cat-kern-ust/cat-kernel'],
  ['tracecompass/perf-taskset2 (perf)', 'tracecompass/perf-taskset2'],
] as const) {
  test(`${name}: every report prints the same from the cache as from the trace`, corpusTest(), async () => {
    const path = tracePath(trace);
    const cache = freshCacheDir();
    for (const args of REPORTS) {
      const what = `${args.join(' ')}`;
      const reference = await tracelaneIn(cache, [...args, '--no-cache', path]);
      assert.equal(reference.code, 0, `${what}: ${reference.stderr}`);
      const first = await tracelaneIn(cache, [...args, path]);
      const second = await tracelaneIn(cache, [...args, path]);
      assertSameRun(reference, first, `${what}, first run`);
      assertSameRun(reference, second, `${what}, from the cache`);
    }
    // Three models: without CPU states and syscall rows (threads, sched, irq, blocking), without
    // CPU states (syscalls), without syscalls (cpu).
    assert.equal(cacheFiles(cache).length, 3);
  });
}

test('the cache is what a later report reads; ranges, --no-cache and a changed trace file read the trace', async () => {
  const cache = freshCacheDir();
  const first = await tracelaneIn(cache, ['threads', '--json', FIXTURE]);
  assert.equal(first.code, 0, first.stderr);
  const [file] = cacheFiles(cache);
  assert.ok(file, 'a cache file was written');
  // Rename the busiest thread inside the cached model.
  const cached = readCacheFile(join(cache, file)) as { model: { threads: { tid: number; name: string }[] } };
  const doc = JSON.parse(first.stdout) as { threads: { tid: number; name: string }[] };
  const tid = doc.threads[0]!.tid;
  const thread = cached.model.threads.find((t) => t.tid === tid)!;
  thread.name = 'from-the-cache';
  writeCacheFile(join(cache, file), cached);

  const nameOf = async (args: string[]) => {
    const r = await tracelaneIn(cache, ['threads', '--json', ...args, FIXTURE]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { threads: { tid: number; name: string }[] }).threads.find((t) => t.tid === tid)?.name;
  };
  assert.equal(await nameOf([]), 'from-the-cache');
  assert.notEqual(await nameOf(['--no-cache']), 'from-the-cache');
  assert.notEqual(await nameOf(['--begin', '+0']), 'from-the-cache');
  // A trace file with another modification time is another trace: read again, cached anew.
  const stream = join(FIXTURE, 'perf_stream_0');
  const now = new Date();
  utimesSync(stream, now, now);
  assert.notEqual(await nameOf([]), 'from-the-cache');
  assert.equal(cacheFiles(cache).length, 2);
});

test('a cached full model answers the reports that need less of it', async () => {
  const cache = freshCacheDir();
  const saved = process.env['TRACELANE_CACHE_DIR'];
  process.env['TRACELANE_CACHE_DIR'] = cache;
  try {
    const set = TraceSet.open([FIXTURE]);
    const analysis = analyzeKernel(set);
    const thread = analysis.model.threads.find((t) => t.name === 'sleep') as { name: string } | undefined;
    assert.ok(thread, 'the fixture has a sleep thread');
    thread.name = 'full-model';
    const { events, first, last, end } = analysis.read;
    const full = { syscalls: true, cpuStates: true, syscallTable: true };
    writeKernelRun(kernelRunFiles(set, full)[0]!.file, { content: full, model: analysis.model, read: { events, first, last, end }, warnings: [], discarded: 0, lostPackets: 0, regressions: null });
  } finally {
    if (saved === undefined) delete process.env['TRACELANE_CACHE_DIR'];
    else process.env['TRACELANE_CACHE_DIR'] = saved;
  }
  for (const report of ['threads', 'syscalls']) {
    const r = await tracelaneIn(cache, [report, '--json', FIXTURE]);
    assert.equal(r.code, 0, r.stderr);
    if (report === 'threads') assert.match(r.stdout, /"full-model"/, 'threads read the full model');
  }
  // `syscalls` was answered from the full model too: no model of its own was written.
  assert.equal(cacheFiles(cache).length, 1);
  // `cpu` reads no syscalls: another model, read from the trace.
  const cpu = await tracelaneIn(cache, ['cpu', '--json', FIXTURE]);
  assert.doesNotMatch(cpu.stdout, /"full-model"/);
  assert.equal(cacheFiles(cache).length, 2);
});

test('TRACELANE_CACHE_DIR=off writes no cache', async () => {
  const cache = freshCacheDir();
  const r = await run(process.execPath, [cliPath, 'threads', FIXTURE], { TRACELANE_CACHE_DIR: 'off', HOME: cache, XDG_CACHE_HOME: cache });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(cache), []);
});
