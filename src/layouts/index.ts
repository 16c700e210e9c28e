/**
 * Choosing a trace's kernel layout from its env (as Trace Compass's `LttngKernelTrace`
 * `getTracerFromEnv` does): `tracer_name = "perf"` → perf; `domain = "kernel"` → LTTng kernel,
 * refined by the lttng-modules version; anything else is not a kernel trace.
 */
import type { TraceClass } from '../ctf/model.js';
import type { KernelLayout } from './layout.js';
import { declaredNames } from './layout.js';
import { LttngKernelLayout } from './lttng.js';
import { PerfKernelLayout } from './perf.js';

export type { KernelLayout, Binding, Extractor } from './layout.js';
export { Kind, KernelEvent, PrevState } from './canonical.js';

export function kernelLayoutFor(cls: TraceClass): KernelLayout | undefined {
  const tracer = cls.env.get('tracer_name');
  const domain = cls.env.get('domain');
  if (tracer === 'perf') return new PerfKernelLayout(cls);
  if (domain === 'kernel') return new LttngKernelLayout(cls);
  // No env at all (hand-made or very old traces): a kernel trace if it declares sched_switch.
  if (domain === undefined && tracer === undefined && declaredNames(cls.streams.values()).has('sched_switch')) {
    return new LttngKernelLayout(cls);
  }
  return undefined;
}
