/**
 * A set of traces opened together and read as one time-ordered sequence of events.
 *
 *   paths ─► trace folders ─► (same UUID → one trace) ─► metadata ─► compiled decoders
 *         ─► stream files probed, grouped by (stream class, stream_instance_id), time-ordered
 *         ─► StreamReaders ─► Muxer (min-heap on time) ─► events
 */
import { ClockConverter } from './clock.js';
import { compileTrace, type CompiledTrace } from './compile.js';
import { findTraceDirs, type TraceDir } from './discover.js';
import { loadMetadata } from './metadata.js';
import type { TraceClass } from './model.js';
import { Muxer } from './muxer.js';
import { probeStreamFile, StreamReader, type StreamFileInfo, type StreamNotice, type StreamProblem } from './stream-reader.js';
import { relative, resolve } from 'node:path';
import { TraceFormatError } from '../util/errors.js';

/** One trace: one metadata, possibly several folders (session-rotation chunks share a UUID). */
export interface OpenedTrace {
  dirs: string[];
  metadataPath: string;
  cls: TraceClass;
  compiled: CompiledTrace;
  /** Streams: files grouped per stream instance, each group in time order. */
  streams: { streamClassId: number; instanceId: number; streamId: number; files: StreamFileInfo[] }[];
  clocks: Map<string, ClockConverter>;
  /** Size on disk of the metadata and stream files. */
  bytes: number;
  /** babeltrace2's trace name: `hostname[/path below the argument]` (used in warnings and ties). */
  name: string;
}

export interface ReadHandlers {
  onNotice?: (n: StreamNotice) => void;
  /** A stream stopped on bad data; the others go on. Default: collected in `problems`. */
  onProblem?: (p: StreamProblem) => void;
  /** Something that does not stop decoding (e.g. an unusable packet index). Default: `warnings`. */
  onWarning?: (message: string) => void;
}

function uuidKey(uuid: Uint8Array | undefined): string | undefined {
  return uuid ? Buffer.from(uuid).toString('hex') : undefined;
}

export class TraceSet {
  /** Absolute ns from the Unix epoch (for LTTng clocks) that relative times count from. */
  readonly origin: bigint;
  readonly problems: StreamProblem[] = [];
  readonly warnings: string[] = [];

  private constructor(readonly traces: OpenedTrace[], origin: bigint) {
    this.origin = origin;
  }

  static open(paths: string[]): TraceSet {
    if (paths.length === 0) throw new TraceFormatError('no trace given', '.');
    const found = paths.flatMap((arg) => findTraceDirs(arg).map((dir) => ({ arg: resolve(arg), dir })));
    const loaded = found.map((f) => ({ ...f, cls: loadMetadata(f.dir.metadataPath) }));
    // Traces with the same UUID are chunks of one trace (session rotation): merge their streams.
    // As babeltrace2 does, the chunk with the most stream and event classes gives the metadata.
    const byUuid = new Map<string, Group>();
    const groups: Group[] = [];
    for (const l of loaded) {
      const key = uuidKey(l.cls.uuid);
      const existing = key ? byUuid.get(key) : undefined;
      if (existing) {
        existing.members.push(l);
        continue;
      }
      const g: Group = { members: [l] };
      groups.push(g);
      if (key) byUuid.set(key, g);
    }
    const traces = groups.map((g) => {
      g.members.sort((a, b) => (a.dir.dir < b.dir.dir ? -1 : a.dir.dir > b.dir.dir ? 1 : 0));
      const winner = g.members.reduce((best, m) => (classCount(m.cls) > classCount(best.cls) ? m : best));
      const host = winner.cls.env.get('hostname');
      let name = typeof host === 'string' ? host : '';
      if (g.members.length === 1) {
        const rel = relative(winner.arg, winner.dir.dir);
        if (rel) name = name ? `${name}/${rel}` : rel;
      }
      return openTrace(g.members.map((m) => m.dir), winner.cls, name);
    });
    const origin = chooseOrigin(traces);
    const set = new TraceSet(traces, origin);
    for (const t of traces) {
      for (const [name, conv] of t.clocks) {
        const firsts = t.streams
          .filter((s) => t.compiled.streams.get(s.streamClassId)?.cls.defaultClock === name)
          .map((s) => s.files[0]?.firstCycles)
          .filter((c): c is bigint => c !== undefined);
        const ref = firsts.length ? firsts.reduce((a, b) => (a < b ? a : b)) : 0n;
        conv.setOrigin(origin, ref);
        // Times are ns from the shared origin in doubles: exact within 2^53 ns (104 days).
        // Clocks further apart (e.g. a perf trace whose clock was not aligned on the LTTng one)
        // cannot be one timeline to the nanosecond; babeltrace2 refuses to mix them.
        const distance = conv.absoluteNs(ref) - origin;
        if (distance > 2n ** 53n || distance < -(2n ** 53n)) {
          set.warnings.push(
            `${t.metadataPath}: clock "${name}" is ${Math.round(Number(distance) / 8.64e13)} days away from the other traces' clocks; ` +
              'its times are not nanosecond-exact on the shared timeline (were the clocks aligned when recording?)',
          );
        }
      }
    }
    return set;
  }

  /** Ranks of every stream for babeltrace2's tie-breaking order (see muxer `compareTies`). */
  private rank(readers: StreamReader[]): void {
    const traceOf = new Map(this.traces.map((t) => [t.compiled, t]));
    const key = (r: StreamReader) => {
      const t = traceOf.get(r.trace)!;
      // Traces without a UUID go after those with one.
      const uuid = t.cls.uuid ? `0${uuidKey(t.cls.uuid)}` : '1';
      return [uuid, t.name, Number(r.streamClass.cls.id), r.streamId] as const;
    };
    const cmp = (a: readonly (string | number)[], b: readonly (string | number)[]) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
      return 0;
    };
    const sorted = [...readers].sort((a, b) => cmp(key(a), key(b)));
    sorted.forEach((r, i) => {
      r.streamRank = i > 0 && cmp(key(sorted[i - 1]!), key(r)) === 0 ? sorted[i - 1]!.streamRank : i;
    });
    const byName = [...readers].sort((a, b) => cmp([...key(a), a.files[0]!.path], [...key(b), b.files[0]!.path]));
    byName.forEach((r, i) => (r.nameRank = i));
  }

  /** Stream readers for every stream of every trace, in a stable order. */
  createReaders(handlers: ReadHandlers = {}): StreamReader[] {
    const readers: StreamReader[] = [];
    const onNotice = handlers.onNotice ?? (() => {});
    const onProblem = handlers.onProblem ?? ((p: StreamProblem) => this.problems.push(p));
    const onWarning = handlers.onWarning ?? ((w: string) => this.warnings.push(w));
    for (const t of this.traces) {
      for (const s of t.streams) {
        const sc = t.compiled.streams.get(s.streamClassId);
        if (!sc) continue;
        const clock = sc.cls.defaultClock !== undefined ? t.clocks.get(sc.cls.defaultClock) : undefined;
        const reader = new StreamReader(t.compiled, sc, s.files, clock, readers.length, onNotice, onProblem, onWarning);
        reader.streamId = s.streamId;
        readers.push(reader);
      }
    }
    this.rank(readers);
    return readers;
  }

  /** A merged, time-ordered cursor over all events. */
  muxer(handlers: ReadHandlers = {}): Muxer {
    return new Muxer(this.createReaders(handlers));
  }
}

interface Group {
  members: { arg: string; dir: TraceDir; cls: TraceClass }[];
}

function classCount(cls: TraceClass): number {
  let n = cls.streams.size;
  for (const sc of cls.streams.values()) n += sc.events.size;
  return n;
}

function openTrace(dirs: TraceDir[], cls: TraceClass, name: string): OpenedTrace {
  const first = dirs[0]!;
  const compiled = compileTrace(cls, first.metadataPath);
  const clocks = new Map<string, ClockConverter>();
  for (const c of cls.clocks) clocks.set(c.name, new ClockConverter(c));
  const infos: StreamFileInfo[] = [];
  let bytes = 0;
  for (const d of dirs) {
    for (const f of d.streamFiles) {
      bytes += f.size;
      // Empty files are streams that never got a packet (LTTng creates them per CPU).
      if (f.size === 0) continue;
      const info = probeStreamFile(compiled, f.path, f.size);
      if (!compiled.streams.has(info.streamClassId)) {
        throw new TraceFormatError(`packet of unknown stream class ${info.streamClassId}`, f.path, 0);
      }
      infos.push(info);
    }
  }
  const streams = groupStreams(infos);
  return { dirs: dirs.map((d) => d.dir), metadataPath: first.metadataPath, cls, compiled, streams, clocks, bytes, name };
}

/**
 * Files of one (stream class, instance id) are one stream, ordered by their first timestamp;
 * babeltrace2 groups only files whose first packet has a begin time. Streams are then sorted
 * by their first file's path, and those without an instance id are numbered in that order.
 */
function groupStreams(infos: StreamFileInfo[]): OpenedTrace['streams'] {
  const groups = new Map<string, OpenedTrace['streams'][number]>();
  const out: OpenedTrace['streams'] = [];
  for (const info of infos) {
    const grouped = info.instanceId !== -1 && info.firstCycles !== undefined;
    const key = grouped ? `${info.streamClassId}:${info.instanceId}` : `file:${info.path}`;
    let g = groups.get(key);
    if (!g) {
      g = { streamClassId: info.streamClassId, instanceId: grouped ? info.instanceId : -1, streamId: -1, files: [] };
      groups.set(key, g);
      out.push(g);
    }
    g.files.push(info);
  }
  for (const g of out) {
    // Stable: files with equal begin times keep their (path) order.
    g.files.sort((a, b) => {
      const x = a.firstCycles ?? 0n;
      const y = b.firstCycles ?? 0n;
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  out.sort((a, b) => (a.files[0]!.path < b.files[0]!.path ? -1 : a.files[0]!.path > b.files[0]!.path ? 1 : 0));
  const used = new Set(out.filter((g) => g.instanceId !== -1).map((g) => g.instanceId));
  let next = 0;
  for (const g of out) {
    if (g.instanceId !== -1) g.streamId = g.instanceId;
    else {
      while (used.has(next)) next++;
      g.streamId = next++;
    }
  }
  return out;
}

/** The earliest packet start of all streams (absolute ns), or the earliest clock base. */
function chooseOrigin(traces: OpenedTrace[]): bigint {
  let origin: bigint | undefined;
  for (const t of traces) {
    for (const s of t.streams) {
      const sc = t.compiled.streams.get(s.streamClassId);
      const conv = sc?.cls.defaultClock !== undefined ? t.clocks.get(sc.cls.defaultClock) : undefined;
      const cyc = s.files[0]?.firstCycles;
      if (!conv || cyc === undefined) continue;
      const ns = conv.absoluteNs(cyc);
      if (origin === undefined || ns < origin) origin = ns;
    }
  }
  if (origin !== undefined) return origin;
  for (const t of traces) {
    for (const conv of t.clocks.values()) if (origin === undefined || conv.baseNs < origin) origin = conv.baseNs;
  }
  return origin ?? 0n;
}
