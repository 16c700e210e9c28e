/**
 * Messages about what could not be decoded, or was never recorded: discarded events and lost
 * packets (in babeltrace2's words, so that scripts reading either tool's stderr agree), and
 * streams that stopped on bad data.
 */
import type { ClockPrinter } from '../ctf/clock-printer.js';
import type { StreamNotice, StreamReader } from '../ctf/stream-reader.js';
import type { TraceSet } from '../ctf/trace-set.js';

function uuidString(u: Uint8Array | undefined): string | undefined {
  if (!u) return undefined;
  const h = Buffer.from(u).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function noticeMessage(set: TraceSet, n: StreamNotice, clock: ClockPrinter): string {
  const r = n.stream;
  const trace = set.traces.find((t) => t.compiled === r.trace);
  const what = n.kind === 'discarded-events' ? 'event' : 'packet';
  const count =
    n.count === undefined ? `Tracer may have discarded ${what}s` : `Tracer discarded ${n.count} ${what}${n.count === 1 ? '' : 's'}`;
  const known = n.begin !== undefined && n.end !== undefined && !Number.isNaN(n.begin) && !Number.isNaN(n.end);
  const range = known
    ? `between [${clock.formatBig(set.origin + BigInt(n.begin!))}] and [${clock.formatBig(set.origin + BigInt(n.end!))}]`
    : '(unknown time range)';
  const uuid = uuidString(r.trace.cls.uuid);
  return (
    `WARNING: ${count} ${range} in trace "${trace?.name ?? ''}" ${uuid ? `(UUID: ${uuid})` : '(no UUID)'} ` +
    `within stream "${r.files[0]!.path}" (stream class ID: ${r.streamClass.cls.id}, stream ID: ${r.streamId}).`
  );
}

/** Prints warnings and the streams that stopped on bad data; the exit code (1 when any stopped). */
export function reportProblems(set: TraceSet): number {
  for (const w of set.warnings) process.stderr.write(`tracelane: warning: ${w}\n`);
  for (const p of set.problems) {
    process.stderr.write(`tracelane: error: ${p.error.describe()} (${p.stream.count} events of this stream decoded before)\n`);
  }
  return set.problems.length > 0 ? 1 : 0;
}

/**
 * Where time goes backwards inside streams (babeltrace2's muxer stops at the first such place;
 * we keep each stream's own order), one warning line, or undefined.
 */
export function timeRegressions(readers: StreamReader[]): string | undefined {
  let events = 0;
  let packets = 0;
  let streams = 0;
  for (const r of readers) {
    if (r.eventRegressions + r.packetOverlaps > 0) streams++;
    events += r.eventRegressions;
    packets += r.packetOverlaps;
  }
  if (streams === 0) return undefined;
  return (
    `tracelane: warning: time goes backwards in ${streams} stream${streams === 1 ? '' : 's'} ` +
    `(${events} events earlier than the one before them, ${packets} packets beginning before the previous event); ` +
    'each stream keeps its recorded order'
  );
}
