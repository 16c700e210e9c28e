/**
 * Helpers called by the generated decoders (see `codegen.ts`) for the cases that are not worth
 * inlining: bit-packed integers, integers wider than 53 bits, strings, clock updates.
 *
 * Positions are in bits from the start of the packet buffer. Packets are limited to 512 MiB so
 * that positions stay below 2^32 and `>>> 3` gives the byte index.
 */

const TWO_32 = 4294967296;

/** Thrown by generated code; the stream reader turns it into a TraceFormatError with the file. */
export class DecodeError extends Error {
  constructor(
    message: string,
    /** Bit position in the packet where decoding failed. */
    readonly bitPos: number,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

/**
 * The mutable state of one stream's decoder. Generated functions read the packet bytes from
 * `u8`/`dv`, advance `pos`, and update the stream clock (kept as two uint32 halves so that
 * 64-bit cycle counts stay exact without BigInt on the hot path).
 */
export interface DecodeState {
  u8: Uint8Array;
  dv: DataView;
  buf: Buffer;
  pos: number;
  /** End of meaningful data (content size) in bits. */
  limit: number;
  clockHi: number;
  clockLo: number;
  /** Byte index just past the last string read (set by `readCString`). */
  strEnd: number;
}

export function outOfBounds(pos: number, size: number, limit: number): never {
  throw new DecodeError(
    `field of ${size} bits at bit ${pos} runs past the end of the packet content (bit ${limit})`,
    pos,
  );
}

/**
 * The error of the first field of a run that runs past `limit`: `fields` holds (offset from
 * `pos`, bits) pairs in decoding order (see codegen's `mergeBoundsChecks`).
 */
export function fieldsOutOfBounds(pos: number, fields: readonly number[], limit: number): never {
  for (let k = 0; k < fields.length; k += 2) {
    const at = pos + fields[k]!;
    const size = fields[k + 1]!;
    if (size === 0 ? at > limit : at + size > limit) outOfBounds(at, size, limit);
  }
  throw new DecodeError(`fields of a run at bit ${pos} run past the end of the packet content (bit ${limit})`, pos);
}

/** Reads an unsigned little-endian bit field of `size` (1..64) bits at bit `pos`. */
export function readBitsLE(u8: Uint8Array, pos: number, size: number): number | bigint {
  // Wider than 48 bits: two halves of at most 32 bits each, without BigInt when it fits 2^53.
  if (size > 48 && size <= 64) return u64(readBitsLE(u8, pos + 32, size - 32) as number, readBitsLE(u8, pos, 32) as number);
  const first = pos >>> 3;
  const shift = pos & 7;
  const nbytes = (shift + size + 7) >>> 3;
  if (nbytes <= 6) {
    let v = 0;
    for (let i = nbytes - 1; i >= 0; i--) v = v * 256 + u8[first + i]!;
    v = Math.floor(v / (1 << shift));
    return v % 2 ** size;
  }
  let v = 0n;
  for (let i = nbytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(u8[first + i]!);
  v = (v >> BigInt(shift)) & ((1n << BigInt(size)) - 1n);
  return narrow(v);
}

/** Reads an unsigned big-endian bit field of `size` (1..64) bits at bit `pos`. */
export function readBitsBE(u8: Uint8Array, pos: number, size: number): number | bigint {
  if (size > 48 && size <= 64) return u64(readBitsBE(u8, pos, size - 32) as number, readBitsBE(u8, pos + size - 32, 32) as number);
  const first = pos >>> 3;
  const shift = pos & 7;
  const nbytes = (shift + size + 7) >>> 3;
  const trailing = nbytes * 8 - shift - size;
  if (nbytes <= 6) {
    let v = 0;
    for (let i = 0; i < nbytes; i++) v = v * 256 + u8[first + i]!;
    v = Math.floor(v / 2 ** trailing);
    return v % 2 ** size;
  }
  let v = 0n;
  for (let i = 0; i < nbytes; i++) v = (v << 8n) | BigInt(u8[first + i]!);
  v = (v >> BigInt(trailing)) & ((1n << BigInt(size)) - 1n);
  return narrow(v);
}

/** Two's complement of an unsigned `size`-bit value. */
export function toSigned(v: number | bigint, size: number): number | bigint {
  if (typeof v === 'number') {
    const half = 2 ** (size - 1);
    return v >= half ? v - half * 2 : v;
  }
  const half = 1n << BigInt(size - 1);
  return narrow(v >= half ? v - (half << 1n) : v);
}

/** A bigint as a number when that is exact. */
export function narrow(v: bigint): number | bigint {
  return v <= 9007199254740991n && v >= -9007199254740991n ? Number(v) : v;
}

/** Unsigned 64-bit value from its halves: a number when below 2^53. */
export function u64(hi: number, lo: number): number | bigint {
  return hi < 0x200000 ? hi * TWO_32 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

/** The last unsigned 64-bit value above 2^53 a field decoded, as halves and bigint. */
export interface BigintCache {
  hi: number;
  lo: number;
  value: bigint;
}

export function newBigintCache(): BigintCache {
  return { hi: -1, lo: -1, value: 0n };
}

/** `u64` for values at or above 2^53, reusing the bigint when the field repeats its value. */
export function u64Cached(hi: number, lo: number, cache: BigintCache): bigint {
  if (hi === cache.hi && lo === cache.lo) return cache.value;
  cache.hi = hi;
  cache.lo = lo;
  cache.value = (BigInt(hi) << 32n) | BigInt(lo);
  return cache.value;
}

/** Signed 64-bit value from its halves (`hi` read as int32). */
export function s64(hi: number, lo: number): number | bigint {
  return hi < 0x200000 && hi >= -0x200000
    ? hi * TWO_32 + lo
    : (BigInt(hi) << 32n) + BigInt(lo);
}

/**
 * The last short string a field decoded, with its bytes: the same field tends to repeat the same
 * text (thread and process names, paths), and reusing the string spares an allocation.
 */
export interface StringCache {
  bytes: Uint8Array;
  length: number;
  value: string;
}

const CACHED_BYTES = 32;

export function newStringCache(): StringCache {
  return { bytes: new Uint8Array(CACHED_BYTES), length: -1, value: '' };
}

/**
 * Reads a NUL-terminated string starting at byte `start`; sets `st.strEnd` past the NUL.
 * The bytes are decoded as UTF-8 (as babeltrace prints them).
 */
export function readCString(st: DecodeState, start: number, cache?: StringCache): string {
  const u8 = st.u8;
  const limit = st.limit >>> 3;
  let end = start;
  while (end < limit && u8[end] !== 0) end++;
  if (end >= limit) {
    throw new DecodeError('string runs past the end of the packet content', start * 8);
  }
  st.strEnd = end + 1;
  return cache ? cachedText(st, start, end, cache) : asciiOrUtf8(st.buf, u8, start, end);
}

/** Moves past a NUL-terminated string without building it; sets `st.strEnd` past the NUL. */
export function skipCString(st: DecodeState, start: number): void {
  const end = st.u8.indexOf(0, start);
  if (end < 0 || end >= st.limit >>> 3) {
    throw new DecodeError('string runs past the end of the packet content', start * 8);
  }
  st.strEnd = end + 1;
}

/** A text array/sequence of `n` bytes: printed up to the first NUL, like babeltrace. */
export function readTextBytes(st: DecodeState, start: number, n: number, cache?: StringCache): string {
  const u8 = st.u8;
  let end = start;
  const stop = start + n;
  while (end < stop && u8[end] !== 0) end++;
  return cache ? cachedText(st, start, end, cache) : asciiOrUtf8(st.buf, u8, start, end);
}

function cachedText(st: DecodeState, start: number, end: number, cache: StringCache): string {
  const len = end - start;
  if (len > CACHED_BYTES) return asciiOrUtf8(st.buf, st.u8, start, end);
  const u8 = st.u8;
  const bytes = cache.bytes;
  if (len === cache.length) {
    let i = 0;
    while (i < len && bytes[i] === u8[start + i]) i++;
    if (i === len) return cache.value;
  }
  for (let i = 0; i < len; i++) bytes[i] = u8[start + i]!;
  cache.length = len;
  cache.value = asciiOrUtf8(st.buf, u8, start, end);
  return cache.value;
}

function asciiOrUtf8(buf: Buffer, u8: Uint8Array, start: number, end: number): string {
  // Short ASCII strings (most names) are cheaper to build by hand than through the UTF-8 decoder.
  if (end - start <= 16) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = u8[i]!;
      if (c >= 0x80) return utf8(buf, u8, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8(buf, u8, start, end);
}

/** First code unit of the "escaped byte" range: byte b that is not UTF-8 becomes U+DC00 + b. */
export const ESCAPED_BYTE_BASE = 0xdc00;

/** Set once any string held bytes that are not UTF-8: writers then look for escaped bytes. */
export const escapedBytes = { seen: false };

/**
 * UTF-8 text, where bytes that are not valid UTF-8 become lone surrogates U+DC80..U+DCFF
 * (Python's "surrogateescape"): babeltrace prints such bytes raw, and the text writer turns
 * these code units back into the same bytes.
 */
function utf8(buf: Buffer, u8: Uint8Array, start: number, end: number): string {
  const s = buf.toString('utf8', start, end);
  if (!s.includes('\ufffd')) return s;
  let out = '';
  let i = start;
  while (i < end) {
    const c = u8[i]!;
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    let ok = len > 0 && i + len <= end;
    for (let k = 1; ok && k < len; k++) ok = (u8[i + k]! & 0xc0) === 0x80;
    if (ok && len > 1) {
      const piece = buf.toString('utf8', i, i + len);
      // Overlong forms and surrogates decode to U+FFFD: keep those bytes escaped.
      ok = !piece.includes('\ufffd') || (len === 3 && c === 0xef && u8[i + 1] === 0xbf && u8[i + 2] === 0xbd);
      if (ok) {
        out += piece;
        i += len;
        continue;
      }
    }
    if (len === 1) out += String.fromCharCode(c);
    else {
      out += String.fromCharCode(ESCAPED_BYTE_BASE + c);
      escapedBytes.seen = true;
    }
    i += 1;
  }
  return out;
}

/** Reads a CTF 2 variable-length (LEB128) unsigned integer at byte `start`; sets `st.strEnd`. */
export function readVarUint(st: DecodeState, start: number): number | bigint {
  const u8 = st.u8;
  const limit = st.limit >>> 3;
  let v = 0n;
  let shift = 0n;
  for (let i = start; i < limit; i++) {
    const b = u8[i]!;
    v |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      st.strEnd = i + 1;
      return narrow(v);
    }
  }
  throw new DecodeError('variable-length integer runs past the end of the packet content', start * 8);
}

/** Signed LEB128 (sign-extended from the last group's high bit). */
export function readVarSint(st: DecodeState, start: number): number | bigint {
  const u = readVarUint(st, start);
  const bits = BigInt((st.strEnd - start) * 7);
  const v = BigInt(u);
  const signed = v & (1n << (bits - 1n)) ? v - (1n << bits) : v;
  return narrow(signed);
}

/**
 * Updates the stream clock with an N-bit (N < 64) value, assuming at most one wrap since the last
 * update (CTF 1.8 §8): if the new low bits are smaller than the current ones, the clock wrapped.
 */
export function updateClock(st: DecodeState, value: number | bigint, size: number): void {
  if (size <= 32) {
    const v = Number(value);
    const m = 2 ** size;
    let lo = st.clockLo;
    if (v < lo % m) {
      lo += m;
      if (lo >= TWO_32) {
        lo -= TWO_32;
        st.clockHi = (st.clockHi + 1) >>> 0;
      }
    }
    st.clockLo = lo - (lo % m) + v;
    return;
  }
  const cur = (BigInt(st.clockHi) << 32n) | BigInt(st.clockLo);
  const mask = (1n << BigInt(size)) - 1n;
  const v = BigInt(value);
  let next = (cur & ~mask) | v;
  if (v < (cur & mask)) next += 1n << BigInt(size);
  next &= (1n << 64n) - 1n;
  st.clockHi = Number(next >> 32n);
  st.clockLo = Number(next & 0xffffffffn);
}

/** Sets the clock from a full 64-bit value. */
export function setClock(st: DecodeState, value: number | bigint): void {
  if (typeof value === 'number') {
    st.clockHi = Math.floor(value / TWO_32);
    st.clockLo = value % TWO_32;
  } else {
    const v = BigInt.asUintN(64, value);
    st.clockHi = Number(v >> 32n);
    st.clockLo = Number(v & 0xffffffffn);
  }
}
