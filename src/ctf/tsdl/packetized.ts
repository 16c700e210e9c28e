/**
 * Metadata file → TSDL text. Packetized metadata (spec §7.1; what LTTng writes) is a sequence of
 * packets, each a 37-byte header followed by text and padding:
 *
 *   0 magic 0x75D11D57 (its byte order is the header's)   4 uuid[16]   20 checksum
 *   24 content_size (bits, header included)   28 packet_size (bits)
 *   32 compression, encryption, checksum schemes   35 major   36 minor   37 text…
 *
 * The text is the concatenation of the packets' text parts. Anything else is plain text.
 */
import type { ByteOrder } from '../model.js';
import { TraceFormatError, UnsupportedTraceError } from '../../util/errors.js';

export interface MetadataText {
  text: string;
  /** UUID of the metadata packets (the same in all of them). */
  uuid?: Uint8Array;
  packetized: boolean;
  /** Byte order of the packet headers. */
  byteOrder?: ByteOrder;
}

const PACKET_MAGIC = 0x75d11d57;
const HEADER_BYTES = 37;

/** Byte order of a packetized metadata file, or undefined for plain text. */
function packetByteOrder(bytes: Uint8Array): ByteOrder | undefined {
  if (bytes.length < 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  if (view.getUint32(0, true) === PACKET_MAGIC) return 'le';
  if (view.getUint32(0, false) === PACKET_MAGIC) return 'be';
  return undefined;
}

function decodeUtf8(bytes: Uint8Array): string {
  // Keep a byte order mark as a character so that text indexes match file offsets.
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function readMetadataText(bytes: Uint8Array, file: string): MetadataText {
  const byteOrder = packetByteOrder(bytes);
  if (!byteOrder) return { text: decodeUtf8(bytes), packetized: false };

  const littleEndian = byteOrder === 'le';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (message: string, offset: number) => new TraceFormatError(message, file, offset);
  const parts: Uint8Array[] = [];
  let uuid: Uint8Array | undefined;
  let offset = 0;

  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_BYTES) {
      throw fail(`truncated metadata packet header (${bytes.length - offset} bytes left, need ${HEADER_BYTES})`, offset);
    }
    const magic = view.getUint32(offset, littleEndian);
    if (magic !== PACKET_MAGIC) {
      throw fail(`bad metadata packet magic 0x${magic.toString(16).padStart(8, '0')} (expecting 0x75d11d57, ${byteOrder})`, offset);
    }
    const major = bytes[offset + 35]!;
    const minor = bytes[offset + 36]!;
    if (major === 2) throw new UnsupportedTraceError('packetized CTF 2 metadata is not supported', file, offset + 35);
    if (major !== 1 || minor !== 8) throw fail(`metadata packet version ${major}.${minor}, expecting 1.8`, offset + 35);
    if (bytes[offset + 32] !== 0) throw new UnsupportedTraceError('compressed metadata packets are not supported', file, offset + 32);
    if (bytes[offset + 33] !== 0) throw new UnsupportedTraceError('encrypted metadata packets are not supported', file, offset + 33);
    if (bytes[offset + 34] !== 0 || view.getUint32(offset + 20, littleEndian) !== 0) {
      throw new UnsupportedTraceError('metadata packet checksums are not supported', file, offset + 20);
    }

    const packetUuid = bytes.subarray(offset + 4, offset + 20);
    if (!uuid) uuid = packetUuid.slice();
    else if (!sameBytes(uuid, packetUuid)) throw fail('metadata packet UUID differs from the first packet', offset + 4);

    const contentBits = view.getUint32(offset + 24, littleEndian);
    const packetBits = view.getUint32(offset + 28, littleEndian);
    if (contentBits % 8 !== 0 || packetBits % 8 !== 0) {
      throw fail(`metadata packet sizes must be whole bytes (content ${contentBits} bits, packet ${packetBits} bits)`, offset + 24);
    }
    const contentBytes = contentBits / 8;
    const packetBytes = packetBits / 8;
    if (contentBytes < HEADER_BYTES) throw fail(`metadata packet content size ${contentBytes} bytes is smaller than its header`, offset + 24);
    if (packetBytes < contentBytes) throw fail(`metadata packet size ${packetBytes} bytes is smaller than its content (${contentBytes})`, offset + 28);
    if (offset + packetBytes > bytes.length) {
      throw fail(`metadata packet of ${packetBytes} bytes goes past the end of the file (${bytes.length - offset} bytes left)`, offset + 28);
    }
    parts.push(bytes.subarray(offset + HEADER_BYTES, offset + contentBytes));
    offset += packetBytes;
  }

  return { text: decodeUtf8(concat(parts)), uuid, packetized: true, byteOrder };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}
