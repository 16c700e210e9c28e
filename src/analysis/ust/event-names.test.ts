import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../util/errors.js';
import { matchEventName } from './event-names.js';

test('event names on the command line: full, or without the provider when unambiguous', () => {
  const names = ['calcjob:job_start', 'calcjob:job_end', 'a:x', 'b:x'];
  assert.equal(matchEventName('calcjob:job_end', names, '--end-event'), 'calcjob:job_end');
  assert.equal(matchEventName('job_start', names, '--begin-event'), 'calcjob:job_start');
  assert.throws(() => matchEventName('x', names, '--begin-event'), (e: unknown) => e instanceof UsageError && /ambiguous: a:x, b:x/.test(e.message));
  assert.throws(() => matchEventName('nope', names, '--begin-event'), UsageError);
});
