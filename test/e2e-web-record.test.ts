/**
 * Record a real trace, then open it in the page: `tracelane record --kernel` on
 * examples/calcjob (UST + the kernel's scheduler through perf where perf works), `tracelane serve`
 * on the result, Debian's Chromium on the page. The recorded program's threads must have their
 * rows with the names the program gave them, with user-space events on them and, with the kernel
 * part, thread states; the flame chart of the cyg-profile build has frames.
 *
 * Needs lttng-tools, liblttng-ust-dev, g++, make (as test/record-calcjob.test.ts) and chromium;
 * skipped with the reason elsewhere, a failure in CI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { probePerf } from '../src/record/perf.js';
import { repoRoot } from '../src/testing/corpus.js';
import { missingRecordingTools, recordingSkip } from '../src/testing/recording.js';
import { tracelane } from '../src/testing/run.js';
import { browserMissing, hook, openServedPage, waitReady, type Browser, type Server } from './e2e-web-support.js';

const CALCJOB_DIR = join(repoRoot, 'examples', 'calcjob');

const missing = missingRecordingTools('g++') ?? browserMissing();
const skip = recordingSkip(missing, 'record-then-open web test');
const perfProblem = missing ? undefined : probePerf();
if (!missing && perfProblem) process.stderr.write(`notice: recording without the kernel part: ${perfProblem}\n`);

describe('record calcjob, then open the trace in the page', { skip }, () => {
  let dir: string;
  let server: Server;
  let b: Browser;

  before(async () => {
    const make = spawnSync('make', ['-C', CALCJOB_DIR, 'calcjob', 'calcjob-cyg'], { encoding: 'utf8' });
    assert.equal(make.status, 0, `make failed:\n${make.stderr}`);
    dir = mkdtempSync(join(tmpdir(), 'tracelane-e2e-record-'));
    const out = join(dir, 'calc');
    const kernel = perfProblem ? [] : ['--kernel=perf'];
    const rec = await tracelane(['record', '-q', '-o', out, ...kernel, '--cyg-profile', '--', join(CALCJOB_DIR, 'calcjob-cyg'), '-n', '6', '-k', '2', '-s', '20000']);
    assert.equal(rec.code, 0, `tracelane record failed:\n${rec.stderr}`);
    ({ server, b } = await openServedPage([out], ['--no-cache']));
  });
  after(async () => {
    await b?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the workers and the manager have their rows, with events, states and call stacks', async () => {
    const r = await fetch(`${server.url}api/threads`);
    const { threads } = (await r.json()) as { threads: { id: number; tid: number; name: string; ust: boolean; hasCalls: boolean }[] };
    const labels = await hook(b.page, 'rowLabels');
    for (const name of ['calcjob-mgr', 'calcjob-w0', 'calcjob-w1']) {
      const t = threads.find((x) => x.name === name && x.ust);
      assert.ok(t, `${name} emitted user-space events`);
      assert.ok(labels.includes(`${name} ${t.tid}`), `row of ${name} ${t.tid} in ${labels.slice(0, 30).join(' | ')}`);
    }
    const w0 = threads.find((x) => x.name === 'calcjob-w0' && x.hasCalls);
    assert.ok(w0, 'calcjob-w0 has call stacks');
    const ust = (await (await fetch(`${server.url}api/ust/events?rows=${w0.id}&px=500`)).json()) as { events: unknown[] };
    assert.ok(ust.events.length > 0, 'user-space markers for the worker');
    if (!perfProblem) {
      const st = (await (await fetch(`${server.url}api/states?table=threads&rows=${w0.id}&px=500`)).json()) as { rows: { s: number[] }[] };
      assert.ok(st.rows[0]!.s.length > 0, 'kernel states for the worker');
    }
    // Select the worker through the URL (a shared link) and look at its flame chart.
    await b.page.goto(`${server.url}?tid=${w0.tid}`);
    await waitReady(b.page);
    await b.page.click('[data-tab="flame"]');
    await b.page.waitForFunction(() => (globalThis as unknown as { tracelane: { flameFrames(): number } }).tracelane.flameFrames() > 0, undefined, { timeout: 20_000 });
    await b.page.waitForTimeout(300);
    await b.screenshot('record-1-flame');
    process.stderr.write(`screenshots: ${b.shots}\n`);
    assert.deepEqual(b.errors, []);
  });
});
