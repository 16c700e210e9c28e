/**
 * babeltrace2's default text output (`sink.text.pretty`), byte for byte:
 *
 *   [HH:MM:SS.nnnnnnnnn] (+S.nnnnnnnnn) HOST EVENT: { cpu_id = 0 }, { ctx }, { ctx }, { payload }
 *
 * The field part of each event class is compiled once into a function (like the decoders), so
 * formatting an event is string concatenation without walking the type tree.
 */
import { isTextElement, type EventRecords, type VariantValue } from './codegen.js';
import type { CompiledEventClass } from './compile.js';
import type { EnumClass, FieldClass, IntegerClass, StructClass, TraceClass } from './model.js';
import type { StreamReader } from './stream-reader.js';
import type { TraceSet } from './trace-set.js';

type FieldsFormatter = (rec: EventRecords) => string;

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

/** Enumeration labels matching a value, in declaration order. */
export function enumLabels(e: EnumClass, v: number | bigint): string[] {
  const labels: string[] = [];
  const b = BigInt(v);
  for (const m of e.mappings) {
    if (m.ranges.some(([lo, hi]) => b >= lo && b <= hi)) labels.push(m.label);
  }
  return labels;
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

/** Runtime helpers referenced by the generated formatters. */
const H = { quote, formatInt, formatEnum, formatFloat, formatValue };

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

/** JS source that formats `expr` (a value of class fc) as a string expression. */
function valueSource(fc: FieldClass, expr: string, consts: unknown[]): string {
  const constant = (v: unknown) => {
    consts.push(v);
    return `K[${consts.length - 1}]`;
  };
  switch (fc.kind) {
    case 'int':
      return fc.base === 10 ? `(''+${expr})` : `H.formatInt(${expr}, ${constant(fc)})`;
    case 'enum':
      return `H.formatEnum(${constant(fc)}, ${expr})`;
    case 'string':
    case 'counted-string':
      return `H.quote(${expr})`;
    case 'struct': {
      if (fc.members.length === 0) return `'{ }'`;
      const parts = fc.members.map(
        (m, i) => `'${i ? ', ' : ''}${jsStr(m.name)} = ' + ${valueSource(m.type, `${expr}[${JSON.stringify(m.name)}]`, consts)}`,
      );
      return `('{ ' + ${parts.join(' + ')} + ' }')`;
    }
    case 'array':
    case 'sequence':
      if (isTextElement(fc.element)) return `H.quote(${expr})`;
      return `H.formatValue(${constant(fc)}, ${expr})`;
    default:
      return `H.formatValue(${constant(fc)}, ${expr})`;
  }
}

function jsStr(s: string): string {
  return s.replace(/[\\']/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
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

/** The printed scopes of an event: packet context, stream event context, event context, payload. */
function compileFields(trace: TraceClass, ec: CompiledEventClass): FieldsFormatter {
  const sc = trace.streams.get(ec.cls.streamClassId)!;
  const scopes: [StructClass | undefined, string][] = [
    [sc.packetContext, 'r.pc'],
    [sc.eventContext, 'r.sc'],
    [ec.cls.context, 'r.ec'],
    [ec.cls.payload, 'r.pl'],
  ];
  const referenced = referencedNames(scopes.map(([s]) => s));
  const consts: unknown[] = [];
  const parts: string[] = [];
  for (const [struct, expr] of scopes) {
    const shown = struct && visible(struct, referenced, '');
    if (shown) parts.push(valueSource(shown, expr, consts));
  }
  const body = parts.length ? parts.join(` + ', ' + `) : `''`;
  const src = `return function fmt(r) { return ${body}; };`;
  return new Function('H', 'K', src)(H, consts) as FieldsFormatter;
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

const NS = 1_000_000_000;
/** The last second a JavaScript Date can represent (year 275760). */
const MAX_DATE_SECONDS = 8.64e12;

/**
 * Wall-clock times as babeltrace2 prints them, with its handling of negative times: the first
 * one falls back to `-S.nnnnnnnnn` (with a warning on stderr); later ones print the clock time of
 * their absolute value (a babeltrace2 quirk, kept for identical output).
 */
export class ClockPrinter {
  private negativeSeen = false;
  private beyondWarned = false;
  private cachedSec = Number.NaN;
  private cachedHms = '';

  constructor(private readonly warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {}

  /** `sec` and `ns` as floor division of the absolute ns time. */
  format(sec: number, ns: number): string {
    if (sec > MAX_DATE_SECONDS) return this.beyondCalendar(BigInt(sec), ns);
    if (sec >= 0) return `${this.hms(sec)}.${pad9(ns)}`;
    // C truncating division: |time| split into seconds and ns.
    let absSec = -sec;
    let absNs = ns;
    if (absNs > 0) {
      absSec -= 1;
      absNs = NS - absNs;
    }
    if (!this.negativeSeen) {
      this.negativeSeen = true;
      this.warn('[warning] Fallback to [sec.ns] to print negative time value. Use --clock-seconds.');
      return `-${absSec}.${pad9(absNs)}`;
    }
    return `${this.hms(absSec)}.${pad9(absNs)}`;
  }

  formatBig(t: bigint): string {
    let sec = t / 1_000_000_000n;
    let rem = t % 1_000_000_000n;
    if (rem < 0n) {
      rem += 1_000_000_000n;
      sec -= 1n;
    }
    if (sec > BigInt(MAX_DATE_SECONDS)) return this.beyondCalendar(sec, Number(rem));
    return this.format(Number(sec), Number(rem));
  }

  /**
   * Times past what a calendar can show (babeltrace2 refuses such traces: `funky_trace`'s clock
   * offset is 1.35e18 s) are printed as seconds since the origin, with a warning once.
   */
  private beyondCalendar(sec: bigint, ns: number): string {
    if (!this.beyondWarned) {
      this.beyondWarned = true;
      this.warn('tracelane: warning: timestamps are beyond any calendar date (huge clock offset); printed as seconds since the clock origin');
    }
    return `${sec}.${pad9(ns)}`;
  }

  private hms(sec: number): string {
    if (sec !== this.cachedSec) {
      const d = new Date(sec * 1000);
      this.cachedSec = sec;
      this.cachedHms = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
    }
    return this.cachedHms;
  }
}

/** Formats events of a trace set as babeltrace2's pretty sink does. */
export class TextFormatter {
  private readonly compiled = new Map<CompiledEventClass, FieldsFormatter>();
  private readonly prefixes = new Map<TraceClass, string>();
  private readonly originSec: number;
  private readonly originNs: number;
  private lastSec = Number.NaN;
  private lastNs = 0;
  /** Origin seconds beyond 2^53 / any calendar: print exactly through bigint (rare, slow). */
  private readonly hugeOrigin: boolean;
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

  private tracePrefix(trace: TraceClass): string {
    let p = this.prefixes.get(trace);
    if (p === undefined) {
      p = envPrefix(trace);
      this.prefixes.set(trace, p);
    }
    return p;
  }

  /** A relative time (ns from the origin) as babeltrace prints it. */
  timeText(rel: number): string {
    if (this.hugeOrigin) return this.clock.formatBig(this.set.origin + BigInt(rel));
    const total = this.originNs + rel;
    const carry = Math.floor(total / NS);
    return this.clock.format(this.originSec + carry, total - carry * NS);
  }

  format(r: StreamReader): string {
    const ec = r.eventClass;
    let fmt = this.compiled.get(ec);
    if (!fmt) {
      fmt = compileFields(r.trace.cls, ec);
      this.compiled.set(ec, fmt);
    }
    let head = '';
    if (!Number.isNaN(r.time)) {
      const total = this.originNs + r.time;
      const carry = Math.floor(total / NS);
      const sec = this.originSec + carry;
      const ns = total - carry * NS;
      head = `[${this.hugeOrigin ? this.timeText(r.time) : this.clock.format(sec, ns)}] `;
      if (Number.isNaN(this.lastSec)) head += '(+?.?????????) ';
      else {
        let dSec = sec - this.lastSec;
        let dNs = ns - this.lastNs;
        if (dNs < 0) {
          dNs += NS;
          dSec -= 1;
        }
        head += `(+${dSec}.${pad9(dNs)}) `;
      }
      // babeltrace keeps "no previous time" as -1 ns: an event at exactly -1 ns resets the delta.
      if (sec === -1 && ns === NS - 1) this.lastSec = Number.NaN;
      else {
        this.lastSec = sec;
        this.lastNs = ns;
      }
    }
    return `${head}${this.tracePrefix(r.trace.cls)}${ec.cls.name || '<unknown>'}: ${fmt(r.records)}`;
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad9(n: number): string {
  const s = String(n);
  return s.length >= 9 ? s : '000000000'.slice(s.length) + s;
}
