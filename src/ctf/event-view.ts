/**
 * The event as library users see it: a view over the stream reader that holds the current event.
 * It is reused from one event to the next (nothing is allocated per event); copy what you keep.
 */
import type { StreamReader } from './stream-reader.js';

export interface EventFields {
  packetHeader: Record<string, unknown>;
  packetContext: Record<string, unknown>;
  eventHeader: Record<string, unknown>;
  /** Stream event context (LTTng contexts added with `lttng add-context`). */
  streamContext: Record<string, unknown>;
  eventContext: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export class EventView {
  reader!: StreamReader;

  constructor(private readonly origin: bigint) {}

  get name(): string {
    return this.reader.eventClass.cls.name;
  }

  /** ns relative to the trace set origin (fast; NaN when the stream has no clock). */
  get time(): number {
    return this.reader.time;
  }

  /** ns from the clock origin (the Unix epoch for LTTng), or undefined without a clock. */
  get timestamp(): bigint | undefined {
    const t = this.reader.time;
    return Number.isNaN(t) ? undefined : this.origin + BigInt(t);
  }

  /** The raw clock value of the event. */
  get cycles(): bigint {
    return (BigInt(this.reader.cyclesHi) << 32n) | BigInt(this.reader.cyclesLo);
  }

  /** CPU of the per-CPU buffer (packet context `cpu_id`), when the trace has one. */
  get cpu(): number | undefined {
    const v = this.reader.records.pc['cpu_id'];
    return typeof v === 'number' ? v : undefined;
  }

  /** Index of the stream among all streams of the trace set. */
  get stream(): number {
    return this.reader.id;
  }

  /** Path of the stream file the event came from. */
  get streamPath(): string {
    return this.reader.path;
  }

  get fields(): EventFields {
    const r = this.reader.records;
    return {
      packetHeader: r.ph,
      packetContext: r.pc,
      eventHeader: r.eh,
      streamContext: r.sc,
      eventContext: r.ec,
      payload: r.pl,
    };
  }

  get payload(): Record<string, unknown> {
    return this.reader.records.pl;
  }
}
