/**
 * User-space intervals placed in the kernel's thread states, on the demo recording
 * (examples/demo-trace: calcjob with LTTng-UST, plus perf scheduler events aligned on its clock):
 * every lock wait and span is split over kernel states without losing or adding time.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../src/testing/corpus.js';
import { tracelane } from '../src/testing/run.js';

const DEMO = join(repoRoot, 'examples', 'demo-trace');
const opts = { skip: existsSync(join(DEMO, 'kernel-perf')) ? false : 'no examples/demo-trace with a kernel part' };

interface States {
  kernel_states?: { state: string; ns: number }[];
}

test('lock waits and spans of the demo trace, in kernel thread states', opts, async () => {
  const [locks, spans] = await Promise.all([tracelane(['locks', DEMO, '--json', '--no-symbolize']), tracelane(['spans', DEMO, '--json'])]);
  assert.equal(locks.code, 0, locks.stderr);
  assert.equal(spans.code, 0, spans.stderr);
  const l = JSON.parse(locks.stdout) as { locks: (States & { wait: { count: number; total_ns: number } })[] };
  const s = JSON.parse(spans.stdout) as { pairs: (States & { begin_event: string; total_ns: number })[] };
  let known = 0;
  for (const x of [...l.locks.map((k) => ({ ...k, total_ns: k.wait.total_ns })), ...s.pairs]) {
    assert.ok(x.kernel_states, 'kernel states given');
    assert.equal(
      x.kernel_states.reduce((a, k) => a + k.ns, 0),
      x.total_ns,
    );
    known += x.kernel_states.filter((k) => k.state !== 'unknown').reduce((a, k) => a + k.ns, 0);
  }
  assert.ok(known > 0);
  // Workers compute between job_start and job_end: on a CPU or waiting for one, never blocked.
  const jobs = s.pairs.find((p) => p.begin_event === 'calcjob:job_start')!;
  const on = new Set(jobs.kernel_states!.map((k) => k.state));
  assert.ok(on.has('usermode'));
  assert.ok(!on.has('blocked'), JSON.stringify(jobs.kernel_states));
});
