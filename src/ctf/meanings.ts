/**
 * CTF 1.8 gives special fields their meaning by name (CTF 2 by explicit roles). This pass turns
 * the names into the same `roles` that the CTF 2 front end sets, so that the decoder and the
 * stream reader only ever look at roles:
 *
 *   packet header   magic, stream_id, stream_instance_id
 *   packet context  timestamp_begin, timestamp_end, content_size, packet_size,
 *                   events_discarded, packet_seq_num
 *   event header    every integer named `id` (the last one decoded wins), `timestamp`
 *   anywhere        integers mapped to a clock update the stream clock
 *
 * It also finds each stream class's clock and adds the implicit 1 GHz clock that CTF 1.8 (and
 * babeltrace) assume when timestamps exist but no clock is declared.
 */
import type {
  ClockClass,
  FieldClass,
  FieldRole,
  IntegerClass,
  StreamClass,
  StructClass,
  TraceClass,
} from './model.js';

const PACKET_HEADER_ROLES: Record<string, FieldRole> = {
  magic: 'packet-magic-number',
  stream_id: 'data-stream-class-id',
  stream_instance_id: 'data-stream-id',
};

const PACKET_CONTEXT_ROLES: Record<string, FieldRole> = {
  timestamp_begin: 'default-clock-timestamp',
  timestamp_end: 'packet-end-default-clock-timestamp',
  content_size: 'packet-content-length',
  packet_size: 'packet-total-length',
  events_discarded: 'discarded-event-record-counter-snapshot',
  packet_seq_num: 'packet-sequence-number',
};

function intOf(fc: FieldClass): IntegerClass | undefined {
  return fc.kind === 'int' ? fc : fc.kind === 'enum' ? fc.container : undefined;
}

function addRole(int: IntegerClass, role: FieldRole): void {
  if (!int.roles) int.roles = [];
  if (!int.roles.includes(role)) int.roles.push(role);
}

/** Visits every integer (including enum containers) under a field class. */
function forEachInt(fc: FieldClass | undefined, visit: (int: IntegerClass, name: string) => void, name = ''): void {
  if (!fc) return;
  switch (fc.kind) {
    case 'int':
      return visit(fc, name);
    case 'enum':
      return visit(fc.container, name);
    case 'struct':
      for (const m of fc.members) forEachInt(m.type, visit, m.name);
      return;
    case 'variant':
      for (const o of fc.options) forEachInt(o.type, visit, o.name);
      return;
    case 'array':
    case 'sequence':
      return forEachInt(fc.element, visit, name);
    case 'optional':
      return forEachInt(fc.type, visit, name);
    default:
      return;
  }
}

function topLevel(struct: StructClass | undefined, roles: Record<string, FieldRole>): void {
  for (const m of struct?.members ?? []) {
    const role = roles[m.name];
    const int = intOf(m.type);
    if (role && int) addRole(int, role);
  }
}

const IMPLICIT_CLOCK: ClockClass = {
  name: 'default',
  frequency: 1_000_000_000n,
  offsetSeconds: 0n,
  offsetCycles: 0n,
  absolute: false,
};

/** Assigns roles by name (CTF 1.8) and the clock of every stream class. */
export function assignMeanings(trace: TraceClass): void {
  if (trace.ctfVersion === 1) {
    topLevel(trace.packetHeader, PACKET_HEADER_ROLES);
    for (const sc of trace.streams.values()) {
      topLevel(sc.packetContext, PACKET_CONTEXT_ROLES);
      forEachInt(sc.eventHeader, (int, name) => {
        if (name === 'id') addRole(int, 'event-record-class-id');
        if (name === 'timestamp') addRole(int, 'default-clock-timestamp');
      });
      mapClocks(trace, sc);
    }
    return;
  }
  for (const sc of trace.streams.values()) {
    if (sc.defaultClock === undefined && usesClock(sc)) sc.defaultClock = implicitClock(trace).name;
  }
}

function usesClock(sc: StreamClass): boolean {
  let found = false;
  const look = (int: IntegerClass) => {
    if (int.roles?.includes('default-clock-timestamp') || int.roles?.includes('packet-end-default-clock-timestamp')) {
      found = true;
    }
  };
  forEachInt(sc.packetContext, look);
  forEachInt(sc.eventHeader, look);
  return found;
}

function implicitClock(trace: TraceClass): ClockClass {
  let clock = trace.clocks.find((c) => c.name === IMPLICIT_CLOCK.name);
  if (!clock) {
    clock = { ...IMPLICIT_CLOCK };
    trace.clocks.push(clock);
  }
  return clock;
}

/**
 * CTF 1.8: a stream's clock is the one its timestamp fields are mapped to. Unmapped
 * `timestamp*` fields go to the only clock, or to an implicit 1 GHz one when there is none.
 * Every other clock-mapped integer updates the stream clock too — except `timestamp_end`,
 * which only says when the packet ends.
 */
function mapClocks(trace: TraceClass, sc: StreamClass): void {
  const scopes = [sc.packetContext, sc.eventHeader, sc.eventContext];
  for (const ec of sc.events.values()) scopes.push(ec.context, ec.payload);
  const timestampRoles = (int: IntegerClass) =>
    int.roles?.includes('default-clock-timestamp') || int.roles?.includes('packet-end-default-clock-timestamp');
  for (const scope of scopes) {
    forEachInt(scope, (int) => {
      if (int.mappedClock === undefined && timestampRoles(int) && (scope === sc.packetContext || scope === sc.eventHeader)) {
        int.mappedClock = trace.clocks.length === 1 ? trace.clocks[0]!.name : implicitClock(trace).name;
      }
      if (int.mappedClock === undefined) return;
      sc.defaultClock ??= int.mappedClock;
      if (!int.roles?.includes('packet-end-default-clock-timestamp')) addRole(int, 'default-clock-timestamp');
    });
  }
}
