import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkedF64, ChunkedI32, ChunkedU8 } from './growable.js';

test('chunked columns: rows across chunk boundaries read back, set and finish in order', () => {
  const f = new ChunkedF64();
  const i = new ChunkedI32();
  const u = new ChunkedU8();
  const n = 200_000; // three full chunks of 65536 rows and part of a fourth
  for (let k = 0; k < n; k++) {
    assert.equal(f.push(k + 0.5), k);
    i.push(-k);
    u.push(k & 0xff);
  }
  f.set(65536, -1);
  i.set(131071, 7);
  u.set(0, 200);
  assert.equal(f.get(65535), 65535.5);
  assert.equal(f.get(65536), -1);
  assert.equal(i.get(131071), 7);
  const ff = f.finish();
  const ii = i.finish();
  const uu = u.finish();
  assert.equal(ff.length, n);
  assert.equal(ii.length, n);
  assert.equal(uu.length, n);
  assert.equal(ff[n - 1], n - 0.5);
  assert.equal(ff[65536], -1);
  assert.equal(ii[131071], 7);
  assert.equal(ii[131072], -131072);
  assert.equal(uu[0], 200);
  assert.equal(uu[n - 1], (n - 1) & 0xff);
  assert.equal(new ChunkedF64().finish().length, 0);
});
