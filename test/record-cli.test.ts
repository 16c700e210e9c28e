/**
 * `tracelane record` refuses bad requests before starting anything: usage errors (exit 2) and
 * one-line errors naming what is missing (exit 1). None of these needs LTTng.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cliPath } from '../src/testing/corpus.js';
import { run, tracelane } from '../src/testing/run.js';

const dir = mkdtempSync(join(tmpdir(), 'tracelane-record-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('no command: usage error', async () => {
  const r = await tracelane(['record']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /missing required argument/);
});

test('bad option values: usage errors naming the option', async () => {
  for (const [args, re] of [
    [['--kernel=maybe', '--', '/bin/true'], /--kernel takes auto, lttng or perf/],
    [['--subbuf-size', '3M', '--', '/bin/true'], /--subbuf-size must be a power of two/],
    [['--no-syscalls', '--', '/bin/true'], /--no-syscalls only makes sense with --kernel/],
  ] as const) {
    const r = await tracelane(['record', ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});

test('command not found: one line, exit 1, nothing started', async () => {
  for (const cmd of ['/nonexistent/calcjob', 'no-such-command-tracelane']) {
    const r = await tracelane(['record', '-o', join(dir, 'never'), '--', cmd]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `tracelane: error: command not found: ${cmd}\n`);
  }
});

test('lttng not installed: says which package to install', async () => {
  const empty = join(dir, 'empty-path');
  mkdirSync(empty, { recursive: true });
  const r = await run(process.execPath, [cliPath, 'record', '-o', join(dir, 'never2'), '--', '/bin/true'], { PATH: empty });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^tracelane: error: LTTng is not installed .*install the Debian\/Ubuntu package lttng-tools/);
});

test('an output folder that is not empty is refused', async () => {
  const out = join(dir, 'full');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'keep-me'), 'x');
  const r = await tracelane(['record', '-o', out, '--', '/bin/true']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /exists and is not empty/);
});
