/**
 * The kernel analyses' entry point: a trace set in, the kernel model out (one pass). The
 * model itself (model.ts) is pure; reading the trace is the layouts' job (../../layouts/source.ts).
 */
import type { TraceSet } from '../../ctf/trace-set.js';
import { kernelTraceOf, readKernelEvents, type KernelTrace, type ReadOptions, type ReadSummary } from '../../layouts/source.js';
import { KernelModelBuilder, type KernelModel, type ModelOptions } from './model.js';

export interface KernelAnalysis {
  model: KernelModel;
  kernel: KernelTrace;
  read: ReadSummary;
}

/**
 * What to read, and which optional tables the model records (see `ModelOptions`). Without the
 * syscall table, syscall arguments and return values are not read either (`syscallDetails`):
 * `unfinishedSyscalls` then has NaN arguments.
 */
export type AnalyzeOptions = ReadOptions & Pick<ModelOptions, 'cpuStates' | 'syscallTable'>;

export function analyzeKernel(set: TraceSet, opts: AnalyzeOptions = {}): KernelAnalysis {
  const kernel = kernelTraceOf(set);
  const builder = new KernelModelBuilder({
    hasWakeups: kernel.layout.hasWakeups,
    syscallNames: kernel.layout.syscalls,
    cpuStates: opts.cpuStates,
    syscallTable: opts.syscallTable,
  });
  const read = readKernelEvents(kernel, builder, { ...opts, syscallDetails: opts.syscallDetails ?? opts.syscallTable !== false });
  return { model: builder.finish(Number.isNaN(read.end) ? undefined : read.end), kernel, read };
}

export { KernelModelBuilder } from './model.js';
export type { KernelModel, ThreadInfo, CpuInfo, ModelOptions } from './model.js';
