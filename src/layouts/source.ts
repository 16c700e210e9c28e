/**
 * Reading a trace set as canonical kernel events: picks the kernel trace of the set (a session
 * folder may also hold UST traces, whose streams are then not read at all), binds each event
 * class once to its layout, and feeds a consumer one reused `KernelEvent` per event.
 *
 *   TraceSet ─► kernel trace's StreamReaders ─► Muxer ─► Binding[stream][event class]
 *            ─► KernelEvent (reused) ─► consumer.handle(ev)
 */
import { Muxer } from '../ctf/muxer.js';
import type { StreamNotice, StreamReader } from '../ctf/stream-reader.js';
import type { OpenedTrace, TraceSet } from '../ctf/trace-set.js';
import { TraceFormatError, UsageError } from '../util/errors.js';
import { Kind, KernelEvent } from './canonical.js';
import { kernelLayoutFor } from './index.js';
import type { Binding, KernelLayout } from './layout.js';

export interface KernelTrace {
  set: TraceSet;
  trace: OpenedTrace;
  layout: KernelLayout;
}

/** The set's kernel trace and its layout; a clear error when there is none (e.g. UST only). */
export function kernelTraceOf(set: TraceSet): KernelTrace {
  const found: KernelTrace[] = [];
  for (const trace of set.traces) {
    const layout = kernelLayoutFor(trace.cls);
    if (layout) found.push({ set, trace, layout });
  }
  if (found.length === 0) {
    const domains = [...new Set(set.traces.map((t) => String(t.cls.env.get('domain') ?? 'unknown')))].join(', ');
    throw new TraceFormatError(
      `no kernel trace here (domain: ${domains}); the kernel analyses need an LTTng kernel trace or a perf trace converted to CTF`,
      set.traces[0]?.dirs[0] ?? '.',
    );
  }
  if (found.length > 1) {
    throw new UsageError(
      `${found.length} kernel traces given (${found.map((k) => k.trace.dirs[0]).join(', ')}); the kernel analyses read one machine at a time`,
    );
  }
  return found[0]!;
}

export interface KernelConsumer {
  /** Called once with the time of the first event of the kernel trace, before any `handle`. */
  begin(t: number): void;
  handle(ev: KernelEvent): void;
}

export interface ReadOptions {
  /** Stop after this time (ns from the origin), or a function of the first event's time giving it. */
  end?: number | ((first: number) => number);
  onNotice?: (n: StreamNotice) => void;
  onWarning?: (message: string) => void;
  /** Called every 65536 events (progress display). */
  onTick?: (readers: readonly StreamReader[]) => void;
  /**
   * False: syscall entries and exits reach the consumer as `Kind.OTHER` (CPU and context thread
   * only, payload skipped where the thread is not in it), for reports that need no syscalls
   * (`cpu`). The model then has no syscall states nor syscall rows. Default true.
   */
  syscalls?: boolean;
  /**
   * False: syscall entries and exits carry their syscall only, no arguments (NaN) nor return
   * value (0), and those payload fields are not decoded: for models that keep no syscall rows.
   * Default true.
   */
  syscallDetails?: boolean;
  /**
   * False: every payload is decoded whole. By default only the payload members a binding
   * declares (`Binding.payloadFields`) are; the rest is jumped over (for tests comparing both).
   */
  partialDecoding?: boolean;
}

const skipSyscalls = (kind: number): boolean => kind === Kind.SYSCALL_ENTRY || kind === Kind.SYSCALL_EXIT;

export interface ReadSummary {
  /** Events read (all kinds). */
  events: number;
  /** Time of the first and last event read (NaN when none). */
  first: number;
  last: number;
  /** Where the reading ended: the requested end when events went on past it, else `last`. */
  end: number;
  readers: StreamReader[];
}

/** Reads the kernel trace in time order into `consumer`. */
export function readKernelEvents(k: KernelTrace, consumer: KernelConsumer, opts: ReadOptions = {}): ReadSummary {
  const all = k.set.createReaders({ onNotice: opts.onNotice, onWarning: opts.onWarning });
  const readers = all.filter((r) => r.trace === k.trace.compiled);
  const muxer = new Muxer(readers);
  const bindings: Binding[][] = [];
  for (const r of readers) bindings[r.id] = [];
  const layout = k.layout;
  const ev = new KernelEvent();
  let end = typeof opts.end === 'number' ? opts.end : Infinity;
  const onTick = opts.onTick;
  const skip = opts.syscalls === false ? skipSyscalls : undefined;
  const partial = opts.partialDecoding !== false;
  const syscallDetails = opts.syscallDetails !== false;
  let events = 0;
  let first = Number.NaN;
  let last = Number.NaN;
  let stoppedAt = Number.NaN;
  while (muxer.next()) {
    const r = muxer.current!;
    const t = r.time;
    if (events === 0) {
      first = t;
      if (typeof opts.end === 'function') end = opts.end(t);
      consumer.begin(t);
    }
    if (t > end) {
      stoppedAt = end;
      break;
    }
    events++;
    last = t;
    if (onTick !== undefined && (events & 0xffff) === 0) onTick(readers);
    const ec = r.eventClass;
    const row = bindings[r.id]!;
    let b = row[ec.index];
    if (b === undefined) {
      b = layout.bind(r.streamClass.cls, ec.cls, skip, syscallDetails);
      row[ec.index] = b;
      // Nothing reads this class's payload: only skip over it (strings are not even built); or
      // decode only the members the binding reads. This event was decoded whole already.
      if (b.kind === Kind.IGNORE || b.readsPayload === false) r.ignorePayloadOf(ec);
      else if (partial && b.payloadFields !== undefined) r.ignorePayloadOf(ec, b.payloadFields);
    }
    if (b.kind === Kind.IGNORE) continue;
    ev.kind = b.kind;
    ev.time = t;
    b.extract(r.records, ev);
    consumer.handle(ev);
  }
  return { events, first, last, end: Number.isNaN(stoppedAt) ? last : stoppedAt, readers };
}
