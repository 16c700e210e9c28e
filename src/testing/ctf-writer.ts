/**
 * A small CTF 1.8 writer for tests: TSDL text plus data streams built bit by bit, so that tests
 * can make traces with exactly the layouts they want (odd bit sizes, mixed byte orders, invalid
 * UTF-8, clocks with odd frequencies) and compare our reading with babeltrace2's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class BitWriter {
  private bytes: number[] = [];
  /** Position in bits. */
  pos = 0;

  align(bits: number): this {
    while (this.pos % bits !== 0) this.bit(0, 'le');
    return this;
  }

  private bit(b: number, order: 'le' | 'be'): void {
    const byte = this.pos >> 3;
    while (this.bytes.length <= byte) this.bytes.push(0);
    const shift = order === 'le' ? this.pos & 7 : 7 - (this.pos & 7);
    if (b) this.bytes[byte]! |= 1 << shift;
    this.pos++;
  }

  /** An integer of `size` bits (two's complement for negative values), after aligning. */
  int(value: number | bigint, size: number, order: 'le' | 'be' = 'le', align = size % 8 === 0 ? 8 : 1): this {
    this.align(align);
    const v = BigInt.asUintN(size, BigInt(value));
    if (order === 'le') {
      for (let i = 0; i < size; i++) this.bit(Number((v >> BigInt(i)) & 1n), 'le');
    } else {
      for (let i = size - 1; i >= 0; i--) this.bit(Number((v >> BigInt(i)) & 1n), 'be');
    }
    return this;
  }

  float64(value: number, order: 'le' | 'be' = 'le'): this {
    const b = Buffer.alloc(8);
    if (order === 'le') b.writeDoubleLE(value);
    else b.writeDoubleBE(value);
    return this.raw(b);
  }

  float32(value: number, order: 'le' | 'be' = 'le'): this {
    const b = Buffer.alloc(4);
    if (order === 'le') b.writeFloatLE(value);
    else b.writeFloatBE(value);
    return this.raw(b);
  }

  /** Raw bytes, byte aligned. */
  raw(bytes: Uint8Array): this {
    this.align(8);
    for (const b of bytes) this.int(b, 8);
    return this;
  }

  /** A NUL-terminated string from raw bytes or UTF-8 text. */
  string(s: string | Uint8Array): this {
    return this.raw(typeof s === 'string' ? Buffer.from(s, 'utf8') : s).int(0, 8);
  }

  /** The bytes written, padded with zeros to a whole number of bytes (or to `size` bytes). */
  finish(size?: number): Buffer {
    const out = Buffer.alloc(Math.max(size ?? 0, Math.ceil(this.pos / 8)));
    Buffer.from(this.bytes).copy(out);
    return out;
  }
}

/** Writes `metadata` and the stream files into `dir`. */
export function writeTrace(dir: string, metadata: string, streams: Record<string, Buffer>): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metadata'), metadata);
  for (const [name, bytes] of Object.entries(streams)) writeFileSync(join(dir, name), bytes);
  return dir;
}
