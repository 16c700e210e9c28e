/**
 * tracelane as a library.
 *
 *   import { openTrace } from 'tracelane';
 *   const trace = openTrace(['~/lttng-traces/my-session']);
 *   for (const ev of trace.events()) console.log(ev.timestamp, ev.name, ev.payload);
 *
 * Events are views reused from one iteration to the next: copy what you keep.
 */
import { EventView } from './ctf/event-view.js';
import { TraceSet, type ReadHandlers } from './ctf/trace-set.js';

export type { EventFields } from './ctf/event-view.js';
export { EventView } from './ctf/event-view.js';
export { TraceSet } from './ctf/trace-set.js';
export type { TraceClass, FieldClass, EventClass, StreamClass, ClockClass } from './ctf/model.js';
export { TraceFormatError, UnsupportedTraceError, UsageError } from './util/errors.js';
export { TextFormatter } from './ctf/text-format.js';

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
