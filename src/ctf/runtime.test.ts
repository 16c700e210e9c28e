import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBitsBE, readBitsLE, toSigned, updateClock, type DecodeState } from './runtime.js';

test('little-endian bit fields start at the least significant bit of the byte', () => {
  // 0b1010_1101: the low 5 bits are 0b01101 = 13, the next 3 are 0b101 = 5.
  const u8 = new Uint8Array([0xad, 0xff]);
  assert.equal(readBitsLE(u8, 0, 5), 13);
  assert.equal(readBitsLE(u8, 5, 3), 5);
  assert.equal(readBitsLE(u8, 5, 6), 0b111101);
});

test('big-endian bit fields start at the most significant bit of the byte', () => {
  const u8 = new Uint8Array([0xad, 0x0f]);
  assert.equal(readBitsBE(u8, 0, 4), 0xa);
  assert.equal(readBitsBE(u8, 4, 4), 0xd);
  assert.equal(readBitsBE(u8, 4, 8), 0xd0);
});

test('64-bit fields beyond 2^53 stay exact as bigint', () => {
  const u8 = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]);
  assert.equal(readBitsLE(u8, 0, 64), 0xffffffffffffffffn);
  assert.equal(toSigned(readBitsLE(u8, 0, 64), 64), -1);
  assert.equal(readBitsLE(u8, 4, 64), 0x0fffffffffffffffn);
});

test('signed values use two\'s complement of their size', () => {
  assert.equal(toSigned(0b111, 3), -1);
  assert.equal(toSigned(0b011, 3), 3);
});

function state(hi: number, lo: number): DecodeState {
  const buf = Buffer.alloc(0);
  return { u8: buf, dv: new DataView(buf.buffer), buf, pos: 0, limit: 0, clockHi: hi, clockLo: lo, strEnd: 0 };
}

test('a narrower timestamp replaces the low bits and counts one wrap when they go down', () => {
  const st = state(0, 0x12345678);
  updateClock(st, 0x7ffffff, 27);
  assert.equal(st.clockLo, 0x17ffffff);
  updateClock(st, 5, 27); // wrapped
  assert.equal(st.clockLo, 0x18000005);
  const top = state(0, 0xffffffff);
  updateClock(top, 1, 32);
  assert.deepEqual([top.clockHi, top.clockLo], [1, 1]);
});
