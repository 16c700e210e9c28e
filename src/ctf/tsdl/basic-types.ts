/**
 * `integer { … }`, `floating_point { … }`, `string { … }` and enumeration mappings (spec §4.1,
 * §4.2.5). Attribute rules follow babeltrace (duplicates are errors, unknown ones warnings) plus
 * the ctf-testsuite (quoted strings are not numbers/booleans/keywords; enum values must fit
 * their container).
 */
import type { Attribute, Enumerator } from './ast.js';
import type { ByteOrder, EnumMapping, FloatClass, IntegerClass, Range, StringClass } from '../model.js';
import type { TsdlSource } from './source.js';
import { alignmentValue, booleanValue, byteOrderValue, signedValue, unsignedValue, wordValue } from './values.js';

export interface BasicTypeContext {
  readonly source: TsdlSource;
  readonly warnings: string[];
  /** The trace byte order: what `native` means. */
  readonly byteOrder: ByteOrder;
  readonly clockNames: ReadonlySet<string>;
}

/**
 * Integers wider than this are refused. CTF sets no limit and the conformance suite has a
 * 1024-bit integer (babeltrace2 stops at 64; wide ones decode as bigint here); the cap only
 * keeps a corrupt size from asking for absurd reads.
 */
export const MAX_INTEGER_SIZE = 8192;

/** Calls `read` for each attribute; a repeated attribute is an error, an unknown one a warning. */
function readAttributes(
  ctx: BasicTypeContext,
  attributes: Attribute[],
  owner: string,
  known: readonly string[],
  read: (attribute: Attribute) => void,
): void {
  const seen = new Set<string>();
  for (const attribute of attributes) {
    if (!known.includes(attribute.name)) {
      ctx.warnings.push(ctx.source.warning(`unknown attribute '${attribute.name}' in ${owner} ignored`, attribute.at));
      continue;
    }
    if (seen.has(attribute.name)) throw ctx.source.error(`duplicate attribute '${attribute.name}' in ${owner}`, attribute.at);
    seen.add(attribute.name);
    read(attribute);
  }
}

const BASES: Readonly<Record<string, IntegerClass['base']>> = {
  decimal: 10, dec: 10, d: 10, i: 10, u: 10,
  hexadecimal: 16, hex: 16, x: 16, X: 16, p: 16,
  octal: 8, oct: 8, o: 8,
  binary: 2, b: 2,
};

const INTEGER_ENCODINGS: Readonly<Record<string, IntegerClass['encoding']>> = {
  none: 'none',
  UTF8: 'utf8',
  utf8: 'utf8',
  ASCII: 'ascii',
  ascii: 'ascii',
};

export function integerClass(ctx: BasicTypeContext, attributes: Attribute[], at: number): IntegerClass {
  const { source } = ctx;
  let size: number | undefined;
  let align: number | undefined;
  const int: IntegerClass = { kind: 'int', size: 0, align: 0, signed: false, byteOrder: ctx.byteOrder, base: 10, encoding: 'none' };
  const known = ['size', 'align', 'signed', 'byte_order', 'base', 'encoding', 'map'];
  readAttributes(ctx, attributes, 'integer', known, ({ name, value }) => {
    switch (name) {
      case 'size': {
        const n = unsignedValue(source, value, 'integer size');
        if (n === 0n) throw source.error('integer size must be at least 1 bit', value.at);
        if (n > BigInt(MAX_INTEGER_SIZE)) {
          throw source.unsupported(`integers of ${n} bits are not supported (at most ${MAX_INTEGER_SIZE})`, value.at);
        }
        size = Number(n);
        break;
      }
      case 'align':
        align = alignmentValue(source, value, 'integer align');
        break;
      case 'signed':
        int.signed = booleanValue(source, value, 'integer signed');
        break;
      case 'byte_order':
        int.byteOrder = byteOrderValue(source, value, ctx.byteOrder);
        break;
      case 'base': {
        if (value.kind === 'integer') {
          const n = Number(value.value);
          if (n !== 2 && n !== 8 && n !== 10 && n !== 16) throw source.error(`invalid integer base ${value.value}`, value.at);
          int.base = n;
        } else {
          const word = wordValue(source, value, 'integer base');
          const base = BASES[word];
          if (base === undefined) throw source.error(`invalid integer base '${word}'`, value.at);
          int.base = base;
        }
        break;
      }
      case 'encoding': {
        const word = wordValue(source, value, 'integer encoding');
        const encoding = INTEGER_ENCODINGS[word];
        if (encoding === undefined) throw source.error(`invalid integer encoding '${word}' (expecting none, UTF8 or ASCII)`, value.at);
        int.encoding = encoding;
        break;
      }
      case 'map': {
        const parts = value.kind === 'path' ? value.parts : [];
        if (parts.length !== 3 || parts[0] !== 'clock' || parts[2] !== 'value') {
          ctx.warnings.push(source.warning("integer 'map' attribute ignored: expecting clock.NAME.value", value.at));
          break;
        }
        if (!ctx.clockNames.has(parts[1]!)) throw source.error(`integer mapped to unknown clock '${parts[1]}'`, value.at);
        int.mappedClock = parts[1]!;
        break;
      }
    }
  });
  if (size === undefined) throw source.error("integer without 'size' attribute", at);
  int.size = size;
  int.align = align ?? (size % 8 === 0 ? 8 : 1);
  return int;
}

export function floatClass(ctx: BasicTypeContext, attributes: Attribute[], at: number): FloatClass {
  const { source } = ctx;
  let expDig: bigint | undefined;
  let mantDig: bigint | undefined;
  let align = 8;
  let byteOrder = ctx.byteOrder;
  readAttributes(ctx, attributes, 'floating_point', ['exp_dig', 'mant_dig', 'align', 'byte_order'], ({ name, value }) => {
    switch (name) {
      case 'exp_dig':
        expDig = unsignedValue(source, value, 'floating_point exp_dig');
        break;
      case 'mant_dig':
        mantDig = unsignedValue(source, value, 'floating_point mant_dig');
        break;
      case 'align':
        align = alignmentValue(source, value, 'floating_point align');
        break;
      case 'byte_order':
        byteOrder = byteOrderValue(source, value, ctx.byteOrder);
        break;
    }
  });
  if (expDig === undefined || mantDig === undefined) {
    throw source.error("floating_point needs both 'exp_dig' and 'mant_dig'", at);
  }
  let size: 32 | 64;
  if (expDig === 8n && mantDig === 24n) size = 32;
  else if (expDig === 11n && mantDig === 53n) size = 64;
  else throw source.unsupported(`floating point numbers with exp_dig = ${expDig} and mant_dig = ${mantDig} are not supported (only 8+24 and 11+53)`, at);
  return { kind: 'float', size, align, byteOrder };
}

export function stringClass(ctx: BasicTypeContext, attributes: Attribute[]): StringClass {
  const { source } = ctx;
  const string: StringClass = { kind: 'string', encoding: 'utf8' };
  readAttributes(ctx, attributes, 'string', ['encoding'], ({ value }) => {
    const word = wordValue(source, value, 'string encoding');
    const encoding = INTEGER_ENCODINGS[word];
    if (encoding === undefined || encoding === 'none') {
      throw source.error(`invalid string encoding '${word}' (expecting UTF8 or ASCII)`, value.at);
    }
    string.encoding = encoding;
  });
  return string;
}

/** Smallest and largest value an integer of this class holds. */
export function integerRange(int: IntegerClass): Range {
  const size = BigInt(int.size);
  return int.signed ? [-(1n << (size - 1n)), (1n << (size - 1n)) - 1n] : [0n, (1n << size) - 1n];
}

/**
 * Enumeration mappings, labels in order of first appearance. A label written several times
 * (`"_unknown" = 0 ... 5, "_tcp" = 6, "_unknown" = 7 ... 255`) gets one mapping with all its
 * ranges, in the order written. An entry without value takes the previous entry's end + 1
 * (0 for the first). Every value must fit the container.
 */
export function enumMappings(ctx: BasicTypeContext, enumerators: Enumerator[], container: IntegerClass): EnumMapping[] {
  const { source } = ctx;
  const [min, max] = integerRange(container);
  const byLabel = new Map<string, EnumMapping>();
  let next = 0n;
  for (const enumerator of enumerators) {
    const bounds = enumerator.values.map((v) => signedValue(source, v, `value of enumeration label '${enumerator.label}'`));
    const lo = bounds[0] ?? next;
    const hi = bounds[1] ?? lo;
    const at = enumerator.values[0]?.at ?? enumerator.at;
    if (lo > hi) throw source.error(`enumeration range ${lo} ... ${hi} of label '${enumerator.label}' is reversed`, at);
    for (const v of [lo, hi]) {
      if (v < min || v > max) {
        const sign = container.signed ? 'signed' : 'unsigned';
        throw source.error(`value ${v} of enumeration label '${enumerator.label}' does not fit its ${container.size}-bit ${sign} container (${min} ... ${max})`, at);
      }
    }
    next = hi + 1n;
    const mapping = byLabel.get(enumerator.label);
    if (mapping) mapping.ranges.push([lo, hi]);
    else byLabel.set(enumerator.label, { label: enumerator.label, ranges: [[lo, hi]] });
  }
  return [...byLabel.values()];
}
