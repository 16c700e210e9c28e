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
