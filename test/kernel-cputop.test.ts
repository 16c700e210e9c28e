/**
 * `tracelane cpu` against lttng-cputop (Debian python3-lttnganalyses 0.6.1) on the shared LTTng
 * kernel traces: every thread's usage within 0.1 percentage point (the issue asks it for threads
 * above 0.5 %; every thread in fact agrees), the same migration counts, and per-CPU usage equal
 * once the one definitional difference below is accounted for.
 *
 * How lttng-cputop is run:
 * - the trace must sit in a folder named `kernel` (it looks for the tracer version there): a
 *   temporary folder with a `kernel` symlink;
 * - `--no-intersection`: in its default "stream intersection" mode babeltrace 1 drops the events
 *   outside the time range common to all streams, and refuses traces with no common range at all
 *   (`lttng-tracefile-rotation/kernel`: "Trace has no intersection"). Where the default mode
 *   works on these traces the ranges are the same, so the full trace is compared;
 * - `--skip-validation`: skips its "lost events" pre-pass (a full `babeltrace` read).
 *
 * Differences, each accounted for below:
 * - lttng-cputop counts a CPU as busy from the trace start until its first `sched_switch` even
 *   when that switch's `prev` is the idle thread (swapper): the CPU was idle, not busy. We count
 *   that span as busy only when `prev` is a real thread (as the per-thread figures of both tools
 *   do: the first `prev` of a CPU is assumed to have run since the trace start). For those CPUs
 *   we check ours + the idle span = lttng-cputop's.
 * - For the same reason lttng-cputop lists the idle thread (tid 0, "swapper") with that span as
 *   its usage; the idle thread is not a thread of the workload and is not listed by `tracelane cpu`.
 *
 * Traces not compared: `synctraces/scp_src` and `scp_dest` (lttng-modules 2.1): lttng-cputop
 * stops with "Cannot run analysis: 'tid'" (its block_rq_issue handler needs a `tid` field that
 * lttng-modules 2.1 does not write); perf traces (lttng-analyses reads LTTng event names only).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TraceSet } from '../src/ctf/trace-set.js';
import { analyzeKernel } from '../src/analysis/kernel/index.js';
import { haveCorpus, tracePath } from '../src/testing/corpus.js';
import { run, tracelane } from '../src/testing/run.js';

const TRACES = [
  'tracecompass/bug446190',
  'tracecompass/many-threads',
  'tracecompass/flipping-endianness',
  'tracecompass/_incomplete/uneven-streams',
  'tracevizlab/cat-kern-ust/cat-kernel',
  'tracevizlab/simple-kernel',
  'tracevizlab/wget-k-20180802-115043/kernel',
  'babeltrace/ctf-traces/succeed/lttng-tracefile-rotation/kernel',
  'babeltrace/ctf-traces/succeed/multi-domains/kernel',
];

function haveCputop(): boolean {
  const ok = spawnSync('lttng-cputop-mi', ['--help'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env['CI'] === 'true') throw new Error('lttng-cputop-mi is missing (Debian package python3-lttnganalyses, installed by .ci/run)');
  return ok;
}

interface Lami {
  results: { class: string; data: ({ class: string; value?: number; tid?: number; id?: number; name?: string } | undefined)[][] }[];
}

interface CpuJson {
  begin: number;
  end: number;
  cpus: { cpu: number; usage_pct: number }[];
  threads: { tid: number; usage_pct: number; migrations: number }[];
}

const skip = !haveCorpus() ? 'no shared trace corpus' : !haveCputop() ? 'lttng-cputop-mi not installed (apt-get install python3-lttnganalyses)' : false;
if (skip) process.stderr.write(`notice: lttng-cputop comparison skipped: ${skip}\n`);

for (const rel of TRACES) {
  test(`cpu agrees with lttng-cputop: ${rel}`, { skip }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tracelane-cputop-'));
    try {
      symlinkSync(tracePath(rel), join(dir, 'kernel'));
      const theirs = await run('lttng-cputop-mi', ['--no-intersection', '--skip-validation', '--limit', '1000000', join(dir, 'kernel')]);
      assert.equal(theirs.code, 0, theirs.stderr);
      const lami = JSON.parse(theirs.stdout) as Lami;
      const ours = await tracelane(['cpu', '--json', tracePath(rel)]);
      assert.equal(ours.code, 0, ours.stderr);
      const doc = JSON.parse(ours.stdout) as CpuJson;
      const byTid = new Map(doc.threads.map((t) => [t.tid, t]));

      const perProcess = lami.results.find((r) => r.class === 'per-process');
      let compared = 0;
      for (const row of perProcess?.data ?? []) {
        const tid = row[0]!.tid!;
        const migrations = row[1]!.value!;
        const pct = row[3]!.value! * 100;
        if (tid === 0) continue; // the idle thread (see above)
        const o = byTid.get(tid);
        const mine = o?.usage_pct ?? 0;
        assert.ok(Math.abs(mine - pct) <= 0.1, `tid ${tid} (${row[0]!.name}): ours ${mine} %, lttng-cputop ${pct} %`);
        if (pct > 0.5) compared++;
        assert.equal(o?.migrations ?? 0, migrations, `tid ${tid} migrations`);
      }
      // Nothing of ours above 0.1 % that lttng-cputop does not list.
      const listed = new Set((perProcess?.data ?? []).map((r) => r[0]!.tid));
      for (const th of doc.threads) assert.ok(listed.has(th.tid) || th.usage_pct <= 0.1, `tid ${th.tid} only in ours (${th.usage_pct} %)`);

      // CPUs: ours plus the idle span before the first sched_switch whose prev is the idle thread.
      const model = analyzeKernel(TraceSet.open([tracePath(rel)])).model;
      const dur = model.end - model.start;
      const perCpu = lami.results.find((r) => r.class === 'per-cpu');
      for (const row of perCpu?.data ?? []) {
        const cpu = row[0]!.id!;
        const pct = row[1]!.value! * 100;
        const info = model.cpus.find((c) => c.cpu === cpu)!;
        const idleSpan = info.assumedThread < 0 && !Number.isNaN(info.knownFrom) ? (100 * (info.knownFrom - model.start)) / dur : 0;
        const mine = doc.cpus.find((c) => c.cpu === cpu)!.usage_pct;
        assert.ok(Math.abs(mine + idleSpan - pct) <= 0.01, `CPU ${cpu}: ours ${mine} % + idle span ${idleSpan} %, lttng-cputop ${pct} %`);
      }
      t.diagnostic(`${perProcess?.data.length ?? 0} threads compared, ${compared} above 0.5 %`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
