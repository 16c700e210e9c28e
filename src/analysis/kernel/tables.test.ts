import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyscallTableBuilder } from './tables.js';

test('syscall table: rows across its chunks (1024, 2048, … rows) come out in order', () => {
  const b = new SyscallTableBuilder();
  const n = 150_000;
  for (let k = 0; k < n; k++) b.add(k, k + 1, k % 7, k % 300, -k, k * 2, Number.NaN);
  const t = b.finish();
  assert.equal(t.length, n);
  for (const k of [0, 1023, 1024, 3071, 3072, 65535, 131071, n - 1]) {
    assert.equal(t.start[k], k);
    assert.equal(t.end[k], k + 1);
    assert.equal(t.thread[k], k % 7);
    assert.equal(t.id[k], k % 300);
    assert.equal(t.ret[k], -k);
    assert.equal(t.arg0[k], k * 2);
    assert.ok(Number.isNaN(t.arg1[k]));
  }
  assert.equal(new SyscallTableBuilder().finish().length, 0);
});
