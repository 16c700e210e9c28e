/**
 * The trace model: what a trace's metadata says, independent of its syntax.
 *
 * Both metadata front ends produce it — `tsdl/` (CTF 1.8 text, possibly packetized) and
 * `ctf2/` (CTF 2 JSON text sequence) — and everything downstream (decoder generation, packet
 * reading, text formatting) reads only this.
 *
 *   TraceClass ─┬─ packetHeader: StructClass
 *               ├─ env, clocks[]
 *               └─ streams[] ─ StreamClass ─┬─ packetContext / eventHeader / eventContext
 *                                           └─ events: Map<id, EventClass> ─ context / payload
 *
 * Sizes and alignments are in bits. Integer values that can exceed 2^53 (enum ranges, env
 * values, clock offsets) are `bigint`.
 */

export type ByteOrder = 'le' | 'be';

/** Where a field lives; also the origin of an absolute field reference. Order = decoding order. */
export type ScopeName =
  | 'packet-header'
  | 'packet-context'
  | 'event-header'
  | 'event-common-context'
  | 'event-specific-context'
  | 'event-payload';

export const SCOPE_ORDER: readonly ScopeName[] = [
  'packet-header',
  'packet-context',
  'event-header',
  'event-common-context',
  'event-specific-context',
  'event-payload',
];

/**
 * What an integer field means to the reader (CTF 2 "roles"; CTF 1.8 gives them by field name,
 * see `meanings.ts`).
 */
export type FieldRole =
  | 'packet-magic-number'
  | 'metadata-stream-uuid'
  | 'data-stream-class-id'
  | 'data-stream-id'
  | 'packet-total-length'
  | 'packet-content-length'
  | 'default-clock-timestamp'
  | 'packet-end-default-clock-timestamp'
  | 'discarded-event-record-counter-snapshot'
  | 'packet-sequence-number'
  | 'event-record-class-id';

/**
 * A reference to an earlier field (variant selector, sequence length, optional selector).
 * `origin` set: absolute, `path` from that scope's root. `origin` unset: relative (TSDL), looked
 * up from the innermost enclosing structure outwards, then through earlier scopes.
 * Path elements are the names as written in the metadata (before any underscore stripping).
 */
export interface FieldRef {
  origin?: ScopeName;
  path: string[];
  /** The reference as written, for error messages. */
  text: string;
}

export interface IntegerClass {
  kind: 'int';
  size: number;
  align: number;
  signed: boolean;
  byteOrder: ByteOrder;
  /** Preferred display base. */
  base: 2 | 8 | 10 | 16;
  /** 'utf8'/'ascii' on 8-bit elements make an array or sequence a string. */
  encoding: 'none' | 'utf8' | 'ascii';
  /** Name of the clock this field updates (TSDL `map = clock.NAME.value`). */
  mappedClock?: string;
  roles?: FieldRole[];
  /** CTF 2 variable-length (LEB128) integer; `size`/`byteOrder` are then meaningless. */
  variableLength?: boolean;
}

/** An inclusive value range; `lo <= hi`. */
export type Range = [lo: bigint, hi: bigint];

export interface EnumMapping {
  label: string;
  ranges: Range[];
}

/** TSDL `enum`, or a CTF 2 integer with `mappings`. Labels keep their order of declaration. */
export interface EnumClass {
  kind: 'enum';
  container: IntegerClass;
  mappings: EnumMapping[];
}

export interface FloatClass {
  kind: 'float';
  size: 32 | 64;
  align: number;
  byteOrder: ByteOrder;
}

/** NUL-terminated string, byte aligned. */
export interface StringClass {
  kind: 'string';
  encoding: 'utf8' | 'ascii';
}

export interface Member {
  /** Name as shown (TSDL strips one leading underscore). */
  name: string;
  /** Name as written in the metadata: what field references match against. */
  origName: string;
  type: FieldClass;
}

export interface StructClass {
  kind: 'struct';
  members: Member[];
  /** Minimum alignment (TSDL `align(N)`, CTF 2 `minimum-alignment`); 1 when unset. */
  align: number;
}

export interface VariantOption {
  name: string;
  origName: string;
  type: FieldClass;
  /**
   * CTF 2: the selector values choosing this option. TSDL: unset; the option is chosen by the
   * label of the selector enum equal to `origName` (with or without one leading underscore).
   */
  ranges?: Range[];
}

export interface VariantClass {
  kind: 'variant';
  tag: FieldRef;
  options: VariantOption[];
}

/** Fixed-length array; an array of 8-bit text-encoded integers is a fixed-size string. */
export interface ArrayClass {
  kind: 'array';
  element: FieldClass;
  length: number;
}

/** Dynamic-length array whose length is an earlier unsigned integer field. */
export interface SequenceClass {
  kind: 'sequence';
  element: FieldClass;
  length: FieldRef;
}

/** CTF 2 static-/dynamic-length string (bytes, may hold NULs; printed up to the first NUL). */
export interface CountedStringClass {
  kind: 'counted-string';
  length: number | FieldRef;
  encoding: 'utf8' | 'ascii';
}

/** CTF 2 blob (uninterpreted bytes); `roles` may hold 'metadata-stream-uuid'. */
export interface BlobClass {
  kind: 'blob';
  length: number | FieldRef;
  mediaType: string;
  roles?: FieldRole[];
}

/** CTF 2 boolean (a fixed-length bit array read as an unsigned integer, non-zero = true). */
export interface BoolClass {
  kind: 'bool';
  size: number;
  align: number;
  byteOrder: ByteOrder;
}

/** CTF 2 fixed-length bit array (and bit map): shown as an unsigned integer. */
export interface BitArrayClass {
  kind: 'bit-array';
  size: number;
  align: number;
  byteOrder: ByteOrder;
  flags?: { name: string; bits: Range[] }[];
}

/** CTF 2 optional: present when the selector (boolean, or integer in `ranges`) says so. */
export interface OptionalClass {
  kind: 'optional';
  type: FieldClass;
  selector: FieldRef;
  ranges?: Range[];
}

export type FieldClass =
  | IntegerClass
  | EnumClass
  | FloatClass
  | StringClass
  | StructClass
  | VariantClass
  | ArrayClass
  | SequenceClass
  | CountedStringClass
  | BlobClass
  | BoolClass
  | BitArrayClass
  | OptionalClass;

export interface ClockClass {
  name: string;
  /** Canonical lowercase `xxxxxxxx-xxxx-…` form, when given. */
  uuid?: string;
  description?: string;
  /** Cycles per second. */
  frequency: bigint;
  precision?: bigint;
  /** Offset from the origin: seconds + cycles (both signed, not normalised). */
  offsetSeconds: bigint;
  offsetCycles: bigint;
  /** TSDL `absolute`; CTF 2 `origin: "unix-epoch"` also sets it. */
  absolute: boolean;
}

export interface EventClass {
  id: bigint;
  name: string;
  streamClassId: bigint;
  /** TSDL `loglevel` integer (CTF 2 log-level strings are mapped to the same numbers). */
  logLevel?: number;
  emfUri?: string;
  context?: StructClass;
  payload?: StructClass;
}

export interface StreamClass {
  id: bigint;
  packetContext?: StructClass;
  eventHeader?: StructClass;
  eventContext?: StructClass;
  /** Clock of the event timestamps (CTF 2 `default-clock-class-id`; TSDL: from mapped fields). */
  defaultClock?: string;
  events: Map<bigint, EventClass>;
}

export interface Callsite {
  name: string;
  func: string;
  file: string;
  line: bigint;
  ip: bigint;
}

export interface TraceClass {
  /** 1 for CTF 1.8 (TSDL), 2 for CTF 2 (JSON). */
  ctfVersion: 1 | 2;
  major: number;
  minor: number;
  /** The trace UUID (16 bytes), when declared. */
  uuid?: Uint8Array;
  byteOrder: ByteOrder;
  packetHeader?: StructClass;
  /** Environment, in declaration order. Integer values are bigint. */
  env: Map<string, string | bigint>;
  clocks: ClockClass[];
  streams: Map<bigint, StreamClass>;
  callsites: Callsite[];
  /** Problems found in the metadata that do not stop decoding. */
  warnings: string[];
}
