/**
 * Compiles a whole trace class: one decoder per scope of every stream class and event class.
 * Decoders are shared by all the streams of a class; records are per stream (see stream-reader).
 */
import { compileScope, CodegenError, generateScope, type EarlierScopes, type Lean, type ScopeDecoder } from './codegen.js';
import type { EventClass, ScopeName, StreamClass, StructClass, TraceClass } from './model.js';
import { TraceFormatError } from '../util/errors.js';
import { isChecked, storeChecked } from './metadata-cache.js';

export interface CompiledEventClass {
  cls: EventClass;
  /** Index in the stream class's `eventList`. */
  index: number;
  /** Decoders are compiled at the first event of the class (kernel traces declare ~1000). */
  ready: boolean;
  context?: ScopeDecoder;
  payload?: ScopeDecoder;
  /** Compiles `context` and `payload`; sets `ready`. */
  compile(): void;
  /**
   * A payload decoder that stores nothing but what other fields of the payload need (lengths,
   * tags), for consumers that ignore this event class: it skips strings without building them.
   * Compiled at first use.
   */
  leanPayload(): ScopeDecoder | undefined;
  /**
   * A payload decoder that stores only these top-level members (and what lengths and tags need),
   * advancing past the others: for consumers that read a few fields. Compiled at first use.
   */
  partialPayload(members: readonly string[]): ScopeDecoder | undefined;
}

export interface CompiledStreamClass {
  cls: StreamClass;
  packetContext?: ScopeDecoder;
  eventHeader?: ScopeDecoder;
  eventContext?: ScopeDecoder;
  /** Event classes by numeric id (ids are small in practice; a Map keeps sparse ids cheap). */
  events: Map<number, CompiledEventClass>;
  /** The same for ids below 65536, as a dense array (the per-event lookup). */
  eventsById: (CompiledEventClass | undefined)[];
  eventList: CompiledEventClass[];
}

export interface CompiledTrace {
  cls: TraceClass;
  packetHeader?: ScopeDecoder;
  streams: Map<number, CompiledStreamClass>;
  /** Generated source of the decoders compiled so far, for `--dump-decoders`. */
  sources: string[];
  /** Compiles every event class now (for `--dump-decoders` and metadata validation). */
  compileAll(): void;
}

export function compileTrace(trace: TraceClass, metadataFile: string): CompiledTrace {
  const sources: string[] = [];
  const layoutError = (e: unknown, name: string) =>
    e instanceof CodegenError ? new TraceFormatError(`${name}: ${e.message}`, metadataFile) : e;
  const compile = (scope: ScopeName, struct: StructClass | undefined, earlier: EarlierScopes, name: string, lean: Lean = false) => {
    if (!struct) return undefined;
    try {
      const c = compileScope(scope, struct, earlier, name, lean);
      sources.push(c.source);
      return c.decode;
    } catch (e) {
      throw layoutError(e, name);
    }
  };
  // A model from the metadata cache was checked when it was stored.
  const checked = isChecked(trace);
  const validate = (scope: ScopeName, struct: StructClass | undefined, earlier: EarlierScopes, name: string) => {
    if (!struct || checked) return;
    try {
      generateScope(scope, struct, earlier, name);
    } catch (e) {
      throw layoutError(e, name);
    }
  };
  const packetHeader = compile('packet-header', trace.packetHeader, {}, 'trace packet header');
  const streams = new Map<number, CompiledStreamClass>();
  for (const sc of trace.streams.values()) {
    const base: EarlierScopes = { 'packet-header': trace.packetHeader };
    const pcScopes = { ...base };
    const packetContext = compile('packet-context', sc.packetContext, pcScopes, `stream ${sc.id} packet context`);
    const ehScopes = { ...pcScopes, 'packet-context': sc.packetContext };
    const eventHeader = compile('event-header', sc.eventHeader, ehScopes, `stream ${sc.id} event header`);
    const scScopes = { ...ehScopes, 'event-header': sc.eventHeader };
    const eventContext = compile('event-common-context', sc.eventContext, scScopes, `stream ${sc.id} event context`);
    const ecScopes = { ...scScopes, 'event-common-context': sc.eventContext };
    const events = new Map<number, CompiledEventClass>();
    const eventList: CompiledEventClass[] = [];
    for (const ec of sc.events.values()) {
      // Check the layout now (errors belong to opening the trace); compile at first use.
      const label = `event "${ec.name}" (id ${ec.id})`;
      validate('event-specific-context', ec.context, ecScopes, `${label} context`);
      validate('event-payload', ec.payload, { ...ecScopes, 'event-specific-context': ec.context }, `${label} fields`);
      let lean: ScopeDecoder | undefined | null = null;
      // Partial decoders by kept member list (a class is bound by one layout: usually one entry).
      let partial: Map<string, ScopeDecoder | undefined> | undefined;
      const compiled: CompiledEventClass = {
        cls: ec,
        index: eventList.length,
        ready: false,
        compile() {
          if (this.ready) return;
          this.context = compile('event-specific-context', ec.context, ecScopes, `${label} context`);
          const plScopes = { ...ecScopes, 'event-specific-context': ec.context };
          this.payload = compile('event-payload', ec.payload, plScopes, `${label} fields`);
          this.ready = true;
        },
        leanPayload() {
          if (lean === null) lean = compile('event-payload', ec.payload, { ...ecScopes, 'event-specific-context': ec.context }, `${label} fields`, true);
          return lean;
        },
        partialPayload(members) {
          const kept = [...new Set(members)].filter((m) => ec.payload?.members.some((x) => x.name === m)).sort();
          if (kept.length === 0) return this.leanPayload();
          // Every member kept: the whole decoder is the same (no second compilation).
          if (kept.length === ec.payload?.members.length) return this.payload;
          const key = kept.join('\0');
          partial ??= new Map();
          if (!partial.has(key)) partial.set(key, compile('event-payload', ec.payload, { ...ecScopes, 'event-specific-context': ec.context }, `${label} fields`, kept));
          return partial.get(key);
        },
      };
      eventList.push(compiled);
      events.set(Number(ec.id), compiled);
    }
    const eventsById: (CompiledEventClass | undefined)[] = [];
    for (const [id, ec] of events) if (id >= 0 && id < 65536) eventsById[id] = ec;
    for (let i = 0; i < eventsById.length; i++) eventsById[i] ??= undefined;
    streams.set(Number(sc.id), { cls: sc, packetContext, eventHeader, eventContext, events, eventsById, eventList });
  }
  storeChecked(trace);
  const compileAll = () => {
    for (const sc of streams.values()) for (const ec of sc.eventList) ec.compile();
  };
  return { cls: trace, packetHeader, streams, sources, compileAll };
}
