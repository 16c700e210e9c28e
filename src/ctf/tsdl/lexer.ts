/**
 * TSDL lexer: metadata text → tokens (CTF 1.8 spec, appendix C.1).
 *
 * Comments (`/* *\/`, `//`) and white space (CRLF included) are dropped. String and character
 * literals are decoded here (C escapes); integer literals are checked here (0 … 2^64-1; a sign
 * is the parser's business) and converted when asked for.
 *
 * Kernel metadata runs to millions of tokens, so tokens are kept in typed arrays rather than as
 * one object each; their text is sliced from the metadata only when the parser asks for it.
 * Most of those tokens are in a few distinct `integer { size = 64; align = 8; … }` blocks
 * repeated for every field: a repeat becomes one `repeatedBlock` token naming the first
 * occurrence, which the parser parses once.
 */
import { decodeStringLiteral } from './literals.js';
import type { TsdlSource } from './source.js';

export const TokenKind = {
  identifier: 1,
  keyword: 2,
  integer: 3,
  string: 4,
  punct: 5,
  eof: 6,
  /** `{ … }` of an integer/floating_point/string whose exact text was seen before. */
  repeatedBlock: 7,
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

/** Reserved words of TSDL (spec C.1.2): never identifiers, so never field or type names. */
export const KEYWORDS: readonly string[] = [
  'align', 'callsite', 'const', 'char', 'clock', 'double', 'enum', 'env', 'event',
  'floating_point', 'float', 'integer', 'int', 'long', 'short', 'signed', 'stream', 'string',
  'struct', 'trace', 'typealias', 'typedef', 'unsigned', 'variant', 'void', '_Bool', '_Complex',
  '_Imaginary',
];

const KEYWORDS_BY_LENGTH: string[][] = [];
for (const keyword of KEYWORDS) (KEYWORDS_BY_LENGTH[keyword.length] ??= []).push(keyword);

/** Punctuators (spec C.1.7); a punctuator token records its index in this list. */
const PUNCTUATORS: readonly string[] = ['[', ']', '(', ')', '{', '}', '*', '+', '<', '>', ';', '=', ',', '.', '...', ':', ':=', '-', '->'];
const SINGLE_PUNCTUATOR_IDS = new Map(PUNCTUATORS.map((p, id) => [p, id]));

const MAX_U64 = (1n << 64n) - 1n;

const CH_NUL = 0;
const CH_TAB = 9;
const CH_LF = 10;
const CH_VT = 11;
const CH_FF = 12;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_DQUOTE = 34;
const CH_SQUOTE = 39;
const CH_STAR = 42;
const CH_SLASH = 47;
const CH_0 = 48;
const CH_9 = 57;
const CH_L = 76;

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= CH_0 && c <= CH_9);
}

function isHexDigit(c: number): boolean {
  return (c >= CH_0 && c <= CH_9) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isSpace(c: number): boolean {
  return c === CH_SPACE || c === CH_TAB || c === CH_LF || c === CH_CR || c === CH_VT || c === CH_FF;
}

/** The punctuator at `i` (spec C.1.7), longest match first, as an index in PUNCTUATORS; -1 if none. */
function punctuatorAt(text: string, i: number): number {
  const c = text[i]!;
  const next = text[i + 1];
  switch (c) {
    case '.':
      if (next !== '.') return SINGLE_PUNCTUATOR_IDS.get('.')!;
      return text[i + 2] === '.' ? SINGLE_PUNCTUATOR_IDS.get('...')! : -1;
    case ':':
      return SINGLE_PUNCTUATOR_IDS.get(next === '=' ? ':=' : ':')!;
    case '-':
      return SINGLE_PUNCTUATOR_IDS.get(next === '>' ? '->' : '-')!;
    default:
      return SINGLE_PUNCTUATOR_IDS.get(c) ?? -1;
  }
}

/** Index of the keyword spelled at `start` in KEYWORDS, or -1. */
function keywordAt(text: string, start: number, length: number): number {
  const candidates = KEYWORDS_BY_LENGTH[length];
  if (!candidates) return -1;
  for (const keyword of candidates) if (text.startsWith(keyword, start)) return KEYWORDS.indexOf(keyword);
  return -1;
}

/** The tokens of a metadata text, in parallel arrays; the last token is `eof`. */
export class Tokens {
  private kinds = new Uint8Array(1024);
  private starts = new Int32Array(1024);
  private ends = new Int32Array(1024);
  /**
   * Per token: keyword index in KEYWORDS, punctuator index in PUNCTUATORS, string literal index
   * in `strings`, or attribute block id (repeated blocks).
   */
  private words = new Int32Array(1024);
  /** Decoded values of string literals. */
  private readonly strings: string[] = [];
  /** Attribute block ids of first occurrences, by `{` position. */
  private readonly firstBlocks = new Map<number, number>();
  count = 0;

  constructor(readonly source: TsdlSource) {}

  kind(i: number): TokenKind {
    return this.kinds[i]! as TokenKind;
  }

  start(i: number): number {
    return this.starts[i]!;
  }

  /** Identifier, keyword, punctuator or literal text as written; a string literal's decoded value. */
  text(i: number): string {
    switch (this.kinds[i]) {
      case TokenKind.keyword:
        return KEYWORDS[this.words[i]!]!;
      case TokenKind.punct:
        return PUNCTUATORS[this.words[i]!]!;
      case TokenKind.string:
        return this.strings[this.words[i]!]!;
      default:
        return this.source.text.slice(this.starts[i], this.ends[i]);
    }
  }

  /** Whether token `i` is the keyword or punctuator `word`. */
  is(i: number, word: string): boolean {
    const kind = this.kinds[i];
    return (kind === TokenKind.keyword || kind === TokenKind.punct) && this.text(i) === word;
  }

  /** Value of integer literal `i` (with any U/L suffix ignored). */
  integer(i: number): bigint {
    const literal = this.source.text.slice(this.starts[i], this.ends[i]).replace(/[uUlL]+$/, '');
    if (literal.length > 1 && literal[0] === '0' && literal[1] !== 'x' && literal[1] !== 'X') return BigInt(`0o${literal.slice(1)}`);
    return BigInt(literal);
  }

  push(kind: TokenKind, start: number, end: number, word = 0): number {
    if (this.count === this.kinds.length) this.grow();
    const i = this.count++;
    this.kinds[i] = kind;
    this.starts[i] = start;
    this.ends[i] = end;
    this.words[i] = word;
    return i;
  }

  pushString(start: number, end: number, value: string): void {
    this.push(TokenKind.string, start, end, this.strings.length);
    this.strings.push(value);
  }

  /** Id of the attribute block: at a `repeatedBlock` token, or at the `{` of its first occurrence. */
  blockId(i: number): number | undefined {
    return this.kinds[i] === TokenKind.repeatedBlock ? this.words[i]! : this.firstBlocks.get(this.starts[i]!);
  }

  pushRepeatedBlock(start: number, end: number, id: number): void {
    this.push(TokenKind.repeatedBlock, start, end, id);
  }

  markFirstBlock(braceStart: number, id: number): void {
    this.firstBlocks.set(braceStart, id);
  }

  private grow(): void {
    const size = this.kinds.length * 2;
    const kinds = new Uint8Array(size);
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const words = new Int32Array(size);
    kinds.set(this.kinds);
    starts.set(this.starts);
    ends.set(this.ends);
    words.set(this.words);
    this.kinds = kinds;
    this.starts = starts;
    this.ends = ends;
    this.words = words;
  }
}

const BLOCK_KEYWORDS: ReadonlySet<number> = new Set(['integer', 'floating_point', 'string'].map((k) => KEYWORDS.indexOf(k)));

export function tokenize(source: TsdlSource): Tokens {
  const text = source.text;
  const end = contentEnd(text);
  const tokens = new Tokens(source);
  /** Ids of the attribute blocks seen, by keyword + text. */
  const blocks = new Map<string, number>();
  let i = 0;

  while (i < end) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === CH_SLASH && text.charCodeAt(i + 1) === CH_STAR) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0 || close + 2 > end) throw source.error('unterminated comment', i);
      i = close + 2;
      continue;
    }
    if (c === CH_SLASH && text.charCodeAt(i + 1) === CH_SLASH) {
      const newline = text.indexOf('\n', i + 2);
      i = newline < 0 || newline > end ? end : newline + 1;
      continue;
    }
    if (c === CH_NUL) throw source.error('NUL character in metadata text', i);

    const start = i;
    if (isIdentStart(c)) {
      if (c === CH_L && (text.charCodeAt(i + 1) === CH_DQUOTE || text.charCodeAt(i + 1) === CH_SQUOTE)) {
        throw source.unsupported('wide string literals are not supported', i);
      }
      i++;
      while (i < end && isIdentPart(text.charCodeAt(i))) i++;
      const keyword = keywordAt(text, start, i - start);
      if (keyword < 0) {
        tokens.push(TokenKind.identifier, start, i);
        continue;
      }
      tokens.push(TokenKind.keyword, start, i, keyword);
      if (BLOCK_KEYWORDS.has(keyword)) i = skipRepeatedBlock(text, i, end, KEYWORDS[keyword]!, blocks, tokens);
      continue;
    }
    if (c >= CH_0 && c <= CH_9) {
      i = scanInteger(source, start, end);
      tokens.push(TokenKind.integer, start, i);
      continue;
    }
    if (c === CH_DQUOTE || c === CH_SQUOTE) {
      const literal = decodeStringLiteral(source, start, end);
      i = literal.end;
      tokens.pushString(start, i, literal.value);
      continue;
    }
    const punct = punctuatorAt(text, i);
    if (punct < 0) throw source.error(`unexpected character ${JSON.stringify(text[i])}`, i);
    i += PUNCTUATORS[punct]!.length;
    tokens.push(TokenKind.punct, start, i, punct);
  }
  tokens.push(TokenKind.eof, end, end);
  return tokens;
}

/**
 * After `integer`/`floating_point`/`string`: if a `{ … }` follows whose text was seen before,
 * emits one `repeatedBlock` token for it and returns the index after it; otherwise notes it as a
 * first occurrence (to be lexed normally) and returns `i`. Blocks holding comments or literals
 * (where a `}` could hide) are always lexed normally.
 */
function skipRepeatedBlock(text: string, i: number, end: number, keyword: string, blocks: Map<string, number>, tokens: Tokens): number {
  let open = i;
  while (open < end && isSpace(text.charCodeAt(open))) open++;
  if (text[open] !== '{') return i;
  const close = text.indexOf('}', open);
  if (close < 0 || close >= end) return i;
  const body = text.slice(open, close + 1);
  if (/["'/]/.test(body)) return i;
  const key = `${keyword}${body}`;
  const id = blocks.get(key);
  if (id !== undefined) {
    tokens.pushRepeatedBlock(open, close + 1, id);
    return close + 1;
  }
  blocks.set(key, blocks.size);
  tokens.markFirstBlock(open, blocks.size - 1);
  return i;
}

/**
 * End of the meaningful text: trailing NUL padding (some producers pad metadata) is ignored;
 * a NUL followed by more text is an error, reported where it is met.
 */
function contentEnd(text: string): number {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === CH_NUL) end--;
  return end;
}

/**
 * Checks the decimal, octal (leading 0) or hexadecimal (0x) literal at `start`, with an optional
 * C suffix (U, L, UL, ULL, …); returns the index after it.
 */
function scanInteger(source: TsdlSource, start: number, end: number): number {
  const text = source.text;
  let i = start;
  let digitsStart = start;
  let hex = false;
  if (text.charCodeAt(i) === CH_0 && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
    hex = true;
    i += 2;
    digitsStart = i;
    while (i < end && isHexDigit(text.charCodeAt(i))) i++;
    if (i === digitsStart) throw source.error('hexadecimal literal without digits', start);
  } else {
    while (i < end && text.charCodeAt(i) >= CH_0 && text.charCodeAt(i) <= CH_9) i++;
    if (text.charCodeAt(start) === CH_0 && /[89]/.test(text.slice(start, i))) {
      throw source.error(`invalid octal literal ${text.slice(start, i)}`, start);
    }
  }
  const digitsEnd = i;
  while (i < end && 'uUlL'.includes(text[i]!)) i++;
  if (i > digitsEnd && !/^(?:[uU](?:l|L|ll|LL)?|(?:l|L|ll|LL)[uU]?)$/.test(text.slice(digitsEnd, i))) {
    throw source.error(`invalid integer suffix ${text.slice(digitsEnd, i)}`, digitsEnd);
  }
  if (i < end && isIdentPart(text.charCodeAt(i))) {
    throw source.error(`malformed integer literal ${text.slice(start, i + 1)}`, start);
  }
  // Up to 15 digits of any base fit easily; only longer literals need the exact check.
  if (digitsEnd - digitsStart > 15) {
    const digits = text.slice(digitsStart, digitsEnd);
    const octal = !hex && digits.length > 1 && digits[0] === '0';
    const value = BigInt(hex ? `0x${digits}` : octal ? `0o${digits.slice(1)}` : digits);
    if (value > MAX_U64) throw source.error(`integer literal ${text.slice(start, i)} does not fit in 64 bits`, start);
  }
  return i;
}
