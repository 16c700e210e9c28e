/**
 * Bad input gets one clear line on stderr (file, byte offset where known, what is wrong) and a
 * non-zero exit code: no stack trace, no hang. What is valid is still decoded.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { corpusTest, haveCorpus, tracePath, tracesDir } from '../src/testing/corpus.js';
import { tracelane, type RunResult } from '../src/testing/run.js';

const work = mkdtempSync(join(tmpdir(), 'tracelane-bad-'));
after(() => rmSync(work, { recursive: true, force: true }));

function assertOneLineError(r: RunResult, code: number, ...mustContain: string[]): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  const errors = lines.filter((l) => l.startsWith('tracelane:'));
  assert.ok(errors.length >= 1, `an error line: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  for (const s of mustContain) assert.ok(r.stderr.includes(s), `stderr mentions ${s}: ${r.stderr}`);
}

test('a missing path', async () => {
  const r = await tracelane(['events', join(work, 'nope')]);
  assertOneLineError(r, 1, join(work, 'nope'), 'no such file');
});

test('a folder with no trace', async () => {
  const empty = join(work, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'notes.txt'), 'hello');
  const r = await tracelane(['info', empty]);
  assertOneLineError(r, 1, empty, 'no CTF trace');
});

test('garbage metadata', async () => {
  const dir = join(work, 'garbage');
  mkdirSync(dir);
  writeFileSync(join(dir, 'metadata'), 'this is { not ;; TSDL');
  writeFileSync(join(dir, 'stream'), Buffer.alloc(64));
  const r = await tracelane(['events', dir]);
  assertOneLineError(r, 1, join(dir, 'metadata'));
});

test('bad command-line arguments are usage errors (exit 2)', async () => {
  assert.equal((await tracelane(['events'])).code, 2);
  assert.equal((await tracelane(['events', '--output', 'xml', '.'])).code, 2);
  assert.equal((await tracelane(['no-such-command'])).code, 2);
  const r = await tracelane(['events', '--cpu', 'two', '.']);
  assertOneLineError(r, 2, '--cpu');
});

test('a truncated stream file: valid packets decode, then one error names file and offset', corpusTest(), async () => {
  if (!haveCorpus()) return;
  const copy = join(work, 'truncated');
  cpSync(tracePath('tracevizlab/simple-kernel'), copy, { recursive: true });
  const stream = readdirSync(copy)
    .map((f) => join(copy, f))
    .filter((p) => statSync(p).isFile() && !p.endsWith('metadata'))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
  const size = statSync(stream).size;
  truncateSync(stream, Math.floor(size / 2) + 100);
  const full = await tracelane(['events', '--output', 'none', tracePath('tracevizlab/simple-kernel')]);
  const r = await tracelane(['events', '--output', 'none', copy]);
  assertOneLineError(r, 1, stream, 'at byte');
  const decoded = Number(/^(\d+) events/.exec(r.stdout)?.[1]);
  const total = Number(/^(\d+) events/.exec(full.stdout)?.[1]);
  assert.ok(decoded > 0 && decoded < total, `some events decoded (${decoded} of ${total})`);
});

test('every babeltrace "fail" trace: exit 1 with a one-line error naming the file', corpusTest(), async () => {
  if (!haveCorpus()) return;
  const failDir = join(tracesDir, 'babeltrace/ctf-traces/fail');
  for (const name of readdirSync(failDir).sort()) {
    const path = join(failDir, name);
    const r = await tracelane(['events', path]);
    assertOneLineError(r, 1, path);
  }
});
