/**
 * The kernel reports' cache: the kernel model of a whole trace, with what reading the trace
 * printed, written after a run without `--begin/--end` so that the next report on the same
 * trace (`threads`, then `sched`, then `blocking`…) loads it instead of reading the trace again,
 * as Trace Compass keeps its state systems on disk. Same file format, folder and switches as the
 * server's cache (store/cache-file.ts: `TRACELANE_CACHE_DIR=off` or `--no-cache` disable it).
 * Traces with damaged streams are not cached: their errors are printed by reading them.
 */
import { statSync } from 'node:fs';
import type { TraceSet } from '../ctf/trace-set.js';
import type { KernelModel } from '../analysis/kernel/model.js';
import { cacheDir, cacheFileName, readCacheFile, traceIdentity, writeCacheFile } from '../store/cache-file.js';

/** Bumped whenever the shape of `KernelRun` changes. */
const RUN_VERSION = 1;

/** The code that shapes a model: the reader, the layouts, the model and its tables. */
const CODE = ['../ctf/', '../ctf/tsdl/', '../ctf/ctf2/', '../layouts/', '../analysis/kernel/', '../store/', './kernel-cache.js'].map((m) => new URL(m, import.meta.url));

/**
 * What a model holds (see analyze options): `tracelane cpu` reads no syscalls; `threads`,
 * `sched`, `blocking` and `irq` record no CPU states and no syscall rows; `syscalls` no CPU states.
 */
export interface ModelContent {
  syscalls: boolean;
  cpuStates: boolean;
  syscallTable: boolean;
}

const FULL: ModelContent = { syscalls: true, cpuStates: true, syscallTable: true };

export interface KernelRun {
  version: number;
  content: ModelContent;
  model: KernelModel;
  /** The reading's summary (see layouts/source.ts `ReadSummary`), without its stream readers. */
  read: { events: number; first: number; last: number; end: number };
  /** Warning lines the reading printed, in order. */
  warnings: string[];
  discarded: number;
  lostPackets: number;
  /** The warning about time going backwards in streams, if the reading printed one. */
  regressions: string | null;
}

const sameContent = (a: ModelContent, b: ModelContent) => a.syscalls === b.syscalls && a.cpuStates === b.cpuStates && a.syscallTable === b.syscallTable;

/** A cache file and the model content it holds. */
export interface KernelRunFile {
  content: ModelContent;
  file: string;
}

/**
 * The cache files that can answer reports needing `content` (none when caching is off): the
 * file of that content first (where a new model is written), then a full model's (the tables a
 * report leaves out do not change the others; a model without syscalls, though, is another
 * model: only its own content answers for it).
 */
export function kernelRunFiles(set: TraceSet, content: ModelContent): KernelRunFile[] {
  const dir = cacheDir();
  if (dir === undefined) return [];
  const identity = traceIdentity(set);
  const contents = content.syscalls && !sameContent(content, FULL) ? [content, FULL] : [content];
  return contents.map((c) => ({ content: c, file: cacheFileName(dir, `kernel-run-${RUN_VERSION}-${JSON.stringify([c.syscalls, c.cpuStates, c.syscallTable])}`, identity, CODE) }));
}

/** The first of these cached models that is there and readable. */
export function findKernelRun(files: readonly KernelRunFile[]): KernelRun | undefined {
  for (const { content, file } of files) {
    const run = readCacheFile(file) as KernelRun | undefined;
    if (run?.version === RUN_VERSION && sameContent(run.content, content)) return run;
  }
  return undefined;
}

/**
 * Writes the run and returns its size in bytes; a cache that cannot be written (read-only home,
 * full disk) is no error (undefined: the next report reads the trace again).
 */
export function writeKernelRun(file: string, run: Omit<KernelRun, 'version'>): number | undefined {
  try {
    writeCacheFile(file, { version: RUN_VERSION, ...run });
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

/** Cache files from this size on are announced (a 1 GB trace makes one of ~0.8 GB). */
export const ANNOUNCED_BYTES = 64 * 1024 * 1024;
