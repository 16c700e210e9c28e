/**
 * Reading attribute values (`name = value;`) with the type each attribute requires. A quoted
 * string where a number, boolean or keyword is expected is an error (`size = "8";`,
 * `signed = "false";`, `encoding = "ascii";` — ctf-testsuite fail cases).
 */
import type { Value } from './ast.js';
import type { ByteOrder } from '../model.js';
import { quoted } from './source.js';
import type { TsdlSource } from './source.js';

/** Largest alignment accepted, in bits (2^31: far beyond any real layout, still exact as a number). */
export const MAX_ALIGNMENT = 2 ** 31;

function describeValue(value: Value): string {
  switch (value.kind) {
    case 'integer':
      return `the number ${value.value}`;
    case 'string':
      return `the string ${quoted(value.value)}`;
    case 'path':
      return `'${value.parts.join('.')}'`;
  }
}

export function unsignedValue(source: TsdlSource, value: Value, what: string): bigint {
  if (value.kind !== 'integer') throw source.error(`${what} must be an unsigned integer, not ${describeValue(value)}`, value.at);
  if (value.value < 0n) throw source.error(`${what} must not be negative (${value.value})`, value.at);
  return value.value;
}

/** An unsigned value that must also fit a JavaScript number (sizes, ids shown as numbers). */
export function smallUnsignedValue(source: TsdlSource, value: Value, what: string): number {
  const n = unsignedValue(source, value, what);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw source.error(`${what} is too large (${n})`, value.at);
  return Number(n);
}

export function signedValue(source: TsdlSource, value: Value, what: string): bigint {
  if (value.kind !== 'integer') throw source.error(`${what} must be an integer, not ${describeValue(value)}`, value.at);
  return value.value;
}

/** A bare word (`le`, `UTF8`, `hex`): one identifier or keyword, not a quoted string. */
export function wordValue(source: TsdlSource, value: Value, what: string): string {
  if (value.kind !== 'path' || value.parts.length !== 1) {
    throw source.error(`${what} must be a bare word, not ${describeValue(value)}`, value.at);
  }
  return value.parts[0]!;
}

/** Text that may be written quoted or not (`name = "x";`, `name = x;`). */
export function textValue(source: TsdlSource, value: Value, what: string): string {
  if (value.kind === 'string') return value.value;
  if (value.kind === 'path') return value.parts.join('.');
  throw source.error(`${what} must be a string, not ${describeValue(value)}`, value.at);
}

/** A quoted string only. */
export function quotedValue(source: TsdlSource, value: Value, what: string): string {
  if (value.kind !== 'string') throw source.error(`${what} must be a quoted string, not ${describeValue(value)}`, value.at);
  return value.value;
}

/** `true`/`TRUE`/`false`/`FALSE`, or an integer (non-zero is true, as in babeltrace). */
export function booleanValue(source: TsdlSource, value: Value, what: string): boolean {
  if (value.kind === 'integer') return value.value !== 0n;
  if (value.kind === 'path' && value.parts.length === 1) {
    const word = value.parts[0]!;
    if (word === 'true' || word === 'TRUE') return true;
    if (word === 'false' || word === 'FALSE') return false;
  }
  throw source.error(`${what} must be a boolean (true, false, 1 or 0), not ${describeValue(value)}`, value.at);
}

/** `le`, `be`, `network` (= be), and `native` (= the trace byte order) where it is allowed. */
export function byteOrderValue(source: TsdlSource, value: Value, native: ByteOrder | undefined): ByteOrder {
  const word = wordValue(source, value, 'byte_order');
  switch (word) {
    case 'le':
      return 'le';
    case 'be':
    case 'network':
      return 'be';
    case 'native':
      if (native !== undefined) return native;
      throw source.error('the trace byte_order must be le, be or network, not native', value.at);
    default:
      throw source.error(`invalid byte_order '${word}' (expecting le, be, network or native)`, value.at);
  }
}

/** An alignment in bits: a power of two, at most `MAX_ALIGNMENT`. */
export function alignmentValue(source: TsdlSource, value: Value, what: string): number {
  const n = unsignedValue(source, value, what);
  if (n === 0n || (n & (n - 1n)) !== 0n) throw source.error(`${what} must be a power of two (${n})`, value.at);
  if (n > BigInt(MAX_ALIGNMENT)) throw source.error(`${what} ${n} is too large (at most ${MAX_ALIGNMENT} bits)`, value.at);
  return Number(n);
}

const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A UUID string `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`: its 16 bytes and canonical lowercase text. */
export function uuidValue(source: TsdlSource, value: Value, what: string): { bytes: Uint8Array; text: string } {
  const text = quotedValue(source, value, what);
  if (!UUID_PATTERN.test(text)) throw source.error(`${what} ${quoted(text)} is not a valid UUID`, value.at);
  const hex = text.replace(/-/g, '');
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return { bytes, text: text.toLowerCase() };
}
