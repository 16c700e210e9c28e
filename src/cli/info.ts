/**
 * `tracelane info`: what a trace is (tracer, host, clock, CTF version), how long it lasts, what it
 * holds (streams, CPUs, events per name) and what it lost (discarded events, lost packets).
 * Every stream is decoded in full, stream by stream (no merge needed for counting).
 */
import type { Command } from 'commander';
import { jsonWithBigints } from '../ctf/json-format.js';
import { ClockPrinter } from '../ctf/clock-printer.js';
import type { StreamNotice } from '../ctf/stream-reader.js';
import { TraceSet, type OpenedTrace } from '../ctf/trace-set.js';
import { Output } from './output.js';
import { Progress } from './progress.js';
import { reportProblems } from './warnings.js';

interface TraceSummary {
  path: string;
  ctf_version: string;
  domain: string | null;
  tracer: string | null;
  hostname: string | null;
  kernel_release: string | null;
  uuid: string | null;
  clocks: { name: string; frequency: bigint; offset_s: bigint; offset: bigint; description: string | null }[];
  streams: number;
  cpus: number[];
  events: number;
  first_ns: bigint | null;
  last_ns: bigint | null;
  discarded_events: number;
  discarded_packets: number;
  size_bytes: number;
  event_counts: Record<string, number>;
}

function envString(t: OpenedTrace, key: string): string | null {
  const v = t.cls.env.get(key);
  return v === undefined ? null : String(v);
}

function tracerOf(t: OpenedTrace): string | null {
  const name = envString(t, 'tracer_name');
  if (!name) return null;
  const parts = ['tracer_major', 'tracer_minor', 'tracer_patchlevel'].map((k) => envString(t, k)).filter((v) => v !== null);
  return parts.length ? `${name} ${parts.join('.')}` : name;
}

function uuidOf(t: OpenedTrace): string | null {
  if (!t.cls.uuid) return null;
  const h = Buffer.from(t.cls.uuid).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function summarise(set: TraceSet, progress?: Progress): TraceSummary[] {
  const notices: StreamNotice[] = [];
  const readers = set.createReaders({ onNotice: (n) => notices.push(n) });
  const summaries = new Map<OpenedTrace, TraceSummary & { first: number; last: number; cpuSet: Set<number> }>();
  for (const t of set.traces) {
    summaries.set(t, {
      path: t.dirs.join(', '),
      ctf_version: t.cls.ctfVersion === 1 ? '1.8' : '2',
      domain: envString(t, 'domain'),
      tracer: tracerOf(t),
      hostname: envString(t, 'hostname'),
      kernel_release: envString(t, 'kernel_release'),
      uuid: uuidOf(t),
      clocks: t.cls.clocks.map((c) => ({
        name: c.name,
        frequency: c.frequency,
        offset_s: c.offsetSeconds,
        offset: c.offsetCycles,
        description: c.description ?? null,
      })),
      streams: t.streams.length,
      cpus: [],
      events: 0,
      first_ns: null,
      last_ns: null,
      discarded_events: 0,
      discarded_packets: 0,
      size_bytes: t.bytes,
      event_counts: {},
      first: Infinity,
      last: -Infinity,
      cpuSet: new Set<number>(),
    });
  }
  const byCompiled = new Map(set.traces.map((t) => [t.compiled, summaries.get(t)!]));
  for (const r of readers) {
    const s = byCompiled.get(r.trace)!;
    const counts = new Map<string, number>();
    while (r.next()) {
      if (progress && (r.count & 0xffff) === 0) progress.tick(readers);
      const name = r.eventClass.cls.name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      const t = r.time;
      if (t < s.first) s.first = t;
      if (t > s.last) s.last = t;
    }
    for (const cpu of r.cpus) s.cpuSet.add(cpu);
    for (const [name, n] of counts) s.event_counts[name] = (s.event_counts[name] ?? 0) + n;
    s.events += r.count;
  }
  for (const n of notices) {
    const s = byCompiled.get(n.stream.trace)!;
    if (n.kind === 'discarded-events') s.discarded_events += n.count ?? 0;
    else s.discarded_packets += n.count ?? 0;
  }
  return [...summaries.values()].map((s) => {
    const { first, last, cpuSet, ...rest } = s;
    const sorted = Object.entries(rest.event_counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return {
      ...rest,
      cpus: [...cpuSet].sort((a, b) => a - b),
      first_ns: Number.isFinite(first) ? set.origin + BigInt(first) : null,
      last_ns: Number.isFinite(last) ? set.origin + BigInt(last) : null,
      event_counts: Object.fromEntries(sorted),
    };
  });
}

function fmtNs(ns: bigint | null): string {
  if (ns === null) return '-';
  const day = new Date(Number(ns / 1_000_000n));
  const date = Number.isNaN(day.getTime())
    ? ''
    : `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')} `;
  return `${date}${new ClockPrinter(() => {}).formatBig(ns)} (${ns} ns)`;
}

function fmtDuration(a: bigint | null, b: bigint | null): string {
  if (a === null || b === null) return '-';
  const d = b - a;
  return `${(Number(d) / 1e9).toFixed(9)} s`;
}

function human(out: Output, s: TraceSummary): void {
  const rows: [string, string][] = [
    ['trace', s.path],
    ['format', `CTF ${s.ctf_version}`],
    ['tracer', s.tracer ?? '-'],
    ['domain', s.domain ?? '-'],
    ['hostname', s.hostname ?? '-'],
    ['kernel release', s.kernel_release ?? '-'],
    ['uuid', s.uuid ?? '-'],
    ...s.clocks.map((c): [string, string] => [`clock ${c.name}`, `${c.frequency} Hz, offset ${c.offset_s} s + ${c.offset} cycles${c.description ? ` (${c.description})` : ''}`]),
    ['first event', fmtNs(s.first_ns)],
    ['last event', fmtNs(s.last_ns)],
    ['duration', fmtDuration(s.first_ns, s.last_ns)],
    ['streams', String(s.streams)],
    ['cpus', s.cpus.length ? `${s.cpus.length} (${s.cpus.join(', ')})` : '-'],
    ['events', String(s.events)],
    ['discarded events', s.discarded_events ? `${s.discarded_events}  <-- the tracer lost events` : '0'],
    ['lost packets', s.discarded_packets ? `${s.discarded_packets}  <-- packets are missing` : '0'],
    ['size on disk', `${(s.size_bytes / 2 ** 20).toFixed(2)} MiB`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) out.line(`${k.padEnd(w)}  ${v}`);
  const names = Object.entries(s.event_counts);
  if (names.length) {
    out.line('');
    out.line(`events per name (${names.length} names):`);
    const cw = Math.max(...names.map(([, n]) => String(n).length));
    for (const [name, n] of names) out.line(`  ${String(n).padStart(cw)}  ${name}`);
  }
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('summarise traces: tracer, host, clock, time range, streams, CPUs, events per name, losses')
    .argument('<trace...>', 'trace folders')
    .option('--json', 'machine-readable output')
    .action(async (traces: string[], opts: { json?: boolean }) => {
      process.exitCode = await runInfo(traces, opts);
    });
}

export async function runInfo(paths: string[], opts: { json?: boolean }): Promise<number> {
  const set = TraceSet.open(paths);
  const progress = new Progress(set);
  let summaries: TraceSummary[];
  try {
    summaries = summarise(set, progress);
  } finally {
    progress.done();
  }
  const out = new Output();
  if (opts.json) {
    const firsts = summaries.map((s) => s.first_ns).filter((v): v is bigint => v !== null);
    const lasts = summaries.map((s) => s.last_ns).filter((v): v is bigint => v !== null);
    const first = firsts.length ? firsts.reduce((a, b) => (a < b ? a : b)) : null;
    const last = lasts.length ? lasts.reduce((a, b) => (a > b ? a : b)) : null;
    const doc = {
      traces: summaries,
      events: summaries.reduce((n, s) => n + s.events, 0),
      first_ns: first,
      last_ns: last,
      duration_ns: first !== null && last !== null ? last - first : null,
      discarded_events: summaries.reduce((n, s) => n + s.discarded_events, 0),
      discarded_packets: summaries.reduce((n, s) => n + s.discarded_packets, 0),
    };
    out.line(jsonWithBigints(doc));
  } else {
    summaries.forEach((s, i) => {
      if (i) out.line('');
      human(out, s);
    });
  }
  out.flush();
  return reportProblems(set);
}
