/**
 * What a layout is: for each event class of a trace, once, the canonical kind and a function
 * that copies the fields the analyses need from the decoded records into the reused
 * `KernelEvent`. Field names are resolved when binding, so the per-event work is a few property
 * reads, with no string comparison.
 */
import type { EventRecords } from '../ctf/codegen.js';
import type { EventClass, StreamClass, StructClass } from '../ctf/model.js';
import type { StringTable } from '../store/growable.js';
import { Kind, type KernelEvent } from './canonical.js';
import type { PrevStateDecoder } from './prev-state.js';

export type Extractor = (rec: EventRecords, ev: KernelEvent) => void;

export interface Binding {
  kind: number;
  /** Fills `ev` (all fields of the kind, plus cpu and context tid/pid); not `time`. */
  extract: Extractor;
  /** False when `extract` reads no payload field: the reader may skip the payload (default true). */
  readsPayload?: boolean;
  /**
   * The top-level payload members `extract` reads (see `reads`): the reader decodes only those
   * and advances past the others, which keep stale values. Undefined: the whole payload.
   */
  payloadFields?: readonly string[];
}

const PAYLOAD_FIELDS = Symbol('payload fields');
type Declared = { [PAYLOAD_FIELDS]?: readonly string[] };

/**
 * Declares the payload members a function reads from `rec.pl` (an extractor, a number reader):
 * the reader then decodes only those. Every payload read must be declared: a field left out is
 * not decoded (src/layouts/partial-decode.test.ts checks the layouts on the corpus).
 */
export function reads<F extends Extractor | NumberReader>(members: readonly string[], f: F): F {
  (f as Declared)[PAYLOAD_FIELDS] = members;
  return f;
}

/** The payload members a function declared it reads; undefined when it declared nothing. */
export function payloadFieldsOf(f: Extractor | NumberReader): readonly string[] | undefined {
  return (f as Declared)[PAYLOAD_FIELDS];
}

/** An extractor of nothing (the common fields only, when wrapped by `withCommon`). */
export const NOTHING: Extractor = reads([], () => {});

/** A binding whose payload fields are those its extractor declared. */
export function binding(kind: number, extract: Extractor): Binding {
  const fields = payloadFieldsOf(extract);
  return fields === undefined ? { kind, extract } : { kind, extract, payloadFields: fields };
}

/** Canonical kinds a reader does not want: such events are bound for their CPU and thread only. */
export type SkipKind = (kind: number) => boolean;

export interface KernelLayout {
  /** E.g. "lttng-modules 2.7+ (syscall_entry_*, irq_softirq_*)" or "perf". */
  readonly name: string;
  readonly tracer: 'lttng' | 'perf';
  /** Syscall names; canonical events carry ids into this table. */
  readonly syscalls: StringTable;
  /** Whether the trace declares wakeup events (sched_wakeup or sched_waking). */
  readonly hasWakeups: boolean;
  /** Whether the trace declares sched_waking (emitted in the waker's context). */
  readonly hasWaking: boolean;
  readonly prevState: PrevStateDecoder;
  /**
   * The binding of an event class. A kind that `skip` rejects is bound as `Kind.OTHER`: only the
   * CPU and the context's thread are extracted (they still tell who runs where). With
   * `syscallDetails` false, syscall entries and exits carry their syscall only: no arguments
   * (NaN) nor return value (0), whose payload fields are then not decoded.
   */
  bind(sc: StreamClass, ec: EventClass, skip?: SkipKind, syscallDetails?: boolean): Binding;
}

export const IGNORED: Binding = { kind: Kind.IGNORE, extract: () => {}, readsPayload: false };

/** A number from a decoded field (integers above 2^53 arrive as bigint). */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : -1;
}

/** A syscall argument: a number, NaN when absent (addresses beyond 2^53 lose their low bits). */
export function argNum(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number.NaN;
}

/**
 * The first two argument fields of a syscall payload (those `keep` accepts), by name when they
 * are integers or enumerations; undefined for an absent or non-numeric one (a file name).
 */
export function argumentFields(s: StructClass | undefined, keep: (name: string) => boolean = () => true): (string | undefined)[] {
  const args = (s?.members ?? []).filter((m) => keep(m.name)).slice(0, 2);
  return [0, 1].map((i) => {
    const m = args[i];
    return m && (m.type.kind === 'int' || m.type.kind === 'enum') ? m.name : undefined;
  });
}

/**
 * The extractor of a syscall entry event named after its syscall (`syscall_entry_futex`,
 * `syscalls:sys_enter_futex`): its id and its first two arguments among the fields `keep` accepts.
 */
export function namedSyscallEntry(syscall: number, payload: StructClass | undefined, keep?: (name: string) => boolean): Extractor {
  const [a0, a1] = argumentFields(payload, keep);
  return reads([a0, a1].filter((a) => a !== undefined), (rec, ev) => {
    ev.syscall = syscall;
    ev.arg0 = a0 === undefined ? Number.NaN : argNum(rec.pl[a0]);
    ev.arg1 = a1 === undefined ? Number.NaN : argNum(rec.pl[a1]);
  });
}

/** The extractor of a syscall entry whose arguments are not wanted (see `KernelLayout.bind`). */
export function syscallEntryOnly(syscall: number): Extractor {
  return reads([], (_rec, ev) => {
    ev.syscall = syscall;
    ev.arg0 = Number.NaN;
    ev.arg1 = Number.NaN;
  });
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function hasField(s: StructClass | undefined, name: string): boolean {
  return s !== undefined && s.members.some((m) => m.name === name);
}

/** The tracer version from the env (`tracer_major` …), [0, 0, 0] when absent. */
export function tracerVersion(env: Map<string, string | bigint>): [number, number, number] {
  const n = (k: string) => {
    const v = env.get(k);
    return v === undefined ? 0 : Number(v);
  };
  return [n('tracer_major'), n('tracer_minor'), n('tracer_patchlevel')];
}

/** Every event class name declared by the trace (to choose event families before reading). */
export function declaredNames(streams: Iterable<StreamClass>): Set<string> {
  const names = new Set<string>();
  for (const sc of streams) for (const ec of sc.events.values()) names.add(ec.name);
  return names;
}

/** Reads a number from the records of an event (a scope field, e.g. the packet's `cpu_id`). */
export type NumberReader = (rec: EventRecords) => number;

/** A reader of a numeric field of a scope (64-bit values beyond 2^53 arrive as bigint). */
export function numField(scope: 'pl' | 'pc' | 'sc' | 'ec', name: string): NumberReader {
  return reads(scope === 'pl' ? [name] : [], (rec) => num(rec[scope][name]));
}

/**
 * Adds the per-event common fields (CPU, context tid/pid) in front of a kind's extractor. The
 * variants are separate closures so that no per-event test decides what the trace has.
 *
 * Extractors are closures shared by all the event classes of a kind (one per kind and layout),
 * not code generated per class: a trace declares hundreds of syscall classes, and warming up one
 * function each costs more, on traces of a few million events, than the polymorphic property
 * reads of a shared one (measured on many-threads and cat-kernel).
 */
export function withCommon(f: Extractor, cpu: NumberReader, ctxTid: NumberReader | undefined, ctxPid: NumberReader | undefined): Extractor {
  const parts = [f, cpu, ctxTid, ctxPid].filter((g) => g !== undefined).map(payloadFieldsOf);
  const all = parts.every((p) => p !== undefined) ? [...new Set(parts.flatMap((p) => p ?? []))] : undefined;
  const extract = withCommonUndeclared(f, cpu, ctxTid, ctxPid);
  return all === undefined ? extract : reads(all, extract);
}

function withCommonUndeclared(f: Extractor, cpu: NumberReader, ctxTid: NumberReader | undefined, ctxPid: NumberReader | undefined): Extractor {
  if (ctxTid && ctxPid) {
    return (rec, ev) => {
      ev.cpu = cpu(rec);
      ev.ctxTid = ctxTid(rec);
      ev.ctxPid = ctxPid(rec);
      f(rec, ev);
    };
  }
  if (ctxTid) {
    return (rec, ev) => {
      ev.cpu = cpu(rec);
      ev.ctxTid = ctxTid(rec);
      ev.ctxPid = -1;
      f(rec, ev);
    };
  }
  return (rec, ev) => {
    ev.cpu = cpu(rec);
    ev.ctxTid = -1;
    ev.ctxPid = -1;
    f(rec, ev);
  };
}

/** The kernel's command name after exec: the file's base name, at most 15 bytes. */
export function commFromFilename(filename: string): string {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  return base.slice(0, 15);
}
