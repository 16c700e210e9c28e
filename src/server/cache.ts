/**
 * The server's analysis cache: a `ServerAnalysis` written to one file (format and place:
 * store/cache-file.ts) so that the second `tracelane serve` of the same trace loads it instead
 * of reading the trace again. A changed trace, or a tracelane whose analysis code changed, gets
 * another file name and is analysed again.
 */
import type { TraceSet } from '../ctf/trace-set.js';
import { cacheDir, cacheFileName, readCacheFile, traceIdentity, writeCacheFile } from '../store/cache-file.js';
import { ANALYSIS_VERSION, type ServerAnalysis } from './analysis.js';

/** The modules whose code shapes the cached analysis. */
const CODE = ['./analysis.js', './event-index.js', './ust-timeline.js', '../store/lod.js', '../store/interval-table.js', '../analysis/kernel/model.js', '../layouts/lttng.js', '../layouts/perf.js'].map(
  (m) => new URL(m, import.meta.url),
);

/** The cache file of a trace set, or undefined when caching is off (`TRACELANE_CACHE_DIR=off`). */
export function cacheFileFor(set: TraceSet, dir = cacheDir()): string | undefined {
  return dir === undefined ? undefined : cacheFileName(dir, `server-analysis-${ANALYSIS_VERSION}`, traceIdentity(set), CODE);
}

/** Writes the analysis (atomically). */
export function writeCache(file: string, analysis: ServerAnalysis): void {
  writeCacheFile(file, analysis);
}

/** The cached analysis, or undefined when there is none or it is unreadable / of another version. */
export function readCache(file: string): ServerAnalysis | undefined {
  const a = readCacheFile(file) as ServerAnalysis | undefined;
  return a?.version === ANALYSIS_VERSION ? a : undefined;
}
