import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonArray, JsonObject, JsonSyntaxError, parseJson } from './json.js';

const bytes = (s: string) => new TextEncoder().encode(s);

test('integers are exact bigints, other numbers are numbers', () => {
  const v = parseJson(bytes('[18446744073709551615, -9223372036854775808, 0, 1.5, 2e3, -0.25]')).value;
  assert.ok(v instanceof JsonArray);
  assert.deepEqual(
    v.items.map((i) => i.value),
    [18446744073709551615n, -9223372036854775808n, 0n, 1.5, 2000, -0.25],
  );
});

test('object keys keep their written order, even index-like ones', () => {
  const v = parseJson(bytes('{"b": 1, "10": 2, "a": 3, "2": 4}')).value;
  assert.ok(v instanceof JsonObject);
  assert.deepEqual([...v.props.keys()], ['b', '10', 'a', '2']);
});

test('values remember their byte offsets, counted in UTF-8 bytes', () => {
  const v = parseJson(bytes('{"é": "ü", "k": [true, null]}')).value;
  assert.ok(v instanceof JsonObject);
  // { " é(2 bytes) " : space " ü " , space " k " : space
  assert.equal(v.props.get('é')?.offset, 7);
  assert.equal(v.props.get('k')?.offset, 18);
  const k = v.props.get('k')!.value;
  assert.ok(k instanceof JsonArray);
  assert.deepEqual(k.items.map((i) => i.offset), [19, 25]);
});

test('string escapes, including surrogate pairs', () => {
  const v = parseJson(bytes(String.raw`"a\"b\\c\/d\n\t\u00e9\ud83d\ude00"`)).value;
  assert.equal(v, 'a"b\\c/d\n\té😀');
});

test('a window of a larger buffer can be parsed', () => {
  const buf = bytes('xx {"a": 1} yy');
  const v = parseJson(buf, 2, 12);
  assert.equal(v.offset, 3);
});

test('syntax errors carry the byte offset', () => {
  const cases: [string, number, RegExp][] = [
    ['{"a": 1,}', 8, /unexpected '}'/],
    ['{"a": 1} x', 9, /after the JSON value/],
    ['{"a": 1, "a": 2}', 9, /duplicate property "a"/],
    ['[1, 2', 5, /unexpected end/],
    ['"a\u0001"', 2, /control character/],
    ['01', 1, /after the JSON value/],
    ['{"a": tru}', 9, /unexpected '}'/],
  ];
  for (const [text, offset, message] of cases) {
    assert.throws(
      () => parseJson(bytes(text)),
      (e: unknown) => e instanceof JsonSyntaxError && e.offset === offset && message.test(e.message),
      text,
    );
  }
});

test('invalid UTF-8 inside a string is an error', () => {
  const buf = Uint8Array.from([0x22, 0x61, 0xff, 0x22]);
  assert.throws(() => parseJson(buf), /invalid UTF-8/);
});

test('deep nesting is refused instead of overflowing the stack', () => {
  assert.throws(() => parseJson(bytes('['.repeat(10000))), /nested too deeply/);
});
