import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { IntervalTable } from './interval-table.js';
import { pruneCacheDir, readCacheFile, writeCacheFile } from './cache-file.js';

const dir = mkdtempSync(join(tmpdir(), 'tracelane-cache-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a value comes back with its typed arrays, maps, sets, bigints, non-finite numbers and interval tables', () => {
  const table = new IntervalTable(new Int32Array([0, 2]), new Float64Array([0, 5]), new Float64Array([5, 9]), new Uint8Array([1, 2]), new Int32Array([-1, 3]), new Int32Array([0, 1]), 9);
  const value = { a: new Float64Array([1.5, NaN]), m: new Map([[1, 'x']]), s: new Set(['y']), b: 2n ** 70n, n: -Infinity, t: table, u: new Uint8Array([7]) };
  const file = join(dir, 'value.tlcache');
  writeCacheFile(file, value);
  const back = readCacheFile(file) as typeof value;
  assert.deepEqual(back.a, value.a);
  assert.deepEqual(back.m, value.m);
  assert.deepEqual(back.s, value.s);
  assert.equal(back.b, value.b);
  assert.equal(back.n, -Infinity);
  assert.ok(back.t instanceof IntervalTable);
  assert.deepEqual(back.t.arg, table.arg);
  assert.equal(back.t.endTime, 9);
  assert.deepEqual(back.u, value.u);
  assert.equal(readCacheFile(join(dir, 'missing.tlcache')), undefined);
});

test('the folder is kept under its budget: least recently used files go first, the new one stays', () => {
  const sub = mkdtempSync(join(dir, 'budget-'));
  const blob = (kb: number) => ({ data: new Uint8Array(kb * 1024) });
  const path = (n: string) => join(sub, `${n}.tlcache`);
  writeCacheFile(path('old'), blob(1));
  writeCacheFile(path('used'), blob(1));
  writeCacheFile(path('mid'), blob(1));
  // Ages: old < used < mid, then reading `used` makes it the most recent.
  const t0 = Date.now() / 1000;
  utimesSync(path('old'), t0 - 300, t0 - 300);
  utimesSync(path('used'), t0 - 200, t0 - 200);
  utimesSync(path('mid'), t0 - 100, t0 - 100);
  assert.ok(readCacheFile(path('used')));
  // Room for about two files: `old` (least recent) goes, then `mid`; `used` and the new one stay.
  writeCacheFile(path('new'), blob(1));
  pruneCacheDir(sub, path('new'), 2.5 * 1024 + 200);
  assert.deepEqual(['old', 'used', 'mid', 'new'].map((n) => existsSync(path(n))), [false, true, false, true]);
  // A file larger than the whole budget is still kept when it is the one just written.
  pruneCacheDir(sub, path('new'), 10);
  assert.deepEqual(['used', 'new'].map((n) => existsSync(path(n))), [false, true]);
});
