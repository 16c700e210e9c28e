/**
 * Buffered, synchronous writing to stdout: events are produced in a tight loop, so their bytes
 * are gathered in one reusable buffer (`writer`, which the text formatter writes into directly)
 * and written with one system call per 64 KiB. A closed pipe (`| head`) ends the output quietly.
 */
import { writeSync } from 'node:fs';
import { ByteWriter, encodeText, writeText } from '../ctf/text-writer.js';

export { encodeText };

const CHUNK = 1 << 16;

export class PipeClosed extends Error {}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') throw new PipeClosed();
      throw e;
    }
  }
}

export class Output {
  /** The buffer lines go to; formatters may write bytes into it directly. */
  readonly writer: ByteWriter;

  constructor(fd = 1) {
    this.writer = new ByteWriter(CHUNK, (bytes) => writeAll(fd, bytes));
  }

  line(s: string): void {
    const w = this.writer;
    writeText(w, s);
    const b = w.room(1);
    b[w.pos++] = 10;
  }

  flush(): void {
    this.writer.flush();
  }
}
