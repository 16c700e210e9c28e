/**
 * The web UI on a real deadlock: build examples/lockorder, record its `deadlock` mode for real
 * with `tracelane record --pthread`, serve it, and check what the page shows against
 * `tracelane deadlocks --json`: `/api/deadlocks` lists the one cycle (both threads, both mutexes,
 * each held by the other thread), both thread rows of Control Flow carry the deadlock badge with
 * its tooltip, and nothing is logged as an error. A screenshot lands in a temporary folder
 * (printed), to be looked at. Also: a trace without lock events (the demo trace) has no deadlock.
 *
 * Needs Chromium and the built page (as test/e2e-web.test.ts), and lttng-tools, the pthread
 * wrapper, gcc and make to record (as test/deadlocks-record.test.ts); skipped with the reason
 * elsewhere, a failure in CI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findExecutable, processAlive, runSync } from '../src/record/system.js';
import { cliPath, repoRoot } from '../src/testing/corpus.js';
import { missingRecordingTools, recordingSkip } from '../src/testing/recording.js';
import { run, tracelane } from '../src/testing/run.js';
import { browserMissing, openBrowser, startServer, waitReady, type Browser, type Server } from './e2e-web-support.js';

// Browser globals inside page.evaluate / waitForFunction callbacks (the tests' tsconfig has no DOM lib).
declare const window: unknown;

const DIR = join(repoRoot, 'examples', 'lockorder');
const WRAPPER = ['/usr/lib/x86_64-linux-gnu/liblttng-ust-pthread-wrapper.so.1', '/usr/lib/aarch64-linux-gnu/liblttng-ust-pthread-wrapper.so.1', '/usr/lib/liblttng-ust-pthread-wrapper.so.1'];

const browser = browserMissing();
if (browser && process.env['CI'] === 'true') test('browser tests can run (required in CI)', () => assert.fail(browser));
if (browser) process.stderr.write(`notice: web UI deadlock tests skipped: ${browser}\n`);
const noBrowser = browser ? `cannot run the browser here: ${browser}` : false;
const recordSkip = noBrowser || recordingSkip(missingRecordingTools('gcc', [{ anyOf: WRAPPER, what: 'liblttng-ust-pthread-wrapper' }]), 'web UI deadlock tests');

interface RowRef {
  row: number;
  tid: number;
  name: string;
}
interface DeadlocksApi {
  deadlocks: { formedAt: number; endedAt: number | null; links: { waiter: RowRef; lock: { label: string }; since: number; holder: RowRef }[] }[];
  hung: (RowRef & { since: number; what: string })[];
  waitFor: { waiter: RowRef; lock: { label: string }; since: number; holder: RowRef | null }[];
}
interface CliThread {
  vpid: number;
  vtid: number;
  procname: string;
}
interface CliLock {
  lock: string;
  in_binary: string | null;
}
interface CliDeadlocks {
  deadlocks: { at_end: boolean; threads: CliThread[]; links: { thread: CliThread; waits_for: CliLock; held_by: CliThread; since: string }[] }[];
}
interface Badge {
  label: string;
  badge: string | null;
  tooltip: string[];
}

async function api<T>(server: Server, path: string): Promise<T> {
  const r = await fetch(`${server.url}api/${path}`);
  assert.equal(r.status, 200, `${path}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

describe('the web UI marks a real deadlock (examples/lockorder, recorded)', { skip: recordSkip }, () => {
  const temp = mkdtempSync(join(tmpdir(), 'tracelane-e2e-deadlock-'));
  const trace = join(temp, 'deadlock');
  const daemons: number[] = [];
  let session: string | undefined;
  let pid = -1;
  let server: Server | undefined;
  let b: Browser | undefined;

  before(async () => {
    const make = spawnSync('make', ['-C', DIR], { encoding: 'utf8' });
    assert.equal(make.status, 0, `make failed:\n${make.stderr}`);
    // The lock events come in the program's first milliseconds: it waits (up to 30 s) for the
    // session daemon to enable them, even on a loaded machine.
    const r = await run(process.execPath, [cliPath, 'record', '-q', '--pthread', '-o', trace, '--', join(DIR, 'lockorder'), 'deadlock'], { LTTNG_UST_REGISTER_TIMEOUT: '30000' });
    for (const m of r.stderr.matchAll(/started lttng-sessiond .*\(pid (\d+)\)/g)) daemons.push(Number(m[1]));
    const manifest = join(trace, 'tracelane-record.json');
    assert.ok(existsSync(manifest), `tracelane record made no trace:\n${r.stderr}`);
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { session: string; pid: number };
    session = m.session;
    pid = m.pid;
    assert.equal(r.code, 3, `the watchdog saw the deadlock (exit status 3):\n${r.stderr}`);
    server = await startServer([trace]);
    b = await openBrowser();
  });

  after(async () => {
    await b?.close();
    await server?.stop();
    for (const d of daemons) if (processAlive(d)) process.kill(d, 'SIGTERM');
    if (session && findExecutable('lttng') && runSync('lttng', ['--no-sessiond', 'list']).code === 0) runSync('lttng', ['destroy', session]);
    rmSync(temp, { recursive: true, force: true });
  });

  test('/api/deadlocks: the cycle `tracelane deadlocks --json` finds, row by row', async () => {
    const { threads } = await api<{ threads: { id: number; tid: number; pid: number; name: string }[] }>(server!, 'threads');
    const doc = await api<DeadlocksApi>(server!, 'deadlocks');
    // A recording session sees every instrumented program that runs meanwhile: keep to ours.
    const ours = (r: RowRef): boolean => threads[r.row]?.pid === pid;
    const mine = doc.deadlocks.filter((d) => d.links.every((l) => ours(l.waiter)));
    assert.equal(mine.length, 1, JSON.stringify(doc.deadlocks));
    const d = mine[0]!;
    assert.equal(d.endedAt, null, 'deadlocked until the end of the trace');
    assert.deepEqual(d.links.map((l) => l.waiter.name).sort(), ['xfer-ab', 'xfer-ba']);
    for (const l of d.links) {
      assert.equal(threads[l.waiter.row]!.tid, l.waiter.tid, 'rows are /api/threads ids');
      assert.equal(threads[l.holder.row]!.tid, l.holder.tid);
      assert.notEqual(l.holder.tid, l.waiter.tid);
    }

    const cli = await tracelane(['deadlocks', trace, '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    const cd = (JSON.parse(cli.stdout.replace(/([:[,])(-?\d{16,})(?=[,\]}])/g, '$1"$2"')) as CliDeadlocks).deadlocks.filter((x) => x.threads.every((t) => t.vpid === pid));
    assert.equal(cd.length, 1);
    const origin = BigInt((await api<{ origin: string }>(server!, 'trace')).origin);
    const want = cd[0]!.links.map((l) => ({ waiter: l.thread.vtid, holder: l.held_by.vtid, lock: `${l.waits_for.in_binary} (${l.waits_for.lock})`, since: Number(BigInt(l.since) - origin) }));
    const got = d.links.map((l) => ({ waiter: l.waiter.tid, holder: l.holder.tid, lock: l.lock.label, since: l.since }));
    const byWaiter = (a: { waiter: number }, c: { waiter: number }): number => a.waiter - c.waiter;
    assert.deepEqual(got.sort(byWaiter), want.sort(byWaiter));
    assert.deepEqual(d.links.map((l) => l.lock.label.split(' (')[0]).sort(), ['account_a in lockorder', 'account_b in lockorder']);

    // Both threads are still waiting at the end: hung, and edges of the wait-for graph.
    assert.deepEqual(doc.hung.filter(ours).map((h) => h.name).sort(), ['xfer-ab', 'xfer-ba']);
    assert.deepEqual(doc.waitFor.filter((w) => ours(w.waiter)).map((w) => `${w.waiter.name}→${w.holder?.name}`).sort(), ['xfer-ab→xfer-ba', 'xfer-ba→xfer-ab']);
  });

  test('Control Flow: both thread rows carry the deadlock badge, its tooltip names lock and holder; no errors', async () => {
    const page = b!.page;
    await page.goto(server!.url);
    await waitReady(page);
    const rowBadges = (): Promise<Badge[]> => page.evaluate(() => (window as unknown as { tracelane: { rowBadges(): Badge[] } }).tracelane.rowBadges());
    await page.waitForFunction(() => (window as unknown as { tracelane: { rowBadges(): Badge[] } }).tracelane.rowBadges().some((r) => r.badge !== null), undefined, { timeout: 20_000 });
    const rows = await rowBadges();
    const xfer = rows.filter((r) => /^xfer-(ab|ba) /.test(r.label));
    assert.equal(xfer.length, 2, rows.map((r) => r.label).join(', '));
    for (const r of xfer) {
      assert.equal(r.badge, 'deadlock', r.label);
      const other = r.label.startsWith('xfer-ab') ? 'xfer-ba' : 'xfer-ab';
      const lock = r.label.startsWith('xfer-ab') ? 'account_b in lockorder' : 'account_a in lockorder';
      assert.ok(
        r.tooltip.some((l) => l.startsWith(`waits for ${lock}`) && l.includes(`held by ${other}`) && l.includes(' since ')),
        r.tooltip.join(' | '),
      );
    }
    // Threads not in the cycle (the main thread waits in join, not for a lock) carry none.
    assert.ok(rows.filter((r) => r.badge === 'deadlock').every((r) => /^xfer-(ab|ba) /.test(r.label)));

    // Hovering the badge shows that tooltip.
    const index = rows.findIndex((r) => r.label.startsWith('xfer-ab '));
    const box = (await page.locator('[data-panel="control-flow"] canvas').boundingBox())!;
    const scrollTop = await page.locator('[data-panel="control-flow"] .timeline-scroll').evaluate((el) => el.scrollTop);
    await page.mouse.move(box.x + 200, box.y + index * 20 - scrollTop + 10);
    const tip = await page.locator('.tooltip').textContent({ timeout: 5000 });
    assert.match(tip ?? '', /waits for account_b in lockorder .*held by xfer-ba/);
    console.log(`screenshot: ${await b!.screenshot('deadlock')}`);
    // Zoomed on the two waits' start: the red wait-for arrows between the rows.
    const doc = await api<DeadlocksApi>(server!, 'deadlocks');
    const since = doc.deadlocks.flatMap((d) => d.links.map((l) => l.since));
    const span = Math.max(...since) - Math.min(...since) + 20_000;
    await page.goto(`${server!.url}?b=${Math.min(...since) - span}&e=${Math.max(...since) + span}`);
    await waitReady(page);
    await page.waitForFunction(() => (window as unknown as { tracelane: { rowBadges(): Badge[] } }).tracelane.rowBadges().some((r) => r.badge !== null), undefined, { timeout: 20_000 });
    console.log(`screenshot: ${await b!.screenshot('deadlock-zoom')}`);
    assert.deepEqual(b!.errors, []);
  });
});

describe('/api/deadlocks without lock events', { skip: noBrowser }, () => {
  test('the demo trace: no deadlock, no wait-for edge; hung threads are thread rows', async () => {
    const s = await startServer([join(repoRoot, 'examples', 'demo-trace')]);
    try {
      await waitUntilReady(s);
      const doc = await api<DeadlocksApi>(s, 'deadlocks');
      assert.deepEqual([doc.deadlocks, doc.waitFor], [[], []]);
      const { threads } = await api<{ threads: { id: number; tid: number }[] }>(s, 'threads');
      const t = await api<{ start: number; end: number }>(s, 'trace');
      for (const h of doc.hung) {
        assert.equal(threads[h.row]?.tid, h.tid, JSON.stringify(h));
        assert.ok(h.since >= t.start && h.since <= t.end, JSON.stringify(h));
      }
    } finally {
      await s.stop();
    }
  });
});

/** Polls `/api/status` until the analysis is ready (the server answers 503 before). */
async function waitUntilReady(s: Server): Promise<void> {
  for (;;) {
    const st = (await (await fetch(`${s.url}api/status`)).json()) as { state: string; error: string | null };
    if (st.state === 'ready') return;
    if (st.state === 'failed') throw new Error(`analysis failed: ${st.error}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
