import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceFormatError, UnsupportedTraceError } from '../../util/errors.js';
import { isCtf2, parseCtf2 } from './index.js';
import { member, withPayload } from './testing.js';

const HEADER = 37;

/** Wraps `text` into metadata packets of at most `chunk` content bytes, with `pad` bytes of padding. */
function packetize(text: Uint8Array, chunk: number, opts: { le?: boolean; pad?: number; version?: [number, number]; uuidOf?: (i: number) => number } = {}): Uint8Array {
  const { le = true, pad = 3, version = [2, 0], uuidOf = () => 7 } = opts;
  const packets: Uint8Array[] = [];
  for (let at = 0, i = 0; at < text.length; at += chunk, i++) {
    const content = text.subarray(at, at + chunk);
    const packet = new Uint8Array(HEADER + content.length + pad);
    const view = new DataView(packet.buffer);
    view.setUint32(0, 0x75d11d57, le);
    packet.fill(uuidOf(i), 4, 20);
    view.setUint32(24, (HEADER + content.length) * 8, le);
    view.setUint32(28, packet.length * 8, le);
    packet[35] = version[0];
    packet[36] = version[1];
    packet.set(content, HEADER);
    packets.push(packet);
  }
  const out = new Uint8Array(packets.reduce((n, p) => n + p.length, 0));
  packets.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

const plain = withPayload(member('a', { type: 'null-terminated-string' }), member('b', { type: 'fixed-length-boolean', length: 8, 'byte-order': 'big-endian' }));

test('packetized CTF 2 metadata reads like the plain text, in either header byte order', () => {
  const expected = parseCtf2(plain, 'm');
  for (const le of [true, false]) {
    const packed = packetize(plain, 50, { le });
    assert.equal(isCtf2(packed), true);
    assert.deepEqual(parseCtf2(packed, 'm'), expected);
  }
});

test('packetized TSDL is not CTF 2', () => {
  const tsdl = packetize(new TextEncoder().encode('/* CTF 1.8 */ trace { };'), 100, { version: [1, 8] });
  assert.equal(isCtf2(tsdl), false);
});

test('error offsets point into the packetized file', () => {
  const text = new TextEncoder().encode('\x1e{"type": "preamble", "version": 2}\n\x1e{"type": "data-stream-class", "id": -1}\n');
  const packed = packetize(text, 40);
  const textOffset = new TextDecoder().decode(text).indexOf('-1');
  // Packet k holds text [40k, 40k+40) after its header; each packet is 37 + 40 + 3 bytes.
  const fileOffset = Math.floor(textOffset / 40) * 80 + HEADER + (textOffset % 40);
  assert.throws(
    () => parseCtf2(packed, 'm'),
    (e: unknown) => e instanceof TraceFormatError && e.offset === fileOffset && /expecting an unsigned integer/.test(e.message),
  );
});

test('version other than 2.0 is a warning; packet problems are errors', () => {
  assert.match(parseCtf2(packetize(plain, 64, { version: [1, 8] }), 'm').warnings[0]!, /version 1\.8, expected 2\.0/);
  assert.throws(() => parseCtf2(packetize(plain, 64, { uuidOf: (i) => i }), 'm'), /different UUIDs/);
  const compressed = packetize(plain, 64);
  compressed[32] = 1;
  assert.throws(() => parseCtf2(compressed, 'm'), UnsupportedTraceError);
  const truncated = packetize(plain, 64).subarray(0, 104 + HEADER + 10); // second packet cut short
  assert.throws(() => parseCtf2(truncated, 'm'), /past the end of the file/);
});
