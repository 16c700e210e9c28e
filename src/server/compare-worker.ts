/**
 * The comparison of `serve --compare`, in a worker thread: reading both traces again for their
 * profiles takes a second on the demo pair and minutes on big traces, which must not stall the
 * server's answers to the two pages meanwhile. Posts the JSON text, or the one-line reason the
 * traces cannot be compared.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { jsonWithBigints } from '../ctf/json-format.js';
import { compareProfiles } from '../analysis/compare/compare.js';
import { comparisonJson } from '../analysis/compare/json.js';
import { loadProfile } from '../analysis/compare/load.js';
import { TraceFormatError, UsageError } from '../util/errors.js';

export interface CompareWorkerInput {
  before: string;
  after: string;
}

export type CompareWorkerMessage =
  | { kind: 'warning'; line: string }
  | { kind: 'done'; json: string }
  /** The traces cannot be compared (nothing to compare, several kernel traces, a corrupt trace). */
  | { kind: 'cannot'; message: string }
  | { kind: 'failed'; message: string };

const input = workerData as CompareWorkerInput;
const post = (m: CompareWorkerMessage): void => parentPort!.postMessage(m);
try {
  const onWarning = (line: string) => post({ kind: 'warning', line });
  const [b, a] = [input.before, input.after].map((p) => loadProfile(p, { onWarning }).profile);
  post({ kind: 'done', json: jsonWithBigints(comparisonJson(compareProfiles(b!, a!))) });
} catch (e) {
  if (e instanceof UsageError || e instanceof TraceFormatError) post({ kind: 'cannot', message: e instanceof TraceFormatError ? e.describe() : e.message });
  else post({ kind: 'failed', message: (e as Error)?.message ?? String(e) });
}
