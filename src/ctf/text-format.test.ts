import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IntegerClass } from './model.js';
import { formatFloat, formatInt, hexUpper, quote } from './text-format.js';

const int = (size: number, signed: boolean, base: IntegerClass['base']): IntegerClass => ({
  kind: 'int',
  size,
  align: 8,
  signed,
  byteOrder: 'le',
  base,
  encoding: 'none',
});

test('integers print in their display base like babeltrace2', () => {
  assert.equal(formatInt(255, int(32, false, 16)), '0xFF');
  assert.equal(formatInt(-1, int(8, true, 16)), '0xFF');
  assert.equal(formatInt(-2, int(12, true, 16)), '0xFFE');
  assert.equal(formatInt(-1, int(64, true, 16)), '0xFFFFFFFFFFFFFFFF');
  assert.equal(formatInt(8, int(16, false, 8)), '010');
  assert.equal(formatInt(0, int(16, false, 8)), '00');
  assert.equal(formatInt(-1, int(16, true, 8)), '0777777');
  assert.equal(formatInt(-1, int(64, true, 8)), '01777777777777777777777');
  assert.equal(formatInt(5, int(8, false, 2)), '0b00000101');
  assert.equal(formatInt(-3, int(8, true, 2)), '0b11111101');
  assert.equal(formatInt(18446744073709551615n, int(64, false, 10)), '18446744073709551615');
});

test('floats follow glibc %g, ties to even included', () => {
  const cases: [number, string][] = [
    [Math.fround(0.1), '0.1'],
    [1e20, '1e+20'],
    [123456789, '1.23457e+08'],
    [-0, '-0'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [100000, '100000'],
    [999999.5, '1e+06'],
    [5e-324, '4.94066e-324'],
    [2 ** 53, '9.0072e+15'],
    [3, '3'],
    [1234565, '1.23456e+06'],
    [123456.5, '123456'],
  ];
  for (const [v, s] of cases) assert.equal(formatFloat(v), s, `value ${v}`);
});

test('strings are quoted with C escapes', () => {
  assert.equal(quote('how are you?'), '"how are you\\?"');
  assert.equal(quote("I'm"), '"I\\\'m"');
  assert.equal(quote('tab\there\n"q"\\'), '"tab\\there\\n\\"q\\"\\\\"');
  assert.equal(quote('\x01\x1b\x7f'), '"\\x01\\e\\x7f"');
  assert.equal(quote('é€'), '"é€"');
});

test('hex digits of whole numbers up to 2^53 match toString(16)', () => {
  for (const v of [0, 9, 15, 16, 255, 256, 65535, 2 ** 31, 4294967295, 4294967296, 0x558424f78a88, 2 ** 52 + 12345, 2 ** 53 - 1]) {
    assert.equal(hexUpper(v), v.toString(16).toUpperCase(), String(v));
  }
});
