import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenKind, tokenize } from './lexer.js';
import { TsdlSource } from './source.js';
import { TraceFormatError, UnsupportedTraceError } from '../../util/errors.js';

function lex(text: string): { kind: TokenKind; text: string; start: number }[] {
  const tokens = tokenize(new TsdlSource(text, 'meta'));
  const out = [];
  for (let i = 0; i < tokens.count; i++) out.push({ kind: tokens.kind(i), text: tokens.text(i), start: tokens.start(i) });
  return out;
}

function texts(text: string): string[] {
  return lex(text)
    .filter((t) => t.kind !== TokenKind.eof)
    .map((t) => t.text);
}

function lexError(text: string): TraceFormatError {
  try {
    tokenize(new TsdlSource(text, 'meta'));
  } catch (e) {
    assert.ok(e instanceof TraceFormatError, String(e));
    return e;
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

test('keywords, identifiers and punctuators', () => {
  const tokens = lex('typealias integer { size = 8; } := unsigned long;');
  assert.deepEqual(
    tokens.map((t) => [t.kind, t.text]),
    [
      [TokenKind.keyword, 'typealias'],
      [TokenKind.keyword, 'integer'],
      [TokenKind.punct, '{'],
      [TokenKind.identifier, 'size'],
      [TokenKind.punct, '='],
      [TokenKind.integer, '8'],
      [TokenKind.punct, ';'],
      [TokenKind.punct, '}'],
      [TokenKind.punct, ':='],
      [TokenKind.keyword, 'unsigned'],
      [TokenKind.keyword, 'long'],
      [TokenKind.punct, ';'],
      [TokenKind.eof, ''],
    ],
  );
  assert.deepEqual(texts('a->b ... x.y : -'), ['a', '->', 'b', '...', 'x', '.', 'y', ':', '-']);
  assert.deepEqual(texts('TRUE true _Bool'), ['TRUE', 'true', '_Bool']);
  assert.equal(lex('TRUE')[0]!.kind, TokenKind.identifier);
});

test('comments and CRLF are skipped; positions are string indexes', () => {
  const text = '/* CTF 1.8 */\r\n// line comment\r\nx /* a * b */ y // end';
  assert.deepEqual(
    lex(text).map((t) => [t.text, t.start]),
    [
      ['x', text.indexOf('x')],
      ['y', text.indexOf('y')],
      ['', text.length],
    ],
  );
  assert.match(lexError('x /* never closed').message, /unterminated comment/);
});

test('integer literals: decimal, octal, hexadecimal, suffixes, 64-bit range', () => {
  const source = new TsdlSource('0 10 0755 0x1F 0XffU 42ULL 18446744073709551615', 'meta');
  const tokens = tokenize(source);
  const values = [];
  for (let i = 0; i < tokens.count - 1; i++) values.push(tokens.integer(i));
  assert.deepEqual(values, [0n, 10n, 0o755n, 0x1fn, 0xffn, 42n, 18446744073709551615n]);
  assert.match(lexError('x = 18446744073709551616;').message, /does not fit in 64 bits/);
  assert.match(lexError('major = 1x;').message, /malformed integer literal 1x/);
  assert.match(lexError('a = 09;').message, /invalid octal/);
  assert.match(lexError('a = 0x;').message, /without digits/);
  assert.match(lexError('a = 5UUL;').message, /invalid integer suffix/);
});

test('string literals: C escapes as babeltrace decodes them', () => {
  assert.deepEqual(texts(String.raw`"a\"b" 'c' "\n\t\\" "\x41\101\x23\x023\x0231" "\xc3\xa9" "\u00e9"`), [
    'a"b',
    'c',
    '\n\t\\',
    'AA###1',
    'é',
    'é',
  ]);
  // A NUL ends the value, like a C string.
  assert.deepEqual(texts(String.raw`"abc\0NOT SEEN"`), ['abc']);
  assert.match(lexError(String.raw`x = "?\o040?";`).message, /invalid escape sequence \\o/);
  assert.match(lexError('uuid = "2a6422d0;\n').message, /unterminated string/);
  assert.ok(tokenizeThrows('x = L"wide";') instanceof UnsupportedTraceError);
});

function tokenizeThrows(text: string): unknown {
  try {
    tokenize(new TsdlSource(text, 'meta'));
  } catch (e) {
    return e;
  }
  return undefined;
}

test('NUL characters: an error inside the text, ignored as trailing padding', () => {
  const error = lexError('trace { x = "ab\0cd"; };');
  assert.match(error.message, /NUL/);
  assert.equal(error.offset, 15);
  assert.deepEqual(texts('a;\0\0\0'), ['a', ';']);
  assert.match(lexError('a;\0b').message, /NUL character/);
});

test('unexpected characters are reported at their byte offset', () => {
  const error = lexError('é x @');
  assert.match(error.message, /unexpected character "é"/);
  assert.equal(error.offset, 0);
  const later = lexError('/* é */ x @');
  assert.equal(later.offset, 11); // "é" takes two bytes
  assert.equal(later.file, 'meta');
});

test('repeated integer/floating_point/string blocks become one token', () => {
  const text = 'integer { size = 8; } a; integer { size = 8; } b; string { size = 8; } c; integer {size = 8;} d;';
  const tokens = tokenize(new TsdlSource(text, 'meta'));
  const kinds = [];
  for (let i = 0; i < tokens.count; i++) kinds.push(tokens.kind(i));
  assert.equal(kinds.filter((k) => k === TokenKind.repeatedBlock).length, 1);
  const repeated = kinds.indexOf(TokenKind.repeatedBlock);
  const first = kinds.indexOf(TokenKind.punct);
  assert.equal(tokens.blockId(repeated), tokens.blockId(first));
  // A block holding a comment or a literal is always lexed in full.
  const commented = tokenize(new TsdlSource('integer { /* } */ size = 8; } integer { /* } */ size = 8; }', 'meta'));
  for (let i = 0; i < commented.count; i++) assert.notEqual(commented.kind(i), TokenKind.repeatedBlock);
});
