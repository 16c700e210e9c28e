/**
 * Traces babeltrace2 2.0.4 cannot read completely, which we decode in full:
 * - CTF 2 (babeltrace2 2.0.4 reads only CTF 1.8): their CTF 1.8 twins share the data streams, so
 *   our text for the CTF 2 trace must equal babeltrace2's text for the twin;
 * - time going backwards inside streams (`hello-lost`, lttng-modules 2.1 `synctraces`): the muxer
 *   of babeltrace2 stops; decoding stream by stream gives the counts in traces.json;
 * - `funky_trace`: its clock offset overflows babeltrace2's signed 64-bit ns.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, haveCorpus, tracePath } from '../src/testing/corpus.js';
import { decodeAll } from '../src/testing/decode.js';
import { babeltrace2, firstDifference, tracelane } from '../src/testing/run.js';

const twins: [ctf2: string, ctf18: string][] = [
  ['babeltrace/ctf2-twins/trace-with-index', 'babeltrace/ctf-traces/succeed/trace-with-index'],
  ['babeltrace/ctf2-twins/multi-domains/kernel', 'babeltrace/ctf-traces/succeed/multi-domains/kernel'],
  ['tracecompass/CTF2-7.0-barectf-event-before-packet', 'babeltrace/ctf-traces/succeed/barectf-event-before-packet'],
  ['tracecompass/CTF2-7.0-ev-disc-no-ts-begin-end', 'babeltrace/ctf-traces/succeed/ev-disc-no-ts-begin-end'],
  ['tracecompass/CTF2-7.0-lttng-crash', 'babeltrace/ctf-traces/succeed/lttng-crash'],
  ['tracecompass/CTF2-7.0-lttng-event-after-packet', 'babeltrace/ctf-traces/succeed/lttng-event-after-packet'],
  ['tracecompass/CTF2-7.0-meta-variant-no-underscore', 'babeltrace/ctf-traces/succeed/meta-variant-no-underscore'],
  ['tracecompass/CTF2-7.0-smalltrace', 'babeltrace/ctf-traces/succeed/smalltrace'],
  ['tracecompass/CTF2-7.0-succeed1', 'babeltrace/ctf-traces/succeed/succeed1'],
  ['tracecompass/CTF2-7.0-trace-with-index', 'babeltrace/ctf-traces/succeed/trace-with-index'],
];

if (!haveCorpus()) test('refused traces', corpusTest(), () => {});
else {
  for (const [ctf2, ctf18] of twins) {
    test(`CTF 2 trace decodes like its CTF 1.8 twin: ${ctf2}`, async () => {
      const [bt, ours] = await Promise.all([babeltrace2([tracePath(ctf18)]), tracelane(['events', tracePath(ctf2)])]);
      assert.equal(bt.code, 0);
      assert.equal(ours.code, 0, ours.stderr);
      const diff = firstDifference(bt.stdout, ours.stdout);
      assert.equal(diff, undefined, diff);
    });
  }

  test('CTF 2 variable-length integers (yactfr test trace) decode', () => {
    const { events } = decodeAll([tracePath('tracecompass/CTF2-vl-ints')]);
    assert.ok(events >= 1);
  });

  // babeltrace2's muxer stops on these (message times going backwards across its packet-time
  // fix-ups); decoding stream by stream (traces.json `bt2_nomux_lines`) gives these counts.
  const streamByStream: [string, number][] = [
    ['tracecompass/hello-lost', 32300],
    ['tracecompass/synctraces/scp_dest', 85729],
    ['tracecompass/synctraces/scp_src', 110771],
  ];
  for (const [trace, expected] of streamByStream) {
    test(`decoded in full where babeltrace2's muxer stops: ${trace}`, async () => {
      const ours = await tracelane(['events', '--output', 'none', tracePath(trace)]);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.stdout, `${expected} events\n`);
    });
  }

  test('hello-lost: decoded + reported discarded events = the 1,000,000 the application emitted', async () => {
    // Trace Compass counts 1,000,000 events in this trace, lost-event records included.
    const ours = await tracelane(['events', '--output', 'none', tracePath('tracecompass/hello-lost')]);
    const discarded = [...ours.stderr.matchAll(/^WARNING: Tracer discarded (\d+) events? /gm)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(32300 + discarded, 1_000_000);
  });

  test('funky_trace: a clock offset babeltrace2 cannot represent still decodes', () => {
    // babeltrace2 --clock-offset=-1351530929945824323 decodes 100,002 events (traces.json notes).
    const { events } = decodeAll([tracePath('tracecompass/funky_trace')]);
    assert.equal(events, 100002);
  });
}
