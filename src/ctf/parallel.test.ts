import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, tracePath } from '../testing/corpus.js';
import { parallelScan } from './parallel.js';
import { TraceSet } from './trace-set.js';

/** (stream, event class, time) of every event, as the single-thread muxer merges them. */
function muxed(path: string): string[] {
  const m = TraceSet.open([path]).muxer();
  const out: string[] = [];
  while (m.next()) out.push(`${m.current!.id} ${m.current!.eventClass.cls.id} ${m.current!.time}`);
  return out;
}

// Equal timestamps across CPUs exercise the tie-breaking (many-threads has them).
for (const rel of ['tracecompass/many-threads', 'tracecompass/bug446190']) {
  test(`workers merge ${rel} in the muxer's order`, corpusTest(), async () => {
    const path = tracePath(rel);
    const out: string[] = [];
    const r = await parallelScan([path], 2, (s, cls, t) => out.push(`${s.id} ${cls.id} ${t}`));
    assert.equal(r.workers, 2);
    const expected = muxed(path);
    assert.equal(out.length, expected.length);
    assert.deepEqual(out, expected);
  });
}
