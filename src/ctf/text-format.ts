/**
 * babeltrace2's default text output (`sink.text.pretty`), byte for byte:
 *
 *   [HH:MM:SS.nnnnnnnnn] (+S.nnnnnnnnn) HOST EVENT: { cpu_id = 0 }, { ctx }, { ctx }, { payload }
 *
 * Each event class is compiled once into a function (like the decoders) that writes the line's
 * bytes straight into a buffer (text-writer.ts): the constant parts are encoded in advance,
 * integers and strings are written where they land, without a JavaScript string per line.
 */
import { isTextElement, type EventRecords, type VariantValue } from './codegen.js';
import type { CompiledEventClass } from './compile.js';
import type { EnumClass, FieldClass, IntegerClass, StructClass, TraceClass } from './model.js';
import { readTextBytes, type DecodeState } from './runtime.js';
import type { StreamReader } from './stream-reader.js';
import {
  ByteWriter,
  encodeText,
  writeAscii,
  writeBytes,
  writeDecimal,
  writeHexDigits,
  writeInt32,
  writePad9,
  writeQuoted,
  writeText,
  writeUint32,
} from './text-writer.js';
import type { TraceSet } from './trace-set.js';
import { ClockPrinter, MAX_DATE_SECONDS, NS } from './clock-printer.js';
import { enumLabels } from './enum-labels.js';

export { ClockPrinter } from './clock-printer.js';
export { enumLabels } from './enum-labels.js';

/** Writes the part of an event's line after its time: `HOST NAME: { fields… }` and the newline. */
export type LineWriter = (w: ByteWriter, rec: EventRecords) => void;


const ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\x1b': '\\e',
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '?': '\\?',
};
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\x00-\x1f\x7f\\'"?]/;
// eslint-disable-next-line no-control-regex
const ESCAPE_ALL = /[\x00-\x1f\x7f\\'"?]/g;

function escapeChar(c: string): string {
  return ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** A string as babeltrace prints it: quoted, C escapes, other control bytes as `\xNN`. */
export function quote(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  return `"${s.replace(ESCAPE_ALL, escapeChar)}"`;
}

/**
 * An integer in its display base, as babeltrace prints it: hex is uppercase and, for negative
 * values, masked to the size rounded up to 4 bits; octal masks signed values to a multiple of
 * 3 bits; binary always shows `size` digits.
 */
export function formatInt(v: number | bigint, int: IntegerClass): string {
  switch (int.base) {
    case 10:
      return String(v);
    case 16: {
      const m = masked(v, Math.ceil(int.size / 4) * 4);
      return `0x${typeof m === 'number' ? hexUpper(m) : m.toString(16).toUpperCase()}`;
    }
    case 8:
      return `0${(int.signed ? masked(v, Math.ceil(int.size / 3) * 3) : v).toString(8)}`;
    case 2:
      return `0b${masked(v, int.size).toString(2).padStart(int.size, '0')}`;
  }
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));
const HEX1 = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase());

/**
 * Uppercase hex of a whole number in [0, 2^53), a byte at a time: V8's `toString(16)` of a
 * double above 2^31 (every pointer) takes a slow generic path.
 */
export function hexUpper(v: number): string {
  if (v < 256) return HEX1[v]!;
  const lo = v % 4294967296;
  let x = (v - lo) / 4294967296;
  let s = '';
  if (x === 0) {
    x = lo;
  } else {
    s = HEX2[(lo >>> 24) & 255]! + HEX2[(lo >>> 16) & 255]! + HEX2[(lo >>> 8) & 255]! + HEX2[lo & 255]!;
  }
  while (x >= 256) {
    s = HEX2[x & 255]! + s;
    x = Math.floor(x / 256);
  }
  return HEX1[x]! + s;
}

/** Two's complement of v on `bits` bits (64 at most), for negative values. */
function masked(v: number | bigint, bits: number): number | bigint {
  if (v >= 0) return v;
  const b = Math.min(bits, 64);
  if (typeof v === 'number' && b <= 52) return v + 2 ** b;
  return BigInt.asUintN(b, BigInt(v));
}

function formatEnum(e: EnumClass, v: number | bigint): string {
  const labels = enumLabels(e, v);
  const container = formatInt(v, e.container);
  if (labels.length === 0) return `( <unknown> : container = ${container} )`;
  if (labels.length === 1) return `( ${quote(labels[0]!)} : container = ${container} )`;
  return `( ${labels.map(quote).join(', ')} : container = ${container} )`;
}

/**
 * C's `%g` (precision 6) as glibc prints it. JavaScript rounds exact decimal ties up where glibc
 * rounds them to even, so ties are detected on the exact expansion and rounded by hand.
 */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const neg = v < 0;
  const a = Math.abs(v);
  // Six significant digits, rounded half to even on the exact value.
  const exact = a.toExponential(60);
  const [mant, expText] = exact.split('e') as [string, string];
  let digits = mant.replace('.', '');
  let exp = Number(expText);
  const rest = digits.slice(6);
  let six = BigInt(digits.slice(0, 6));
  const half = /^50*$/.test(rest);
  if (rest[0]! > '5' || (rest[0] === '5' && !half) || (half && six % 2n === 1n)) six += 1n;
  digits = six.toString();
  if (digits.length > 6) {
    digits = digits.slice(0, 6);
    exp += 1;
  }
  let out: string;
  if (exp < -4 || exp >= 6) {
    const m = trimZeros(`${digits[0]}.${digits.slice(1)}`);
    out = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp >= 0) {
    out = trimZeros(`${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`);
  } else {
    out = trimZeros(`0.${'0'.repeat(-exp - 1)}${digits}`);
  }
  return neg ? `-${out}` : out;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Generic (interpreted) formatting of one value; the compiled path inlines the common cases. */
export function formatValue(fc: FieldClass, v: unknown): string {
  switch (fc.kind) {
    case 'int':
      return formatInt(v as number | bigint, fc);
    case 'enum':
      return formatEnum(fc, v as number | bigint);
    case 'bool':
      return v ? 'true' : 'false';
    case 'bit-array':
      return `0x${(v as number | bigint).toString(16).toUpperCase()}`;
    case 'float':
      return formatFloat(v as number);
    case 'string':
    case 'counted-string':
      return quote(v as string);
    case 'blob':
      return `[ ${Array.from(v as Uint8Array, (b, i) => `[${i}] = ${b}`).join(', ')} ]`.replace('[  ]', '[ ]');
    case 'struct':
      return formatStruct(fc, v as Record<string, unknown>);
    case 'array':
    case 'sequence': {
      if (isTextElement(fc.element)) return quote(v as string);
      const a = v as unknown[];
      if (a.length === 0) return '[ ]';
      let s = '[ ';
      for (let i = 0; i < a.length; i++) s += `${i ? ', ' : ''}[${i}] = ${formatValue(fc.element, a[i])}`;
      return `${s} ]`;
    }
    case 'variant': {
      const vv = v as VariantValue;
      const opt = fc.options[vv.option];
      return opt ? `{ ${formatValue(opt.type, vv.value)} }` : '{ }';
    }
    case 'optional':
      return v === null ? '{ }' : formatValue(fc.type, v);
  }
}

function formatStruct(fc: StructClass, o: Record<string, unknown>): string {
  if (fc.members.length === 0) return '{ }';
  let s = '{ ';
  fc.members.forEach((m, i) => {
    s += `${i ? ', ' : ''}${m.name} = ${formatValue(m.type, o[m.name])}`;
  });
  return `${s} }`;
}

/** Most bytes an integer of this class prints as (sign or base prefix included). */
function intMaxBytes(int: IntegerClass): number {
  switch (int.base) {
    case 10:
      return Math.ceil(int.size * Math.LOG10E * Math.LN2) + 1;
    case 16:
      return 2 + Math.ceil(int.size / 4);
    case 8:
      return 1 + Math.ceil(int.size / 3);
    case 2:
      return 2 + int.size;
  }
}

/** The last value a hex field printed through the string path (bigints: perf's addresses repeat). */
interface HexCache {
  v: unknown;
  text: string;
}

function writeHexInt(d: DataView, p: number, v: number | bigint, int: IntegerClass, cache: HexCache): number {
  if (typeof v === 'number' && v >= 0) {
    d.setUint16(p, 0x7830, true); // "0x"
    return writeHexDigits(d, p + 2, v);
  }
  if (v !== cache.v) {
    cache.v = v;
    cache.text = formatInt(v, int);
  }
  return writeAscii(d, p, cache.text);
}

/** Enumerations print the same few values over and over: their text is kept per field. */
function writeEnum(w: ByteWriter, v: number | bigint, e: EnumClass, cache: Map<number | bigint, string>): void {
  let text = cache.get(v);
  if (text === undefined) {
    text = formatEnum(e, v);
    if (cache.size < 1024) cache.set(v, text);
  }
  writeText(w, text);
}

/** Constants up to this many bytes are written by inline stores rather than a copy call. */
const INLINE_CONSTANT = 64;
/** Fixed arrays up to this length are written without a loop. */
const UNROLLED_ARRAY = 16;
const INDEX_PREFIXES = Array.from({ length: 256 }, (_, i) => encodeText(`${i ? ', ' : ''}[${i}] = `));
const INDEX_MAX_BYTES = ', [4294967295] = '.length;

/** What precedes element i of an array: `[0] = `, `, [1] = `… */
function writeIndex(b: Buffer, d: DataView, p: number, i: number): number {
  if (i < INDEX_PREFIXES.length) return writeBytes(b, p, INDEX_PREFIXES[i]!);
  p = writeAscii(d, p, ', [');
  p = writeUint32(d, p, i);
  return writeAscii(d, p, '] = ');
}

/** Runtime helpers referenced by the generated writers (`H.x` in `--dump-decoders`). */
const H = {
  bytes: writeBytes,
  ascii: writeAscii,
  dec: writeDecimal,
  uint32: writeUint32,
  int32: writeInt32,
  hex: writeHexInt,
  index: writeIndex,
  quoted: writeQuoted,
  text: writeText,
  enumText: writeEnum,
  formatInt,
  formatFloat,
  formatValue,
};

/**
 * Source of a line writer. The generated code keeps the buffer, its DataView and the position in
 * locals `b`, `d` and `p`; every stretch of straight-line code whose output has a known maximum
 * length starts with one room check for all of it. Pieces of unbounded length (strings, enumerations, rare kinds through
 * the string path) make their own room; a new stretch starts after them and in loop bodies.
 */
class LineCode {
  readonly consts: unknown[] = [];
  private readonly lines: string[] = [];
  private depth = 1;
  /** Constant text not yet emitted (merged across fields: `, name = `). */
  private text = '';
  private roomLine = -1;
  private roomDepth = 1;
  private roomBytes = 0;
  private names = 0;

  constructor() {
    this.openRoom();
  }

  constant(v: unknown): string {
    this.consts.push(v);
    return `K[${this.consts.length - 1}]`;
  }

  fresh(prefix: string): string {
    return `${prefix}${this.names++}`;
  }

  literal(s: string): void {
    this.text += s;
  }

  /** Code writing at most `max` bytes at `p` in `b`. */
  bounded(code: string, max: number): void {
    this.emitText();
    this.roomBytes += max;
    this.line(code);
  }

  /** Code that makes its own room in `w` (at `w.pos`). */
  unbounded(code: string): void {
    this.closeRoom();
    this.line('w.pos = p;');
    this.line(code);
    this.line('b = w.buf; d = w.dv; p = w.pos;');
    this.openRoom();
  }

  /** Code that writes nothing (declarations; pending constant text is written after it). */
  plain(code: string): void {
    this.line(code);
  }

  open(code: string): void {
    this.closeRoom();
    this.line(code);
    this.depth++;
    this.openRoom();
  }

  close(): void {
    this.closeRoom();
    this.depth--;
    this.line('}');
    this.openRoom();
  }

  source(): string {
    this.closeRoom();
    this.line('w.pos = p;');
    const body = this.lines.filter((l) => l !== '').join('\n');
    return `return function write(w, r) {\n  let b = w.buf, d = w.dv, p = w.pos;\n${body}\n};`;
  }

  private line(code: string): void {
    this.lines.push('  '.repeat(this.depth) + code);
  }

  private emitText(): void {
    if (this.text === '') return;
    const bytes = encodeText(this.text);
    const comment = ` // ${JSON.stringify(this.text)}`;
    this.roomBytes += bytes.length;
    this.text = '';
    if (bytes.length > INLINE_CONSTANT) return this.line(`p = H.bytes(b, p, ${this.constant(bytes)});${comment}`);
    // Up to 4 bytes per store: far fewer instructions than a copy loop or call.
    const stores: string[] = [];
    const at = (i: number) => (i ? `p + ${i}` : 'p');
    let i = 0;
    for (; i + 4 <= bytes.length; i += 4) stores.push(`d.setUint32(${at(i)}, 0x${bytes.readUInt32LE(i).toString(16)}, true);`);
    if (i + 2 <= bytes.length) {
      stores.push(`d.setUint16(${at(i)}, 0x${bytes.readUInt16LE(i).toString(16)}, true);`);
      i += 2;
    }
    if (i < bytes.length) stores.push(`d.setUint8(${at(i)}, 0x${bytes[i]!.toString(16)});`);
    if (stores.length > 1) this.line(comment.slice(1));
    this.line(`${stores.join(' ')} p += ${bytes.length};${stores.length > 1 ? '' : comment}`);
  }

  private openRoom(): void {
    this.roomLine = this.lines.length;
    this.roomDepth = this.depth;
    this.roomBytes = 0;
    this.lines.push('');
  }

  private closeRoom(): void {
    this.emitText();
    const n = this.roomBytes;
    if (n > 0) this.lines[this.roomLine] = `${'  '.repeat(this.roomDepth)}if (p + ${n} > b.length) { w.pos = p; b = w.room(${n}); d = w.dv; p = w.pos; }`;
  }
}

/** Emits the code writing `expr`, a value of class fc. */
function emitValue(c: LineCode, fc: FieldClass, expr: string): void {
  switch (fc.kind) {
    case 'int':
      // LEB128 integers have no size: any length.
      if (fc.variableLength) c.unbounded(`H.text(w, H.formatInt(${expr}, ${c.constant(fc)}));`);
      else if (fc.base === 10) c.bounded(`p = H.${fc.size > 32 ? 'dec' : fc.signed ? 'int32' : 'uint32'}(d, p, ${expr});`, intMaxBytes(fc));
      else if (fc.base === 16) c.bounded(`p = H.hex(d, p, ${expr}, ${c.constant(fc)}, ${c.constant({ v: undefined, text: '' })});`, intMaxBytes(fc));
      else c.bounded(`p = H.ascii(d, p, H.formatInt(${expr}, ${c.constant(fc)}));`, intMaxBytes(fc));
      return;
    case 'enum':
      return c.unbounded(`H.enumText(w, ${expr}, ${c.constant(fc)}, ${c.constant(new Map())});`);
    case 'string':
    case 'counted-string':
      return c.unbounded(`H.quoted(w, ${expr});`);
    case 'bool':
      return c.bounded(`p = H.bytes(b, p, ${expr} ? ${c.constant(encodeText('true'))} : ${c.constant(encodeText('false'))});`, 5);
    case 'float':
      // %g: sign, 6 digits, point, exponent.
      return c.bounded(`p = H.ascii(d, p, H.formatFloat(${expr}));`, 16);
    case 'struct': {
      if (fc.members.length === 0) return c.literal('{ }');
      c.literal('{ ');
      fc.members.forEach((m, i) => {
        c.literal(`${i ? ', ' : ''}${m.name} = `);
        emitValue(c, m.type, `${expr}[${JSON.stringify(m.name)}]`);
      });
      return c.literal(' }');
    }
    case 'array':
    case 'sequence': {
      if (isTextElement(fc.element)) return c.unbounded(`H.quoted(w, ${expr});`);
      // `[ [0] = x, [1] = y ]`, or `[ ]`.
      const a = c.fresh('a');
      c.plain(`const ${a} = ${expr};`);
      c.literal('[ ');
      if (fc.kind === 'array' && fc.length <= UNROLLED_ARRAY) {
        // Short fixed arrays (perf's syscall `args`): the indexes are constant text.
        for (let k = 0; k < fc.length; k++) {
          c.literal(`${k ? ', ' : ''}[${k}] = `);
          emitValue(c, fc.element, `${a}[${k}]`);
        }
        return c.literal(fc.length ? ' ]' : ']');
      }
      const [n, i] = [c.fresh('n'), c.fresh('i')];
      c.plain(`const ${n} = ${a}.length;`);
      c.open(`for (let ${i} = 0; ${i} < ${n}; ${i}++) {`);
      c.bounded(`p = H.index(b, d, p, ${i}); // "[i] = ", ", [i] = "`, INDEX_MAX_BYTES);
      emitValue(c, fc.element, `${a}[${i}]`);
      c.close();
      c.bounded(`if (${n} !== 0) b[p++] = 32; // " "`, 1);
      return c.literal(']');
    }
    default:
      return c.unbounded(`H.text(w, H.formatValue(${c.constant(fc)}, ${expr}));`);
  }
}

/**
 * What babeltrace shows of a field: integers with a special meaning (packet sizes, timestamps,
 * discard counters — anything with a role) or mapped to a clock are not part of its trace IR,
 * unless an option length or variant tag needs them. Compounds left empty disappear too.
 * Returns undefined when nothing is left.
 */
function visible(fc: FieldClass, referenced: Set<string>, name: string): FieldClass | undefined {
  switch (fc.kind) {
    case 'int':
    case 'enum': {
      const int = fc.kind === 'int' ? fc : fc.container;
      const special = (int.roles?.length ?? 0) > 0 || int.mappedClock !== undefined;
      return special && !referenced.has(name) ? undefined : fc;
    }
    case 'struct': {
      if (fc.members.length === 0) return fc;
      const members = fc.members.flatMap((m) => {
        const t = visible(m.type, referenced, m.origName);
        return t ? [{ ...m, type: t }] : [];
      });
      return members.length ? { ...fc, members } : undefined;
    }
    case 'array':
    case 'sequence': {
      const element = visible(fc.element, referenced, name);
      return element ? { ...fc, element } : undefined;
    }
    default:
      return fc;
  }
}

/** Names (as written) of fields that some sequence length or variant tag points at. */
function referencedNames(structs: (StructClass | undefined)[]): Set<string> {
  const names = new Set<string>();
  const walk = (fc: FieldClass): void => {
    switch (fc.kind) {
      case 'struct':
        return fc.members.forEach((m) => walk(m.type));
      case 'sequence':
        names.add(fc.length.path[fc.length.path.length - 1]!);
        return walk(fc.element);
      case 'array':
        return walk(fc.element);
      case 'variant':
        names.add(fc.tag.path[fc.tag.path.length - 1]!);
        return fc.options.forEach((o) => walk(o.type));
      case 'counted-string':
      case 'blob':
        if (typeof fc.length !== 'number') names.add(fc.length.path[fc.length.path.length - 1]!);
        return;
      case 'optional':
        names.add(fc.selector.path[fc.selector.path.length - 1]!);
        return walk(fc.type);
      default:
        return;
    }
  };
  for (const s of structs) if (s) walk(s);
  return names;
}

/**
 * The line writer of an event class: environment prefix, name, then the printed scopes (packet
 * context, stream event context, event context, payload) and the newline.
 */
function compileLine(trace: TraceClass, ec: CompiledEventClass): { write: LineWriter; source: string } {
  const sc = trace.streams.get(ec.cls.streamClassId)!;
  const scopes: [StructClass | undefined, string][] = [
    [sc.packetContext, 'r.pc'],
    [sc.eventContext, 'r.sc'],
    [ec.cls.context, 'r.ec'],
    [ec.cls.payload, 'r.pl'],
  ];
  const referenced = referencedNames(scopes.map(([s]) => s));
  const c = new LineCode();
  c.literal(`${envPrefix(trace)}${ec.cls.name || '<unknown>'}: `);
  let first = true;
  for (const [struct, expr] of scopes) {
    const shown = struct && visible(struct, referenced, '');
    if (!shown) continue;
    if (!first) c.literal(', ');
    first = false;
    emitValue(c, shown, expr);
  }
  c.literal('\n');
  const source = c.source();
  return { write: new Function('H', 'K', source)(H, c.consts) as LineWriter, source };
}

/** The environment part of a line: `hostname:procname:(vpid) `, each only when present. */
function envPrefix(trace: TraceClass): string {
  const parts: string[] = [];
  const host = trace.env.get('hostname');
  if (typeof host === 'string') parts.push(host);
  const proc = trace.env.get('procname');
  if (typeof proc === 'string') parts.push(proc);
  const vpid = trace.env.get('vpid');
  if (typeof vpid === 'bigint') parts.push(`(${vpid})`);
  return parts.length ? `${parts.join(':')} ` : '';
}

/** Longest time part: `[` time `] (+` delta `) ` (times beyond any calendar print long seconds). */
const HEAD_MAX = 160;
const UNKNOWN_DELTA = encodeText('(+?.?????????) ');

/**
 * Formats events of a trace set as babeltrace2's pretty sink does, as bytes into a ByteWriter
 * (`writeLine`, `writeEvent`) or as a string (`format`). The time delta is the time since the
 * previous event this formatter wrote.
 */
export class TextFormatter {
  private readonly compiled = new Map<CompiledEventClass, { write: LineWriter; source: string }>();
  private readonly originSec: number;
  private readonly originNs: number;
  private lastSec = Number.NaN;
  private lastNs = 0;
  /** Origin seconds beyond 2^53 / any calendar: print exactly through bigint (rare, slow). */
  private readonly hugeOrigin: boolean;
  private scratch?: ByteWriter;
  readonly clock: ClockPrinter;

  constructor(
    readonly set: TraceSet,
    warn?: (line: string) => void,
  ) {
    const o = set.origin;
    let sec = o / 1_000_000_000n;
    let ns = o % 1_000_000_000n;
    if (ns < 0n) {
      ns += 1_000_000_000n;
      sec -= 1n;
    }
    this.originSec = Number(sec);
    this.originNs = Number(ns);
    this.hugeOrigin = sec > BigInt(MAX_DATE_SECONDS);
    this.clock = new ClockPrinter(warn);
  }

  /** A relative time (ns from the origin) as babeltrace prints it. */
  timeText(rel: number): string {
    if (this.hugeOrigin) return this.clock.formatBig(this.set.origin + BigInt(rel));
    const total = this.originNs + rel;
    const carry = Math.floor(total / NS);
    return this.clock.format(this.originSec + carry, total - carry * NS);
  }

  private lineOf(trace: TraceClass, ec: CompiledEventClass): { write: LineWriter; source: string } {
    let line = this.compiled.get(ec);
    if (!line) {
      line = compileLine(trace, ec);
      this.compiled.set(ec, line);
    }
    return line;
  }

  /** The generated source of an event class's line writer (for `--dump-decoders`). */
  source(trace: TraceClass, ec: CompiledEventClass): string {
    return this.lineOf(trace, ec).source;
  }

  /** The current event of a reader as one line of text, newline included. */
  writeLine(w: ByteWriter, r: StreamReader): void {
    this.writeEvent(w, r.time, r.trace.cls, r.eventClass, r.records);
  }

  /**
   * One event as one line: `time` in ns from the trace set's origin (NaN: no time printed),
   * its trace, event class and decoded records.
   */
  writeEvent(w: ByteWriter, time: number, trace: TraceClass, ec: CompiledEventClass, records: EventRecords): void {
    if (!Number.isNaN(time)) this.writeTime(w, time);
    this.lineOf(trace, ec).write(w, records);
  }

  /** The current event of a reader as babeltrace2 prints it (without the newline). */
  format(r: StreamReader): string {
    const w = (this.scratch ??= new ByteWriter(1024));
    w.reset();
    this.writeLine(w, r);
    // Raw bytes that were not UTF-8 come back as the code units the decoder gave them.
    const bytes = w.bytes();
    const st: DecodeState = {
      u8: bytes,
      dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.length),
      buf: bytes,
      pos: 0,
      limit: bytes.length * 8,
      clockHi: 0,
      clockLo: 0,
      strEnd: 0,
    };
    return readTextBytes(st, 0, bytes.length - 1);
  }

  private writeTime(w: ByteWriter, rel: number): void {
    const total = this.originNs + rel;
    const carry = Math.floor(total / NS);
    const sec = this.originSec + carry;
    const ns = total - carry * NS;
    const b = w.room(HEAD_MAX);
    const d = w.dv;
    let p = w.pos;
    d.setUint8(p++, 91); // [
    p = this.hugeOrigin ? writeAscii(d, p, this.timeText(rel)) : this.clock.writeTime(d, p, sec, ns);
    d.setUint16(p, 0x205d, true); // "] "
    p += 2;
    if (Number.isNaN(this.lastSec)) p = writeBytes(b, p, UNKNOWN_DELTA);
    else {
      let dSec = sec - this.lastSec;
      let dNs = ns - this.lastNs;
      if (dNs < 0) {
        dNs += NS;
        dSec -= 1;
      }
      if (dSec === 0) {
        d.setUint32(p, 0x2e302b28, true); // "(+0."
        p += 4;
      } else {
        d.setUint16(p, 0x2b28, true); // "(+"
        p = writeDecimal(d, p + 2, dSec);
        d.setUint8(p++, 46); // .
      }
      p = writePad9(d, p, dNs);
      d.setUint16(p, 0x2029, true); // ") "
      p += 2;
    }
    w.pos = p;
    this.setLast(sec, ns);
  }

  private setLast(sec: number, ns: number): void {
    // babeltrace keeps "no previous time" as -1 ns: an event at exactly -1 ns resets the delta.
    if (sec === -1 && ns === NS - 1) this.lastSec = Number.NaN;
    else {
      this.lastSec = sec;
      this.lastNs = ns;
    }
  }

  /**
   * Makes the next `(+delta)` count from this time (ns from the origin; NaN: `(+?.?????????)`),
   * for a formatter that takes over from another one (a worker formatting part of the merged
   * order starts from the time of the event before its part).
   */
  continueAfter(rel: number): void {
    if (Number.isNaN(rel)) {
      this.lastSec = Number.NaN;
      return;
    }
    const total = this.originNs + rel;
    const carry = Math.floor(total / NS);
    this.setLast(this.originSec + carry, total - carry * NS);
  }
}
