/**
 * The side-by-side comparison in the browser: `tracelane serve --compare` on the demo trace
 * (calcjob, kernel + user space) and the user-space half of the same recording (its own trace
 * set, whose start is the first user-space event, 136 ms after the kernel trace's), in Debian's
 * Chromium. The summary on top must be what `tracelane compare --json` says for the same pair;
 * zooming, panning and selecting in one side must move the other to the same offsets from its
 * program's start (the run `tracelane compare --json` gives each side; not the same absolute
 * times), or, aligned on the traces' starts, from its trace's start; selecting a thread selects
 * its matched thread. Screenshots go to a temporary folder (`TRACELANE_E2E_SHOTS=DIR` keeps them).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { repoRoot } from '../src/testing/corpus.js';
import { tracelane } from '../src/testing/run.js';
import { browserMissing, openBrowser, startServer, type Browser, type Server } from './e2e-web-support.js';

// Browser globals inside page.evaluate / waitForFunction callbacks (the tests' tsconfig has no DOM lib).
declare const window: unknown;
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  querySelectorAll(s: string): ArrayLike<{ dataset: Record<string, string | undefined>; getAttribute(a: string): string | null }>;
};

const BEFORE = join(repoRoot, 'examples', 'demo-trace');
const AFTER = join(BEFORE, 'ust');
const ROW_HEIGHT = 20;
const LABEL_WIDTH = 230;

const webDir = process.env['TRACELANE_WEB_DIR'] ?? join(repoRoot, 'dist', 'web');
const missing = browserMissing() ?? (existsSync(join(webDir, 'compare.html')) ? undefined : `the compare page is not built (${join(webDir, 'compare.html')})`);
if (missing && process.env['CI'] === 'true') throw new Error(`the web compare test cannot run in CI: ${missing}`);

interface Range {
  begin: number;
  end: number;
}
interface FrameState {
  trace: Range;
  view: Range;
  selection?: Range;
  selectedTid?: number;
}
interface CompareJson {
  summary: { id: string }[];
  metrics: { id: string; before: number | null; after: number | null }[];
  threads: { label: string; before: { tid: number } | null; after: { tid: number } | null }[];
}

async function frameState(f: Frame): Promise<FrameState> {
  return (await f.evaluate(() => (window as { tracelane: { state(): unknown } }).tracelane.state())) as FrameState;
}

type Side = 'before' | 'after';
/** What the offsets count from on each side (ns from that side's origin, as the page's times). */
type Anchors = Record<Side, number>;

/** Offsets from the side's anchor. */
function relative(r: Range, anchor: number): Range {
  return { begin: r.begin - anchor, end: r.end - anchor };
}

/** Each side's program run in `tracelane compare --json` (ns since the epoch, all its digits). */
function programRuns(json: string): Record<Side, { begin: bigint; end: bigint }> {
  const runs = [...json.matchAll(/"run":\{"begin":(\d+),"end":(\d+)\}/g)].map((m) => ({ begin: BigInt(m[1]!), end: BigInt(m[2]!) }));
  assert.equal(runs.length, 2, 'both sides have a program run');
  return { before: runs[0]!, after: runs[1]! };
}

function side(page: Page, name: 'before' | 'after'): Frame {
  const f = page.frames().find((x) => new URL(x.url()).pathname.endsWith(`/${name}/`));
  assert.ok(f, `the ${name} frame`);
  return f;
}

/** Waits until the two sides show the same range relative to their anchors (the relay takes a frame or two). */
async function inStep(page: Page, anchors: Anchors, what: (s: FrameState) => Range | undefined): Promise<[FrameState, FrameState]> {
  let last: [FrameState, FrameState] | undefined;
  for (let i = 0; i < 100; i++) {
    last = [await frameState(side(page, 'before')), await frameState(side(page, 'after'))];
    const [a, b] = [what(last[0]), what(last[1])];
    if (a && b) {
      const ra = relative(a, anchors.before);
      const rb = relative(b, anchors.after);
      if (Math.abs(ra.begin - rb.begin) < 1 && Math.abs(ra.end - rb.end) < 1) return last;
    }
    await page.waitForTimeout(50);
  }
  assert.fail(`the sides never showed the same offsets: ${JSON.stringify(last)}`);
}

describe('tracelane serve --compare: two traces side by side', { skip: missing ?? false }, () => {
  let server: Server;
  let b: Browser;
  let cli: CompareJson;
  /** Each side's program start and trace start, in that side's times. */
  let program: Anchors;
  let traceStart: Anchors;

  before(async () => {
    const [s, r] = await Promise.all([startServer([BEFORE, AFTER], ['--compare', '--no-cache']), tracelane(['compare', BEFORE, AFTER, '--json'])]);
    server = s;
    assert.equal(r.code, 0, r.stderr);
    cli = JSON.parse(r.stdout) as CompareJson;
    b = await openBrowser();
    await b.page.setViewportSize({ width: 1500, height: 1300 });
    await b.page.goto(server.url);
    await b.page.waitForFunction(() => document.body.dataset['ready'] !== undefined && document.body.dataset['sides'] === 'ready', undefined, { timeout: 60_000 });
    assert.equal(await b.page.evaluate(() => document.body.dataset['ready']), 'true');
    // Each side's times count from its trace set's origin (ns since the epoch, in /api/trace).
    const runs = programRuns(r.stdout);
    // The run is what the wall time measures; both sides' come from the same recording's
    // user-space events (the after side has nothing else), so they are the same times.
    const wall = cli.metrics.find((m) => m.id === 'wall');
    assert.equal(Number(runs.before.end - runs.before.begin), wall?.before);
    assert.equal(Number(runs.after.end - runs.after.begin), wall?.after);
    assert.deepEqual(runs.before, runs.after);
    const origin = async (name: Side) => BigInt(((await (await fetch(`${server.url}${name}/api/trace`)).json()) as { origin: string }).origin);
    const [ob, oa] = [await origin('before'), await origin('after')];
    program = { before: Number(runs.before.begin - ob), after: Number(runs.after.begin - oa) };
    traceStart = { before: (await frameState(side(b.page, 'before'))).trace.begin, after: (await frameState(side(b.page, 'after'))).trace.begin };
  });
  after(async () => {
    await b?.close();
    await server?.stop();
  });

  test('the summary on top is what tracelane compare --json says for the same pair', async () => {
    const shown = await b.page.evaluate(() => (window as { tracelaneCompare: { comparison(): unknown } }).tracelaneCompare.comparison());
    assert.deepEqual(shown, cli);
    assert.ok(cli.metrics.length > 10, 'lock and span figures are compared');
    const rows = (sel: string) => b.page.evaluate((s) => Array.from(document.querySelectorAll(s), (r) => r.dataset['metric']), sel);
    assert.deepEqual(
      await rows('#compare-largest tr[data-metric]'),
      cli.summary.map((m) => m.id),
    );
    // Every figure in the folded table, but those 0 on both sides (as the text report).
    assert.deepEqual(
      await rows('.compare-details tr[data-metric]'),
      cli.metrics.filter((m) => (m.before ?? 0) !== 0 || (m.after ?? 0) !== 0).map((m) => m.id),
    );
    await b.screenshot('compare-1-opened');
  });

  test("by default both sides count from their program's start and show both traces whole, at the same offsets and scale", async () => {
    assert.equal(await b.page.evaluate(() => document.body.dataset['align']), 'program');
    assert.equal(await b.page.evaluate(() => document.querySelectorAll('#compare-align button[aria-pressed="true"]')[0]?.dataset['align']), 'program');
    const [x, y] = await inStep(b.page, program, (s) => s.view);
    // The kernel trace starts before the program: the before side shows negative offsets.
    assert.ok(x.trace.begin < program.before && program.before < x.trace.end, JSON.stringify({ x, program }));
    // The user-space trace starts with the program's first event.
    assert.equal(program.after, y.trace.begin);
    // Both traces whole: from the earlier start to the later end, relative to the programs.
    const first = Math.min(x.trace.begin - program.before, y.trace.begin - program.after);
    const lastEnd = Math.max(x.trace.end - program.before, y.trace.end - program.after);
    const v = relative(x.view, program.before);
    assert.ok(Math.abs(v.begin - first) < 1 && Math.abs(v.end - lastEnd) < 1, JSON.stringify({ v, first, lastEnd }));
  });

  test('zooming one side moves the other to the same relative offsets, both ways', async () => {
    const f = b.page.frameLocator('.compare-side[data-side="before"] iframe');
    const box = await f.locator('[data-panel="control-flow"] canvas').boundingBox();
    assert.ok(box);
    const [start] = await inStep(b.page, program, (s) => s.view);
    await b.page.mouse.move(box.x + LABEL_WIDTH + (box.width - LABEL_WIDTH) * 0.35, box.y + 30);
    for (let i = 0; i < 4; i++) await b.page.mouse.wheel(0, -200);
    let [x, y] = await inStep(b.page, program, (s) => (s.view.end - s.view.begin < start.view.end - start.view.begin ? s.view : undefined));
    const zoomed = relative(x.view, program.before);
    assert.ok(zoomed.end - zoomed.begin < 0.8 * (start.view.end - start.view.begin), `zoomed in: ${JSON.stringify(zoomed)}`);
    // The same offsets from each program's start (from tracelane compare --json), not the same
    // times since each trace's start: these differ by 136 ms here.
    assert.ok(Math.abs(y.view.begin - (program.after + zoomed.begin)) < 1 && Math.abs(y.view.end - (program.after + zoomed.end)) < 1, JSON.stringify({ y, zoomed, program }));
    assert.ok(Math.abs(y.view.begin - y.trace.begin - (x.view.begin - x.trace.begin)) > 1e6, 'not the same offsets from the traces’ starts');
    await b.screenshot('compare-2-zoomed-before');

    // Zooming out over the after side moves the before side.
    const afterBox = await b.page.frameLocator('.compare-side[data-side="after"] iframe').locator('[data-panel="control-flow"] canvas').boundingBox();
    assert.ok(afterBox);
    await b.page.mouse.move(afterBox.x + LABEL_WIDTH + (afterBox.width - LABEL_WIDTH) * 0.6, afterBox.y + 30);
    await b.page.mouse.wheel(0, 200);
    [x, y] = await inStep(b.page, program, (s) => (s.view.end - s.view.begin > zoomed.end - zoomed.begin + 1 ? s.view : undefined));
    const out = relative(y.view, program.after);
    assert.ok(Math.abs(x.view.begin - (program.before + out.begin)) < 1 && Math.abs(x.view.end - (program.before + out.end)) < 1);
    // The compare page's URL keeps the offsets.
    await b.page.waitForTimeout(100);
    const url = new URL(b.page.url());
    assert.equal(Number(url.searchParams.get('b')), Math.round(out.begin));
  });

  test('a range selected in one side is selected at the same offsets in the other', async () => {
    const axis = await b.page.frameLocator('.compare-side[data-side="after"] iframe').locator('canvas.time-axis').boundingBox();
    assert.ok(axis);
    const w = axis.width - LABEL_WIDTH;
    await b.page.mouse.move(axis.x + LABEL_WIDTH + w * 0.3, axis.y + 15);
    await b.page.mouse.down();
    await b.page.mouse.move(axis.x + LABEL_WIDTH + w * 0.6, axis.y + 15, { steps: 5 });
    await b.page.mouse.up();
    const [x, y] = await inStep(b.page, program, (s) => s.selection);
    assert.ok(x.selection && y.selection);
    await b.screenshot('compare-3-selection');
  });

  test("aligned on the traces' starts: the before side stays, the after side follows, and zooming keeps the offsets from each trace's start", async () => {
    const [x0] = await inStep(b.page, program, (s) => s.view);
    await b.page.click('#compare-align button[data-align="trace"]');
    await b.page.waitForFunction(() => document.body.dataset['align'] === 'trace');
    const [moved] = await inStep(b.page, traceStart, (s) => s.view);
    assert.ok(Math.abs(moved.view.begin - x0.view.begin) < 1 && Math.abs(moved.view.end - x0.view.end) < 1, 'the before side did not move');
    assert.equal(new URL(b.page.url()).searchParams.get('align'), 'trace');
    const f = b.page.frameLocator('.compare-side[data-side="after"] iframe');
    const box = await f.locator('[data-panel="control-flow"] canvas').boundingBox();
    assert.ok(box);
    await b.page.mouse.move(box.x + LABEL_WIDTH + (box.width - LABEL_WIDTH) * 0.5, box.y + 30);
    for (let i = 0; i < 2; i++) await b.page.mouse.wheel(0, -200);
    const [x, y] = await inStep(b.page, traceStart, (s) => (s.view.end - s.view.begin < x0.view.end - x0.view.begin - 1 ? s.view : undefined));
    const v = relative(y.view, traceStart.after);
    assert.ok(Math.abs(x.view.begin - (traceStart.before + v.begin)) < 1 && Math.abs(x.view.end - (traceStart.before + v.end)) < 1);
    await b.screenshot('compare-5-trace-start');
    // Back to the programs' starts.
    await b.page.click('#compare-align button[data-align="program"]');
    await b.page.waitForFunction(() => document.body.dataset['align'] === 'program');
    await inStep(b.page, program, (s) => s.view);
    assert.equal(new URL(b.page.url()).searchParams.get('align'), null);
  });

  test('selecting a thread selects its matched thread on the other side', async () => {
    const pair = cli.threads.find((t) => t.label === 'calcjob-w1');
    assert.ok(pair?.before && pair.after, 'calcjob-w1 is in both traces');
    const f = side(b.page, 'before');
    const labels = (await f.evaluate(() => (window as { tracelane: { rowLabels(): string[] } }).tracelane.rowLabels())) as string[];
    const row = labels.findIndex((l) => l.startsWith('calcjob-w1 '));
    assert.ok(row >= 0, labels.join(', '));
    const frame = b.page.frameLocator('.compare-side[data-side="before"] iframe');
    const scrollTop = await frame.locator('[data-panel="control-flow"] .timeline-scroll').evaluate((el, r) => {
      el.scrollTop = Math.max(0, r * 20 - 40);
      return el.scrollTop;
    }, row);
    await b.page.waitForTimeout(50);
    const box = await frame.locator('[data-panel="control-flow"] canvas').boundingBox();
    assert.ok(box);
    await b.page.mouse.click(box.x + LABEL_WIDTH + (box.width - LABEL_WIDTH) * 0.5, box.y + row * ROW_HEIGHT - scrollTop + ROW_HEIGHT / 2);
    let x: FrameState | undefined;
    let y: FrameState | undefined;
    for (let i = 0; i < 100 && !(y?.selectedTid === pair.after.tid && x?.selectedTid === pair.before.tid); i++) {
      await b.page.waitForTimeout(50);
      [x, y] = [await frameState(side(b.page, 'before')), await frameState(side(b.page, 'after'))];
    }
    assert.equal(x?.selectedTid, pair.before.tid);
    assert.equal(y?.selectedTid, pair.after.tid);
    await b.screenshot('compare-4-thread');
  });

  test('the compare URL keeps the view and the alignment', async () => {
    const url = new URL(b.page.url());
    url.searchParams.set('align', 'trace');
    url.searchParams.set('b', '150000000');
    url.searchParams.set('e', '190000000');
    await b.page.goto(url.href);
    await b.page.waitForFunction(() => document.body.dataset['ready'] === 'true' && document.body.dataset['sides'] === 'ready', undefined, { timeout: 60_000 });
    assert.equal(await b.page.evaluate(() => document.body.dataset['align']), 'trace');
    const [x] = await inStep(b.page, traceStart, (s) => s.view);
    assert.ok(Math.abs(x.view.begin - traceStart.before - 150e6) < 1 && Math.abs(x.view.end - traceStart.before - 190e6) < 1, JSON.stringify(x.view));
  });

  test('no console errors', () => {
    assert.deepEqual(b.errors, []);
    process.stderr.write(`screenshots: ${b.shots}\n`);
  });
});
