/**
 * The page shows the reading's warnings (`/api/trace` `warnings`): two kernel traces (the demo
 * trace's perf kernel trace and tracevizlab/simple-kernel) make the server warn that only the
 * first feeds the kernel views, and the toolbar must say so. Same browser set-up as e2e-web.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { haveCorpus, repoRoot, tracePath } from '../src/testing/corpus.js';
import { browserMissing, openServedPage, type Browser, type Server } from './e2e-web-support.js';

const missing = browserMissing();
if (missing && process.env['CI'] === 'true') {
  test('browser tests can run (required in CI)', () => assert.fail(missing));
}
if (missing) process.stderr.write(`notice: web UI tests skipped: ${missing}\n`);
const skip = missing ? `cannot run the browser here: ${missing}` : haveCorpus() ? false : 'no shared trace corpus';

describe('web UI: the reading\'s warnings are shown', { skip }, () => {
  let server: Server;
  let b: Browser;

  before(async () => {
    ({ server, b } = await openServedPage([join(repoRoot, 'examples', 'demo-trace'), tracePath('tracevizlab/simple-kernel')]));
  });
  after(async () => {
    await b?.close();
    await server?.stop();
  });

  test('two kernel traces: the toolbar says which one feeds the kernel views', async () => {
    const r = await fetch(`${server.url}api/trace`);
    const trace = (await r.json()) as { warnings: string[] };
    const expected = trace.warnings.find((w) => /^2 kernel traces: only .*kernel-perf feeds the kernel views$/.test(w));
    assert.ok(expected, `server warnings: ${JSON.stringify(trace.warnings)}`);
    const banner = b.page.locator('#trace-warnings');
    assert.match((await banner.textContent()) ?? '', /2 kernel traces: only .*kernel-perf feeds the kernel views/);
    // Every warning is in the tooltip, one per line.
    assert.deepEqual(((await banner.getAttribute('title')) ?? '').split('\n'), trace.warnings);
    assert.deepEqual(b.errors, []);
  });
});
