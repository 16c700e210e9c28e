/**
 * LTTng packet index files (`index/<stream file>.idx`): one entry per packet with its offset,
 * sizes, clock range and discard counter, so that a reader can find the packets covering a
 * time without decoding the ones before. All fields are big endian:
 *
 *   header  u32 magic = 0xC1F1DCC1 | u32 major = 1 | u32 minor | u32 entry size (56 for 1.0, 72 for 1.1)
 *   entry   u64 offset (bytes) | u64 packet_size (bits) | u64 content_size (bits)
 *           | u64 timestamp_begin | u64 timestamp_end (cycles) | u64 events_discarded
 *           | u64 stream_id | [1.1: u64 stream_instance_id | u64 packet_seq_num]
 *
 * Like babeltrace2, the index is only a hint: anything inconsistent drops it (with a warning)
 * and packets are then found by reading their headers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const INDEX_MAGIC = 0xc1f1dcc1;
const HEADER_BYTES = 16;
const MIN_ENTRY_BYTES = 56;

export interface PacketIndexEntry {
  offset: number;
  packetBits: number;
  contentBits: number;
  timestampBegin: bigint;
  timestampEnd: bigint;
  discarded: number;
}

export type IndexResult = { entries: PacketIndexEntry[] } | { warning: string } | undefined;

/** The index of a stream file, undefined when there is none, or why it cannot be used. */
export function readPacketIndex(streamPath: string, fileSize: number): IndexResult {
  const path = join(dirname(streamPath), 'index', `${basename(streamPath)}.idx`);
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  const bad = (why: string) => ({ warning: `${path}: invalid LTTng index (${why}); packets are found by reading their headers` });
  if (bytes.length < HEADER_BYTES) return bad('shorter than its header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0) !== INDEX_MAGIC) return bad('bad magic');
  const entryBytes = dv.getUint32(12);
  if (entryBytes < MIN_ENTRY_BYTES) return bad(`entries of ${entryBytes} bytes`);
  if ((bytes.length - HEADER_BYTES) % entryBytes !== 0) return bad('size is not a whole number of entries');
  const entries: PacketIndexEntry[] = [];
  let prevOffset = -1;
  for (let at = HEADER_BYTES; at < bytes.length; at += entryBytes) {
    const offset = Number(dv.getBigUint64(at));
    const packetBits = Number(dv.getBigUint64(at + 8));
    const contentBits = Number(dv.getBigUint64(at + 16));
    const timestampBegin = dv.getBigUint64(at + 24);
    const timestampEnd = dv.getBigUint64(at + 32);
    const discarded = Number(dv.getBigUint64(at + 40));
    if (packetBits % 8 !== 0) return bad(`packet size of ${packetBits} bits at entry ${entries.length}`);
    if (offset <= prevOffset) return bad(`offsets do not increase at entry ${entries.length}`);
    if (timestampEnd < timestampBegin) return bad(`packet ends before it begins at entry ${entries.length}`);
    if (offset + packetBits / 8 > fileSize) return bad(`entry ${entries.length} runs past the end of the stream file`);
    prevOffset = offset;
    entries.push({ offset, packetBits, contentBits, timestampBegin, timestampEnd, discarded });
  }
  return { entries };
}
