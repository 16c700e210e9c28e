/**
 * `/api/compare` of the side-by-side page (`tracelane serve --compare BEFORE AFTER`): the
 * comparison `tracelane compare BEFORE AFTER --json` prints, made by the same library and the same
 * JSON function. It is made once, while the server loads (after both sides' analyses: phase
 * "comparing"), in a worker thread (compare-worker.ts), so that the two pages' requests are
 * answered meanwhile; then kept.
 */
import { Worker } from 'node:worker_threads';
import { RawJson } from './api.js';
import type { CompareWorkerInput, CompareWorkerMessage } from './compare-worker.js';
import { HttpError } from './params.js';

export class CompareAnswer {
  private answer: RawJson | undefined;
  private failure: HttpError | undefined;
  private running: Promise<void> | undefined;
  private worker: Worker | undefined;

  constructor(
    private readonly before: string,
    private readonly after: string,
    private readonly warn?: (line: string) => void,
  ) {}

  /** Whether the comparison is made (or known impossible). */
  get settled(): boolean {
    return this.answer !== undefined || this.failure !== undefined;
  }

  /** Makes the comparison (once); resolves when it is made or known impossible. */
  compute(): Promise<void> {
    this.running ??= new Promise<void>((done) => {
      const input: CompareWorkerInput = { before: this.before, after: this.after };
      const worker = new Worker(new URL('./compare-worker.js', import.meta.url), { workerData: input });
      this.worker = worker;
      const fail = (status: number, message: string) => {
        if (!this.failure) this.warn?.(`tracelane: warning: ${message} (both traces are still shown)`);
        this.failure ??= new HttpError(status, message);
        done();
      };
      worker.on('message', (m: CompareWorkerMessage) => {
        if (m.kind === 'warning') this.warn?.(`tracelane: warning: ${m.line}`);
        else if (m.kind === 'done') this.answer = new RawJson(m.json);
        // Traces the comparison cannot read: the pages of both sides still work; the summary
        // says why it is missing.
        else if (m.kind === 'cannot') fail(422, `cannot compare: ${m.message}`);
        else fail(500, `the comparison failed: ${m.message}`);
      });
      worker.on('error', (e) => fail(500, `the comparison failed: ${e.message}`));
      worker.on('exit', () => {
        this.worker = undefined;
        if (!this.answer) fail(500, 'the comparison failed: its worker stopped');
        done();
      });
    });
    return this.running;
  }

  /** Stops the comparison if it is still being made (the server closes). */
  async stop(): Promise<void> {
    await this.worker?.terminate();
  }

  /** The answer, once settled (else undefined). */
  get(): RawJson | undefined {
    if (this.failure) throw this.failure;
    return this.answer;
  }
}
