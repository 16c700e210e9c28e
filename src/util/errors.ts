/**
 * Errors meant for users. The CLI turns each into one line on stderr and an exit code;
 * a stack trace is shown only with `--debug`.
 */

/** Something wrong in a trace's bytes or metadata: names the file and, where known, the byte offset. */
export class TraceFormatError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'TraceFormatError';
  }

  /** `FILE: at byte N: MESSAGE` — the one line users see. */
  describe(): string {
    const where = this.offset === undefined ? '' : ` at byte ${this.offset}`;
    return `${this.file}${where}: ${this.message}`;
  }
}

/** A trace that is well formed but uses something this reader does not support. */
export class UnsupportedTraceError extends TraceFormatError {
  constructor(message: string, file: string, offset?: number) {
    super(message, file, offset);
    this.name = 'UnsupportedTraceError';
  }
}

/** Bad command-line usage (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
