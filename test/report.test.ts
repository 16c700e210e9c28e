/** `tracelane report` (what `npm start` runs): the first look at the bundled demo trace. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, haveCorpus, tracePath } from '../src/testing/corpus.js';
import { tracelane } from '../src/testing/run.js';

test('report on the demo trace: every section, focused on the recorded program', async () => {
  const r = await tracelane(['report']);
  assert.equal(r.code, 0, r.stderr);
  for (const title of ['Trace', 'Threads (by CPU time)', 'CPU usage', 'Who blocked, and who woke them', 'Lock contention']) {
    assert.match(r.stdout, new RegExp(`^== ${title.replace(/[()]/g, '\\$&')} =+$`, 'm'));
  }
  assert.match(r.stdout, /recorded program: calcjob/);
  assert.match(r.stdout, /calcjob-w0/);
  assert.match(r.stdout, /result_queue/);
  assert.doesNotMatch(r.stdout, /not available/);
});

test('report on a user-space-only trace says which sections do not apply', corpusTest(), async () => {
  if (!haveCorpus()) return;
  const r = await tracelane(['report', tracePath('recorded-here/c-pthread-wrapper')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /== CPU usage =+\n\(not available: .+\)/);
  assert.match(r.stdout, /== Lock contention/);
});
