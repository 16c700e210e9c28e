/**
 * Layouts the corpus has few of, written bit by bit (src/testing/ctf-writer.ts) and read by both
 * babeltrace2 and us: odd-sized bit fields in both byte orders, every display base, enums with
 * several or no labels, floats and their special values, invalid UTF-8 (babeltrace2 prints the
 * bytes raw), text sequences, variants, arrays of structs and of arrays, and a 3 Hz clock with a
 * cycle offset (babeltrace2's double rounding).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BitWriter, writeTrace } from '../src/testing/ctf-writer.js';
import { run } from '../src/testing/run.js';
import { cliPath } from '../src/testing/corpus.js';

const METADATA = `/* CTF 1.8 */
typealias integer { size = 8; align = 8; signed = false; } := uint8_t;
typealias integer { size = 16; align = 8; signed = false; } := uint16_t;
typealias integer { size = 32; align = 8; signed = false; } := uint32_t;
typealias integer { size = 64; align = 8; signed = false; } := uint64_t;
trace { major = 1; minor = 8; byte_order = le; packet.header := struct { uint32_t magic; }; };
env { hostname = "synth"; };
clock { name = c3; freq = 3; offset_s = 1500000000; offset = 1; };
typealias integer { size = 64; align = 8; signed = false; map = clock.c3.value; } := clk64_t;
stream {
  packet.context := struct { clk64_t timestamp_begin; clk64_t timestamp_end; uint64_t content_size; uint64_t packet_size; uint32_t cpu_id; };
  event.header := struct { uint8_t id; clk64_t timestamp; };
};
enum colour : integer { size = 3; align = 1; signed = false; } { RED, GREEN, BLUE = 2 ... 3, "BOTH \\"q\\"" = 3 };
event {
  id = 0; name = "ints";
  fields := struct {
    integer { size = 3; align = 1; signed = true; base = 2; } b3;
    integer { size = 13; align = 8; signed = true; base = 16; byte_order = be; } be13;
    integer { size = 7; align = 1; signed = false; base = 8; byte_order = be; } be7;
    integer { size = 12; align = 8; signed = true; base = 8; } s12o;
    integer { size = 64; align = 8; signed = true; base = 10; } s64;
    integer { size = 64; align = 8; signed = false; base = 16; } u64;
    integer { size = 33; align = 1; signed = false; base = 10; } u33;
    enum colour c1;
    enum colour c2;
    enum colour c3;
  };
};
event {
  id = 1; name = "texts";
  fields := struct {
    string s;
    string bad;
    uint8_t _n;
    integer { size = 8; align = 8; encoding = UTF8; } seq[_n];
    integer { size = 8; align = 8; encoding = ASCII; } arr[6];
    uint8_t bytes[3];
  };
};
event {
  id = 2; name = "floats";
  fields := struct {
    floating_point { exp_dig = 8; mant_dig = 24; align = 32; } f;
    floating_point { exp_dig = 11; mant_dig = 53; align = 64; byte_order = be; } d;
    floating_point { exp_dig = 11; mant_dig = 53; align = 8; } specials[5];
  };
};
event {
  id = 3; name = "compound";
  fields := struct {
    enum : uint8_t { A, B, C } tag;
    variant <tag> { uint32_t A; string B; struct { uint8_t x; integer { size = 4; align = 1; } y; } C; } v;
    uint8_t n;
    struct { uint8_t a; integer { size = 16; align = 16; signed = true; } b; } items[n];
    integer { size = 8; align = 8; signed = true; } grid[2][3];
  };
};
`;

type Events = (w: BitWriter) => void;

/** One packet: header, context (sizes patched in), then the events. */
function packet(begin: number, end: number, cpu: number, events: Events): Buffer {
  const write = (content: number, size: number) => {
    const w = new BitWriter();
    w.int(0xc1fc1fc1, 32).int(begin, 64).int(end, 64).int(content, 64).int(size, 64).int(cpu, 32);
    events(w);
    return w;
  };
  const probe = write(0, 0);
  const content = probe.pos;
  const size = Math.ceil(content / 8 / 64) * 64 * 8;
  return write(content, size).finish(size / 8);
}

const header = (w: BitWriter, id: number, ts: number) => w.int(id, 8).int(ts, 64);

const stream0 = Buffer.concat([
  packet(10, 20, 0, (w) => {
    header(w, 0, 10);
    w.int(-3, 3).int(-2, 13, 'be', 8).int(100, 7, 'be', 1).int(-1, 12, 'le', 8).int(-9007199254740993n, 64).int(0xfedcba9876543210n, 64).int(2 ** 33 - 1, 33, 'le', 1);
    w.int(0, 3, 'le', 1).int(3, 3, 'le', 1).int(6, 3, 'le', 1);
    header(w, 1, 11);
    w.string('tab\there "quoted" back\\slash?').string(Buffer.from([0x41, 0xff, 0xc3, 0x28, 0xe2, 0x82, 0xac, 0x01, 0x7f]));
    w.int(5, 8).raw(Buffer.from('é€')).raw(Buffer.from('ab\0cd\x01'));
    w.int(65, 8).int(0, 8).int(255, 8);
    header(w, 2, 13);
    // The payload struct is aligned like its most aligned member (64 bits).
    w.align(64).float32(0.1).align(64).float64(123456.5, 'be');
    w.float64(NaN).float64(Infinity).float64(-Infinity).float64(-0).float64(5e-324);
  }),
  packet(21, 40, 0, (w) => {
    header(w, 3, 21);
    w.align(16).int(2, 8).int(7, 8).int(9, 4, 'le', 1);
    w.int(2, 8);
    w.int(1, 8).align(16).int(-300, 16).int(2, 8).align(16).int(32767, 16);
    for (const v of [1, -2, 3, -4, 5, -6]) w.int(v, 8);
    header(w, 3, 39);
    w.align(16).int(1, 8).string('bee').int(0, 8);
    for (const v of [0, 0, 0, 0, 0, 0]) w.int(v, 8);
  }),
]);

const stream1 = packet(12, 30, 1, (w) => {
  header(w, 3, 12);
  w.align(16).int(0, 8).int(0xdeadbeef, 32).int(0, 8);
  for (const v of [9, 8, 7, 6, 5, 4]) w.int(v, 8);
  header(w, 0, 30);
  w.int(3, 3).int(4095, 13, 'be', 8).int(0, 7, 'be', 1).int(2047, 12, 'le', 8).int(9007199254740993n, 64).int(0, 64).int(5, 33, 'le', 1);
  w.int(4, 3, 'le', 1).int(1, 3, 'le', 1).int(2, 3, 'le', 1);
});

const work = mkdtempSync(join(tmpdir(), 'tracelane-synth-'));
after(() => { if (!process.env["KEEP_SYNTH"]) rmSync(work, { recursive: true, force: true }); });
const trace = writeTrace(join(work, 'trace'), METADATA, { stream0, stream1 });

test('synthetic layouts: our text equals babeltrace2 byte for byte', async () => {
  const [bt, ours] = await Promise.all([
    run('babeltrace2', [trace]),
    run(process.execPath, [cliPath, 'events', trace]),
  ]);
  assert.equal(bt.code, 0, bt.stderr);
  assert.equal(ours.code, 0, ours.stderr);
  assert.equal(ours.stdout.trimEnd().split('\n').length, 7, ours.stdout);
  assert.equal(ours.stdout, bt.stdout);
});

test('synthetic layouts: raw (non-UTF-8) bytes are written back as they were', async () => {
  const { spawnSync } = await import('node:child_process');
  const env = { ...process.env, TZ: 'UTC' };
  const bt = spawnSync('babeltrace2', [trace], { env });
  const ours = spawnSync(process.execPath, [cliPath, 'events', trace], { env });
  assert.ok(Buffer.compare(bt.stdout, ours.stdout) === 0, 'identical bytes');
  assert.ok(ours.stdout.includes(Buffer.from([0x41, 0xff, 0xc3, 0x28])), 'invalid UTF-8 kept raw');
});

test('a byte order change inside a byte is refused, as babeltrace2 does', async () => {
  const meta = `/* CTF 1.8 */
trace { major = 1; minor = 8; byte_order = le; };
event { name = "mixed"; fields := struct {
  integer { size = 3; align = 1; signed = false; } a;
  integer { size = 13; align = 1; signed = false; byte_order = be; } b;
}; };
`;
  const dir = writeTrace(join(work, 'mixed-order'), meta, { stream: new BitWriter().int(1, 3).int(2, 13, 'be', 1).finish() });
  const [bt, ours] = await Promise.all([run('babeltrace2', [dir]), run(process.execPath, [cliPath, 'events', dir])]);
  assert.notEqual(bt.code, 0);
  assert.equal(ours.code, 1);
  assert.match(ours.stderr, /byte order/);
});
