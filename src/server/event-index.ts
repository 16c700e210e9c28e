/**
 * The events table's index: a compact in-memory table of every event of the merged trace set
 * (time, stream, name, CPU, thread: 18 bytes per event, 180 MB for 10 M events), plus where each
 * packet of each stream starts and, every 1024 events, how many events each stream had given so
 * far. Row k of the merged sequence is then decoded by seeking its stream to the packet holding
 * it and skipping the events before it in that packet; filters on name, CPU, thread and time
 * are scans of the compact columns, without decoding.
 */
import { GrowableF64, GrowableI32 } from '../store/growable.js';
import type { StreamReader } from '../ctf/stream-reader.js';

export const CHECKPOINT = 1024;

/** The frozen index (plain typed arrays: cached as they are). */
export interface EventIndex {
  length: number;
  time: Float64Array;
  stream: Uint16Array;
  name: Uint16Array;
  cpu: Int16Array;
  tid: Int32Array;
  names: string[];
  /** Per stream: trace number (in `TraceSet.traces`). */
  streamTrace: Int32Array;
  /** Packets of all streams: stream s's packets are packetOffset[s] … packetOffset[s+1]-1. */
  packetOffset: Int32Array;
  packetFile: Int32Array;
  packetByte: Float64Array;
  /** Ordinal (within its stream) of the packet's first event. */
  packetFirst: Float64Array;
  /** checkpoints[c * streams + s]: events of stream s among merged events 0 … c·CHECKPOINT-1. */
  checkpoints: Float64Array;
  streams: number;
}

export class EventIndexBuilder {
  private readonly time = new GrowableF64(1 << 16);
  private readonly stream = new GrowableI32(1 << 16);
  private readonly name = new GrowableI32(1 << 16);
  private readonly cpu = new GrowableI32(1 << 16);
  private readonly tid = new GrowableI32(1 << 16);
  private readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();
  private readonly classIds = new Map<unknown, number>();
  private readonly perStreamCount: number[];
  private readonly lastPacketsRead: number[];
  private readonly packets: { file: GrowableI32; byte: GrowableF64; first: GrowableF64 }[];
  private readonly checkpoints = new GrowableF64(1024);
  private readonly streamTrace: Int32Array;

  constructor(readers: readonly StreamReader[], traceOf: (r: StreamReader) => number) {
    const n = readers.length;
    if (n > 65535) throw new Error(`too many streams (${n}) for the events index`);
    this.perStreamCount = new Array<number>(n).fill(0);
    this.lastPacketsRead = new Array<number>(n).fill(0);
    this.packets = readers.map(() => ({ file: new GrowableI32(16), byte: new GrowableF64(16), first: new GrowableF64(16) }));
    this.streamTrace = Int32Array.from(readers, traceOf);
  }

  get length(): number {
    return this.time.length;
  }

  /** Adds the reader's current event; returns its number. `tid` -1 when unknown. */
  add(r: StreamReader, tid: number): number {
    const k = this.time.length;
    const s = r.id;
    if (k % CHECKPOINT === 0) for (let i = 0; i < this.perStreamCount.length; i++) this.checkpoints.push(this.perStreamCount[i]!);
    if (r.packetsRead !== this.lastPacketsRead[s]) {
      this.lastPacketsRead[s] = r.packetsRead;
      const p = this.packets[s]!;
      p.file.push(r.fileNumber);
      p.byte.push(r.packetOffset);
      p.first.push(this.perStreamCount[s]!);
    }
    this.perStreamCount[s]!++;
    let id = this.classIds.get(r.eventClass);
    if (id === undefined) {
      const name = r.eventClass.cls.name;
      id = this.nameIds.get(name);
      if (id === undefined) {
        id = this.names.length;
        if (id > 65535) throw new Error('too many event names for the events index');
        this.names.push(name);
        this.nameIds.set(name, id);
      }
      this.classIds.set(r.eventClass, id);
    }
    const cpu = r.records.pc['cpu_id'];
    this.time.push(r.time);
    this.stream.push(s);
    this.name.push(id);
    this.cpu.push(typeof cpu === 'number' ? cpu : -1);
    this.tid.push(tid);
    return k;
  }

  setTid(k: number, tid: number): void {
    this.tid.set(k, tid);
  }

  nameIdOf(k: number): number {
    return this.name.get(k);
  }

  finish(): EventIndex {
    const n = this.time.length;
    const streams = this.packets.length;
    const packetOffset = new Int32Array(streams + 1);
    for (let s = 0; s < streams; s++) packetOffset[s + 1] = packetOffset[s]! + this.packets[s]!.file.length;
    const total = packetOffset[streams]!;
    const packetFile = new Int32Array(total);
    const packetByte = new Float64Array(total);
    const packetFirst = new Float64Array(total);
    for (let s = 0; s < streams; s++) {
      const p = this.packets[s]!;
      packetFile.set(p.file.finish(), packetOffset[s]!);
      packetByte.set(p.byte.finish(), packetOffset[s]!);
      packetFirst.set(p.first.finish(), packetOffset[s]!);
    }
    return {
      length: n,
      time: this.time.finish(),
      stream: Uint16Array.from(this.stream.finish()),
      name: Uint16Array.from(this.name.finish()),
      cpu: Int16Array.from(this.cpu.finish()),
      tid: this.tid.finish(),
      names: this.names,
      streamTrace: this.streamTrace,
      packetOffset,
      packetFile,
      packetByte,
      packetFirst,
      checkpoints: this.checkpoints.finish(),
      streams,
    };
  }
}

/** First event number whose time is ≥ t (binary search; times are non-decreasing overall). */
export function firstAtOrAfter(ix: EventIndex, t: number): number {
  let a = 0;
  let b = ix.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (ix.time[m]! < t) a = m + 1;
    else b = m;
  }
  return a;
}

/** First event number whose time is > t. */
export function firstAfter(ix: EventIndex, t: number): number {
  let a = 0;
  let b = ix.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (ix.time[m]! <= t) a = m + 1;
    else b = m;
  }
  return a;
}

/** Ordinal of event k within its stream. */
export function ordinalInStream(ix: EventIndex, k: number): number {
  const s = ix.stream[k]!;
  const c = Math.floor(k / CHECKPOINT);
  let n = ix.checkpoints[c * ix.streams + s]!;
  for (let i = c * CHECKPOINT; i < k; i++) if (ix.stream[i] === s) n++;
  return n;
}

/** The packet (index in the packet columns) of stream s holding its event number `ordinal`. */
export function packetOf(ix: EventIndex, s: number, ordinal: number): number {
  let a = ix.packetOffset[s]!;
  let b = ix.packetOffset[s + 1]!;
  while (b - a > 1) {
    const m = (a + b) >>> 1;
    if (ix.packetFirst[m]! <= ordinal) a = m;
    else b = m;
  }
  return a;
}

/**
 * Decodes events by number with a set of readers of the same trace set (one per stream, in the
 * same order): calls `visit(k, reader)` for each of `numbers` (ascending), the reader positioned
 * on event k. Each stream is sought once and then read forward.
 */
export function decodeEvents(ix: EventIndex, readers: readonly StreamReader[], numbers: readonly number[], visit: (k: number, r: StreamReader) => void): void {
  const pos = new Map<number, number>(); // stream → ordinal of its current event
  for (const k of numbers) {
    const s = ix.stream[k]!;
    const r = readers[s]!;
    const ord = ordinalInStream(ix, k);
    let cur = pos.get(s);
    if (cur === undefined || cur > ord || ord - cur > 4096) {
      const p = packetOf(ix, s, ord);
      r.seekPacket(ix.packetFile[p]!, ix.packetByte[p]!);
      cur = ix.packetFirst[p]! - 1;
    }
    while (cur < ord) {
      if (!r.next()) break;
      cur++;
    }
    pos.set(s, cur);
    if (cur === ord) visit(k, r);
  }
}
