import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileScope, makeRecord, type EventRecords, type FullState } from './codegen.js';
import type { FieldClass, IntegerClass, StructClass } from './model.js';
import { readBitsBE, readBitsLE } from './runtime.js';

function int(size: number, align = 1, signed = false): IntegerClass {
  return { kind: 'int', size, align, signed, byteOrder: 'le', base: 10, encoding: 'none' };
}

function struct(members: [string, FieldClass][]): StructClass {
  return { kind: 'struct', align: 1, members: members.map(([name, type]) => ({ name, origName: name, type })) } as StructClass;
}

function state(bytes: number[], pos: number): FullState {
  const buf = Buffer.alloc(bytes.length + 8);
  buf.set(bytes);
  return {
    u8: buf, dv: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), buf, pos, limit: bytes.length * 8,
    clockHi: 0, clockLo: 0, strEnd: 0, magic: -1, streamClassId: -1, streamInstanceId: -1, packetSize: -1,
    contentSize: -1, timestampEnd: -1, discarded: -1, seqNum: -1, eventId: -1, clockSet: false,
  };
}

const noRecords = {} as EventRecords;

// perf's layout: bit-aligned (align = 1) fields that are byte-aligned in practice.
const perfLike = struct([
  ['ip', int(64)],
  ['tid', int(32, 1, true)],
  ['n', int(8)],
  ['args', { kind: 'sequence', element: int(16), length: { text: 'n', path: ['n'] } } as FieldClass],
]);

const bytes = [
  0xd8, 0xac, 0x1f, 0x82, 0xff, 0xff, 0xff, 0xff, // ip = 0xffffffff821facd8 (above 2^53)
  0xfe, 0xff, 0xff, 0xff, // tid = -2
  0x02, 0x01, 0x00, 0x02, 0x00, // n = 2, args = [1, 2]
];

test('bit-aligned fields decode the same whether the event starts on a byte or not', () => {
  const { decode, source } = compileScope('event-payload', perfLike, {}, 'perf-like');
  assert.match(source, /if \(\(p & 7\) === 0\)/, 'a byte-aligned fast path');
  const expected = { ip: 0xffffffff821facd8n, tid: -2, n: 2, args: [1, 2] };
  const aligned = makeRecord(perfLike) as Record<string, unknown>;
  const st = state(bytes, 0);
  decode(st, aligned, noRecords);
  assert.deepEqual(aligned, expected);
  assert.equal(st.pos, bytes.length * 8);
  // The same data 3 bits further (little-endian: shifted towards the high bits).
  const shifted: number[] = [];
  let carry = 0;
  for (const b of bytes) {
    shifted.push(((b << 3) | carry) & 0xff);
    carry = b >> 5;
  }
  shifted.push(carry);
  const rec = makeRecord(perfLike) as Record<string, unknown>;
  const ss = state(shifted, 3);
  decode(ss, rec, noRecords);
  assert.deepEqual(rec, expected);
  assert.equal(ss.pos, 3 + bytes.length * 8);
});

test('a lean decoder skips what no field refers to but lands on the same position', () => {
  const withComm = struct([...perfLike.members.map((m): [string, FieldClass] => [m.name, m.type]), ['comm', { kind: 'string', encoding: 'utf8' }]]);
  const data = [...bytes, 0x78, 0x7a, 0x00]; // comm = "xz"
  const full = makeRecord(withComm) as Record<string, unknown>;
  compileScope('event-payload', withComm, {}, 'full').decode(state(data, 0), full, noRecords);
  assert.equal(full['comm'], 'xz');
  const { decode, source } = compileScope('event-payload', withComm, {}, 'perf-like', true);
  assert.match(source, /skipCString/);
  const rec = makeRecord(withComm) as Record<string, unknown>;
  const st = state(data, 0);
  decode(st, rec, noRecords);
  assert.equal(st.pos, data.length * 8);
  // `n` is a sequence length: kept; the rest keeps the record's defaults.
  assert.equal(rec['n'], 2);
  assert.equal(rec['comm'], '');
  assert.equal(rec['ip'], 0);
});

test('bit-unaligned 64-bit fields read as two halves', () => {
  const u8 = new Uint8Array([0xf0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x10, 0x00]);
  assert.equal(readBitsLE(u8, 4, 64), 0x00ffffffffffffffn);
  assert.equal(readBitsLE(u8, 8, 56), 0x0fffffffffffff);
  assert.equal(readBitsBE(new Uint8Array([0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0]), 4, 64), 0xffffffffffffffffn);
  assert.equal(readBitsBE(new Uint8Array([0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00]), 4, 64), 0x10000000200);
});

test('a partial decoder stores the kept members whole and jumps over the others', () => {
  // perf's raw_syscalls:sys_enter shape (bit-aligned): 64-bit fields, a fixed array, a nested struct.
  const u64 = int(64);
  const shape = struct([
    ['ip', u64],
    ['tid', int(32, 1, true)],
    ['period', u64],
    ['flags', int(8)],
    ['id', int(64, 1, true)],
    ['args', { kind: 'array', element: u64, length: 3 } as FieldClass],
    ['pair', struct([['a', int(16)], ['b', int(16)]])],
    ['n', int(8)],
    ['seq', { kind: 'sequence', element: int(16), length: { text: 'n', path: ['n'] } } as FieldClass],
  ]);
  const le = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
  const data = [
    ...le(0xffffffff821facd8n, 8), ...le(1234n, 4), ...le(1n, 8), 7, ...le(202n, 8),
    ...le(1n, 8), ...le(2n, 8), ...le(3n, 8), ...le(5n, 2), ...le(6n, 2), 2, ...le(9n, 2), ...le(10n, 2),
  ];
  const full = makeRecord(shape) as Record<string, unknown>;
  const fst = state(data, 0);
  compileScope('event-payload', shape, {}, 'full').decode(fst, full, noRecords);
  assert.equal(fst.pos, data.length * 8);
  for (const keep of [['tid', 'id'], ['args', 'pair'], ['seq'], ['ip', 'n']]) {
    const { decode, source } = compileScope('event-payload', shape, {}, 'partial', keep);
    // The 64-bit ip alone, then period + flags (72 bits) become single additions; args is jumped over whole.
    if (keep[0] === 'tid') assert.match(source, /p \+= 72;/);
    if (!keep.includes('args')) assert.doesNotMatch(source, /rec\["args"\]/);
    // Byte-aligned, and 3 bits further (the bit-by-bit version of the decoder).
    for (const [bytes, start] of [[data, 0], [shiftedBy3(data), 3]] as const) {
      const rec = makeRecord(shape) as Record<string, unknown>;
      const st = state([...bytes], start);
      decode(st, rec, noRecords);
      assert.equal(st.pos, start + data.length * 8, `${keep.join(',')}: same end`);
      for (const k of keep) assert.deepEqual(rec[k], full[k], `${keep.join(',')}: ${k}`);
      assert.equal(rec['n'], 2, 'a sequence length is always read');
      if (!keep.includes('ip')) assert.equal(rec['ip'], 0);
      if (!keep.includes('args')) assert.deepEqual(rec['args'], []);
    }
  }
  // A kept sequence/skip past the end of the packet still fails.
  const { decode } = compileScope('event-payload', shape, {}, 'partial', ['tid']);
  assert.throws(() => decode(state(data.slice(0, 30), 0), makeRecord(shape) as Record<string, unknown>, noRecords), /runs past the end/);
});

function shiftedBy3(bytes: number[]): number[] {
  const out: number[] = [];
  let carry = 0;
  for (const b of bytes) {
    out.push(((b << 3) | carry) & 0xff);
    carry = b >> 5;
  }
  out.push(carry);
  return out;
}

test('short fixed arrays of scalars are unrolled, with the whole-array bounds check first', () => {
  const args = struct([['args', { kind: 'array', element: int(16, 8), length: 3 } as FieldClass]]);
  const { decode, source } = compileScope('event-payload', args, {}, 'args');
  assert.doesNotMatch(source, /for \(/, 'no loop');
  const rec = makeRecord(args) as Record<string, unknown>;
  const st = state([1, 0, 2, 0, 3, 0], 0);
  decode(st, rec, noRecords);
  assert.deepEqual(rec, { args: [1, 2, 3] });
  assert.equal(st.pos, 48);
  // Truncated: the same message as the loop's (the whole array, from its start).
  assert.throws(() => decode(state([1, 0, 2, 0, 3], 0), makeRecord(args) as Record<string, unknown>, noRecords), {
    message: 'field of 48 bits at bit 0 runs past the end of the packet content (bit 40)',
  });
});

test('a 64-bit clock field sets the clock from the halves it was read as', () => {
  const ts: IntegerClass = { ...int(64, 8), roles: ['default-clock-timestamp'] };
  const header = struct([['timestamp', ts]]);
  const { decode, source } = compileScope('event-header', header, {}, 'header');
  assert.doesNotMatch(source, /setClock/);
  const st = state([0x01, 0x00, 0x00, 0x80, 0x05, 0x00, 0x00, 0xf0], 0);
  decode(st, makeRecord(header) as Record<string, unknown>, noRecords);
  assert.equal(st.clockHi, 0xf0000005);
  assert.equal(st.clockLo, 0x80000001);
  assert.equal(st.clockSet, true);
});

test('a run of fixed-size fields has one bounds check, and a short packet still names the first field that does not fit', () => {
  const run = struct([
    ['a', int(32, 8)],
    ['b', int(16, 8)],
    ['c', int(64, 8)],
  ]);
  const { decode, source } = compileScope('event-payload', run, {}, 'run');
  assert.equal(source.match(/OutOfBounds/g)?.length, 1, source);
  const full = [1, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 0];
  const rec = makeRecord(run) as Record<string, unknown>;
  decode(state(full, 0), rec, noRecords);
  assert.deepEqual(rec, { a: 1, b: 2, c: 3 });
  // 7 bytes: a and b fit, c (bits 48..111) does not.
  assert.throws(() => decode(state(full.slice(0, 7), 0), makeRecord(run) as Record<string, unknown>, noRecords), {
    message: 'field of 64 bits at bit 48 runs past the end of the packet content (bit 56)',
  });
  // 5 bytes: b (bits 32..47) is the first that does not fit.
  assert.throws(() => decode(state(full.slice(0, 5), 0), makeRecord(run) as Record<string, unknown>, noRecords), {
    message: 'field of 16 bits at bit 32 runs past the end of the packet content (bit 40)',
  });
});
