/**
 * Progress on stderr for long work: shown only when stderr is a terminal and the work has taken
 * more than a second, so pipes, files and tests see nothing.
 */
import type cliProgress from 'cli-progress';
import { createRequire } from 'node:module';
import type { StreamReader } from '../ctf/stream-reader.js';
import type { TraceSet } from '../ctf/trace-set.js';

/**
 * cli-progress and its dependencies are loaded only when a bar is shown: most runs (pipes, files,
 * tests, short runs) never show one, and loading costs start-up time. It is CommonJS, so
 * `require` loads it synchronously in the middle of decoding.
 */
function loadCliProgress(): typeof cliProgress {
  return createRequire(import.meta.url)('cli-progress') as typeof cliProgress;
}

export class Progress {
  private readonly started = Date.now();
  private bar: cliProgress.SingleBar | undefined;
  private readonly total: number;
  private readonly enabled: boolean;

  constructor(set: TraceSet) {
    this.total = set.traces.reduce((s, t) => s + t.bytes, 0);
    this.enabled = process.stderr.isTTY === true;
  }

  tick(readers: readonly StreamReader[]): void {
    if (!this.enabled) return;
    if (!this.bar) {
      if (Date.now() - this.started < 1000) return;
      const bars = loadCliProgress();
      this.bar = new bars.SingleBar(
        { stream: process.stderr, format: 'decoding [{bar}] {percentage}% | {value}/{total} MiB | {eta_formatted} left', hideCursor: true },
        bars.Presets.shades_classic,
      );
      this.bar.start(Math.ceil(this.total / 2 ** 20), 0);
    }
    let done = 0;
    for (const r of readers) done += r.bytesDone();
    this.bar.update(Math.floor(done / 2 ** 20));
  }

  /** Writes a line to stderr without garbling the bar. */
  stderrLine(s: string): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = undefined;
    }
    process.stderr.write(`${s}\n`);
  }

  done(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
