/**
 * Buffered, synchronous writing to stdout: events are produced in a tight loop, so text is
 * gathered into large chunks and written with one system call each. A closed pipe (`| head`)
 * ends the output quietly.
 */
import { writeSync } from 'node:fs';
import { escapedBytes } from '../ctf/runtime.js';

const CHUNK = 1 << 16;

export class PipeClosed extends Error {}

// Lone low surrogates U+DC80..U+DCFF stand for raw bytes that were not UTF-8 (see runtime.ts).
const ESCAPED_BYTES = /(?<![\ud800-\udbff])[\udc80-\udcff]/;

/** UTF-8 bytes of the text, with escaped raw bytes written back as themselves. */
export function encodeText(text: string): Buffer {
  if (!escapedBytes.seen || !ESCAPED_BYTES.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff)) {
      parts.push(Buffer.from(text.slice(from, i), 'utf8'), Buffer.of(c - 0xdc00));
      from = i + 1;
    }
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

export class Output {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly fd = 1) {}

  line(s: string): void {
    this.parts.push(s, '\n');
    this.size += s.length + 1;
    if (this.size >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    const data = encodeText(this.parts.join(''));
    this.parts = [];
    this.size = 0;
    let off = 0;
    while (off < data.length) {
      try {
        off += writeSync(this.fd, data, off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EPIPE') throw new PipeClosed();
        throw e;
      }
    }
  }
}
