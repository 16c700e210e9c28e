/**
 * The web UI end to end: the real `tracelane serve` on real traces, the built page in Debian's
 * Chromium. What a user sees is checked against the CLI: Control Flow rows name the threads of
 * `tracelane threads --json`, the events table lists what `tracelane events` lists for the same
 * range; the wheel zooms and the URL follows; a click selects a thread; the critical path and the
 * flame chart draw when the server has them; nothing is logged as an error. Screenshots land in a
 * temporary folder (printed), to be looked at.
 *
 * Needs /usr/bin/chromium (Debian package chromium) and the built page (npm run build:web);
 * skipped with the reason elsewhere, a failure in CI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { haveCorpus, repoRoot, tracePath } from '../src/testing/corpus.js';
import { tracelane } from '../src/testing/run.js';
import { join } from 'node:path';
import { browserMissing, describeIntervals, frameIntervals, hook, longTasks, openServedPage, urlParams, waitReady, type Browser, type Server } from './e2e-web-support.js';

// Browser globals inside page.evaluate / waitForFunction callbacks (the tests' tsconfig has no DOM lib).
declare const window: unknown;
declare const location: { href: string };
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  documentElement: { dataset: Record<string, string | undefined> };
  querySelector(s: string): { textContent: string | null } | null;
};

const missing = browserMissing();
if (missing && process.env['CI'] === 'true') {
  test('browser tests can run (required in CI)', () => assert.fail(missing));
}
if (missing) process.stderr.write(`notice: web UI tests skipped: ${missing}\n`);
const skip = missing ? `cannot run the browser here: ${missing}` : false;

interface CliThread {
  tid: number;
  pid: number;
  name: string;
}

interface TraceJson {
  origin: string;
  start: number;
  end: number;
}

/** The Control Flow canvas and the row height used by the page (web/src/timeline.ts). */
const ROW_HEIGHT = 20;
const LABEL_WIDTH = 230;

async function api<T>(server: Server, path: string): Promise<T> {
  const r = await fetch(`${server.url}api/${path}`);
  assert.equal(r.status, 200, `${path}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

/** `hh:mm:ss.nnnnnnnnn` (UTC) of an absolute ns time, as the table prints it. */
function clock(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const d = new Date(Number(secs) * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
}

async function cliThreads(trace: string): Promise<CliThread[]> {
  const r = await tracelane(['threads', trace, '--json', '--limit', '0']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { threads: CliThread[] }).threads;
}

/** Scrolls the Control Flow rows so that `row` is in sight and clicks it at `xFrac` of the plot. */
async function clickRow(page: Page, row: number, xFrac = 0.5): Promise<void> {
  const scroller = page.locator('[data-panel="control-flow"] .timeline-scroll');
  const scrollTop = await scroller.evaluate((el, r) => {
    el.scrollTop = Math.max(0, r * 20 - 40);
    return el.scrollTop;
  }, row);
  await page.waitForTimeout(50);
  const box = await page.locator('[data-panel="control-flow"] canvas').boundingBox();
  assert.ok(box);
  await page.mouse.click(box.x + LABEL_WIDTH + (box.width - LABEL_WIDTH) * xFrac, box.y + row * ROW_HEIGHT - scrollTop + ROW_HEIGHT / 2);
}

/** Compares the events table's rows in sight with `tracelane events` over the same range. */
async function checkEventsTable(b: Browser, server: Server, trace: string, info: TraceJson, begin: number, end: number): Promise<void> {
  const origin = BigInt(info.origin);
  const absBegin = origin + BigInt(Math.round(begin));
  const absEnd = origin + BigInt(Math.round(end));
  const cli = await tracelane(['events', trace, '-o', 'json', '--begin', absBegin.toString(), '--end', absEnd.toString()]);
  assert.equal(cli.code, 0, cli.stderr);
  const expected = cli.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const e = JSON.parse(l.replace(/"timestamp":\s*(\d+)/, '"timestamp":"$1"')) as { name: string; timestamp: string };
      return { time: clock(BigInt(e.timestamp)), name: e.name };
    });
  await b.page.waitForFunction(() => (window as unknown as { tracelane: { eventRows(): unknown[] } }).tracelane.eventRows().length > 0, undefined, { timeout: 20_000 });
  await b.page.waitForTimeout(300); // the table may scroll to the cursor
  const shown = await hook(b.page, 'eventRows');
  assert.ok(shown.length >= Math.min(5, expected.length), `the table shows ${shown.length} rows`);
  // The rows in sight are consecutive events of the CLI's list (the table may have scrolled to
  // the cursor, so they need not be the first ones).
  const at = expected.findIndex((e) => e.time === shown[0]!.time && e.name === shown[0]!.name);
  assert.ok(at >= 0, `first row shown ${JSON.stringify(shown[0])} is not in tracelane events' output`);
  assert.deepEqual(shown, expected.slice(at, at + shown.length), 'table rows = tracelane events over the selection');
  const count = await b.page.textContent('.events-count');
  assert.match(count ?? '', new RegExp(`^${expected.length.toLocaleString('en-US')} events`), `count shown: ${count}`);
  void server;
}

describe('web UI on the demo trace (kernel via perf + UST)', { skip }, () => {
  const trace = join(repoRoot, 'examples', 'demo-trace');
  let server: Server;
  let b: Browser;
  let info: TraceJson;

  before(async () => {
    ({ server, b } = await openServedPage([trace]));
    info = await api<TraceJson>(server, 'trace');
    process.stderr.write(`screenshots: ${b.shots}\n`);
  });
  after(async () => {
    await b?.close();
    await server?.stop();
  });

  test('Control Flow rows name the threads tracelane threads lists', async () => {
    const labels = new Set(await hook(b.page, 'rowLabels'));
    const threads = await cliThreads(trace);
    assert.ok(threads.length > 10);
    for (const t of threads) {
      if (t.tid === 0) continue;
      assert.ok(labels.has(`${t.name} ${t.tid}`), `no row for ${t.name} ${t.tid}; rows: ${[...labels].slice(0, 20).join(' | ')}`);
    }
    assert.ok(labels.has([...labels].find((l) => l.startsWith('calcjob-w0 ')) ?? 'calcjob-w0'), 'a calcjob worker row');
    await b.screenshot('demo-1-loaded');
  });

  test('the wheel zooms and the URL keeps the range', async () => {
    const before = urlParams(b.page);
    const box = await b.page.locator('[data-panel="control-flow"] canvas').boundingBox();
    assert.ok(box);
    await b.page.mouse.move(box.x + LABEL_WIDTH + (box.width - LABEL_WIDTH) * 0.4, box.y + 30);
    for (let i = 0; i < 5; i++) await b.page.mouse.wheel(0, -200);
    await b.page.waitForFunction((old) => new URL(location.href).searchParams.get('e') !== old, before.get('e'), { timeout: 5000 });
    await b.page.waitForTimeout(500); // the last wheel events and the URL update (it follows within 150 ms)
    const after = urlParams(b.page);
    const span0 = Number(before.get('e')) - Number(before.get('b'));
    const span1 = Number(after.get('e')) - Number(after.get('b'));
    assert.ok(span1 < span0 / 2, `zoomed in: ${span0} → ${span1} ns`);
    const s = await hook(b.page, 'state');
    assert.equal(Math.round(s.view.begin), Number(after.get('b')));
    await b.page.waitForTimeout(400);
    await b.screenshot('demo-2-zoomed');
    await b.page.keyboard.press('0');
  });

  test('a click on a thread row selects the thread (URL tid)', async () => {
    const labels = await hook(b.page, 'rowLabels');
    const row = labels.findIndex((l) => l.startsWith('calcjob-w1 '));
    assert.ok(row >= 0);
    const tid = Number(labels[row]!.split(' ').pop());
    await clickRow(b.page, row);
    await b.page.waitForFunction((t) => new URL(location.href).searchParams.get('tid') === String(t), tid, { timeout: 5000 });
    assert.equal((await hook(b.page, 'state')).selectedTid, tid);
    assert.match((await b.page.textContent('#selected-thread')) ?? '', new RegExp(`calcjob-w1 ${tid}`));
  });

  test('a range selected on the time axis lists its events as tracelane events does', async () => {
    const axis = await b.page.locator('canvas.time-axis').boundingBox();
    assert.ok(axis);
    const w = axis.width - LABEL_WIDTH;
    await b.page.mouse.move(axis.x + LABEL_WIDTH + w * 0.3, axis.y + 15);
    await b.page.mouse.down();
    await b.page.mouse.move(axis.x + LABEL_WIDTH + w * 0.45, axis.y + 15, { steps: 5 });
    await b.page.mouse.up();
    await b.page.waitForFunction(() => new URL(location.href).searchParams.has('sb'), undefined, { timeout: 5000 });
    await b.page.waitForTimeout(400); // the URL follows the drag within 150 ms
    const p = urlParams(b.page);
    const begin = Number(p.get('sb'));
    const end = Number(p.get('se'));
    assert.ok(end > begin);
    await b.page.click('[data-tab="events"]');
    await b.page.waitForFunction(() => /in the selection/.test(document.querySelector('.events-count')?.textContent ?? ''), undefined, { timeout: 20_000 });
    await checkEventsTable(b, server, trace, info, begin, end);
    await b.screenshot('demo-3-selection-events');
    await b.page.click('[data-tab="selection"]');
    await b.page.waitForSelector('.aggregate-cols', { timeout: 10_000 });
    assert.match((await b.page.textContent('.aggregate')) ?? '', /Time per state/);
    await b.screenshot('demo-4-aggregate');
  });

  test('a click on a user-space event shows its fields and source line', async () => {
    await b.page.click('[data-tab="events"]');
    await b.page.fill('input[name="events-event"]', 'calcjob:job_end');
    await b.page.waitForFunction(() => /calcjob:job_end/.test(document.querySelector('.events-body .events-row[data-i]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    const first = b.page.locator('.events-body .events-row[data-i]').first();
    const i = Number(await first.getAttribute('data-i'));
    await first.click();
    await b.page.waitForFunction(() => (document.querySelector('.details-title')?.textContent ?? '') === 'calcjob:job_end', undefined, { timeout: 10_000 });
    const ev = await api<{ where: { file?: string; line?: number; src?: string } | null }>(server, `event?i=${i}`);
    if (ev.where?.file && ev.where.line) {
      await b.page.waitForFunction((src) => (document.querySelector('.details .source-title')?.textContent ?? '').startsWith(src), ev.where.src ?? '', { timeout: 10_000 });
    }
    await b.screenshot('demo-5-event-source');
    await b.page.fill('input[name="events-event"]', '');
  });

  test('critical path and flame chart panels answer for the selected thread', async () => {
    const s = await hook(b.page, 'state');
    assert.ok(s.selectedTid !== undefined);
    await b.page.click('[data-tab="critical"]');
    const threads = (await api<{ threads: { id: number; tid: number }[] }>(server, 'threads')).threads.filter((t) => t.tid === s.selectedTid);
    const r = await fetch(`${server.url}api/critical-path?row=${threads.at(-1)!.id}&begin=${s.selection!.begin}&end=${s.selection!.end}`);
    if (r.status === 200) {
      await b.page.waitForFunction(() => (window as unknown as { tracelane: { criticalSegments(): number } }).tracelane.criticalSegments() > 0, undefined, { timeout: 20_000 });
    } else {
      await b.page.waitForFunction(() => /Critical path:/.test(document.querySelector('.critical-path .panel-note')?.textContent ?? ''), undefined, { timeout: 20_000 });
    }
    await b.screenshot('demo-5-critical-path');
    await b.page.click('[data-tab="flame"]');
    assert.match((await b.page.textContent('.flame .panel-note')) ?? '', /no call stacks|Call stacks/);
  });

  test('theme switch, keyboard and no console errors', async () => {
    await b.page.click('#theme-toggle');
    await b.page.waitForFunction(() => document.documentElement.dataset['theme'] === 'dark');
    await b.page.click('[data-tab="events"]');
    await b.page.keyboard.press('Escape');
    await b.page.keyboard.press('w');
    await b.page.keyboard.press('d');
    await b.page.keyboard.press('ArrowRight');
    await b.page.waitForFunction(() => new URL(location.href).searchParams.has('t'), undefined, { timeout: 5000 });
    await b.page.waitForTimeout(500);
    await b.screenshot('demo-6-dark');
    assert.equal(urlParams(b.page).get('theme'), 'dark');
    assert.deepEqual(b.errors, []);
  });
});

describe('web UI on a large shared kernel trace (tracecompass/many-threads)', { skip: skip || (haveCorpus() ? false : 'no shared trace corpus') }, () => {
  const trace = tracePath('tracecompass/many-threads');
  let server: Server;
  let b: Browser;
  let info: TraceJson;
  /** Main-thread tasks over 50 ms of the first page load (thread list of 8,592 threads). */
  let firstLoad: number[] = [];

  before(async () => {
    ({ server, b } = await openServedPage([trace]));
    info = await api<TraceJson>(server, 'trace');
    await b.page.waitForTimeout(500); // long tasks are reported late
    firstLoad = await longTasks(b.page);
  });
  after(async () => {
    await b?.close();
    await server?.stop();
  });

  test('every thread of tracelane threads has its row; zoom, select, events', async () => {
    const labels = new Set(await hook(b.page, 'rowLabels'));
    const threads = await cliThreads(trace);
    assert.ok(threads.length > 1000);
    const missingRows = threads.filter((t) => t.tid !== 0 && !labels.has(`${t.name} ${t.tid}`));
    assert.deepEqual(missingRows.slice(0, 5), [], `${missingRows.length} threads without a row`);
    await b.page.waitForTimeout(500);
    await b.screenshot('many-1-loaded');

    // Zoom into the middle: the URL follows; then a shared link reopens the same view.
    const box = await b.page.locator('[data-panel="control-flow"] canvas').boundingBox();
    assert.ok(box);
    await b.page.mouse.move(box.x + LABEL_WIDTH + (box.width - LABEL_WIDTH) * 0.5, box.y + 40);
    for (let i = 0; i < 8; i++) await b.page.mouse.wheel(0, -240);
    await b.page.waitForFunction(() => Number(new URL(location.href).searchParams.get('e')) - Number(new URL(location.href).searchParams.get('b')) < 1e8, undefined, { timeout: 5000 });
    await b.page.waitForTimeout(500); // the last wheel events and the URL update
    const p = urlParams(b.page);
    const begin = Number(p.get('b'));
    const end = Number(p.get('e'));
    assert.ok(begin > info.start && end < info.end);

    // A thread busy in that range, selected by a click on its row.
    await b.page.fill('#thread-filter', 'multithread');
    const rows = await hook(b.page, 'rowLabels');
    // The filter matches every name a thread had (as --name does): the threads multithread forked.
    const names = new Map((await api<{ threads: { tid: number; name: string; names: string[] }[] }>(server, 'threads')).threads.map((t) => [`${t.name} ${t.tid}`, t.names]));
    assert.ok(rows.length > 1 && rows.length < labels.size, `${rows.length} rows`);
    for (const l of rows) assert.ok(/\(pid \d+\)$/.test(l) || names.get(l)?.includes('multithread'), `row ${l} does not match the filter`);
    await clickRow(b.page, 1);
    await b.page.waitForFunction(() => new URL(location.href).searchParams.has('tid'), undefined, { timeout: 5000 });
    await b.page.waitForTimeout(600);
    await b.screenshot('many-2-zoomed-filtered');

    const shared = new URL(b.page.url());
    const page2 = await b.context.newPage();
    await page2.goto(shared.href);
    await waitReady(page2);
    const s2 = await hook(page2, 'state');
    assert.equal(Math.round(s2.view.begin), begin);
    assert.equal(s2.selectedTid, Number(shared.searchParams.get('tid')));
    await page2.close();

    // Events of a small selection in the view.
    const sb = begin + (end - begin) * 0.4;
    const se = begin + (end - begin) * 0.42;
    await b.page.goto(`${server.url}?b=${begin}&e=${end}&sb=${Math.round(sb)}&se=${Math.round(se)}`);
    await waitReady(b.page);
    await b.page.click('[data-tab="events"]');
    await b.page.waitForFunction(() => /in the selection/.test(document.querySelector('.events-count')?.textContent ?? ''), undefined, { timeout: 20_000 });
    await checkEventsTable(b, server, trace, info, Math.round(sb), Math.round(se));
    await b.page.waitForTimeout(400);
    await b.screenshot('many-3-events');

    // Smoothness, measured and printed: zoom out to the whole trace and pan across it with all
    // rows' data arriving meanwhile.
    await b.page.click('[data-tab="events"]');
    const box2 = await b.page.locator('[data-panel="control-flow"] canvas').boundingBox();
    assert.ok(box2);
    await b.page.waitForTimeout(500); // long tasks are reported late: the screenshot's must come in first
    const longBefore = (await longTasks(b.page)).length;
    const frames = await frameIntervals(b.page, async () => {
      await b.page.mouse.move(box2.x + LABEL_WIDTH + 300, box2.y + 100);
      for (let i = 0; i < 12; i++) await b.page.mouse.wheel(0, 240);
      await b.page.mouse.down();
      for (let i = 0; i < 30; i++) await b.page.mouse.move(box2.x + LABEL_WIDTH + 300 - i * 10, box2.y + 100 + i * 4);
      await b.page.mouse.up();
      for (let i = 0; i < 8; i++) await b.page.mouse.wheel(0, -240);
      await b.page.waitForTimeout(300);
    });
    const all = await longTasks(b.page);
    const ms = (l: number[]): string => (l.length ? `${l.map((d) => d.toFixed(0)).join(', ')} ms` : 'none');
    process.stderr.write(`many-threads zoom/pan: ${describeIntervals(frames)}; main-thread tasks over 50 ms: first page load ${ms(firstLoad)}, during zoom/pan ${ms(all.slice(longBefore))}, before (reload with a selection, events) ${ms(all.slice(0, longBefore))}\n`);
    assert.deepEqual(b.errors, []);
  });
});

describe('web UI on a user-space trace with call stacks (recorded-here/b-cyg-profile)', { skip: skip || (haveCorpus() ? false : 'no shared trace corpus') }, () => {
  const trace = tracePath('recorded-here/b-cyg-profile');
  let server: Server;
  let b: Browser;

  before(async () => {
    ({ server, b } = await openServedPage([trace]));
  });
  after(async () => {
    await b?.close();
    await server?.stop();
  });

  test('flame chart and function statistics of a clicked thread; a frame shows its source line', async () => {
    const { threads } = await api<{ threads: { id: number; tid: number; name: string; hasCalls: boolean; ustEvents: number }[] }>(server, 'threads');
    const busiest = threads.filter((t) => t.hasCalls).sort((x, y) => y.ustEvents - x.ustEvents)[0];
    assert.ok(busiest, 'a thread with call stacks');
    const labels = await hook(b.page, 'rowLabels');
    const row = labels.indexOf(`${busiest.name} ${busiest.tid}`);
    assert.ok(row >= 0, `row of ${busiest.name} ${busiest.tid} in ${labels.join(' | ')}`);
    await clickRow(b.page, row);
    await b.page.waitForFunction((t) => new URL(location.href).searchParams.get('tid') === String(t), busiest.tid, { timeout: 5000 });
    await b.page.click('[data-tab="flame"]');
    await b.page.waitForFunction(() => (window as unknown as { tracelane: { flameFrames(): number } }).tracelane.flameFrames() > 0, undefined, { timeout: 20_000 });
    // The statistics table fills in after the frames: wait for it rather than count at once.
    await b.page.waitForFunction(() => document.querySelector('.flame-stats tbody tr') !== null, undefined, { timeout: 20_000 });
    const stats = await b.page.locator('.flame-stats tbody tr').count();
    assert.ok(stats > 0, 'per-function statistics');
    // The function with the most self time: a click on its row shows its source line, or says
    // why there is none (the recorded binary is not on every machine).
    const flame = await api<{ functions: { func: string; file: string; line: number; self: number }[] }>(server, `flame?row=${busiest.id}`);
    const top = [...flame.functions].sort((x, y) => y.self - x.self)[0]!;
    await b.page.locator('.flame-stats tbody tr').first().click();
    if (top.file) {
      await b.page.waitForFunction((line) => (document.querySelector('.flame .source-title')?.textContent ?? '').includes(`:${line}`), top.line, { timeout: 10_000 });
    } else {
      await b.page.waitForFunction((f) => (document.querySelector('.flame .source-title')?.textContent ?? '') === f, top.func, { timeout: 10_000 });
    }
    await b.page.waitForTimeout(300);
    await b.screenshot('cyg-1-flame');
    assert.deepEqual(b.errors, []);
  });
});
