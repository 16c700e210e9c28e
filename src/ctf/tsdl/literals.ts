/**
 * String and character literals (spec C.1.5-C.1.6): C escapes, decoded the way babeltrace does —
 * octal and hexadecimal escapes take at most 3 digits and give one byte (`\x0231` is `#1`), an
 * unknown escape (`\o`) is an error, and the value stops at the first NUL like a C string
 * (`"a\0b"` is `a`). Escaped bytes are UTF-8 decoded together, so `"\xc3\xa9"` is `é`.
 */
import type { TsdlSource } from './source.js';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

function digitsAt(text: string, from: number, end: number, max: number, pattern: RegExp): string {
  let to = from;
  while (to < end && to - from < max && pattern.test(text[to]!)) to++;
  return text.slice(from, to);
}

/** Decodes the literal whose opening quote is at `start`; returns its value and the index after it. */
export function decodeStringLiteral(source: TsdlSource, start: number, end: number): { value: string; end: number } {
  const text = source.text;
  const quote = text[start]!;
  const parts: string[] = [];
  let bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length > 0) parts.push(Buffer.from(bytes).toString('utf8'));
    bytes = [];
  };
  let i = start + 1;
  let runStart = i;

  while (true) {
    if (i >= end) throw source.error('unterminated string literal', start);
    const c = text[i]!;
    if (c === quote) break;
    if (c === '\0') throw source.error('NUL character in string literal', i);
    if (c !== '\\') {
      i++;
      continue;
    }
    if (i > runStart) {
      flushBytes();
      parts.push(text.slice(runStart, i));
    }
    const escapeStart = i;
    const e = text[i + 1];
    if (e === undefined || i + 1 >= end) throw source.error('unterminated string literal', start);
    i += 2;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      flushBytes();
      parts.push(simple);
    } else if (e >= '0' && e <= '7') {
      const digits = digitsAt(text, i - 1, end, 3, /[0-7]/);
      bytes.push(parseInt(digits, 8) & 0xff);
      i += digits.length - 1;
    } else if (e === 'x') {
      const digits = digitsAt(text, i, end, 3, /[0-9a-fA-F]/);
      if (digits === '') throw source.error('\\x escape without hexadecimal digits', escapeStart);
      bytes.push(parseInt(digits, 16) & 0xff);
      i += digits.length;
    } else if (e === 'u' || e === 'U') {
      const width = e === 'u' ? 4 : 8;
      const digits = digitsAt(text, i, end, width, /[0-9a-fA-F]/);
      const codePoint = parseInt(digits, 16);
      if (digits.length !== width || codePoint > 0x10ffff) {
        throw source.error(`invalid universal character name \\${e}${digits}`, escapeStart);
      }
      flushBytes();
      parts.push(String.fromCodePoint(codePoint));
      i += width;
    } else {
      throw source.error(`invalid escape sequence \\${e}`, escapeStart);
    }
    runStart = i;
  }
  flushBytes();
  parts.push(text.slice(runStart, i));
  let value = parts.length === 1 ? parts[0]! : parts.join('');
  const nul = value.indexOf('\0');
  if (nul >= 0) value = value.slice(0, nul);
  return { value, end: i + 1 };
}
