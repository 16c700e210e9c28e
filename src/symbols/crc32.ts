/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of a whole file: the checksum that
 * `.gnu_debuglink` records for the separate debug file, checked before the file is trusted.
 */
import { closeSync, openSync, readSync } from 'node:fs';

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** Continues a CRC over more bytes (start with 0). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const t = crcTable();
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of a file's contents; undefined when it cannot be read. */
export function fileCrc32(path: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(1 << 20);
    let crc = 0;
    let pos = 0;
    while (true) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) return crc;
      crc = crc32(buf.subarray(0, n), crc);
      pos += n;
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
