import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCtf2, parseCtf2 } from './index.js';
import { layoutSignature } from './layout-signature.js';
import { corpusDir, onlyEvent, payloadOf } from './testing.js';

test('CTF2-vl-ints: variable-length integers, no packet header, context or clock', (t) => {
  const corpus = corpusDir(t);
  if (!corpus) return;
  const file = join(corpus, 'tracecompass/CTF2-vl-ints/metadata');
  const trace = parseCtf2(readFileSync(file), file);
  assert.deepEqual(trace.warnings, []);
  assert.equal(trace.packetHeader, undefined);
  assert.deepEqual(trace.clocks, []);
  const stream = trace.streams.get(0n)!;
  assert.equal(stream.packetContext, undefined);
  assert.equal(stream.defaultClock, undefined);
  assert.equal(onlyEvent(trace).name, 'test');
  const members = payloadOf(trace).members;
  assert.equal(members.length, 25);
  for (const m of members) {
    assert.ok(m.type.kind === 'int' && m.type.variableLength === true && m.type.align === 8, m.name);
    assert.equal(m.type.signed, m.name.startsWith('vi'), m.name);
  }
});

test('CTF2-7.0-debug-info (draft): common context, two events, draft log levels', (t) => {
  const corpus = corpusDir(t);
  if (!corpus) return;
  const file = join(corpus, 'tracecompass/CTF2-7.0-debug-info/metadata');
  const trace = parseCtf2(readFileSync(file), file);
  const stream = trace.streams.get(0n)!;
  assert.equal(layoutSignature(stream.eventContext, trace), '{vpid:s32@8le,ip:u64@8lex16}');
  assert.deepEqual(
    [...stream.events.values()].map((e) => [e.id, e.name, e.logLevel]),
    [
      [0n, 'lttng_ust_statedump:bin_info', 13],
      [1n, 'my_provider:my_first_tracepoint', 13],
    ],
  );
  assert.equal(trace.clocks[0]?.uuid, 'c56ad62a-6a35-4722-9807-d8e0f118a367');
});

test('isCtf2 tells the CTF 2 twins from their CTF 1.8 (plain and packetized) versions', (t) => {
  const corpus = corpusDir(t);
  if (!corpus) return;
  const read = (path: string) => readFileSync(join(corpus, path, 'metadata'));
  assert.equal(isCtf2(read('babeltrace/ctf2-twins/trace-with-index')), true);
  assert.equal(isCtf2(read('tracecompass/CTF2-7.0-smalltrace')), true);
  assert.equal(isCtf2(read('babeltrace/ctf-traces/succeed/trace-with-index')), false);
  assert.equal(isCtf2(read('babeltrace/ctf-traces/succeed/smalltrace')), false);
});
