/**
 * Access to the shared corpus of real traces (`../shared/traces` beside the repository).
 * A user's clone has no corpus: corpus tests then skip with a one-line notice. In CI
 * (`CI=true`) a missing corpus is a failure, so that nothing is silently skipped there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (no package.json above the tests)');
    dir = up;
  }
  return dir;
}

export const repoRoot = findRepoRoot();
export const sharedDir = resolve(repoRoot, '..', 'shared');
export const tracesDir = join(sharedDir, 'traces');

let noticeShown = false;

/**
 * True when the corpus is there. Otherwise: throws in CI, or prints a one-line notice once and
 * returns false (the caller skips).
 */
export function haveCorpus(): boolean {
  if (existsSync(join(tracesDir, 'traces.json'))) return true;
  if (process.env['CI'] === 'true') {
    throw new Error(`the shared trace corpus is missing at ${tracesDir} (required in CI)`);
  }
  if (!noticeShown) {
    noticeShown = true;
    process.stderr.write(`notice: ${tracesDir} not found; corpus tests are skipped\n`);
  }
  return false;
}

/** Options for `test()`: skip (with reason) when the corpus is missing. */
export function corpusTest(): { skip: string | false } {
  return { skip: haveCorpus() ? false : 'no shared trace corpus' };
}

export function tracePath(rel: string): string {
  return join(tracesDir, rel);
}

export interface CorpusEntry {
  path: string;
  domain: string | null;
  tracer: string | null;
  size_bytes: number;
  metadata: string;
  bt2_cli_lines: number;
  bt2_cli_rc: number;
  bt2_nomux_lines: number | null;
  cpus: number;
  span_s: number;
  first_ns: number | null;
  last_ns: number | null;
  discarded_events: number;
  discarded_packets: number;
  distinct_event_names: number;
  top_event_names: [string, number][];
  notes: string | null;
}

/** `traces.json` with the exact text of first_ns/last_ns kept (they exceed 2^53). */
export function corpusEntries(): (CorpusEntry & { first_ns_exact: bigint | null; last_ns_exact: bigint | null })[] {
  const text = readFileSync(join(tracesDir, 'traces.json'), 'utf8');
  const exact = text.replace(/"(first_ns|last_ns)": (-?\d+)/g, '"$1": $2, "$1_exact": "$2"');
  const entries = JSON.parse(exact) as (CorpusEntry & { first_ns_exact?: string; last_ns_exact?: string })[];
  return entries.map((e) => ({
    ...e,
    first_ns_exact: e.first_ns_exact ? BigInt(e.first_ns_exact) : null,
    last_ns_exact: e.last_ns_exact ? BigInt(e.last_ns_exact) : null,
  }));
}

export const cliPath = join(repoRoot, 'bin', 'tracelane.js');
