/**
 * One time-ordered pass over a trace set for the user-space analyses. Each event is attributed
 * to its thread (`ThreadTable`), the statedump events keep the process maps up to date (so an
 * address is placed in the binary loaded *at that time*), and the event goes to the analyses
 * that subscribed to its name. Subscriptions are resolved once per event class, not per event.
 *
 *   muxer ─► event ─┬─ statedump / lib events ─► ProcessMaps       (always, whatever the window)
 *                   ├─ outside --begin/--end  ─► skipped
 *                   └─ ThreadTable.of(r) ─► consumers wanting this event class
 */
import type { CompiledEventClass } from '../../ctf/compile.js';
import type { StreamReader } from '../../ctf/stream-reader.js';
import type { ReadHandlers, TraceSet } from '../../ctf/trace-set.js';
import { isMapEvent, ProcessMaps } from '../../symbols/process-maps.js';
import { ThreadTable, type UstThread } from './threads.js';

export interface UstConsumer {
  /** Whether events of this name are wanted (asked once per event class). */
  wants(name: string): boolean;
  /** One event; `r` and its records are reused after the call: copy what you keep. */
  onEvent(r: StreamReader, thread: UstThread, pass: UstPass): void;
  /** After the last event. */
  finish?(pass: UstPass): void;
}

/** Times in ns from the trace set's origin (`r.time`); either end may be infinite. */
export interface TimeWindow {
  begin: number;
  end: number;
}

export interface UstPassOptions extends ReadHandlers {
  /** The window, computed from the time of the first event (for `+1.5s`-style arguments). */
  window?: (firstTime: number) => TimeWindow;
  /** Called every 65536 events (for a progress bar). */
  onProgress?: (readers: readonly StreamReader[]) => void;
}

interface Route {
  consumers: UstConsumer[];
  maps: boolean;
}

export class UstPass {
  readonly threads = new ThreadTable();
  readonly maps = new ProcessMaps();
  /** First and last event times of the whole trace set (NaN before any). */
  first = Number.NaN;
  last = Number.NaN;
  /** Events in the window. */
  events = 0;
  window: TimeWindow = { begin: -Infinity, end: Infinity };

  constructor(readonly set: TraceSet) {}

  /** Absolute time (ns from the clock's origin, the Unix epoch for LTTng) of a pass time. */
  absolute(t: number): bigint {
    return this.set.origin + BigInt(Math.round(t));
  }

  run(consumers: UstConsumer[], opts: UstPassOptions = {}): this {
    const muxer = this.set.muxer(opts);
    let more = muxer.next();
    if (more) this.first = muxer.current!.time;
    if (opts.window) this.window = opts.window(this.first);
    const step = this.stepper(consumers);
    let seen = 0;
    for (; more; more = muxer.next()) {
      if ((++seen & 0xffff) === 0) opts.onProgress?.(muxer.readers);
      step(muxer.current!);
    }
    for (const c of consumers) c.finish?.(this);
    return this;
  }

  /**
   * Feeds events that do not come from the trace set's muxer (tests build them from text);
   * each needs `eventClass.cls.name`, `time` and `records`.
   */
  replay(events: Iterable<StreamReader>, consumers: UstConsumer[]): this {
    const step = this.stepper(consumers);
    for (const r of events) {
      if (Number.isNaN(this.first)) this.first = r.time;
      step(r);
    }
    for (const c of consumers) c.finish?.(this);
    return this;
  }

  private stepper(consumers: UstConsumer[]): (r: StreamReader) => void {
    const routes = new Map<CompiledEventClass, Route>();
    const { begin, end } = this.window;
    return (r) => {
      const cls = r.eventClass;
      let route = routes.get(cls);
      if (!route) {
        const name = cls.cls.name;
        route = { consumers: consumers.filter((c) => c.wants(name)), maps: isMapEvent(name) };
        routes.set(cls, route);
      }
      const t = r.time;
      this.last = t;
      if (route.maps) this.maps.apply(cls.cls.name, vpidOf(r), r.records.pl);
      if (t < begin || t > end) return;
      this.events++;
      const thread = this.threads.of(r);
      for (const c of route.consumers) c.onEvent(r, thread, this);
    };
  }
}

/** The `vpid` context of the current event, or -1 (then the trace is one process). */
export function vpidOf(r: StreamReader): number {
  const v = r.records.sc['vpid'] ?? r.records.ec['vpid'];
  return typeof v === 'number' ? v : -1;
}
