/**
 * What a recording holds, decoded with tracelane's own reader: per trace (UST, perf kernel,
 * LTTng kernel) its events, how many belong to the recorded process, the most frequent event
 * names, and what was lost (discarded events, lost packets) — read from the packets, as
 * `tracelane info` does.
 */
import { relative } from 'node:path';
import { TraceSet } from '../ctf/trace-set.js';
import type { StreamReader } from '../ctf/stream-reader.js';

export interface TraceCounts {
  /** Folder relative to the output folder (e.g. `ust/uid/0/64-bit`, `kernel-perf`). */
  path: string;
  domain: string;
  tracer: string;
  events: number;
  /** Events of the recorded process (vpid / pid context, perf_pid), when its pid is known. */
  eventsOfProcess: number;
  discardedEvents: number;
  lostPackets: number;
  /** Event names, most frequent first. */
  names: [string, number][];
}

export interface RecordingSummary {
  traces: TraceCounts[];
  events: number;
  discardedEvents: number;
  lostPackets: number;
  /** Streams that stopped on bad data (one line each). */
  problems: string[];
}

const PID_FIELDS = ['vpid', 'pid', 'perf_pid'];

function pidOf(r: StreamReader): unknown {
  const rec = r.records;
  for (const scope of [rec.sc, rec.ec, rec.pl]) {
    for (const f of PID_FIELDS) if (f in scope) return scope[f];
  }
  return undefined;
}

function envString(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
}

/** Decodes every event of the recording once. Throws TraceFormatError when there is no trace. */
export function summariseRecording(outDir: string, pid?: number): RecordingSummary {
  const set = TraceSet.open([outDir]);
  const byTrace = new Map<unknown, TraceCounts & { counts: Map<string, number> }>();
  for (const t of set.traces) {
    const env = t.cls.env;
    const tracerName = envString(env.get('tracer_name')) ?? '?';
    const version = ['tracer_major', 'tracer_minor'].map((k) => envString(env.get(k))).filter((v) => v !== undefined);
    byTrace.set(t.compiled, {
      path: t.dirs.map((d) => relative(outDir, d) || '.').join(', '),
      domain: envString(env.get('domain')) ?? '?',
      tracer: version.length ? `${tracerName} ${version.join('.')}` : tracerName,
      events: 0,
      eventsOfProcess: 0,
      discardedEvents: 0,
      lostPackets: 0,
      names: [],
      counts: new Map(),
    });
  }
  const readers = set.createReaders({
    onNotice: (n) => {
      const s = byTrace.get(n.stream.trace)!;
      if (n.kind === 'discarded-events') s.discardedEvents += n.count ?? 0;
      else s.lostPackets += n.count ?? 1;
    },
  });
  for (const r of readers) {
    const s = byTrace.get(r.trace)!;
    while (r.next()) {
      const name = r.eventClass.cls.name;
      s.counts.set(name, (s.counts.get(name) ?? 0) + 1);
      if (pid !== undefined && pidOf(r) === pid) s.eventsOfProcess++;
    }
    s.events += r.count;
  }
  const traces = [...byTrace.values()].map(({ counts, ...rest }) => ({
    ...rest,
    names: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
  }));
  return {
    traces,
    events: traces.reduce((n, t) => n + t.events, 0),
    discardedEvents: traces.reduce((n, t) => n + t.discardedEvents, 0),
    lostPackets: traces.reduce((n, t) => n + t.lostPackets, 0),
    problems: set.problems.map((p) => p.error.describe()),
  };
}
