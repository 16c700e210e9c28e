/**
 * Text written straight as bytes into one reusable buffer: the pieces of babeltrace2's text
 * (constants, decimal and hex integers, quoted strings, times) are encoded where they land,
 * without building a JavaScript string per field or per line and encoding it again afterwards.
 *
 * The primitive writers take the buffer (as a DataView) and a position and return the position
 * after what they wrote; the caller has made room first (`ByteWriter.room`), knowing how long
 * each piece can be. Writers of text of unbounded length (`writeQuoted`, `writeText`) make room
 * themselves.
 */
import { escapedBytes, ESCAPED_BYTE_BASE } from './runtime.js';

/**
 * A growable byte buffer. With `drain`, full buffers are handed to it (and the buffer reused) —
 * the CLI writes them to stdout; without, the buffer grows and `bytes()` returns everything
 * written (a worker formatting a batch of events).
 *
 * Writers store up to 4 bytes at a time through `dv` (a DataView of `buf`): V8 spends several
 * instructions per typed-array element store, about as many per DataView store of 4 bytes.
 */
export class ByteWriter {
  buf: Buffer;
  dv: DataView;
  pos = 0;

  constructor(
    size = 1 << 16,
    private readonly drain?: (bytes: Buffer) => void,
  ) {
    this.buf = Buffer.allocUnsafe(size);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /**
   * Makes room for `n` more bytes at `pos` (which a drain resets to 0, and growing replaces `buf`
   * and `dv`: callers holding them or `pos` in locals store `pos` before and reload all after).
   * Returns the buffer.
   */
  room(n: number): Buffer {
    if (this.pos + n <= this.buf.length) return this.buf;
    if (this.drain && this.pos > 0) this.flush();
    if (this.pos + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
      this.dv = new DataView(bigger.buffer, bigger.byteOffset, bigger.length);
    }
    return this.buf;
  }

  /** Hands what was written to `drain` (nothing happens without one). */
  flush(): void {
    if (!this.drain || this.pos === 0) return;
    const full = this.buf.subarray(0, this.pos);
    // Reset first: a drain that throws (closed pipe) must not see the same bytes again.
    this.pos = 0;
    this.drain(full);
  }

  /** The bytes written since the last `reset` (a view into the buffer, valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }
}

const TWO_32 = 4294967296;

/** Copies constant bytes (a native copy: for the longer constants). */
export function writeBytes(b: Uint8Array, p: number, k: Uint8Array): number {
  b.set(k, p);
  return p + k.length;
}

/** A string of ASCII characters only (formatted numbers, times). */
export function writeAscii(d: DataView, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) d.setUint8(p + i, s.charCodeAt(i));
  return p + n;
}

/** Little-endian words of ASCII digits: `PAIRS[42]` is "42", `QUADS[42]` is "0042". */
const PAIRS = new Uint16Array(100);
const QUADS = new Uint32Array(10000);
for (let i = 0; i < 10000; i++) {
  const s = String(i).padStart(4, '0');
  QUADS[i] = (s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)) >>> 0;
  if (i < 100) PAIRS[i] = s.charCodeAt(2) | (s.charCodeAt(3) << 8);
}

/** Digits of a whole number in [0, 10000). */
function writeSmall(d: DataView, p: number, v: number): number {
  if (v < 10) {
    d.setUint8(p, 48 + v);
    return p + 1;
  }
  if (v < 100) {
    d.setUint16(p, PAIRS[v]!, true);
    return p + 2;
  }
  if (v < 1000) {
    const h = (v / 100) | 0;
    d.setUint8(p, 48 + h);
    d.setUint16(p + 1, PAIRS[v - h * 100]!, true);
    return p + 3;
  }
  d.setUint32(p, QUADS[v]!, true);
  return p + 4;
}

/** Exactly 8 digits, zero-padded. `v` in [0, 1e8). */
function writePad8(d: DataView, p: number, v: number): number {
  const hi = (v / 10000) | 0;
  d.setUint32(p, QUADS[hi]!, true);
  d.setUint32(p + 4, QUADS[v - hi * 10000]!, true);
  return p + 8;
}

/** Digits of a whole number in [0, 2^32). */
export function writeUint32(d: DataView, p: number, v: number): number {
  if (v < 10000) return writeSmall(d, p, v);
  if (v < 100000000) {
    const hi = (v / 10000) | 0;
    p = writeSmall(d, p, hi);
    d.setUint32(p, QUADS[v - hi * 10000]!, true);
    return p + 4;
  }
  const hi = Math.floor(v / 100000000);
  return writePad8(d, writeSmall(d, p, hi), v - hi * 100000000);
}

/** A whole number in (-2^32, 2^32). */
export function writeInt32(d: DataView, p: number, v: number): number {
  if (v < 0) {
    d.setUint8(p++, 45); // '-'
    v = -v;
  }
  return writeUint32(d, p, v);
}

/** Exactly 9 digits, zero-padded (nanoseconds). `v` in [0, 1e9). */
export function writePad9(d: DataView, p: number, v: number): number {
  const hi = (v / 100000000) | 0;
  d.setUint8(p, 48 + hi);
  return writePad8(d, p + 1, v - hi * 100000000);
}

/** An integer in decimal, as `String(v)` writes it (numbers are whole, as decoders give them). */
export function writeDecimal(d: DataView, p: number, v: number | bigint): number {
  if (typeof v !== 'number') return writeAscii(d, p, v.toString());
  if (v < 0) {
    d.setUint8(p++, 45); // '-'
    v = -v;
  }
  if (v < TWO_32) return writeUint32(d, p, v);
  // Up to 2^53 the split into 1e8 parts is exact; larger doubles keep JavaScript's own text.
  if (v > Number.MAX_SAFE_INTEGER) return writeAscii(d, p, String(v));
  const high = Math.floor(v / 100000000);
  return writePad8(d, writeUint32(d, p, high), v - high * 100000000);
}

/** Little-endian words of two uppercase hex digits: `HEX_PAIRS[0xAB]` is "AB". */
const HEX_PAIRS = new Uint16Array(256);
const HEX_DIGITS = '0123456789ABCDEF';
for (let i = 0; i < 256; i++) HEX_PAIRS[i] = HEX_DIGITS.charCodeAt(i >> 4) | (HEX_DIGITS.charCodeAt(i & 15) << 8);

/** Uppercase hex digits of a whole number in [0, 2^53), no prefix, no padding. */
export function writeHexDigits(d: DataView, p: number, v: number): number {
  if (v >= TWO_32) {
    p = writeHexDigits(d, p, Math.floor(v / TWO_32));
    const lo = v >>> 0;
    d.setUint16(p, HEX_PAIRS[lo >>> 24]!, true);
    d.setUint16(p + 2, HEX_PAIRS[(lo >>> 16) & 255]!, true);
    d.setUint16(p + 4, HEX_PAIRS[(lo >>> 8) & 255]!, true);
    d.setUint16(p + 6, HEX_PAIRS[lo & 255]!, true);
    return p + 8;
  }
  // Digits: 1 + the index of the highest non-zero nibble.
  let n = 1;
  while (n < 8 && v >>> (n * 4) !== 0) n++;
  if (n & 1) d.setUint8(p++, HEX_DIGITS.charCodeAt((v >>> ((n - 1) * 4)) & 15));
  for (let shift = (n & ~1) * 4 - 8; shift >= 0; shift -= 8) {
    d.setUint16(p, HEX_PAIRS[(v >>> shift) & 255]!, true);
    p += 2;
  }
  return p;
}

/** Bytes of the C escape of an ASCII byte that babeltrace escapes in strings; 0 = as is. */
const ESCAPE_LETTER = new Uint8Array(128);
for (const [c, letter] of [
  [0x07, 'a'],
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0b, 'v'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [0x1b, 'e'],
  [0x5c, '\\'],
  [0x27, "'"],
  [0x22, '"'],
  [0x3f, '?'],
] as const) {
  ESCAPE_LETTER[c] = letter.charCodeAt(0);
}
const LOWER_HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * Writes code unit `c` at `s[i]` as UTF-8 (with raw bytes escaped by the decoder written back as
 * themselves: see runtime.ts); returns the new position. A pair of surrogates makes one code
 * point: `i` is then the high one and the caller skips the low one (see `isPairAt`).
 */
function writeNonAscii(b: Uint8Array, p: number, s: string, i: number, c: number): number {
  if (c < 0x800) {
    b[p] = 0xc0 | (c >> 6);
    b[p + 1] = 0x80 | (c & 63);
    return p + 2;
  }
  if (c >= 0xd800 && c <= 0xdfff) {
    if (c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        b[p] = 0xf0 | (cp >> 18);
        b[p + 1] = 0x80 | ((cp >> 12) & 63);
        b[p + 2] = 0x80 | ((cp >> 6) & 63);
        b[p + 3] = 0x80 | (cp & 63);
        return p + 4;
      }
    } else if (c >= 0xdc80 && c <= 0xdcff && escapedBytes.seen) {
      b[p] = c - ESCAPED_BYTE_BASE;
      return p + 1;
    }
    c = 0xfffd; // a lone surrogate: what UTF-8 encoders write for it
  }
  b[p] = 0xe0 | (c >> 12);
  b[p + 1] = 0x80 | ((c >> 6) & 63);
  b[p + 2] = 0x80 | (c & 63);
  return p + 3;
}

/** Does `s[i]` start a surrogate pair (written as one 4-byte code point)? */
function isPairAt(s: string, i: number, c: number): boolean {
  if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) return false;
  const d = s.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff;
}

/**
 * A string field as babeltrace prints it: in double quotes, with C escapes (`\n`, `\"`, `\?`…)
 * and other control characters as `\xNN`, UTF-8 otherwise.
 */
export function writeQuoted(w: ByteWriter, s: string): void {
  const n = s.length;
  // At most 4 bytes per code unit (`\xNN`; 3 for other BMP characters; 4 per surrogate pair).
  const b = w.room(4 * n + 2);
  let p = w.pos;
  b[p++] = 34;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      p = writeNonAscii(b, p, s, i, c);
      if (isPairAt(s, i, c)) i++;
    } else if (c >= 0x20 && c !== 0x7f) {
      const e = ESCAPE_LETTER[c]!;
      if (e !== 0) b[p++] = 92;
      b[p++] = c;
    } else {
      const e = ESCAPE_LETTER[c]!;
      b[p++] = 92;
      if (e !== 0) b[p++] = e;
      else {
        b[p] = 120; // x
        b[p + 1] = LOWER_HEX[c >> 4]!;
        b[p + 2] = LOWER_HEX[c & 15]!;
        p += 3;
      }
    }
  }
  b[p++] = 34;
  w.pos = p;
}

// Lone low surrogates U+DC80..U+DCFF stand for raw bytes that were not UTF-8 (see runtime.ts).
const ESCAPED_BYTES = /(?<![\ud800-\udbff])[\udc80-\udcff]/;

/** Text as UTF-8, with escaped raw bytes written back as themselves. */
export function writeText(w: ByteWriter, s: string): void {
  const n = s.length;
  const b = w.room(3 * n);
  if (!escapedBytes.seen || !ESCAPED_BYTES.test(s)) {
    w.pos += b.write(s, w.pos);
    return;
  }
  let p = w.pos;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) b[p++] = c;
    else {
      p = writeNonAscii(b, p, s, i, c);
      if (isPairAt(s, i, c)) i++;
    }
  }
  w.pos = p;
}

/** The UTF-8 bytes of a text (escaped raw bytes as themselves): the constant parts of lines. */
export function encodeText(s: string): Buffer {
  const w = new ByteWriter(3 * s.length + 1);
  writeText(w, s);
  return Buffer.from(w.bytes());
}
