import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMetadata } from '../ctf/metadata.js';
import { corpusTest, haveCorpus, tracePath } from '../testing/corpus.js';
import { babeltrace2, tracelane } from '../testing/run.js';
import { openTrace } from '../index.js';
import { alignClockText, alignPerfTrace, lttngClockReference } from './clock-align.js';
import { findExecutable } from './system.js';

const PERF_CLOCK = `/* CTF 1.8 */

trace {
	major = 1;
	minor = 8;
	byte_order = le;
};

clock {
	name = perf_clock;
	uuid = "5fe884b4-e87c-4053-a177-791c97136975";
	description = "perf clock";
	freq = 1000000000;
	precision = 10;
	offset_s = 0;
	offset = 0;
	absolute = FALSE;
};

env {
	tracer_name = "perf";
};
`;

const REF = {
  uuid: 'fe9e2ebb-e87e-4bb2-b758-96ffe0a26cd7',
  frequency: 1_000_000_000n,
  offsetSeconds: 0n,
  offsetCycles: 1795743726841632171n,
  source: 'ust/uid/0/64-bit/metadata',
};

test("perf's clock gets the LTTng clock's offset and uuid, and becomes absolute", () => {
  const out = alignClockText(PERF_CLOCK, REF);
  assert.match(out, /uuid = "fe9e2ebb-e87e-4bb2-b758-96ffe0a26cd7";/);
  assert.match(out, /offset_s = 0;/);
  assert.match(out, /\toffset = 1795743726841632171;/);
  assert.match(out, /absolute = TRUE;/);
  assert.match(out, /name = perf_clock;/);
  assert.ok(out.includes('env {\n\ttracer_name = "perf";\n};'), 'the rest is kept');
  // Still TSDL our reader accepts, with the new values.
  const dir = mkdtempSync(join(tmpdir(), 'tracelane-align-'));
  try {
    writeFileSync(join(dir, 'metadata'), out);
    const clock = loadMetadata(join(dir, 'metadata')).clocks[0]!;
    assert.equal(clock.offsetCycles, REF.offsetCycles);
    assert.equal(clock.uuid, REF.uuid);
    assert.equal(clock.absolute, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('missing offset fields are added; a different frequency is refused', () => {
  const noOffsets = PERF_CLOCK.replace(/\toffset_s = 0;\n\toffset = 0;\n/, '');
  const out = alignClockText(noOffsets, { ...REF, offsetSeconds: 3n });
  assert.match(out, /offset_s = 3;/);
  assert.match(out, /offset = 1795743726841632171;/);
  assert.throws(() => alignClockText(PERF_CLOCK.replace('freq = 1000000000', 'freq = 1000'), REF), /1000 Hz/);
});

test('a UST + perf pair recorded here merges into one timeline, as babeltrace2 merges it', corpusTest(), async () => {
  if (!haveCorpus()) return;
  const dir = mkdtempSync(join(tmpdir(), 'tracelane-align-'));
  try {
    cpSync(tracePath('recorded-here/h-hybrid-ust'), join(dir, 'ust-session'), { recursive: true });
    cpSync(tracePath('recorded-here/h-hybrid-perf-sched'), join(dir, 'kernel-perf'), { recursive: true });
    const ref = lttngClockReference(dir, join(dir, 'kernel-perf'));
    assert.ok(ref, 'the UST trace gives the reference clock');
    assert.equal(ref.source, 'ust-session/ust/uid/0/64-bit/metadata');
    alignPerfTrace(join(dir, 'kernel-perf'), ref);
    assert.match(readFileSync(join(dir, 'kernel-perf', 'metadata'), 'utf8'), /tracelane record: offset and uuid set/);

    // UST and kernel events interleave: kernel events of the traced process fall between its
    // UST events (not 56 years before them, as with perf's own offset 0).
    let ustFirst: bigint | undefined;
    let ustLast = 0n;
    let ustPid: unknown;
    const processKernelTimes: bigint[] = [];
    let switches = 0;
    let last = '';
    for (const ev of openTrace(dir).events()) {
      const kernel = ev.name.startsWith('sched:');
      const ts = ev.timestamp!;
      if (!kernel) {
        ustFirst ??= ts;
        ustLast = ts;
        ustPid ??= ev.fields.streamContext['vpid'];
      } else if (ev.payload['perf_pid'] === ustPid) processKernelTimes.push(ts);
      if (last !== (kernel ? 'k' : 'u')) switches++;
      last = kernel ? 'k' : 'u';
    }
    const inside = processKernelTimes.filter((t) => ustFirst !== undefined && t > ustFirst && t < ustLast).length;
    assert.ok(inside > 10, `${inside} kernel events of the process between its first and last UST events`);
    assert.ok(switches > 10, 'UST and kernel events alternate many times');

    if (!findExecutable('babeltrace2')) return;
    const [bt, ours] = await Promise.all([babeltrace2([dir]), tracelane(['events', dir])]);
    assert.equal(bt.code, 0, bt.stderr);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, bt.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
