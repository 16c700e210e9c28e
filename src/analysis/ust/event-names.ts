/**
 * The event classes a trace set declares, by name, with the fields each one has (payload and
 * contexts), and how command-line event names are matched against them: the full name
 * (`calcjob:job_start`) or, when unambiguous, the name without its provider (`job_start`).
 */
import type { TraceSet } from '../../ctf/trace-set.js';
import { UsageError } from '../../util/errors.js';

/** Whether a trace is a user-space one (LTTng-UST, or any trace not saying it is a kernel's). */
export function isUserSpaceTrace(t: TraceSet['traces'][number]): boolean {
  const domain = t.cls.env.get('domain');
  const tracer = t.cls.env.get('tracer_name');
  return domain !== 'kernel' && tracer !== 'perf' && tracer !== 'lttng-modules';
}

/**
 * Event name → names of the fields its events carry (payload, event and stream contexts);
 * `userSpaceOnly` leaves out kernel and perf traces.
 */
export function eventFields(set: TraceSet, userSpaceOnly = false): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const t of set.traces) {
    if (userSpaceOnly && !isUserSpaceTrace(t)) continue;
    for (const sc of t.cls.streams.values()) {
      for (const ec of sc.events.values()) {
        const fields = new Set<string>();
        for (const s of [ec.payload, ec.context, sc.eventContext]) for (const m of s?.members ?? []) fields.add(m.name);
        const prev = out.get(ec.name);
        // Several traces may declare the same name: keep the fields all of them have.
        out.set(ec.name, prev ? new Set([...prev].filter((f) => fields.has(f))) : fields);
      }
    }
  }
  return out;
}

/** The declared event named `arg` (full or without provider); a usage error otherwise. */
export function matchEventName(arg: string, names: Iterable<string>, option: string): string {
  const all = [...names];
  if (all.includes(arg)) return arg;
  const short = all.filter((n) => n.slice(n.indexOf(':') + 1) === arg);
  if (short.length === 1) return short[0]!;
  if (short.length > 1) throw new UsageError(`${option}: "${arg}" is ambiguous: ${short.join(', ')}`);
  throw new UsageError(`${option}: no event "${arg}" in the trace`);
}

/** Event name → its integer fields the metadata says to show in hexadecimal (addresses). */
export function hexFields(set: TraceSet): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const t of set.traces) {
    for (const sc of t.cls.streams.values()) {
      for (const ec of sc.events.values()) {
        const hex = out.get(ec.name) ?? new Set<string>();
        for (const s of [ec.payload, ec.context, sc.eventContext]) {
          for (const m of s?.members ?? []) {
            const ty = m.type.kind === 'enum' ? m.type.container : m.type;
            if (ty.kind === 'int' && ty.base === 16) hex.add(m.name);
          }
        }
        out.set(ec.name, hex);
      }
    }
  }
  return out;
}
