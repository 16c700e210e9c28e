/**
 * The metadata text being parsed, and how to point into it: every error and warning names the
 * metadata file and the UTF-8 byte offset of the offending token. Tokens carry string indexes;
 * the two differ only after non-ASCII text, so the conversion is done on demand.
 */
import { TraceFormatError, UnsupportedTraceError } from '../../util/errors.js';

export class TsdlSource {
  private ascii?: boolean;
  private lineStarts?: number[];

  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  /** UTF-8 byte offset of the string index `index`. */
  byteOffset(index: number): number {
    const clamped = Math.max(0, Math.min(index, this.text.length));
    this.ascii ??= !/[\u0080-\uffff]/.test(this.text);
    return this.ascii ? clamped : Buffer.byteLength(this.text.slice(0, clamped), 'utf8');
  }

  /** 1-based line number of the string index `index` (for messages). */
  lineOf(index: number): number {
    if (index <= 0) return 1;
    const starts = (this.lineStarts ??= lineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  error(message: string, index: number): TraceFormatError {
    return new TraceFormatError(`${message} (line ${this.lineOf(index)})`, this.file, this.byteOffset(index));
  }

  unsupported(message: string, index: number): UnsupportedTraceError {
    return new UnsupportedTraceError(`${message} (line ${this.lineOf(index)})`, this.file, this.byteOffset(index));
  }

  /** A warning line in the same `FILE at byte N: MESSAGE` form as `TraceFormatError.describe()`. */
  warning(message: string, index: number): string {
    return `${this.file} at byte ${this.byteOffset(index)}: ${message} (line ${this.lineOf(index)})`;
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** `text` quoted for a message, shortened when long (a bad UUID can be kilobytes). */
export function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
