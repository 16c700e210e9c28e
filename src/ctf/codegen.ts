/**
 * Decoder generation: each scope's structure (packet header, packet context, event header,
 * contexts, payload) is compiled once into a JavaScript function that reads the packet bytes
 * with a DataView and stores the values into a reusable record object. Nothing interprets the
 * type tree per event, and nothing is allocated per integer field.
 *
 *   compileScope(struct) ─► source text ─► new Function(...) ─► decode(st, rec, ev)
 *
 * `st` is the stream's DecodeState (bytes, bit position, clock, role values), `rec` the record
 * of this scope, `ev` the records of the earlier scopes (for variant tags and sequence lengths).
 * Record shapes are fixed per scope (made by `makeRecord`) so V8 keeps them monomorphic.
 */
import type {
  FieldClass,
  FieldRef,
  FieldRole,
  IntegerClass,
  Range,
  ScopeName,
  StructClass,
  VariantClass,
} from './model.js';
import { alignmentOf } from './alignment.js';
import * as rt from './runtime.js';

export { alignmentOf };

/** The records of all scopes of the event being decoded; keys follow `SCOPE_KEY`. */
export interface EventRecords {
  ph: Record<string, unknown>;
  pc: Record<string, unknown>;
  eh: Record<string, unknown>;
  sc: Record<string, unknown>;
  ec: Record<string, unknown>;
  pl: Record<string, unknown>;
}

export const SCOPE_KEY: Record<ScopeName, keyof EventRecords> = {
  'packet-header': 'ph',
  'packet-context': 'pc',
  'event-header': 'eh',
  'event-common-context': 'sc',
  'event-specific-context': 'ec',
  'event-payload': 'pl',
};

/** What a role-bearing field stores into the DecodeState (see `RoleState`). */
export const ROLE_PROPERTY: Partial<Record<FieldRole, keyof RoleState>> = {
  'packet-magic-number': 'magic',
  'data-stream-class-id': 'streamClassId',
  'data-stream-id': 'streamInstanceId',
  'packet-total-length': 'packetSize',
  'packet-content-length': 'contentSize',
  'packet-end-default-clock-timestamp': 'timestampEnd',
  'discarded-event-record-counter-snapshot': 'discarded',
  'packet-sequence-number': 'seqNum',
  'event-record-class-id': 'eventId',
};

/** Values that fields with roles leave in the decode state; -1 = not seen. */
export interface RoleState {
  magic: number | bigint;
  streamClassId: number | bigint;
  streamInstanceId: number | bigint;
  packetSize: number | bigint;
  contentSize: number | bigint;
  timestampEnd: number | bigint;
  discarded: number | bigint;
  seqNum: number | bigint;
  eventId: number | bigint;
  /** Set when a field updated the clock since the last reset. */
  clockSet: boolean;
}

export type FullState = rt.DecodeState & RoleState;

export type ScopeDecoder = (st: FullState, rec: Record<string, unknown>, ev: EventRecords) => void;

/** A variant's value in a record: the chosen option and its value. */
export interface VariantValue {
  option: number;
  value: unknown;
  /** Reusable objects for compound options, by option index. */
  slots: unknown[];
}

/** Scopes decoded before the one being compiled, for references. */
export type EarlierScopes = Partial<Record<ScopeName, StructClass>>;

/** Is this an 8-bit text-encoded integer (an array or sequence of it is a string)? */
export function isTextElement(fc: FieldClass): boolean {
  const i = fc.kind === 'int' ? fc : fc.kind === 'enum' ? fc.container : undefined;
  return i !== undefined && i.size === 8 && i.encoding !== 'none' && i.align % 8 === 0;
}

/** A fresh record for a field class: the reusable shape that the decoder fills. */
export function makeRecord(fc: FieldClass): unknown {
  switch (fc.kind) {
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const m of fc.members) o[m.name] = makeRecord(m.type);
      return o;
    }
    case 'array':
    case 'sequence':
      return isTextElement(fc.element) ? '' : [];
    case 'variant': {
      const v: VariantValue = {
        option: -1,
        value: undefined,
        slots: fc.options.map((o) => (isCompound(o.type) ? makeRecord(o.type) : undefined)),
      };
      return v;
    }
    case 'optional':
      return null;
    case 'string':
    case 'counted-string':
      return '';
    case 'blob':
      return new Uint8Array(0);
    case 'bool':
      return false;
    default:
      return 0;
  }
}

function isCompound(fc: FieldClass): boolean {
  return fc.kind === 'struct' || fc.kind === 'variant' || (fc.kind === 'array' || fc.kind === 'sequence') && !isTextElement(fc.element);
}

interface Frame {
  struct: StructClass;
  /** JS expression of the record object of this struct. */
  expr: string;
  /** Index of the member being decoded. */
  index: number;
}

interface Resolved {
  expr: string;
  fc: FieldClass;
}

/** A compiled scope: the function and its source (for `--dump-decoders`). */
export interface CompiledScope {
  decode: ScopeDecoder;
  source: string;
}

export class CodegenError extends Error {}

const CHECK_LINE = /^(\s*)if \(p \+ (\d+) > L\) rt\.outOfBounds\(p, \2, L\);$/;
const ALIGN_CHECK_LINE = /^(\s*)if \(p > L\) rt\.outOfBounds\(p, 0, L\);$/;
const ADVANCE_LINE = /^(\s*)p \+= (\d+);$/;
/** Lines that neither move `p` nor branch: reads and stores between two checks. */
const MOVES_OR_BRANCHES = /[{}]|^\s*(if|for|while|switch|case|break|throw|return|else)\b|(^|[^\w.])p\s*[-+]?=(?!=)/;

/**
 * One bounds check for each straight run of fixed-size fields instead of one per field: where
 * only constant advances (`p += n`) separate the checks, the last field's end is checked first,
 * and only when that fails does `rt.fieldsOutOfBounds` find the first field that does not fit,
 * to throw exactly the error the field-by-field checks would have thrown.
 */
export function mergeBoundsChecks(lines: string[], constant: (v: unknown) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = CHECK_LINE.exec(lines[i]!) ?? ALIGN_CHECK_LINE.exec(lines[i]!);
    if (!first) {
      out.push(lines[i]!);
      continue;
    }
    const indent = first[1]!;
    // Pairs (offset from the first check, bits) of every check of the run.
    const fields = [0, first[2] === undefined ? 0 : Number(first[2])];
    const body: string[] = [];
    let offset = 0;
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      const check = CHECK_LINE.exec(line) ?? ALIGN_CHECK_LINE.exec(line);
      const advance = ADVANCE_LINE.exec(line);
      if (check && check[1] === indent) fields.push(offset, check[2] === undefined ? 0 : Number(check[2]));
      else if (advance && advance[1] === indent) {
        offset += Number(advance[2]);
        body.push(line);
      } else if (line.startsWith(indent) && !MOVES_OR_BRANCHES.test(line)) body.push(line);
      else break;
    }
    if (fields.length === 2) {
      out.push(lines[i]!);
      continue;
    }
    let end = 0;
    for (let k = 0; k < fields.length; k += 2) end = Math.max(end, fields[k]! + fields[k + 1]!);
    out.push(`${indent}if (p + ${end} > L) rt.fieldsOutOfBounds(p, ${constant(fields)}, L);`, ...body);
    i = j - 1;
  }
  return out;
}

/** Fixed arrays of scalars up to this length are decoded without a loop. */
const UNROLLED_ELEMENTS = 16;

/** Most elements an array of possibly empty elements (e.g. empty structs) may have. */
const MAX_EMPTY_ELEMENTS = 1 << 24;

/**
 * What a decoder stores: every field (false); only what lengths and tags need (true, for
 * consumers that ignore the class); or that plus these top-level members (partial decoding,
 * for consumers that read a few fields). Fields not stored keep their record's earlier value.
 */
export type Lean = boolean | readonly string[];

/** Compiles the decoder of one scope (see `generateScope`). */
export function compileScope(
  scope: ScopeName,
  struct: StructClass,
  earlier: EarlierScopes,
  name: string,
  lean: Lean = false,
): CompiledScope {
  const { source, constants } = generateScope(scope, struct, earlier, name, lean);
  const factory = new Function('rt', 'C', source) as (r: typeof rt, c: unknown[]) => ScopeDecoder;
  return { decode: factory(rt, constants), source };
}

/**
 * The source of a scope's decoder. Generating it resolves every field reference and checks
 * every length and tag type, so it also validates the layout (without compiling anything).
 */
export function generateScope(
  scope: ScopeName,
  struct: StructClass,
  earlier: EarlierScopes,
  name: string,
  lean: Lean = false,
): { source: string; constants: unknown[] } {
  // A lean decoder only advances past the fields nothing refers to (see `Generator.needed`).
  let needed: Needed | undefined;
  if (lean !== false) {
    const g = new Generator(scope, earlier, [], 1);
    g.struct(struct, 'rec', []);
    const kept = lean === true ? [] : lean;
    needed = { targets: g.referenced, members: new Set(kept) };
    name = kept.length === 0 ? `${name} (lean: only what lengths and tags need)` : `${name} (partial: ${kept.join(', ')})`;
  }
  const generate = (start: 'unknown' | 'byte' | 'packet', constants: unknown[], indent: number) => {
    const g = new Generator(scope, earlier, constants, indent, needed);
    // A packet header starts the packet: bit 0, aligned on anything.
    if (start === 'packet') g.startAligned();
    else if (start === 'byte') g.startByteAligned();
    g.struct(struct, 'rec', []);
    return g.body();
  };
  const head = `  let p = st.pos;\n  const u8 = st.u8, dv = st.dv, L = st.limit;\n`;
  const wrap = (body: string) => `// ${name}\nreturn function decode(st, rec, ev) {\n${head}${body}\n  st.pos = p;\n};`;
  if (scope === 'packet-header') {
    const constants: unknown[] = [];
    return { source: wrap(generate('packet', constants, 1)), constants };
  }
  const constants: unknown[] = [];
  const general = generate('unknown', constants, 1);
  // Layouts of bit-aligned fields (perf's `align = 1`) are byte-aligned in practice: a second
  // version of the decoder that knows it reads whole bytes with DataView instead of bit by bit.
  if (alignmentOf(struct) >= 8 || generate('byte', [], 1) === general) return { source: wrap(general), constants };
  const both: unknown[] = [];
  const fast = generate('byte', both, 2);
  const slow = generate('unknown', both, 2);
  return { source: wrap(`  if ((p & 7) === 0) {\n${fast}\n  } else {\n${slow}\n  }`), constants: both };
}

/** What a lean decoder stores: referenced field expressions, and kept top-level members (whole). */
interface Needed {
  targets: Set<string>;
  members: Set<string>;
}

/** The first member name of a plain member path (`rec["a"]["b"]` → `a`), else undefined. */
const PLAIN_PATH = /^rec\["([^"\\]*)"\](\["[^"\\]*"\])*$/;

class Generator {
  private lines: string[] = [];
  /**
   * Bits skipped (not read) since the last emitted line: consecutive skipped fixed-size fields
   * become one bounds check and one addition (see `line`).
   */
  private pending = 0;
  private tmp = 0;
  /** Expressions of the fields that lengths, tags and selectors read. */
  readonly referenced = new Set<string>();
  /**
   * What is statically known of `p` here: p ≡ phase (mod known), known a power of two. It lets
   * alignments become constants (or vanish) and bit-field shifts be computed at generation time.
   */
  private known = 1;
  private phase = 0;
  /** Byte order of the last bit field read in this scope: 'mixed' when paths disagree. */
  private order: 'le' | 'be' | 'mixed' | undefined;

  constructor(
    private readonly scope: ScopeName,
    private readonly earlier: EarlierScopes,
    readonly constants: unknown[],
    private indent: number,
    /** Lean mode: only these fields are stored; the others are skipped over. */
    private readonly needed?: Needed,
  ) {}

  /** In lean mode, is this a field no one reads (its value is not stored)? */
  private skipped(target: string): boolean {
    if (this.needed === undefined || this.needed.targets.has(target)) return false;
    // Only plain member paths: names with temporaries (array elements, variant values) are
    // not the same from one generation to the next. A kept member is kept with all it holds.
    const m = PLAIN_PATH.exec(target);
    return m !== null && !this.needed.members.has(m[1]!);
  }

  /** Advances over `bits` statically known bits without reading them (merged with neighbours). */
  private skip(bits: number): void {
    this.pending += bits;
    this.advanced(bits);
  }

  startAligned(): void {
    this.known = 1 << 20;
    this.phase = 0;
  }

  /** The code is only run where `p` is a multiple of 8 (see `generateScope`). */
  startByteAligned(): void {
    this.known = 8;
    this.phase = 0;
  }

  private at(known: number, phase = 0): void {
    this.known = known;
    this.phase = phase % known;
  }

  /** The position facts that hold in every one of several code paths. */
  private merge(states: [number, number][]): void {
    let k = Math.min(...states.map(([known]) => known));
    while (k > 1 && new Set(states.map(([, ph]) => ph % k)).size > 1) k /= 2;
    this.at(k, states[0]![1]);
  }

  /**
   * CTF allows the byte order to change only at a byte boundary (a field cannot share a byte
   * with a field of the other order); babeltrace2 refuses it, and so do we.
   */
  private byteOrder(order: 'le' | 'be'): void {
    const last = this.order;
    this.order = order;
    // Where paths disagree on the previous order, no check: better to decode than to refuse.
    if (last === undefined || last === order || last === 'mixed') return;
    if (this.known >= 8) {
      if (this.phase % 8 === 0) return;
      this.line(`throw new rt.DecodeError('byte order changes inside a byte', p);`);
      return;
    }
    this.line(`if ((p & 7) !== 0) throw new rt.DecodeError('byte order changes inside a byte', p);`);
  }

  body(): string {
    this.flush();
    return mergeBoundsChecks(this.lines, (v) => this.constant(v)).join('\n');
  }

  line(s: string): void {
    this.flush();
    this.lines.push('  '.repeat(this.indent) + s);
  }

  /** Emits the pending skip (before any code that reads `p`). */
  private flush(): void {
    const n = this.pending;
    if (n === 0) return;
    this.pending = 0;
    const pad = '  '.repeat(this.indent);
    this.lines.push(`${pad}if (p + ${n} > L) rt.outOfBounds(p, ${n}, L);`, `${pad}p += ${n};`);
  }

  private v(prefix: string): string {
    return `${prefix}${this.tmp++}`;
  }

  private constant(value: unknown): string {
    this.constants.push(value);
    return `C[${this.constants.length - 1}]`;
  }

  private align(a: number): void {
    if (a <= 1) return;
    if (a <= this.known) {
      // Statically known: a constant skip, or nothing.
      const pad = (a - (this.phase % a)) % a;
      if (pad === 0) return;
      if (this.pending > 0) {
        // Padding between skipped fields: part of the same skip.
        this.skip(pad);
        return;
      }
      this.line(`p += ${pad};`);
      this.line(`if (p > L) rt.outOfBounds(p, 0, L);`);
      this.at(this.known, this.phase + pad);
      return;
    }
    this.line(`p = ((p + ${a - 1}) >>> ${Math.log2(a)}) * ${a};`);
    // Padding is data too: aligning may not take the position past the content.
    this.line(`if (p > L) rt.outOfBounds(p, 0, L);`);
    this.at(a, 0);
  }

  /** After advancing by a static number of bits. */
  private advanced(bits: number): void {
    this.at(this.known, this.phase + bits);
  }

  private check(bits: string): void {
    this.line(`if (p + ${bits} > L) rt.outOfBounds(p, ${bits}, L);`);
  }

  struct(fc: StructClass, expr: string, frames: Frame[]): void {
    this.align(alignmentOf(fc));
    const frame: Frame = { struct: fc, expr, index: 0 };
    const inner = [...frames, frame];
    fc.members.forEach((m, i) => {
      frame.index = i;
      this.field(m.type, `${expr}[${JSON.stringify(m.name)}]`, inner);
    });
  }

  field(fc: FieldClass, target: string, frames: Frame[]): void {
    switch (fc.kind) {
      case 'int':
        return this.integer(fc, target);
      case 'enum':
        return this.integer(fc.container, target);
      case 'bool':
      case 'bit-array': {
        const int: IntegerClass = {
          kind: 'int',
          size: fc.size,
          align: fc.align,
          signed: false,
          byteOrder: fc.byteOrder,
          base: 10,
          encoding: 'none',
        };
        this.integer(int, target);
        if (fc.kind === 'bool') this.line(`${target} = ${target} != 0;`);
        return;
      }
      case 'float':
        return this.float(fc.size, fc.align, fc.byteOrder === 'le', target);
      case 'string':
        this.align(8);
        if (this.skipped(target)) this.line(`rt.skipCString(st, p >>> 3); p = st.strEnd * 8;`);
        else this.line(`${target} = rt.readCString(st, p >>> 3, ${this.constant(rt.newStringCache())}); p = st.strEnd * 8;`);
        this.at(8);
        return;
      case 'counted-string': {
        const n = this.lengthExpr(fc.length, frames);
        this.align(8);
        this.check(`${n} * 8`);
        this.line(`${target} = rt.readTextBytes(st, p >>> 3, ${n}); p += ${n} * 8;`);
        if (typeof fc.length !== 'number') this.at(8);
        return;
      }
      case 'blob': {
        const n = this.lengthExpr(fc.length, frames);
        this.align(8);
        this.check(`${n} * 8`);
        this.line(`${target} = u8.slice(p >>> 3, (p >>> 3) + ${n}); p += ${n} * 8;`);
        if (typeof fc.length !== 'number') this.at(8);
        return;
      }
      case 'struct':
        return this.struct(fc, target, frames);
      case 'array':
        return this.array(fc.element, String(fc.length), target, frames, true);
      case 'sequence':
        return this.array(fc.element, this.lengthExpr(fc.length, frames), target, frames, false);
      case 'variant':
        return this.variant(fc, target, frames);
      case 'optional': {
        const sel = this.resolve(fc.selector, frames);
        const cond = fc.ranges ? this.rangeTest(sel.expr, fc.ranges) : `${sel.expr}`;
        const saved: [number, number] = [this.known, this.phase];
        this.line(`if (${cond}) {`);
        this.indent++;
        const t = this.v('o');
        this.line(`let ${t} = ${target};`);
        if (isCompound(fc.type)) {
          const mk = this.constant(() => makeRecord(fc.type));
          this.line(`if (${t} === null) ${t} = ${target} = ${mk}();`);
        }
        this.field(fc.type, t, frames);
        if (!isCompound(fc.type)) this.line(`${target} = ${t};`);
        this.indent--;
        this.line(`} else ${target} = null;`);
        this.merge([saved, [this.known, this.phase]]);
        return;
      }
    }
  }

  /** `halves`: the uint32 halves a 64-bit unsigned field was read as (the clock takes them as is). */
  private roleCode(fc: IntegerClass, value: string, halves?: [string, string]): void {
    for (const role of fc.roles ?? []) {
      if (role === 'default-clock-timestamp') {
        // Splitting the value again would cost a float division and modulo per event.
        if (fc.size === 64 && halves) this.line(`st.clockHi = ${halves[0]}; st.clockLo = ${halves[1]}; st.clockSet = true;`);
        else if (fc.size === 64) this.line(`rt.setClock(st, ${value}); st.clockSet = true;`);
        else if (fc.size < 32) {
          // The wrap rule inline (see runtime.updateClock): new low bits below the current ones
          // mean the counter wrapped once.
          const m = 2 ** fc.size;
          const v = this.v('c');
          const lo = this.v('lo');
          this.line(`{ const ${v} = ${value}; let ${lo} = st.clockLo;`);
          this.line(`  if (${v} < (${lo} & ${m - 1})) { ${lo} += ${m}; if (${lo} >= 4294967296) { ${lo} -= 4294967296; st.clockHi = (st.clockHi + 1) >>> 0; } }`);
          this.line(`  st.clockLo = ${lo} - (${lo} & ${m - 1}) + ${v}; st.clockSet = true; }`);
        } else this.line(`rt.updateClock(st, ${value}, ${fc.size}); st.clockSet = true;`);
      }
      const prop = ROLE_PROPERTY[role];
      if (prop) this.line(`st.${prop} = ${value};`);
    }
  }

  integer(fc: IntegerClass, target: string): void {
    if (fc.variableLength) {
      this.align(8);
      this.line(`${target} = rt.${fc.signed ? 'readVarSint' : 'readVarUint'}(st, p >>> 3); p = st.strEnd * 8;`);
      this.at(8);
      this.roleCode(fc, target);
      return;
    }
    this.align(fc.align);
    const size = fc.size;
    const le = fc.byteOrder === 'le';
    this.byteOrder(fc.byteOrder);
    if (this.skipped(target) && !fc.roles?.length) {
      this.skip(size);
      return;
    }
    this.check(String(size));
    const shift = this.known >= 8 ? this.phase % 8 : -1;
    const byteAligned = shift === 0 && (size === 8 || size === 16 || size === 32 || size === 64);
    let halves: [string, string] | undefined;
    if (byteAligned) {
      const s = fc.signed ? 'Int' : 'Uint';
      if (size === 8) this.line(`${target} = ${fc.signed ? 'dv.getInt8(p >>> 3)' : 'u8[p >>> 3]'};`);
      else if (size < 64) this.line(`${target} = dv.get${s}${size}(p >>> 3, ${le});`);
      else {
        const hi = this.v('h');
        const lo = this.v('l');
        if (!fc.signed) halves = [hi, lo];
        const [hiOff, loOff] = le ? ['4', '0'] : ['0', '4'];
        this.line(
          `const ${hi} = dv.get${s}32((p >>> 3) + ${hiOff}, ${le}), ${lo} = dv.getUint32((p >>> 3) + ${loOff}, ${le});`,
        );
        // Exact as a number below 2^53 (pointers, sizes, ns): no BigInt on the common path.
        if (fc.signed) this.line(`${target} = (${hi} < 2097152 && ${hi} >= -2097152) ? ${hi} * 4294967296 + ${lo} : rt.s64(${hi}, ${lo});`);
        // Above 2^53 (kernel addresses): the same value tends to repeat, keep its bigint.
        else this.line(`${target} = ${hi} < 2097152 ? ${hi} * 4294967296 + ${lo} : rt.u64Cached(${hi}, ${lo}, ${this.constant(rt.newBigintCache())});`);
      }
    } else if (shift >= 0 && shift + size <= 32 && size < 32) {
      // A bit field within one 32-bit word whose bit offset is known: shift and mask inline
      // (the packet buffer has slack after its content for the bytes past the field).
      const word = `dv.getUint32(p >>> 3, ${le})`;
      const down = le ? shift : 32 - shift - size;
      const bits = `(${down ? `${word} >>> ${down}` : word})`;
      if (fc.signed) this.line(`${target} = (${bits} << ${32 - size}) >> ${32 - size};`);
      else this.line(`${target} = ${bits} & ${2 ** size - 1};`);
    } else {
      const read = `rt.${le ? 'readBitsLE' : 'readBitsBE'}(u8, p, ${size})`;
      this.line(`${target} = ${fc.signed ? `rt.toSigned(${read}, ${size})` : read};`);
    }
    this.line(`p += ${size};`);
    this.advanced(size);
    this.roleCode(fc, target, halves);
  }

  private float(size: 32 | 64, align: number, le: boolean, target: string): void {
    this.align(align);
    if (this.skipped(target)) {
      this.skip(size);
      return;
    }
    this.check(String(size));
    if (this.known >= 8 && this.phase % 8 === 0) this.line(`${target} = dv.getFloat${size}(p >>> 3, ${le});`);
    else {
      // Bit-packed float: gather the bits, then reinterpret them.
      const bits = this.v('f');
      this.line(`const ${bits} = BigInt(rt.${le ? 'readBitsLE' : 'readBitsBE'}(u8, p, ${size}));`);
      this.line(`{ const b = new DataView(new ArrayBuffer(8)); b.setBigUint64(0, ${bits}, true); ${target} = b.getFloat${size}(0, true); }`);
    }
    this.line(`p += ${size};`);
    this.advanced(size);
  }

  private array(
    element: FieldClass,
    length: string,
    target: string,
    frames: Frame[],
    fixed: boolean,
  ): void {
    if (isTextElement(element)) {
      this.align(8);
      if (fixed && this.skipped(target)) {
        this.skip(Number(length) * 8);
        return;
      }
      this.check(`${length} * 8`);
      if (this.skipped(target)) this.line(`p += ${length} * 8;`);
      else this.line(`${target} = rt.readTextBytes(st, p >>> 3, ${length}, ${this.constant(rt.newStringCache())}); p += ${length} * 8;`);
      if (fixed) this.advanced(Number(length) * 8);
      else this.at(8);
      return;
    }
    const elemAlign = alignmentOf(element);
    this.align(elemAlign);
    const whole = skippableSize(element);
    if (whole !== undefined && whole % elemAlign === 0 && this.skipped(target)) {
      // Fixed-size elements without padding between them: one addition for the whole array.
      if (fixed) {
        this.skip(Number(length) * whole);
      } else {
        this.line(`if (${length} * ${whole} > L - p) rt.outOfBounds(p, ${length} * ${whole}, L);`);
        this.line(`p += ${length} * ${whole};`);
        const k = Math.min(this.known, whole & -whole);
        this.at(k, this.phase);
      }
      const last = lastOrderOf(element);
      if (last !== undefined) this.order = last;
      return;
    }
    if (fixed && !isCompound(element) && basicSize(element) !== undefined && Number(length) <= UNROLLED_ELEMENTS) {
      // Short arrays of scalars (syscall arguments): straight-line code, each element at a
      // position known statically, no loop and no per-element alignment arithmetic.
      const a = this.v('a');
      const n = Number(length);
      this.line(`const ${a} = ${target};`);
      this.check(String(n * minSizeOf(element)));
      this.line(`if (${a}.length !== ${n}) ${a}.length = ${n};`);
      for (let k = 0; k < n; k++) this.field(element, `${a}[${k}]`, frames);
      return;
    }
    const a = this.v('a');
    const i = this.v('i');
    const n = this.v('n');
    this.line(`const ${a} = ${target}, ${n} = ${length};`);
    const min = minSizeOf(element);
    if (min > 0) this.line(`if (${n} * ${min} > L - p) rt.outOfBounds(p, ${n} * ${min}, L);`);
    // Elements that may take no bits cannot overrun the packet, but a corrupt length could
    // still make the loop endless: such counts are refused.
    else this.line(`if (${n} > ${MAX_EMPTY_ELEMENTS}) throw new rt.DecodeError('array of ' + ${n} + ' elements that may be empty', p);`);
    this.line(fixed ? `if (${a}.length !== ${n}) ${a}.length = ${n};` : `${a}.length = ${n};`);
    this.line(`for (let ${i} = 0; ${i} < ${n}; ${i}++) {`);
    this.indent++;
    // Every iteration starts where the previous element ended: only what holds for all of them
    // may be assumed (an int16 with align = 32 must re-align each element).
    const stride = basicSize(element);
    // Fixed-size aligned elements follow each other without padding: every one starts where
    // the first did, modulo the largest power of two dividing the stride.
    const strideKnown = stride === undefined ? 1 : Math.min(this.known, stride & -stride);
    const top: [number, number] =
      stride === undefined
        ? [1, 0]
        : stride % elemAlign === 0
          ? strideKnown > elemAlign ? [strideKnown, this.phase % strideKnown] : [elemAlign, 0]
          : [Math.min(elemAlign, stride & -stride), 0];
    const beforeLoop: [number, number] = [this.known, this.phase];
    this.at(top[0], top[1]);
    // Before an element: the field before the array (first one) or the previous element's last.
    const elemLast = lastOrderOf(element);
    if (elemLast !== undefined && this.order !== elemLast) this.order = this.order === undefined ? elemLast : 'mixed';
    if (isCompound(element)) {
      const e = this.v('e');
      const mk = this.constant(() => makeRecord(element));
      this.line(`let ${e} = ${a}[${i}];`);
      this.line(`if (${e} === undefined) ${e} = ${a}[${i}] = ${mk}();`);
      this.field(element, e, frames);
    } else {
      this.field(element, `${a}[${i}]`, frames);
    }
    this.indent--;
    this.line(`}`);
    // After zero or more elements.
    this.merge([beforeLoop, top, [this.known, this.phase]]);
  }

  private variant(fc: VariantClass, target: string, frames: Frame[]): void {
    const tag = this.resolve(fc.tag, frames);
    const ranges = variantRanges(fc, tag.fc);
    const t = this.v('t');
    const h = this.v('v');
    this.line(`const ${t} = ${tag.expr}, ${h} = ${target};`);
    const tests = ranges.map((r, k) => `${this.rangeTest(t, r)} ? ${k} : `).join('');
    const k = this.v('k');
    this.line(`const ${k} = ${tests}-1;`);
    this.line(`if (${k} < 0) throw new rt.DecodeError('no variant option of ${escapeForString(fc.tag.text)} selected by value ' + ${t}, p);`);
    this.line(`${h}.option = ${k};`);
    this.line(`switch (${k}) {`);
    const saved: [number, number] = [this.known, this.phase];
    const after: [number, number][] = [];
    const savedOrder = this.order;
    const orders = new Set<string | undefined>();
    fc.options.forEach((opt, idx) => {
      this.line(`case ${idx}: {`);
      this.indent++;
      this.at(saved[0], saved[1]);
      this.order = savedOrder;
      if (isCompound(opt.type)) {
        this.line(`${h}.value = ${h}.slots[${idx}];`);
        this.field(opt.type, `${h}.value`, frames);
      } else {
        this.field(opt.type, `${h}.value`, frames);
      }
      after.push([this.known, this.phase]);
      orders.add(this.order);
      this.line(`break;`);
      this.indent--;
      this.line(`}`);
    });
    this.line(`}`);
    if (after.length) this.merge(after);
    this.order = orders.size === 1 ? [...orders][0] as typeof this.order : 'mixed';
  }

  private rangeTest(expr: string, ranges: Range[]): string {
    if (ranges.length === 0) return 'false';
    return ranges
      .map(([lo, hi]) =>
        lo === hi ? `${expr} == ${lit(lo)}` : `(${expr} >= ${lit(lo)} && ${expr} <= ${lit(hi)})`,
      )
      .join(' || ');
  }

  private lengthExpr(length: number | FieldRef, frames: Frame[]): string {
    if (typeof length === 'number') return String(length);
    const r = this.resolve(length, frames);
    const int = r.fc.kind === 'int' ? r.fc : r.fc.kind === 'enum' ? r.fc.container : undefined;
    if (!int || int.signed) {
      throw new CodegenError(`length ${length.text} must be an unsigned integer field`);
    }
    const n = this.v('len');
    this.line(`const ${n} = Number(${r.expr});`);
    return n;
  }

  /** Finds the field a reference points at, and the JS expression that reads its value. */
  private resolve(ref: FieldRef, frames: Frame[]): Resolved {
    const r = this.resolveRef(ref, frames);
    this.referenced.add(r.expr);
    return r;
  }

  private resolveRef(ref: FieldRef, frames: Frame[]): Resolved {
    const [head, ...rest] = ref.path;
    if (head === undefined) throw new CodegenError(`empty field reference`);
    if (ref.origin !== undefined) {
      if (ref.origin === this.scope) {
        const root = frames[0];
        if (!root) throw new CodegenError(`cannot resolve ${ref.text}`);
        return this.descend(root.struct, root.expr, ref.path, ref, root.struct.members.length);
      }
      const struct = this.earlier[ref.origin];
      if (!struct) throw new CodegenError(`${ref.text}: scope ${ref.origin} is not available here`);
      return this.descend(struct, `ev.${SCOPE_KEY[ref.origin]}`, ref.path, ref);
    }
    for (let f = frames.length - 1; f >= 0; f--) {
      const frame = frames[f]!;
      const idx = findMember(frame.struct, head, frame.index);
      if (idx >= 0) return this.descend(frame.struct, frame.expr, ref.path, ref, frame.index);
    }
    // Not in this scope: look in the earlier scopes, latest first.
    const order: ScopeName[] = [
      'event-specific-context',
      'event-common-context',
      'event-header',
      'packet-context',
      'packet-header',
    ];
    for (const s of order) {
      const struct = this.earlier[s];
      if (struct && findMember(struct, head, struct.members.length) >= 0) {
        return this.descend(struct, `ev.${SCOPE_KEY[s]}`, [head, ...rest], ref);
      }
    }
    throw new CodegenError(`cannot resolve field reference ${ref.text}`);
  }

  private descend(
    struct: StructClass,
    expr: string,
    path: string[],
    ref: FieldRef,
    before = struct.members.length,
  ): Resolved {
    let cur: StructClass = struct;
    let e = expr;
    let limit = before;
    for (let i = 0; i < path.length; i++) {
      const idx = findMember(cur, path[i]!, limit);
      if (idx < 0) throw new CodegenError(`cannot resolve field reference ${ref.text}`);
      const m = cur.members[idx]!;
      e = `${e}[${JSON.stringify(m.name)}]`;
      if (i === path.length - 1) return { expr: e, fc: m.type };
      if (m.type.kind !== 'struct') throw new CodegenError(`${ref.text}: ${m.name} is not a structure`);
      cur = m.type;
      limit = cur.members.length;
    }
    throw new CodegenError(`cannot resolve field reference ${ref.text}`);
  }
}

function findMember(struct: StructClass, name: string, before: number): number {
  for (let i = Math.min(before, struct.members.length) - 1; i >= 0; i--) {
    const m = struct.members[i]!;
    if (m.origName === name || m.name === name) return i;
  }
  return -1;
}

/** Selector ranges of each option: CTF 2 gives them; TSDL matches option names to enum labels. */
function variantRanges(fc: VariantClass, tag: FieldClass): Range[][] {
  if (tag.kind === 'enum') {
    return fc.options.map((opt) => {
      const labels = new Set([opt.origName, opt.name, `_${opt.name}`]);
      const exact = tag.mappings.filter((m) => m.label === opt.origName);
      const chosen = exact.length > 0 ? exact : tag.mappings.filter((m) => labels.has(m.label) || labels.has(`_${m.label}`));
      return opt.ranges ?? chosen.flatMap((m) => m.ranges);
    });
  }
  if (tag.kind === 'int' || tag.kind === 'bool') {
    return fc.options.map((opt) => {
      if (!opt.ranges) throw new CodegenError(`variant option ${opt.name} has no selector range`);
      return opt.ranges;
    });
  }
  throw new CodegenError(`variant tag ${fc.tag.text} must be an enumeration or an integer`);
}

/** Byte order of the last bit field a field class ends with, if it is static. */
function lastOrderOf(fc: FieldClass): 'le' | 'be' | 'mixed' | undefined {
  switch (fc.kind) {
    case 'int':
      return fc.variableLength ? undefined : fc.byteOrder;
    case 'enum':
      return fc.container.byteOrder;
    case 'bool':
    case 'bit-array':
      return fc.byteOrder;
    case 'struct': {
      for (let i = fc.members.length - 1; i >= 0; i--) {
        const o = lastOrderOf(fc.members[i]!.type);
        if (o !== undefined) return o;
      }
      return undefined;
    }
    case 'array':
    case 'sequence':
      return lastOrderOf(fc.element);
    case 'variant':
    case 'optional':
      return 'mixed';
    default:
      return undefined;
  }
}

/** Size in bits of a fixed-size scalar that a lean decoder may jump over (no role to record). */
function skippableSize(fc: FieldClass): number | undefined {
  const int = fc.kind === 'int' ? fc : fc.kind === 'enum' ? fc.container : undefined;
  if (int && (int.variableLength || int.roles?.length)) return undefined;
  const size = basicSize(fc);
  return size !== undefined && size > 0 ? size : undefined;
}

/** Size in bits of a fixed-size scalar field class, else undefined. */
function basicSize(fc: FieldClass): number | undefined {
  switch (fc.kind) {
    case 'int':
      return fc.variableLength ? undefined : fc.size;
    case 'enum':
      return fc.container.size;
    case 'float':
    case 'bool':
    case 'bit-array':
      return fc.size;
    default:
      return undefined;
  }
}

/** The smallest number of bits a field can take (for bounds checks of counts). */
export function minSizeOf(fc: FieldClass): number {
  switch (fc.kind) {
    case 'int':
      return fc.variableLength ? 8 : fc.size;
    case 'enum':
      return fc.container.size;
    case 'float':
    case 'bool':
    case 'bit-array':
      return fc.size;
    case 'string':
      return 8;
    case 'struct':
      return fc.members.reduce((s, m) => s + minSizeOf(m.type), 0);
    case 'array':
      return fc.length * minSizeOf(fc.element);
    default:
      return 0;
  }
}

function lit(v: bigint): string {
  return v <= 9007199254740991n && v >= -9007199254740991n ? String(v) : `${v}n`;
}

function escapeForString(s: string): string {
  return s.replace(/[\\']/g, (c) => `\\${c}`);
}
