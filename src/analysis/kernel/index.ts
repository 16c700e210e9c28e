/**
 * The kernel analyses' entry point: a trace set in, the kernel model out (one pass). The
 * model itself (model.ts) is pure; reading the trace is the layouts' job (../../layouts/source.ts).
 */
import type { TraceSet } from '../../ctf/trace-set.js';
import { kernelTraceOf, readKernelEvents, type KernelTrace, type ReadOptions, type ReadSummary } from '../../layouts/source.js';
import { KernelModelBuilder, type KernelModel } from './model.js';

export interface KernelAnalysis {
  model: KernelModel;
  kernel: KernelTrace;
  read: ReadSummary;
}

export function analyzeKernel(set: TraceSet, opts: ReadOptions = {}): KernelAnalysis {
  const kernel = kernelTraceOf(set);
  const builder = new KernelModelBuilder({ hasWakeups: kernel.layout.hasWakeups, syscallNames: kernel.layout.syscalls });
  const read = readKernelEvents(kernel, builder, opts);
  return { model: builder.finish(Number.isNaN(read.end) ? undefined : read.end), kernel, read };
}

export { KernelModelBuilder } from './model.js';
export type { KernelModel, ThreadInfo, CpuInfo } from './model.js';
