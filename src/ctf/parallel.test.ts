import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, tracePath } from '../testing/corpus.js';
import { automaticJobs, groupsBySize, PARALLEL_MIN_BYTES, parallelScan } from './parallel.js';
import type { StreamReader } from './stream-reader.js';
import { TraceSet, type ReadHandlers } from './trace-set.js';

/**
 * One line per thing a consumer sees, in the order it sees it: events (stream, class, time),
 * notices and problems (where the merge reports them), then each stream's final counters.
 */
function recorder(): { lines: string[]; handlers: ReadHandlers; event: (r: StreamReader) => void; counters: (rs: readonly StreamReader[]) => void } {
  const lines: string[] = [];
  return {
    lines,
    handlers: {
      onNotice: (n) => lines.push(`notice ${n.stream.id} ${n.kind} ${n.count} ${n.begin} ${n.end}`),
      onProblem: (p) => lines.push(`problem ${p.stream.id} ${p.stream.count} ${p.error.describe()}`),
      onWarning: (w) => lines.push(`warning ${w}`),
    },
    event: (r) => lines.push(`${r.id} ${r.eventClass.cls.id} ${r.eventClass.cls.name} ${r.time}`),
    counters: (rs) => {
      for (const r of rs) lines.push(`stream ${r.id}: ${r.count} events, ${r.eventRegressions} regressions, ${r.packetOverlaps} overlaps, ${r.packetsRead} packets, cpus ${[...r.cpus].sort()}`);
    },
  };
}

function muxed(path: string): string[] {
  const rec = recorder();
  const m = TraceSet.open([path]).muxer(rec.handlers);
  while (m.next()) rec.event(m.current!);
  rec.counters(m.readers);
  return rec.lines;
}

async function scanned(path: string, jobs: number, small = false): Promise<{ lines: string[]; workers: number; events: number }> {
  const rec = recorder();
  // Tiny rings wrap around many times and are full most of the time (workers wait on the merge).
  const ring = small ? { chunk: 16, ringEvents: 64 } : {};
  const r = await parallelScan([path], { jobs, onEvent: rec.event, ...rec.handlers, ...ring });
  rec.counters(r.readers);
  return { lines: rec.lines, workers: r.workers, events: r.events };
}

// many-threads and bug446190: equal timestamps across CPUs (tie-breaking); 2-streams-lost-in-2
// and multi-domains: discarded packets and events (notices where the muxer gives them);
// multi-domains: two traces; hello-lost: time going backwards; the corrupted ones: a stream that
// stops on bad data (the problem where the muxer reports it).
const TRACES = [
  'tracecompass/many-threads',
  'tracecompass/bug446190',
  'babeltrace/ctf-traces/packet-seq-num/2-streams-lost-in-2',
  'babeltrace/ctf-traces/succeed/multi-domains',
  'tracecompass/hello-lost',
  'babeltrace/ctf-traces/deterministic-ordering',
  'babeltrace/ctf-traces/fail/valid-events-then-invalid-events',
];

for (const rel of TRACES) {
  test(`workers merge ${rel} in the muxer's order, with its notices and problems`, corpusTest(), async () => {
    const path = tracePath(rel);
    const expected = muxed(path);
    const streams = TraceSet.open([path]).createReaders().length;
    for (const jobs of [1, 2, 3]) {
      const got = await scanned(path, jobs);
      assert.equal(got.workers, Math.min(jobs, streams) - 1);
      assert.equal(got.lines.length, expected.length, `${jobs} workers`);
      assert.deepEqual(got.lines, expected, `${jobs} workers`);
    }
    assert.deepEqual((await scanned(path, 3, true)).lines, expected, 'tiny rings');
  });
}

test('notices and problems are among the compared lines', corpusTest(), () => {
  const lines = [...muxed(tracePath(TRACES[2]!)), ...muxed(tracePath(TRACES[5]!)), ...muxed(tracePath(TRACES[6]!))];
  assert.ok(lines.some((l) => l.startsWith('notice ')));
  assert.ok(lines.some((l) => l.startsWith('problem ')));
});

test('stream groups are balanced by bytes, largest first', corpusTest(), () => {
  const readers = TraceSet.open([tracePath('tracecompass/many-threads')]).createReaders();
  const groups = groupsBySize(readers, 2);
  assert.equal(groups.length, 2);
  assert.deepEqual(groups.flat().sort((a, b) => a - b), readers.map((r) => r.id));
  const bytes = (g: number[]) => g.reduce((s, id) => s + readers[id]!.files.reduce((t, f) => t + f.size, 0), 0);
  const largest = Math.max(...readers.map((r) => bytes([r.id])));
  assert.ok(Math.abs(bytes(groups[0]!) - bytes(groups[1]!)) <= largest);
});

test('workers are chosen automatically only for large multi-stream traces and idle cores', corpusTest(), () => {
  const small = TraceSet.open([tracePath('tracecompass/many-threads')]);
  assert.equal(automaticJobs(small, 8, 0), 1, 'too small');
  const bytes = small.traces.flatMap((t) => t.streams).reduce((s, st) => s + st.files.reduce((b, f) => b + f.size, 0), 0);
  assert.ok(bytes < PARALLEL_MIN_BYTES);
  // The same streams, pretending they are large: one worker per stream up to the cores.
  const streams = small.traces.flatMap((t) => t.streams);
  for (const st of streams) for (const f of st.files) (f as { size: number }).size = PARALLEL_MIN_BYTES;
  assert.equal(automaticJobs(small, 2, 0.5), 2);
  assert.equal(automaticJobs(small, 64, 0), streams.length);
  assert.equal(automaticJobs(small, 1, 0), 1, 'one core');
  assert.equal(automaticJobs(small, 2, 1.5), 1, 'no idle core');
});

test('a worker that fails stops the scan with its error instead of hanging', corpusTest(), async () => {
  // The workers open `paths` themselves: a set opened elsewhere makes them fail at start.
  const set = TraceSet.open([tracePath('tracecompass/many-threads')]);
  await assert.rejects(parallelScan(['/nonexistent/trace'], { jobs: 2, set }), /decoding worker failed: .*nonexistent/);
});
