/**
 * One JSON object per event, with every field of every scope. Integers beyond 2^53 are written as
 * exact JSON numbers (parse them with a bigint-aware parser if you need them exact).
 */
import { isTextElement, type VariantValue } from './codegen.js';
import type { FieldClass, StructClass } from './model.js';
import { enumLabels } from './enum-labels.js';
import type { StreamReader } from './stream-reader.js';
import { stringifyExact } from './json-exact.js';

export { jsonWithBigints, stringifyExact } from './json-exact.js';

/** A JSON-ready copy of a decoded value; bigints become `{ $bigint: "…" }` markers. */
export function toJsonValue(fc: FieldClass, v: unknown): unknown {
  switch (fc.kind) {
    case 'struct':
      return structToJson(fc, v as Record<string, unknown>);
    case 'array':
    case 'sequence':
      if (isTextElement(fc.element)) return v;
      return (v as unknown[]).map((e) => toJsonValue(fc.element, e));
    case 'variant': {
      const vv = v as VariantValue;
      const opt = fc.options[vv.option];
      return opt ? { [opt.name]: toJsonValue(opt.type, vv.value) } : null;
    }
    case 'optional':
      return v === null ? null : toJsonValue(fc.type, v);
    case 'enum':
      return { value: big(v), labels: enumLabels(fc, v as number | bigint) };
    case 'blob':
      return Array.from(v as Uint8Array);
    case 'float':
      return Number.isFinite(v as number) ? v : String(v);
    default:
      return big(v);
  }
}

function big(v: unknown): unknown {
  return typeof v === 'bigint' ? { $bigint: v.toString() } : v;
}

function structToJson(fc: StructClass | undefined, o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of fc?.members ?? []) out[m.name] = toJsonValue(m.type, o[m.name]);
  return out;
}

export function eventToJson(r: StreamReader, timestamp: bigint | undefined): string {
  const sc = r.streamClass.cls;
  const ec = r.eventClass.cls;
  const rec = r.records;
  const obj = {
    name: ec.name,
    timestamp: timestamp === undefined ? null : { $bigint: timestamp.toString() },
    cycles: { $bigint: ((BigInt(r.cyclesHi) << 32n) | BigInt(r.cyclesLo)).toString() },
    cpu: typeof rec.pc['cpu_id'] === 'number' ? rec.pc['cpu_id'] : null,
    stream: r.path,
    packet_context: structToJson(sc.packetContext, rec.pc),
    event_header: structToJson(sc.eventHeader, rec.eh),
    stream_context: structToJson(sc.eventContext, rec.sc),
    event_context: structToJson(ec.context, rec.ec),
    payload: structToJson(ec.payload, rec.pl),
  };
  return stringifyExact(obj);
}
