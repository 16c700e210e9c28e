/**
 * `tracelane events --end` stops reading once the merge passes the end time: the output must be
 * exactly the full output filtered by time, also when a stream's time goes backwards (then the
 * reading goes on to the end), and nothing after the stop is read (a damaged packet there is
 * not reached). Synthetic traces (src/testing/ctf-writer.ts) plus a real multi-trace corpus one,
 * with babeltrace2's trimmer (`--begin/--end`) as the oracle for the text.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BitWriter, writeTrace } from '../src/testing/ctf-writer.js';
import { corpusTest, haveCorpus, tracePath } from '../src/testing/corpus.js';
import { babeltrace2, firstDifference, tracelane } from '../src/testing/run.js';

const METADATA = `/* CTF 1.8 */
typealias integer { size = 8; align = 8; signed = false; } := uint8_t;
typealias integer { size = 32; align = 8; signed = false; } := uint32_t;
typealias integer { size = 64; align = 8; signed = false; } := uint64_t;
trace { major = 1; minor = 8; byte_order = le; packet.header := struct { uint32_t magic; }; };
clock { name = c; freq = 1000000000; offset_s = 1500000000; };
typealias integer { size = 64; align = 8; signed = false; map = clock.c.value; } := clk64_t;
stream {
  packet.context := struct { clk64_t timestamp_begin; clk64_t timestamp_end; uint64_t content_size; uint64_t packet_size; uint32_t cpu_id; };
  event.header := struct { uint8_t id; clk64_t timestamp; };
};
event { id = 0; name = "tick"; fields := struct { uint32_t n; }; };
`;

/** One packet of "tick" events at the given times (n = the time, to tell them apart). */
function packet(begin: number, end: number, cpu: number, times: number[]): Buffer {
  const write = (content: number, size: number) => {
    const w = new BitWriter();
    w.int(0xc1fc1fc1, 32).int(begin, 64).int(end, 64).int(content, 64).int(size, 64).int(cpu, 32);
    for (const t of times) w.int(0, 8).int(t, 64).int(t, 32);
    return w;
  };
  const content = write(0, 0).pos;
  const size = Math.ceil(content / 8 / 64) * 64 * 8;
  return write(content, size).finish(size / 8);
}

const work = mkdtempSync(join(tmpdir(), 'tracelane-endstop-'));
after(() => rmSync(work, { recursive: true, force: true }));

// Stream 0 goes back from 40 to 15 inside a packet; stream 1 later goes back from 52 to 33.
const backwards = writeTrace(join(work, 'backwards'), METADATA, {
  s0: packet(10, 50, 0, [10, 20, 30, 40, 15, 50]),
  s1: packet(12, 52, 1, [12, 22, 32, 42, 52, 33]),
});
// Sane data up to 40, then a packet that is not one (bad magic): an error when it is read.
const damagedTail = writeTrace(join(work, 'damaged-tail'), METADATA, {
  s0: Buffer.concat([packet(10, 20, 0, [10, 20]), packet(30, 40, 0, [30, 40]), Buffer.alloc(64, 0xab)]),
});

/** The "n" payload values (= event times) printed, in order. */
function ticks(stdout: string): number[] {
  return stdout
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => Number(/n = (\d+)/.exec(l)![1]));
}

const ns = (t: number) => String(1_500_000_000_000_000_000n + BigInt(t));

test('time going backwards: every event in range is printed, in the full output\'s order', async () => {
  const full = await tracelane(['events', backwards]);
  assert.equal(full.code, 0, full.stderr);
  const all = ticks(full.stdout);
  assert.deepEqual(all, [10, 12, 20, 22, 30, 32, 40, 15, 42, 50, 52, 33]);
  // 50 passes the end first, but the streams went back before: reading goes on and finds 33.
  for (const [begin, end] of [[0, 45], [14, 45], [0, 11]] as const) {
    const r = await tracelane(['events', '--begin', ns(begin), '--end', ns(end), backwards]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ticks(r.stdout), all.filter((t) => t >= begin && t <= end), `[${begin}, ${end}]`);
  }
});

test('--end: the packets after the end are not read (a damaged one there is not reached)', async () => {
  const full = await tracelane(['events', damagedTail]);
  assert.notEqual(full.code, 0);
  assert.match(full.stderr, /bad packet magic/);
  const r = await tracelane(['events', '--end', ns(25), damagedTail]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(ticks(r.stdout), [10, 20]);
  const none = await tracelane(['events', '--output', 'none', '--end', ns(25), damagedTail]);
  assert.equal(none.stdout, '2 events\n');
});

const multi = () => tracePath('babeltrace/ctf-traces/succeed/multi-domains');

if (!haveCorpus()) test('events range in a corpus trace', corpusTest(), () => {});
else {
  test('a range in the middle of a real trace: the full output filtered by time, and babeltrace2 --begin/--end', async () => {
    const full = await tracelane(['events', '--output', 'json', multi()]);
    assert.equal(full.code, 0, full.stderr);
    const lines = full.stdout.trimEnd().split('\n');
    const times = lines.map((l) => BigInt(/"timestamp":(\d+)/.exec(l)![1]!));
    const sorted = [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const begin = sorted[Math.floor(sorted.length * 0.3)]!;
    const end = sorted[Math.floor(sorted.length * 0.6)]!;
    const expected = lines.filter((_, i) => times[i]! >= begin && times[i]! <= end);
    assert.ok(expected.length > 10 && expected.length < lines.length);
    const range = ['--begin', String(begin), '--end', String(end)];
    const json = await tracelane(['events', '--output', 'json', ...range, multi()]);
    assert.deepEqual(json.stdout.trimEnd().split('\n'), expected);
    // babeltrace2 takes seconds (since the clock's origin, the epoch here) with a fraction.
    const seconds = (t: bigint) => `${t / 1_000_000_000n}.${String(t % 1_000_000_000n).padStart(9, '0')}`;
    const [bt, text] = await Promise.all([
      babeltrace2([`--begin=${seconds(begin)}`, `--end=${seconds(end)}`, multi()]),
      tracelane(['events', ...range, multi()]),
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout.split('\n').length, expected.length + 1);
    assert.equal(firstDifference(bt.stdout, text.stdout), undefined);
  });
}
