/** The library entry point, imported by package name as users do. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTrace, TraceFormatError } from 'tracelane';
import { corpusTest, haveCorpus, tracePath } from '../src/testing/corpus.js';

test('openTrace on a missing path throws a TraceFormatError naming it', () => {
  assert.throws(() => openTrace('/nonexistent/trace'), (e: unknown) => e instanceof TraceFormatError && e.describe().includes('/nonexistent/trace'));
});

test('events carry name, bigint timestamp, cycles, CPU, stream and every scope', corpusTest(), () => {
  if (!haveCorpus()) return;
  const trace = openTrace(tracePath('tracevizlab/ls-ust'));
  let n = 0;
  let last = -1n;
  for (const ev of trace.events()) {
    n++;
    const ts = ev.timestamp!;
    assert.equal(typeof ts, 'bigint');
    assert.ok(ts >= last, 'time order');
    last = ts;
    if (n === 2) {
      // [17:55:42.444900771] wilbrod lttng_ust_statedump:bin_info: { cpu_id = 5 }, { vpid = 5035, vtid = 5036 }, { baddr = 0x7F612E806000, memsz = 546632, … }
      assert.equal(ev.name, 'lttng_ust_statedump:bin_info');
      assert.equal(ts % 1_000_000_000n, 444900771n);
      assert.equal(ev.cpu, 5);
      assert.deepEqual({ ...ev.fields.streamContext }, { vpid: 5035, vtid: 5036 });
      assert.equal(ev.payload['baddr'], 0x7f612e806000);
      assert.equal(ev.payload['memsz'], 546632);
      assert.equal(ev.payload['path'], '/usr/local/lib/liblttng-ust.so.0.0.0');
      assert.ok(ev.cycles > 0n);
      assert.match(ev.streamPath, /ls-ust/);
    }
  }
  assert.equal(n, 14580);
});

test('the analyses are part of the library: kernel model, critical path, futex contention', corpusTest(), async () => {
  const { analyzeKernel, criticalPath, futexContention, openTrace: open, rowsOfTid, THREAD_STATE_NAMES } = await import('tracelane');
  const trace = open(tracePath('tracecompass/bug446190'));
  const { model } = analyzeKernel(trace.set);
  const weston = rowsOfTid(model, 338)[0];
  assert.ok(weston !== undefined, 'weston (tid 338) has a row');
  const path = criticalPath(model, weston, model.start, model.end);
  assert.ok(path.segments.length > 0);
  assert.ok(path.segments.some((s) => s.thread.name.startsWith('kworker/u16:0')), 'the path of weston leads to kworker/u16:0');
  assert.ok(Array.isArray(futexContention(model)));
  assert.ok(THREAD_STATE_NAMES.includes('blocked'));
});
