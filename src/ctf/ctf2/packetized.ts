/**
 * Packetized CTF 2 metadata (CTF2-PMETA-1.0): the JSON text sequence cut into packets, each
 * behind the same 37-byte header as packetized CTF 1.8 metadata:
 *
 *   0  uint32 magic 0x75D11D57 (its byte order is that of the other header fields)
 *   4  uint8  uuid[16]
 *   20 uint32 checksum              (ignored)
 *   24 uint32 content size in bits  (header included)
 *   28 uint32 total size in bits    (header and padding included)
 *   32 uint8  compression, encryption, checksum schemes (0 = none)
 *   35 uint8  major, minor
 *
 * No producer of packetized CTF 2 metadata could be checked here (LTTng 2.15 writes plain
 * JSON text sequences, babeltrace 2.1 reads only those), so the version bytes are not relied
 * upon: a packet whose content starts with the record separator is CTF 2, and a version other
 * than 2.0 gets a warning.
 */
import { TraceFormatError, UnsupportedTraceError } from '../../util/errors.js';
import type { MetadataSource, Warnings } from './context.js';

const MAGIC = 0x75d11d57;
const HEADER_SIZE = 37;
const RECORD_SEPARATOR = 0x1e;

/** The byte order of a metadata packet header starting at `offset`, if there is one. */
function headerByteOrder(bytes: Uint8Array, offset: number): 'le' | 'be' | undefined {
  if (bytes.length < offset + 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 4);
  if (view.getUint32(0, true) === MAGIC) return 'le';
  if (view.getUint32(0, false) === MAGIC) return 'be';
  return undefined;
}

export function isPacketizedCtf2(bytes: Uint8Array): boolean {
  return headerByteOrder(bytes, 0) !== undefined && bytes.length > HEADER_SIZE && bytes[HEADER_SIZE] === RECORD_SEPARATOR;
}

interface Segment {
  textStart: number;
  fileStart: number;
}

export function depacketize(bytes: Uint8Array, file: string, warnings: Warnings): MetadataSource {
  const segments: Segment[] = [];
  const parts: Uint8Array[] = [];
  let textLength = 0;
  let firstUuid: Uint8Array | undefined;
  let offset = 0;
  while (offset < bytes.length) {
    const order = headerByteOrder(bytes, offset);
    if (!order) throw new TraceFormatError('bad metadata packet magic number', file, offset);
    if (bytes.length < offset + HEADER_SIZE) throw new TraceFormatError('truncated metadata packet header', file, offset);
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, HEADER_SIZE);
    const le = order === 'le';
    const uuid = bytes.subarray(offset + 4, offset + 20);
    const contentBits = view.getUint32(24, le);
    const totalBits = view.getUint32(28, le);
    if (contentBits % 8 !== 0 || totalBits % 8 !== 0) {
      throw new TraceFormatError(`metadata packet sizes must be whole bytes (content ${contentBits} bits, total ${totalBits} bits)`, file, offset);
    }
    const contentSize = contentBits / 8;
    const totalSize = totalBits / 8;
    if (contentSize < HEADER_SIZE || contentSize > totalSize) {
      throw new TraceFormatError(`bad metadata packet sizes (content ${contentSize} bytes, total ${totalSize} bytes)`, file, offset);
    }
    if (offset + contentSize > bytes.length) throw new TraceFormatError('metadata packet goes past the end of the file', file, offset);
    if (view.getUint8(32) !== 0 || view.getUint8(33) !== 0 || view.getUint8(34) !== 0) {
      throw new UnsupportedTraceError('compressed, encrypted or checksummed metadata packets are not supported', file, offset + 32);
    }
    const [major, minor] = [view.getUint8(35), view.getUint8(36)];
    if (offset === 0 && (major !== 2 || minor !== 0)) {
      warnings.add(`${file} at byte 35: CTF 2 metadata packet says version ${major}.${minor}, expected 2.0`);
    }
    if (!firstUuid) firstUuid = uuid;
    else if (!sameBytes(uuid, firstUuid)) throw new TraceFormatError('metadata packets with different UUIDs', file, offset + 4);
    segments.push({ textStart: textLength, fileStart: offset + HEADER_SIZE });
    parts.push(bytes.subarray(offset + HEADER_SIZE, offset + contentSize));
    textLength += contentSize - HEADER_SIZE;
    // A zero total size would loop forever; the checks above make it at least the header.
    offset += totalSize;
  }
  const text = new Uint8Array(textLength);
  parts.reduce((at, part) => (text.set(part, at), at + part.length), 0);
  return { file, text, fileOffset: (textOffset) => fileOffsetIn(segments, textOffset) };
}

function fileOffsetIn(segments: Segment[], textOffset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]!.textStart <= textOffset) lo = mid;
    else hi = mid - 1;
  }
  const seg = segments[lo];
  return seg ? seg.fileStart + (textOffset - seg.textStart) : textOffset;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
