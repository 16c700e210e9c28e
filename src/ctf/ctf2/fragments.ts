/**
 * Builds the trace model fragment by fragment, in stream order: each fragment may only refer to
 * what earlier fragments defined (clock classes before the data stream classes using them, data
 * stream classes before their event record classes, aliases before their uses).
 */
import type { ClockClass, EventClass, FieldClass, ScopeName, StreamClass, StructClass, TraceClass } from '../model.js';
import { TraceFormatError } from '../../util/errors.js';
import type { FragmentContext } from './context.js';
import { describeValue, ObjectReader } from './context.js';
import { FieldClassBuilder } from './field-classes.js';
import { JsonArray, JsonObject } from './json.js';
import type { Located } from './json.js';
import { logLevelNumber } from './log-levels.js';
import { checkRoles } from './roles.js';
import { traceByteOrder } from './trace-byte-order.js';

/** Attribute namespaces whose log level / EMF URI we read. */
const LTTNG_NAMESPACE = 'lttng.org,2009';
const BABELTRACE_NAMESPACE = 'babeltrace.org,2020';

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TraceBuilder {
  private readonly fieldClasses = new FieldClassBuilder();
  private readonly clocksById = new Map<string, ClockClass>();
  /** Set once a trace-class fragment or a data stream class (which implies one) was seen. */
  private traceClassDone = false;
  private readonly trace: TraceClass = {
    ctfVersion: 2,
    major: 2,
    minor: 0,
    byteOrder: 'le',
    env: new Map(),
    clocks: [],
    streams: new Map(),
    callsites: [],
    warnings: [],
  };

  handle(ctx: FragmentContext, fragment: JsonObject): void {
    if (ctx.index === 0 && ctx.type !== 'preamble') ctx.error('the first fragment must be the preamble');
    const r = new ObjectReader(ctx, fragment, `${ctx.type} fragment`);
    r.ignore('attributes');
    switch (ctx.type) {
      case 'preamble':
        if (ctx.index !== 0) ctx.error('the preamble must be the first fragment, and the only one');
        this.preamble(r);
        break;
      case 'trace-class':
        this.traceClass(r);
        break;
      case 'clock-class':
        this.clockClass(r);
        break;
      case 'data-stream-class':
        this.dataStreamClass(r);
        break;
      case 'event-record-class':
        this.eventRecordClass(r);
        break;
      case 'field-class-alias':
        this.fieldClassAlias(r);
        break;
      default:
        ctx.warn(`unknown fragment type "${ctx.type}": fragment ignored`);
        return;
    }
    r.finish();
  }

  /** The finished trace; `warnings` are the parse's warnings. */
  finish(file: string, warnings: string[]): TraceClass {
    if (this.trace.streams.size === 0) throw new TraceFormatError('CTF 2 metadata without any data-stream-class fragment', file);
    this.trace.byteOrder = traceByteOrder(this.trace);
    this.trace.warnings = warnings;
    return this.trace;
  }

  private preamble(r: ObjectReader): void {
    const versionProp = r.required('version');
    if (versionProp.value !== 2n) {
      if (typeof versionProp.value === 'bigint') r.ctx.unsupported(`CTF version ${versionProp.value} is not supported (expecting 2)`, versionProp.offset);
      r.fail('version', versionProp, 'the integer 2');
    }
    const uuid = r.get('uuid');
    if (uuid) this.trace.uuid = uuidBytes(r, 'uuid', uuid);
    // Extensions declared here change how the metadata must be read: not knowing one is fatal.
    const extensions = r.optObject('extensions');
    if (extensions && extensions.value.props.size > 0) {
      const names = [...extensions.value.props.keys()].map((n) => `"${n}"`).join(', ');
      r.ctx.unsupported(`unsupported CTF 2 extension namespace(s) ${names}`, extensions.offset);
    }
  }

  private traceClass(r: ObjectReader): void {
    if (this.traceClassDone) {
      r.ctx.error(this.trace.streams.size > 0 ? 'the trace-class fragment must come before data stream classes' : 'duplicate trace-class fragment');
    }
    this.traceClassDone = true;
    r.ignore('uid', 'name', 'namespace');
    const draftUuid = r.get('uuid');
    if (draftUuid) {
      r.ctx.draft('trace-class "uuid"');
      this.trace.uuid ??= uuidBytes(r, 'uuid', draftUuid);
    }
    const env = r.optObject('environment');
    for (const [key, prop] of env?.value.props ?? []) {
      if (typeof prop.value === 'bigint' || typeof prop.value === 'string') this.trace.env.set(key, prop.value);
      else r.ctx.warn(`environment entry "${key}": expecting an integer or a string, not ${describeValue(prop.value)}; ignored`, prop.offset);
    }
    const header = r.get('packet-header-field-class');
    if (header) this.trace.packetHeader = this.scope(r, header, 'packet-header');
  }

  private clockClass(r: ObjectReader): void {
    const idProp = r.get('id');
    let id: string;
    if (idProp) {
      id = r.string('id');
    } else {
      // Draft: clock classes had only a name, which data stream classes referred to.
      r.ctx.draft('clock classes without "id"');
      id = r.string('name');
    }
    if (this.clocksById.has(id)) r.ctx.error(`duplicate clock class id "${id}"`, idProp?.offset);
    let name = r.optString('name') ?? id;
    if (this.trace.clocks.some((c) => c.name === name)) {
      r.ctx.warn(`clock class name "${name}" is already used: this one is called "${id}"`);
      name = id;
      if (this.trace.clocks.some((c) => c.name === name)) r.ctx.error(`clock class "${id}": its name and id are both already used`);
    }
    const frequency = r.unsigned('frequency');
    if (frequency === 0n) r.ctx.error('clock class frequency must be at least 1', r.get('frequency')!.offset);
    const clock: ClockClass = { name, frequency, offsetSeconds: 0n, offsetCycles: 0n, absolute: false };
    const uuid = this.clockUuid(r);
    if (uuid !== undefined) clock.uuid = uuid;
    const description = r.optString('description');
    if (description !== undefined) clock.description = description;
    const precision = r.optUnsigned('precision');
    if (precision !== undefined) clock.precision = precision;
    r.ignore('namespace', 'accuracy');
    this.clockOrigin(r, clock);
    this.clockOffset(r, clock);
    this.clocksById.set(id, clock);
    this.trace.clocks.push(clock);
  }

  private clockUuid(r: ObjectReader): string | undefined {
    const uid = r.optString('uid');
    if (uid !== undefined) {
      // A CTF 2 `uid` is any string; only a UUID-shaped one fits the model's `uuid`.
      return UUID_TEXT.test(uid) ? uid.toLowerCase() : undefined;
    }
    const draftUuid = r.get('uuid');
    if (!draftUuid) return undefined;
    r.ctx.draft('clock class "uuid"');
    return uuidText(uuidBytes(r, 'uuid', draftUuid));
  }

  private clockOrigin(r: ObjectReader, clock: ClockClass): void {
    const origin = r.get('origin');
    if (!origin) return;
    if (origin.value === 'unix-epoch') {
      clock.absolute = true;
    } else if (origin.value instanceof JsonObject) {
      // A custom origin: only clocks with that same origin can be correlated; not absolute.
      const or = new ObjectReader(r.ctx, origin.value, 'clock origin');
      or.string('name');
      or.string('uid');
      or.optString('namespace');
      or.finish();
    } else {
      r.fail('origin', origin, '"unix-epoch" or an origin object');
    }
  }

  private clockOffset(r: ObjectReader, clock: ClockClass): void {
    let offset = r.optObject('offset-from-origin');
    if (!offset && r.has('offset')) {
      r.ctx.draft('clock class "offset"');
      offset = r.optObject('offset');
    }
    if (!offset) return;
    const or = new ObjectReader(r.ctx, offset.value, 'clock offset');
    clock.offsetSeconds = or.optInteger('seconds') ?? 0n;
    clock.offsetCycles = or.optUnsigned('cycles') ?? 0n;
    or.finish();
  }

  private dataStreamClass(r: ObjectReader): void {
    this.traceClassDone = true;
    r.ignore('name', 'namespace', 'uid');
    const id = r.optUnsigned('id') ?? 0n;
    if (this.trace.streams.has(id)) r.ctx.error(`duplicate data stream class id ${id}`, r.get('id')?.offset);
    const stream: StreamClass = { id, events: new Map() };
    const clock = this.defaultClock(r);
    if (clock) stream.defaultClock = clock.name;
    const packetContext = r.get('packet-context-field-class');
    if (packetContext) stream.packetContext = this.scope(r, packetContext, 'packet-context', stream.defaultClock);
    const header = r.get('event-record-header-field-class');
    if (header) stream.eventHeader = this.scope(r, header, 'event-header', stream.defaultClock);
    const common = r.get('event-record-common-context-field-class');
    if (common) stream.eventContext = this.scope(r, common, 'event-common-context');
    this.trace.streams.set(id, stream);
  }

  private defaultClock(r: ObjectReader): ClockClass | undefined {
    const id = r.optString('default-clock-class-id');
    if (id !== undefined) {
      const clock = this.clocksById.get(id);
      if (!clock) r.ctx.error(`default clock class "${id}" is not defined by an earlier clock-class fragment`, r.get('default-clock-class-id')!.offset);
      return clock;
    }
    const name = r.optString('default-clock-class-name');
    if (name === undefined) return undefined;
    r.ctx.draft('"default-clock-class-name"');
    const clock = this.trace.clocks.find((c) => c.name === name) ?? this.clocksById.get(name);
    if (!clock) r.ctx.error(`default clock class "${name}" is not defined by an earlier clock-class fragment`, r.get('default-clock-class-name')!.offset);
    return clock;
  }

  private eventRecordClass(r: ObjectReader): void {
    r.ignore('namespace', 'uid');
    const streamId = r.optUnsigned('data-stream-class-id') ?? 0n;
    const stream = this.trace.streams.get(streamId);
    if (!stream) {
      r.ctx.error(`data stream class ${streamId} is not defined by an earlier data-stream-class fragment`, r.get('data-stream-class-id')?.offset);
    }
    const id = r.optUnsigned('id') ?? 0n;
    if (stream.events.has(id)) r.ctx.error(`duplicate event record class id ${id} in data stream class ${streamId}`, r.get('id')?.offset);
    const event: EventClass = { id, name: r.optString('name') ?? '', streamClassId: streamId };
    const context = r.get('specific-context-field-class');
    if (context) event.context = this.scope(r, context, 'event-specific-context');
    const payload = r.get('payload-field-class');
    if (payload) event.payload = this.scope(r, payload, 'event-payload');
    this.eventAttributes(r, event);
    stream.events.set(id, event);
  }

  /** Log level and EMF URI, from LTTng's attributes (or the draft's babeltrace user attributes). */
  private eventAttributes(r: ObjectReader, event: EventClass): void {
    const sources: Located[] = [];
    const attributes = r.optObject('attributes');
    if (attributes) sources.push(attributes);
    const draft = r.optObject('user-attributes');
    if (draft) {
      r.ctx.draft('"user-attributes"');
      sources.push(draft);
    }
    for (const source of sources) {
      const attrs = source.value as JsonObject;
      for (const ns of [LTTNG_NAMESPACE, BABELTRACE_NAMESPACE]) {
        const values = attrs.props.get(ns);
        if (!values || !(values.value instanceof JsonObject)) continue;
        const logLevel = values.value.props.get('log-level');
        if (logLevel && event.logLevel === undefined) {
          const n = typeof logLevel.value === 'string' ? logLevelNumber(logLevel.value) : typeof logLevel.value === 'bigint' ? Number(logLevel.value) : undefined;
          if (n === undefined) r.ctx.warn(`unknown log level ${describeValue(logLevel.value)} ignored`, logLevel.offset);
          else event.logLevel = n;
        }
        const emfUri = values.value.props.get('emf-uri');
        if (emfUri && typeof emfUri.value === 'string') event.emfUri ??= emfUri.value;
      }
    }
  }

  private fieldClassAlias(r: ObjectReader): void {
    const name = r.string('name');
    this.fieldClasses.addAlias(r.ctx, name, r.required('field-class'), r.get('name')!.offset);
  }

  private scope(r: ObjectReader, json: Located, scope: ScopeName, clock?: string): StructClass {
    const struct = this.fieldClasses.scope(r.ctx, json, scope);
    const check = {
      ctx: r.ctx,
      scope,
      hasUuid: this.trace.uuid !== undefined,
      offsetOf: (fc: FieldClass) => this.fieldClasses.offsetOf(fc),
      scopeOffset: json.offset,
    };
    checkRoles(struct, clock === undefined ? check : { ...check, clock });
    return struct;
  }
}

function uuidBytes(r: ObjectReader, key: string, prop: Located): Uint8Array {
  const v = prop.value;
  if (!(v instanceof JsonArray) || v.items.length !== 16) r.fail(key, prop, 'an array of 16 bytes');
  return Uint8Array.from(v.items, (item) => {
    if (typeof item.value !== 'bigint' || item.value < 0n || item.value > 255n) r.fail(key, item, 'a byte (0 to 255)');
    return Number(item.value);
  });
}

function uuidText(bytes: Uint8Array): string {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
