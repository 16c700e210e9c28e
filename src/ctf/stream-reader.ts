/**
 * Reads one data stream (one or more files of the same stream class and instance, in time order)
 * packet by packet, and decodes its events one at a time into reusable records.
 *
 *   file ─► packet: header ─► context ─► event, event, … (until content_size) ─► padding
 *
 * Only the current packet is in memory. The reader is itself the "current event" cursor that
 * the muxer and consumers see: after `next()` returns true, `eventClass`, `time` and `records`
 * describe the event until the next call.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { makeRecord, type EventRecords, type FullState, type ScopeDecoder } from './codegen.js';
import type { CompiledEventClass, CompiledStreamClass, CompiledTrace } from './compile.js';
import type { ClockConverter } from './clock.js';
import { readPacketIndex, type PacketIndexEntry } from './index-file.js';
import { DecodeError } from './runtime.js';
import { TraceFormatError } from '../util/errors.js';

const PACKET_MAGIC = 0xc1fc1fc1;
const HEADER_PROBE_BYTES = 4096;
/**
 * Bytes kept after any data in the packet buffer: generated decoders read bit fields as whole
 * 32-bit words, which may reach up to 3 bytes past a field that ends the content.
 */
const SLACK_BYTES = 8;
/** Positions are bit offsets kept below 2^32 (see runtime.ts). */
const MAX_PACKET_BYTES = 512 * 1024 * 1024;

/** What the first packet of a stream file says (read when the trace is opened). */
export interface StreamFileInfo {
  path: string;
  size: number;
  streamClassId: number;
  /** `stream_instance_id`, or -1 when the trace has none. */
  instanceId: number;
  /** Clock value at the start of the first packet (cycles), when known. */
  firstCycles?: bigint;
}

/** A discarded-events or lost-packets notice (never hidden, never an event). */
export interface StreamNotice {
  kind: 'discarded-events' | 'discarded-packets';
  /** Count, or undefined when the tracer did not say. */
  count?: number;
  /** Time range (ns relative to the origin), when known. */
  begin?: number;
  end?: number;
  stream: StreamReader;
}

/** A problem in the stream that was skipped over (decoding stops at the bad packet). */
export interface StreamProblem {
  error: TraceFormatError;
  stream: StreamReader;
}

function num(v: number | bigint): number {
  return typeof v === 'number' ? v : Number(v);
}

function newState(): FullState {
  const buf = Buffer.alloc(HEADER_PROBE_BYTES + SLACK_BYTES);
  return {
    u8: buf,
    dv: new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
    buf,
    pos: 0,
    limit: 0,
    clockHi: 0,
    clockLo: 0,
    strEnd: 0,
    magic: -1,
    streamClassId: -1,
    streamInstanceId: -1,
    packetSize: -1,
    contentSize: -1,
    timestampEnd: -1,
    discarded: -1,
    seqNum: -1,
    eventId: -1,
    clockSet: false,
  };
}

function resetPacketRoles(st: FullState): void {
  st.magic = -1;
  st.streamClassId = -1;
  st.streamInstanceId = -1;
  st.packetSize = -1;
  st.contentSize = -1;
  st.timestampEnd = -1;
  st.discarded = -1;
  st.seqNum = -1;
  st.clockSet = false;
}

/** Reads the first packet's header and context of a stream file, to group and order files. */
export function probeStreamFile(trace: CompiledTrace, path: string, size: number): StreamFileInfo {
  const st = newState();
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, st.u8, 0, Math.min(size, st.u8.length - SLACK_BYTES), 0);
    st.limit = n * 8;
    const rec = emptyRecords();
    try {
      if (trace.cls.packetHeader) rec.ph = makeRecord(trace.cls.packetHeader) as Record<string, unknown>;
      trace.packetHeader?.(st, rec.ph, rec);
      const scId = st.streamClassId === -1 ? 0 : num(st.streamClassId);
      const sc = trace.streams.get(scId);
      if (sc?.cls.packetContext) rec.pc = makeRecord(sc.cls.packetContext) as Record<string, unknown>;
      if (sc) sc.packetContext?.(st, rec.pc, rec);
      return {
        path,
        size,
        streamClassId: scId,
        instanceId: st.streamInstanceId === -1 ? -1 : num(st.streamInstanceId),
        firstCycles: st.clockSet ? (BigInt(st.clockHi) << 32n) | BigInt(st.clockLo) : undefined,
      };
    } catch (e) {
      if (e instanceof DecodeError) throw new TraceFormatError(`packet header: ${e.message}`, path, Math.floor(e.bitPos / 8));
      throw e;
    }
  } finally {
    closeSync(fd);
  }
}

function emptyRecords(): EventRecords {
  return { ph: {}, pc: {}, eh: {}, sc: {}, ec: {}, pl: {} };
}

interface EventRecordsOf {
  ec: Record<string, unknown>;
  pl: Record<string, unknown>;
  /** The payload decoder this reader uses for the class (lean when the consumer ignores it). */
  payload: ScopeDecoder | undefined;
}

export class StreamReader {
  private readonly st = newState();
  readonly records: EventRecords;
  private readonly perEvent: (EventRecordsOf | undefined)[] = [];
  private fileIndex = 0;
  private fd = -1;
  /** Byte offset of the current packet in the current file. */
  packetOffset = 0;
  private packetBytes = 0;
  private contentBits = 0;
  private inPacket = false;
  private prevDiscarded = -1;
  private prevSeq = -1;
  private prevTimestampEnd = Number.NaN;
  /** Absolute ns of the current packet's begin/end (NaN when the packet has no timestamps). */
  packetBegin = Number.NaN;
  packetEnd = Number.NaN;

  /** The current event. */
  eventClass!: CompiledEventClass;
  /** Time of the current event in ns relative to the origin (NaN when the stream has no clock). */
  time = Number.NaN;
  /** Raw clock value of the current event. */
  cyclesHi = 0;
  cyclesLo = 0;
  /** Number of events decoded so far. */
  count = 0;
  /** Packets read (not skipped through the index) so far. */
  packetsRead = 0;
  /** Packets that begin before the last event of the stream (babeltrace2 stops there). */
  packetOverlaps = 0;
  /** Events earlier than the previous event of the same stream. */
  eventRegressions = 0;
  /** CPU ids (packet context `cpu_id`) of the packets read so far. */
  readonly cpus = new Set<number>();
  /** Set when the stream stopped on an error (the error is reported through `onProblem`). */
  failed = false;
  private seekTime = -Infinity;
  /** Packet index per file: undefined = not read yet, null = none or unusable. */
  private readonly indexes: (PacketIndexEntry[] | null | undefined)[] = [];
  /** babeltrace2's stream ID: `stream_instance_id`, or a number given in path order. */
  streamId = -1;
  /** Order of (trace UUID, trace name, stream class ID, stream ID) among all streams. */
  streamRank = 0;
  /** Order of the above then the stream name (path of its first file). */
  nameRank = 0;

  constructor(
    readonly trace: CompiledTrace,
    readonly streamClass: CompiledStreamClass,
    readonly files: StreamFileInfo[],
    readonly clock: ClockConverter | undefined,
    /** Index of this stream among all streams of the trace set (stable tie-breaking). */
    readonly id: number,
    private readonly onNotice: (n: StreamNotice) => void,
    private readonly onProblem: (p: StreamProblem) => void,
    private readonly onWarning: (message: string) => void = () => {},
  ) {
    const sc = streamClass.cls;
    this.records = {
      ph: trace.cls.packetHeader ? (makeRecord(trace.cls.packetHeader) as Record<string, unknown>) : {},
      pc: sc.packetContext ? (makeRecord(sc.packetContext) as Record<string, unknown>) : {},
      eh: sc.eventHeader ? (makeRecord(sc.eventHeader) as Record<string, unknown>) : {},
      sc: sc.eventContext ? (makeRecord(sc.eventContext) as Record<string, unknown>) : {},
      ec: {},
      pl: {},
    };
  }

  /** Bytes of the stream's files read so far (for progress). */
  bytesDone(): number {
    let done = this.packetOffset;
    for (let i = 0; i < this.fileIndex && i < this.files.length; i++) done += this.files[i]!.size;
    return done;
  }

  /** The stream instance id of the first file (-1 when the trace has none). */
  get instanceId(): number {
    return this.files[0]?.instanceId ?? -1;
  }

  get path(): string {
    return this.files[Math.min(this.fileIndex, this.files.length - 1)]!.path;
  }

  /** Decodes the next event; false at the end of the stream (or after an error). */
  next(): boolean {
    if (this.failed) return false;
    try {
      while (true) {
        if (this.inPacket && this.st.pos < this.contentBits) {
          this.decodeEvent();
          return true;
        }
        this.inPacket = false;
        if (!this.nextPacket()) return false;
      }
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  private fail(e: unknown): void {
    this.failed = true;
    this.closeFile();
    let error: TraceFormatError;
    if (e instanceof DecodeError) {
      error = new TraceFormatError(e.message, this.path, this.packetOffset + Math.floor(e.bitPos / 8));
    } else if (e instanceof TraceFormatError) {
      error = e;
    } else {
      throw e;
    }
    this.onProblem({ error, stream: this });
  }

  private closeFile(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private ensureCapacity(dataBytes: number): void {
    const st = this.st;
    const bytes = dataBytes + SLACK_BYTES;
    if (st.buf.length >= bytes) return;
    let size = st.buf.length;
    while (size < bytes) size *= 2;
    const buf = Buffer.alloc(size);
    st.buf = buf;
    st.u8 = buf;
    st.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private read(bytes: number, fileOffset: number, at = 0): void {
    const got = readSync(this.fd, this.st.u8, at, bytes, fileOffset);
    if (got !== bytes) {
      throw new TraceFormatError(`short read (${got} of ${bytes} bytes)`, this.path, fileOffset);
    }
  }

  /**
   * Skips, using the LTTng packet index where there is one, the packets that end before `time`
   * (ns relative to the origin): a packet is skipped when the next one begins at or before it.
   */
  seek(time: number): void {
    this.seekTime = time;
  }

  /** Index of the file being read among `files`. */
  get fileNumber(): number {
    return this.fileIndex;
  }

  /**
   * Positions the reader at the start of a packet seen before (file number, byte offset): the
   * next `next()` decodes that packet's first event. For random access (the server's events
   * table); discarded-event notices after a jump are not meaningful.
   */
  seekPacket(fileNumber: number, offset: number): void {
    this.closeFile();
    this.failed = false;
    this.fileIndex = fileNumber;
    this.inPacket = false;
    this.prevDiscarded = -1;
    this.prevSeq = -1;
    this.time = Number.NaN;
    const file = this.files[fileNumber];
    if (!file) return;
    this.fd = openSync(file.path, 'r');
    this.packetOffset = offset;
    this.packetBytes = 0;
  }

  private indexOf(fileIndex: number): PacketIndexEntry[] | undefined {
    let entries = this.indexes[fileIndex];
    if (entries === undefined) {
      const file = this.files[fileIndex]!;
      const r = readPacketIndex(file.path, file.size);
      entries = r && 'entries' in r ? r.entries : null;
      if (r && 'warning' in r) this.onWarning(r.warning);
      this.indexes[fileIndex] = entries;
    }
    return entries ?? undefined;
  }

  /** True when the index says the packet at `offset` ends before the seek time. */
  private skippable(offset: number): PacketIndexEntry | undefined {
    if (this.seekTime === -Infinity || !this.clock) return undefined;
    const entries = this.indexOf(this.fileIndex);
    if (!entries) return undefined;
    const k = entries.findIndex((e) => e.offset === offset);
    const next = entries[k + 1];
    if (k < 0 || !next) return undefined;
    const nextBegin = this.clock.toRel(Number(next.timestampBegin >> 32n), Number(next.timestampBegin & 0xffffffffn));
    return nextBegin <= this.seekTime ? entries[k] : undefined;
  }

  private nextPacket(): boolean {
    const st = this.st;
    let file = this.files[this.fileIndex];
    let offset: number;
    while (true) {
      if (this.fd >= 0 && file && this.packetOffset + this.packetBytes >= file.size) {
        this.closeFile();
        this.fileIndex++;
        file = this.files[this.fileIndex];
        this.packetBytes = 0;
        this.packetOffset = 0;
      }
      if (!file) return false;
      if (this.fd < 0) {
        this.fd = openSync(file.path, 'r');
        this.packetOffset = 0;
        this.packetBytes = 0;
      } else {
        this.packetOffset += this.packetBytes;
      }
      offset = this.packetOffset;
      if (offset >= file.size) continue;
      const skip = this.skippable(offset);
      if (!skip) break;
      this.packetBytes = skip.packetBits / 8;
      this.prevDiscarded = skip.discarded;
      this.prevSeq = -1;
    }
    const remaining = file.size - offset;
    this.packetsRead++;

    // Header and context: decode from a probe of the packet's first bytes.
    const probe = Math.min(remaining, Math.max(HEADER_PROBE_BYTES, st.buf.length - SLACK_BYTES));
    this.ensureCapacity(probe);
    this.read(probe, offset);
    st.pos = 0;
    st.limit = probe * 8;
    resetPacketRoles(st);
    const rec = this.records;
    this.trace.packetHeader?.(st, rec.ph, rec);
    if (st.magic !== -1 && num(st.magic) !== PACKET_MAGIC) {
      throw new TraceFormatError(
        `bad packet magic 0x${num(st.magic).toString(16)} (expected 0xc1fc1fc1)`,
        file.path,
        offset,
      );
    }
    const scId = st.streamClassId === -1 ? 0 : num(st.streamClassId);
    if (scId !== Number(this.streamClass.cls.id)) {
      throw new TraceFormatError(`packet of stream class ${scId} in a stream of class ${this.streamClass.cls.id}`, file.path, offset);
    }
    this.streamClass.packetContext?.(st, rec.pc, rec);

    const packetBits = st.packetSize === -1 ? remaining * 8 : num(st.packetSize);
    const contentBits = st.contentSize === -1 ? packetBits : num(st.contentSize);
    if (packetBits % 8 !== 0 || packetBits <= 0) {
      throw new TraceFormatError(`packet size of ${packetBits} bits is not a positive whole number of bytes`, file.path, offset);
    }
    if (contentBits > packetBits) {
      throw new TraceFormatError(`packet content size (${contentBits} bits) exceeds its packet size (${packetBits} bits)`, file.path, offset);
    }
    if (packetBits / 8 > remaining) {
      throw new TraceFormatError(
        `packet of ${packetBits / 8} bytes runs past the end of the file (${remaining} bytes left)`,
        file.path,
        offset,
      );
    }
    if (packetBits / 8 > MAX_PACKET_BYTES) {
      throw new TraceFormatError(`packets larger than 512 MiB are not supported`, file.path, offset);
    }
    if (st.pos > contentBits) {
      throw new TraceFormatError(`packet header and context (${st.pos} bits) exceed the packet content size (${contentBits} bits)`, file.path, offset);
    }
    const packetBytes = packetBits / 8;
    if (packetBytes > probe) {
      this.ensureCapacity(packetBytes);
      // ensureCapacity may have replaced the buffer: read the whole packet again.
      this.read(packetBytes, offset);
    }
    this.packetBytes = packetBytes;
    this.contentBits = contentBits;
    st.limit = contentBits;
    this.inPacket = true;
    const cpu = rec.pc['cpu_id'];
    if (typeof cpu === 'number') this.cpus.add(cpu);
    this.packetNotices();
    return true;
  }

  /** Discarded events (counter deltas) and lost packets (sequence number gaps), like babeltrace. */
  private packetNotices(): void {
    const st = this.st;
    const clock = this.clock;
    const begin = st.clockSet && clock ? clock.toRel(st.clockHi, st.clockLo) : Number.NaN;
    let end = Number.NaN;
    if (st.timestampEnd !== -1 && clock) {
      const v = BigInt(st.timestampEnd);
      end = clock.toRel(Number(v >> 32n), Number(v & 0xffffffffn));
    }
    // LTTng's packet end times are unreliable (event-after-packet bug), so compare with events.
    if (begin < this.time) this.packetOverlaps++;
    this.packetBegin = begin;
    this.packetEnd = end;
    if (st.seqNum !== -1) {
      const seq = num(st.seqNum);
      if (this.prevSeq !== -1 && seq - this.prevSeq > 1) {
        this.onNotice({ kind: 'discarded-packets', count: seq - this.prevSeq - 1, begin: this.prevTimestampEnd, end: begin, stream: this });
      }
      this.prevSeq = seq;
    }
    if (st.discarded !== -1) {
      const d = num(st.discarded);
      if (this.prevDiscarded === -1) {
        if (d > 0) this.onNotice({ kind: 'discarded-events', count: undefined, begin, end, stream: this });
      } else if (d > this.prevDiscarded) {
        this.onNotice({ kind: 'discarded-events', count: d - this.prevDiscarded, begin: this.prevTimestampEnd, end, stream: this });
      }
      this.prevDiscarded = d;
    }
    this.prevTimestampEnd = end;
  }

  private recordsOf(ec: CompiledEventClass): EventRecordsOf {
    const own: EventRecordsOf = {
      ec: ec.cls.context ? (makeRecord(ec.cls.context) as Record<string, unknown>) : {},
      pl: ec.cls.payload ? (makeRecord(ec.cls.payload) as Record<string, unknown>) : {},
      payload: ec.payload,
    };
    this.perEvent[ec.index] = own;
    return own;
  }

  /**
   * From the next event of this class on, its payload is only skipped over (the records keep
   * earlier values), except the top-level members in `keep`: for consumers that ignore the
   * class or read a few of its fields. Headers and contexts are decoded.
   */
  ignorePayloadOf(ec: CompiledEventClass, keep?: readonly string[]): void {
    if (!ec.ready) ec.compile();
    (this.perEvent[ec.index] ?? this.recordsOf(ec)).payload = keep ? ec.partialPayload(keep) : ec.leanPayload();
  }

  private decodeEvent(): void {
    const st = this.st;
    const sc = this.streamClass;
    const rec = this.records;
    const start = st.pos;
    st.eventId = -1;
    sc.eventHeader?.(st, rec.eh, rec);
    const raw = st.eventId;
    const id = raw === -1 ? 0 : typeof raw === 'number' ? raw : Number(raw);
    const ec = id < 65536 ? sc.eventsById[id] : sc.events.get(id);
    if (!ec) throw new DecodeError(`no event class with id ${id} in stream class ${sc.cls.id}`, st.pos);
    if (!ec.ready) ec.compile();
    this.eventClass = ec;
    this.cyclesHi = st.clockHi;
    this.cyclesLo = st.clockLo;
    const time = this.clock ? this.clock.toRel(st.clockHi, st.clockLo) : Number.NaN;
    if (time < this.time) this.eventRegressions++;
    this.time = time;
    sc.eventContext?.(st, rec.sc, rec);
    const own = this.perEvent[ec.index] ?? this.recordsOf(ec);
    rec.ec = own.ec;
    rec.pl = own.pl;
    ec.context?.(st, own.ec, rec);
    own.payload?.(st, own.pl, rec);
    // An empty event would never advance: the CTF spec requires events of at least one bit.
    if (st.pos === start) throw new DecodeError('event of zero bits', st.pos);
    this.count++;
  }
}
