import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, tracePath } from '../testing/corpus.js';
import { escapedBytes } from './runtime.js';
import { quote, TextFormatter } from './text-format.js';
import {
  ByteWriter,
  encodeText,
  writeDecimal,
  writeHexDigits,
  writeInt32,
  writePad9,
  writeQuoted,
  writeText,
  writeUint32,
} from './text-writer.js';
import { TraceSet } from './trace-set.js';

/** What one primitive writer writes, as a string (they are all ASCII). */
function written(write: (d: DataView, p: number) => number): string {
  const w = new ByteWriter(64);
  const end = write(w.dv, 3);
  return w.buf.toString('latin1', 3, end);
}

test('decimal writers print what String() prints', () => {
  const numbers = [
    0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 65535, 99999999, 100000000, 999999999, 1000000000, 2 ** 31 - 1, 2 ** 31,
    2 ** 32 - 1, 2 ** 32, 1e12 + 7, 2 ** 53 - 1, 2 ** 53, 1e21, -1, -10, -2147483648, -4294967295, -(2 ** 53 - 1), -0,
  ];
  for (const v of numbers) assert.equal(written((d, p) => writeDecimal(d, p, v)), String(v), `${v}`);
  const bigints = [2n ** 64n - 1n, -(2n ** 63n), 2n ** 53n, 10n ** 30n];
  for (const v of bigints) assert.equal(written((d, p) => writeDecimal(d, p, v)), String(v), `${v}`);
  for (let i = 0; i < 2000; i++) {
    const v = Math.floor(Math.random() * 2 ** (1 + (i % 32)));
    assert.equal(written((d, p) => writeUint32(d, p, v)), String(v));
    assert.equal(written((d, p) => writeInt32(d, p, -v)), String(-v));
  }
});

test('nanoseconds are padded to 9 digits', () => {
  const cases: [number, string][] = [
    [0, '000000000'],
    [5, '000000005'],
    [11540, '000011540'],
    [100000000, '100000000'],
    [123456789, '123456789'],
    [999999999, '999999999'],
  ];
  for (const [v, s] of cases) assert.equal(written((d, p) => writePad9(d, p, v)), s);
});

test('hex digits match toString(16) in uppercase', () => {
  for (const v of [0, 1, 0xf, 0x10, 0xff, 0x100, 0x2400, 0xfffffff, 0x10000000, 2 ** 32 - 1, 2 ** 32, 0x7f538b02b5e0, 2 ** 53 - 1]) {
    assert.equal(written((d, p) => writeHexDigits(d, p, v)), v.toString(16).toUpperCase(), v.toString(16));
  }
});

/** The bytes of the string path: `quote`, then UTF-8 with escaped raw bytes as themselves. */
function quotedBytes(s: string): Buffer {
  const w = new ByteWriter(4);
  writeQuoted(w, s);
  return Buffer.from(w.bytes());
}

test('quoted strings: C escapes, \\xNN, UTF-8, raw bytes written back', () => {
  const strings = ['', 'swapper/0', 'how are you?', "it's \"x\"\\", '\x07\b\t\n\v\f\r\x1b', '\x00\x01\x1f\x7f', 'é€ü', '😀 pair', '\ud800 lone high', 'lone low \udc00'];
  for (const s of strings) assert.deepEqual(quotedBytes(s), Buffer.from(quote(s), 'utf8'), JSON.stringify(s));
  assert.equal(quotedBytes('a?b').toString(), '"a\\?b"');
  assert.equal(quotedBytes('\x02').toString(), '"\\x02"');
  // A byte that was not UTF-8 (decoded as U+DC80 + byte) comes out as that byte.
  const saved = escapedBytes.seen;
  try {
    escapedBytes.seen = true;
    assert.deepEqual(quotedBytes('a\udcffb'), Buffer.from([0x22, 0x61, 0xff, 0x62, 0x22]));
    assert.deepEqual(quotedBytes('\ud83d\ude00'), Buffer.from('"😀"'));
    assert.deepEqual(encodeText('x\udc80'), Buffer.from([0x78, 0x80]));
  } finally {
    escapedBytes.seen = saved;
  }
});

test('text writes UTF-8 like Buffer.from', () => {
  for (const s of ['plain', 'é€😀', '\ud800', 'x'.repeat(1000)]) {
    const w = new ByteWriter(8);
    writeText(w, s);
    assert.deepEqual(Buffer.from(w.bytes()), Buffer.from(s, 'utf8'));
  }
});

test('a writer drains full buffers in order and grows for pieces larger than itself', () => {
  const chunks: Buffer[] = [];
  const w = new ByteWriter(16, (b) => chunks.push(Buffer.from(b)));
  for (let i = 0; i < 10; i++) writeText(w, `line ${i}\n`);
  writeQuoted(w, 'y'.repeat(100));
  w.flush();
  const expected = `${Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join('')}"${'y'.repeat(100)}"`;
  assert.equal(Buffer.concat(chunks).toString(), expected);
  assert.ok(chunks.length > 2);
});

/** Every event of a trace as text, through a writer of `size` bytes. */
function textOf(trace: string, size: number): string {
  const set = TraceSet.open([trace]);
  const text = new TextFormatter(set, () => {});
  const chunks: Buffer[] = [];
  const w = new ByteWriter(size, (b) => chunks.push(Buffer.from(b)));
  const muxer = set.muxer({});
  while (muxer.next()) text.writeLine(w, muxer.current!);
  w.flush();
  return Buffer.concat(chunks).toString('latin1');
}

test('lines come out the same through a tiny buffer (room checks, drains mid-line)', corpusTest(), () => {
  // Strings, sequences, enums, variants and floats, through a buffer shorter than most lines.
  const succeed = 'babeltrace/ctf-traces/succeed';
  const traces = ['tracevizlab/ls-ust', `${succeed}/multi-domains/kernel`, `${succeed}/sequence`, `${succeed}/meta-variant-one-underscore`];
  for (const rel of traces) {
    const trace = tracePath(rel);
    const big = textOf(trace, 1 << 20);
    assert.ok(big.length > 0, rel);
    assert.equal(textOf(trace, 48), big, rel);
  }
});

test('the string API gives the same text as the bytes', corpusTest(), () => {
  const set = TraceSet.open([tracePath('tracevizlab/ls-ust')]);
  const text = new TextFormatter(set, () => {});
  const muxer = set.muxer({});
  const lines: string[] = [];
  while (muxer.next()) lines.push(text.format(muxer.current!));
  assert.equal(`${lines.join('\n')}\n`, textOf(tracePath('tracevizlab/ls-ust'), 1 << 16));
});

test('a formatter continuing after another one prints the same deltas (workers formatting parts)', corpusTest(), () => {
  const trace = tracePath('tracevizlab/ls-ust');
  const whole = textOf(trace, 1 << 16).split('\n');
  const set = TraceSet.open([trace]);
  const first = new TextFormatter(set, () => {});
  const second = new TextFormatter(set, () => {});
  const w = new ByteWriter(1 << 16);
  const muxer = set.muxer({});
  let previous = Number.NaN;
  for (let i = 0; muxer.next(); i++) {
    const r = muxer.current!;
    if (i === 100) second.continueAfter(previous);
    (i < 100 ? first : second).writeEvent(w, r.time, r.trace.cls, r.eventClass, r.records);
    previous = r.time;
  }
  assert.equal(w.bytes().toString('latin1'), whole.join('\n'));
});
