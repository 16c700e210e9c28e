import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sortNumbers } from './stats.js';

test('sortNumbers: the same order as the builtin sort, by radix or not', () => {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const cases: ((i: number) => number)[] = [
    () => Math.floor(rand() * 1000),
    () => Math.floor(rand() ** 4 * 2 ** 47),
    (i) => (i % 3 === 0 ? 0 : Math.floor(rand() * 70000) * 65536),
    () => 5,
    () => Math.floor(rand() * 2 ** 49),
    () => rand() * 1000,
    () => Math.floor(rand() * 1000) - 500,
    (i) => (i === 17 ? -0 : Math.floor(rand() * 10)),
    (i) => (i === 5 ? Number.NaN : Math.floor(rand() * 10)),
    (i) => (i === 5 ? Infinity : Math.floor(rand() * 10)),
  ];
  for (const make of cases) {
    for (const n of [0, 1, 2, 100, 70_000]) {
      const values = Float64Array.from({ length: n }, (_, i) => make(i));
      const expected = values.slice().sort();
      sortNumbers(values);
      assert.deepEqual(values, expected);
      for (let i = 0; i < n; i++) assert.ok(Object.is(values[i], expected[i]));
    }
  }
});
