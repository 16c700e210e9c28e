/**
 * tracelane as a library.
 *
 *   import { openTrace } from 'tracelane';
 *   const trace = openTrace(['~/lttng-traces/my-session']);
 *   for (const ev of trace.events()) console.log(ev.timestamp, ev.name, ev.payload);
 *
 * Events are views reused from one iteration to the next: copy what you keep.
 *
 * The analyses, on the same trace set:
 *
 *   const { model } = analyzeKernel(trace.set);          // thread/CPU states, wakeups, syscalls…
 *   criticalPath(model, rowsOfTid(model, 1234)[0], model.start, model.end);
 *   futexContention(model);                               // kernel-side lock contention
 */
import { EventView } from './ctf/event-view.js';
import { TraceSet, type ReadHandlers } from './ctf/trace-set.js';

export type { EventFields } from './ctf/event-view.js';
export { EventView } from './ctf/event-view.js';
export { TraceSet } from './ctf/trace-set.js';
export type { TraceClass, FieldClass, EventClass, StreamClass, ClockClass } from './ctf/model.js';
export { TraceFormatError, UnsupportedTraceError, UsageError } from './util/errors.js';
export { TextFormatter } from './ctf/text-format.js';
export { analyzeKernel } from './analysis/kernel/index.js';
export type { KernelAnalysis, KernelModel, ThreadInfo, CpuInfo } from './analysis/kernel/index.js';
export { rowsOfTid, stateDurations, cpuTime } from './analysis/kernel/queries.js';
export { THREAD_STATE_NAMES, CPU_STATE_NAMES, ThreadState, CpuState } from './analysis/kernel/states.js';
export { criticalPath } from './analysis/critical-path/index.js';
export type { CriticalPathResult, CriticalPathSegment } from './analysis/critical-path/index.js';
export { futexContention } from './analysis/kernel/futex.js';
export type { FutexResult } from './analysis/kernel/futex.js';

export class Trace {
  constructor(readonly set: TraceSet) {}

  /** Every event of every stream, merged in time order. */
  *events(handlers: ReadHandlers = {}): Generator<EventView> {
    const muxer = this.set.muxer(handlers);
    const view = new EventView(this.set.origin);
    while (muxer.next()) {
      view.reader = muxer.current!;
      yield view;
    }
  }
}

/** Opens one or more trace folders (traces, LTTng sessions, or folders of traces) as one timeline. */
export function openTrace(paths: string | string[]): Trace {
  return new Trace(TraceSet.open(Array.isArray(paths) ? paths : [paths]));
}
