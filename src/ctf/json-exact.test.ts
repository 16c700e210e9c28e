import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonWithBigints, stringifyExact } from './json-exact.js';

test('bigints anywhere in a document are written as exact integers', () => {
  const doc = { a: 2n ** 64n + 1n, list: [1n, -(2n ** 70n), { deep: [3n] }], s: '{"$bigint":"1"}', n: 1.5, none: null };
  assert.equal(
    jsonWithBigints(doc),
    '{"a":18446744073709551617,"list":[1,-1180591620717411303424,{"deep":[3]}],"s":"{\\"$bigint\\":\\"1\\"}","n":1.5,"none":null}',
  );
});

test('bigint markers already in the document are written as numbers too', () => {
  assert.equal(jsonWithBigints({ t: { $bigint: '-12' }, u: 7n }), '{"t":-12,"u":7}');
  assert.equal(stringifyExact({ t: { $bigint: '123456789012345678901' } }), '{"t":123456789012345678901}');
});

test('documents without bigints are plain JSON', () => {
  const doc = { rows: [{ tid: 1, name: 'a"b', pct: 0.25 }], skipped: undefined };
  assert.equal(jsonWithBigints(doc), JSON.stringify(doc));
});

test('BigInt.prototype is left as it was, also when stringify throws', () => {
  const cyclic: Record<string, unknown> = { n: 1n };
  cyclic['self'] = cyclic;
  assert.throws(() => jsonWithBigints(cyclic), TypeError);
  assert.equal(Object.getOwnPropertyDescriptor(BigInt.prototype, 'toJSON'), undefined);
  assert.throws(() => JSON.stringify({ n: 1n }), TypeError);
  jsonWithBigints({ n: 1n });
  assert.equal('toJSON' in BigInt.prototype, false);
});
