/**
 * Buffered, synchronous writing to stdout: events are produced in a tight loop, so text is
 * gathered into large chunks and written with one system call each. A closed pipe (`| head`)
 * ends the output quietly.
 */
import { writeSync } from 'node:fs';

const CHUNK = 1 << 16;

export class PipeClosed extends Error {}

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
    const data = Buffer.from(this.parts.join(''), 'utf8');
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
