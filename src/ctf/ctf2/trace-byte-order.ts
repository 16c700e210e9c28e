/**
 * CTF 2 has no trace byte order: every fixed-length field states its own. The model still wants
 * one (it is only a default, e.g. for reading a packet magic number), so:
 *   1. the byte order of the packet header's magic number field (role `packet-magic-number`),
 *      which is what a reader checks first in every packet;
 *   2. otherwise the byte order of the first fixed-length field met in decoding order
 *      (packet header, then each data stream class's scopes, then each event record class's);
 *   3. otherwise little-endian (nothing in the trace depends on it).
 */
import type { ByteOrder, FieldClass, StructClass, TraceClass } from '../model.js';

export function traceByteOrder(trace: TraceClass): ByteOrder {
  const magic = trace.packetHeader?.members.find((m) => hasRole(m.type, 'packet-magic-number'));
  if (magic) {
    const order = firstFixedByteOrder(magic.type);
    if (order) return order;
  }
  for (const scope of scopesInDecodingOrder(trace)) {
    const order = firstFixedByteOrder(scope);
    if (order) return order;
  }
  return 'le';
}

function* scopesInDecodingOrder(trace: TraceClass): Iterable<StructClass | undefined> {
  yield trace.packetHeader;
  for (const stream of trace.streams.values()) {
    yield stream.packetContext;
    yield stream.eventHeader;
    yield stream.eventContext;
    for (const event of stream.events.values()) {
      yield event.context;
      yield event.payload;
    }
  }
}

function hasRole(fc: FieldClass, role: 'packet-magic-number'): boolean {
  const int = fc.kind === 'enum' ? fc.container : fc;
  return int.kind === 'int' && (int.roles?.includes(role) ?? false);
}

function firstFixedByteOrder(fc: FieldClass | undefined): ByteOrder | undefined {
  if (!fc) return undefined;
  switch (fc.kind) {
    case 'int':
      return fc.variableLength ? undefined : fc.byteOrder;
    case 'enum':
      return firstFixedByteOrder(fc.container);
    case 'float':
    case 'bool':
    case 'bit-array':
      return fc.byteOrder;
    case 'struct':
      for (const m of fc.members) {
        const order = firstFixedByteOrder(m.type);
        if (order) return order;
      }
      return undefined;
    case 'variant':
      for (const o of fc.options) {
        const order = firstFixedByteOrder(o.type);
        if (order) return order;
      }
      return undefined;
    case 'array':
    case 'sequence':
      return firstFixedByteOrder(fc.element);
    case 'optional':
      return firstFixedByteOrder(fc.type);
    default:
      return undefined;
  }
}
