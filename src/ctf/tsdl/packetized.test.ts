import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMetadataText } from './packetized.js';
import { TraceFormatError, UnsupportedTraceError } from '../../util/errors.js';

interface PacketOptions {
  littleEndian?: boolean;
  uuid?: number;
  padding?: number;
  version?: [number, number];
  checksum?: number;
  schemes?: [number, number, number];
  /** Overrides of the size fields, in bits. */
  contentBits?: number;
  packetBits?: number;
}

/** One metadata packet holding `text` (37-byte header, then text, then zero padding). */
function packet(text: Uint8Array | string, options: PacketOptions = {}): Uint8Array {
  const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const padding = options.padding ?? 0;
  const bytes = new Uint8Array(37 + body.length + padding);
  const view = new DataView(bytes.buffer);
  const le = options.littleEndian ?? true;
  view.setUint32(0, 0x75d11d57, le);
  bytes.fill(options.uuid ?? 1, 4, 20);
  view.setUint32(20, options.checksum ?? 0, le);
  view.setUint32(24, options.contentBits ?? (37 + body.length) * 8, le);
  view.setUint32(28, options.packetBits ?? bytes.length * 8, le);
  bytes.set(options.schemes ?? [0, 0, 0], 32);
  bytes.set(options.version ?? [1, 8], 35);
  bytes.set(body, 37);
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function failure(bytes: Uint8Array): TraceFormatError {
  try {
    readMetadataText(bytes, 'metadata');
  } catch (e) {
    assert.ok(e instanceof TraceFormatError, String(e));
    assert.equal(e.file, 'metadata');
    return e;
  }
  assert.fail('no error');
}

test('plain text metadata is decoded as UTF-8', () => {
  const result = readMetadataText(Buffer.from('/* CTF 1.8 */ env { host = "é"; };'), 'metadata');
  assert.deepEqual(result, { text: '/* CTF 1.8 */ env { host = "é"; };', packetized: false });
  assert.deepEqual(readMetadataText(new Uint8Array(0), 'metadata'), { text: '', packetized: false });
});

test('packets in either byte order are concatenated, padding skipped', () => {
  for (const littleEndian of [true, false]) {
    const bytes = concat(packet('trace { ', { littleEndian, padding: 11 }), packet('major = 1; };', { littleEndian }));
    const result = readMetadataText(bytes, 'metadata');
    assert.equal(result.text, 'trace { major = 1; };');
    assert.equal(result.packetized, true);
    assert.equal(result.byteOrder, littleEndian ? 'le' : 'be');
    assert.deepEqual(result.uuid, new Uint8Array(16).fill(1));
  }
});

test('a UTF-8 character split between two packets is decoded whole', () => {
  const text = Buffer.from('name = "é";');
  const split = text.indexOf(0xc3) + 1;
  const bytes = concat(packet(text.subarray(0, split)), packet(text.subarray(split)));
  assert.equal(readMetadataText(bytes, 'metadata').text, 'name = "é";');
});

test('header checks, with the byte offset of the bad field', () => {
  const good = packet('x;');
  const cases: [Uint8Array, RegExp, number][] = [
    [concat(good, packet('y;', { uuid: 2 })), /UUID differs from the first packet/, good.length + 4],
    [concat(good, packet('y;', { littleEndian: false })), /bad metadata packet magic/, good.length],
    [packet('x;', { version: [116, 121] }), /version 116.121, expecting 1.8/, 35],
    [packet('x;', { version: [1, 7] }), /version 1.7/, 35],
    [packet('x;', { contentBits: 37 * 8 + 3 }), /whole bytes/, 24],
    [packet('x;', { contentBits: 30 * 8 }), /smaller than its header/, 24],
    [packet('x;', { packetBits: 38 * 8 }), /smaller than its content/, 28],
    [packet('x;', { packetBits: 4096 * 8 }), /goes past the end of the file/, 28],
    [concat(good, new Uint8Array([0x57, 0x1d, 0xd1, 0x75, 0])), /truncated metadata packet header/, good.length],
  ];
  for (const [bytes, pattern, offset] of cases) {
    const error = failure(bytes);
    assert.match(error.message, pattern);
    assert.equal(error.offset, offset, error.message);
  }
});

test('compression, encryption, checksums and CTF 2 packets are unsupported', () => {
  const cases: Uint8Array[] = [
    packet('x;', { schemes: [1, 0, 0] }),
    packet('x;', { schemes: [0, 1, 0] }),
    packet('x;', { schemes: [0, 0, 1] }),
    packet('x;', { checksum: 0xdeadbeef }),
    packet('x;', { version: [2, 0] }),
  ];
  for (const bytes of cases) assert.ok(failure(bytes) instanceof UnsupportedTraceError);
});
