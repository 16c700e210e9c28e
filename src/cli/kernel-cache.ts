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
import { cacheDir, cacheFileName, readCacheFile, writeCacheFile } from '../store/cache-file.js';

/** Bumped whenever the shape of `KernelRun` changes. */
const RUN_VERSION = 1;

/** The code that shapes a model: the reader, the layouts, the model and its tables. */
const CODE = ['../ctf/', '../ctf/tsdl/', '../ctf/ctf2/', '../layouts/', '../analysis/kernel/', '../store/', './kernel-cache.js'].map((m) => new URL(m, import.meta.url));

export interface KernelRun {
  version: number;
  /** Whether the model has syscalls (`tracelane cpu` builds one without). */
  syscalls: boolean;
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

/** The cache file of a whole-trace model, or undefined when caching is off. */
export function kernelRunFile(set: TraceSet, syscalls: boolean): string | undefined {
  const dir = cacheDir();
  return dir === undefined ? undefined : cacheFileName(dir, `kernel-run-${RUN_VERSION}-${syscalls ? 'syscalls' : 'no-syscalls'}`, set, CODE);
}

export function readKernelRun(file: string, syscalls: boolean): KernelRun | undefined {
  const run = readCacheFile(file) as KernelRun | undefined;
  return run?.version === RUN_VERSION && run.syscalls === syscalls ? run : undefined;
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
