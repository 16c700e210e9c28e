import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceFormatError, UnsupportedTraceError } from '../../util/errors.js';
import { isCtf2, parseCtf2 } from './index.js';
import { member, metadata, offsetOf, onlyEvent, PREAMBLE, STREAM, struct, uint, withPayload } from './testing.js';

const CLOCK = {
  type: 'clock-class',
  id: 'mono',
  name: 'monotonic',
  uid: '88CBA016-36E2-48C2-AFF8-3E4B9AEFB05C',
  description: 'Monotonic Clock',
  frequency: 1000000000,
  precision: 7,
  origin: 'unix-epoch',
  'offset-from-origin': { seconds: 1564079206, cycles: 484157339 },
};

/** Asserts a TraceFormatError (exactly that class unless `unsupported`) at `offset`, matching `message`. */
function assertError(bytes: Uint8Array, message: RegExp, offset?: number, unsupported = false): void {
  assert.throws(
    () => parseCtf2(bytes, 'path/metadata'),
    (e: unknown) => {
      assert.ok(e instanceof TraceFormatError, `not a TraceFormatError: ${String(e)}`);
      assert.equal(e instanceof UnsupportedTraceError, unsupported, `UnsupportedTraceError: ${e.message}`);
      assert.match(e.message, message);
      assert.equal(e.file, 'path/metadata');
      if (offset !== undefined) assert.equal(e.offset, offset, e.describe());
      return true;
    },
  );
}

test('trace-level facts: version, environment in order, clocks, default clock of a stream', () => {
  const trace = parseCtf2(
    metadata(
      PREAMBLE,
      { type: 'trace-class', uid: 'x', name: 'n', namespace: 'lttng.org,2009', environment: { hostname: 'h', tracer_major: 2, big: '-1' } },
      CLOCK,
      {
        type: 'data-stream-class',
        id: 3,
        'default-clock-class-id': 'mono',
        'packet-context-field-class': struct(
          member('timestamp_begin', uint(64, { roles: ['default-clock-timestamp'] })),
          member('timestamp_end', uint(64, { roles: ['packet-end-default-clock-timestamp'] })),
        ),
      },
      { type: 'event-record-class', id: 7, 'data-stream-class-id': 3, name: 'e', attributes: { 'lttng.org,2009': { 'log-level': 'debug:line', 'emf-uri': 'urn:x' } } },
    ),
    'metadata',
  );
  assert.equal(trace.ctfVersion, 2);
  assert.equal(trace.major, 2);
  assert.equal(trace.minor, 0);
  assert.deepEqual([...trace.env], [['hostname', 'h'], ['tracer_major', 2n], ['big', '-1']]);
  assert.deepEqual(trace.clocks, [
    {
      name: 'monotonic',
      uuid: '88cba016-36e2-48c2-aff8-3e4b9aefb05c',
      description: 'Monotonic Clock',
      frequency: 1000000000n,
      precision: 7n,
      offsetSeconds: 1564079206n,
      offsetCycles: 484157339n,
      absolute: true,
    },
  ]);
  const stream = trace.streams.get(3n)!;
  assert.equal(stream.defaultClock, 'monotonic');
  const [begin, end] = stream.packetContext!.members.map((m) => m.type);
  assert.equal(begin?.kind === 'int' && begin.mappedClock, 'monotonic');
  assert.equal(end?.kind === 'int' && end.mappedClock, 'monotonic');
  assert.deepEqual(stream.events.get(7n), { id: 7n, name: 'e', streamClassId: 3n, logLevel: 13, emfUri: 'urn:x' });
  assert.deepEqual(trace.warnings, []);
});

test('LTTng log-level names map to TSDL numbers', () => {
  const names = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug:system', 'debug:program', 'debug:process', 'debug:module', 'debug:unit', 'debug:function', 'debug:line', 'debug'];
  names.forEach((name, level) => {
    const bytes = metadata(PREAMBLE, STREAM, { type: 'event-record-class', attributes: { 'lttng.org,2009': { 'log-level': name } } });
    assert.equal(onlyEvent(parseCtf2(bytes, 'metadata')).logLevel, level, name);
  });
});

test('clock origins: custom origin is not absolute, non-UUID uid is dropped', () => {
  const custom = { ...CLOCK, origin: { name: 'boot', uid: 'host-1' }, uid: 'not-a-uuid' };
  const trace = parseCtf2(metadata(PREAMBLE, custom, STREAM), 'metadata');
  assert.equal(trace.clocks[0]?.absolute, false);
  assert.equal(trace.clocks[0]?.uuid, undefined);
});

test('the trace byte order comes from the magic number, else the first fixed-length field', () => {
  const header = (order: string) =>
    struct(member('magic', { type: 'fixed-length-unsigned-integer', length: 32, 'byte-order': order, roles: ['packet-magic-number'] }));
  const beMagic = metadata(PREAMBLE, { type: 'trace-class', 'packet-header-field-class': header('big-endian') }, STREAM);
  assert.equal(parseCtf2(beMagic, 'metadata').byteOrder, 'be');
  const bePayload = withPayload(member('s', { type: 'null-terminated-string' }), member('x', { type: 'fixed-length-boolean', length: 8, 'byte-order': 'big-endian' }));
  assert.equal(parseCtf2(bePayload, 'metadata').byteOrder, 'be');
  assert.equal(parseCtf2(withPayload(member('v', { type: 'variable-length-unsigned-integer' })), 'metadata').byteOrder, 'le');
});

test('errors name the fragment, its start, and the offending byte', () => {
  const bytes = metadata(PREAMBLE, STREAM, { type: 'event-record-class', 'data-stream-class-id': 9 });
  const fragmentStart = offsetOf(bytes, '\x1e{\n  "type": "event-record-class"');
  assertError(
    bytes,
    new RegExp(`^fragment #2 \\(event-record-class, starting at byte ${fragmentStart}\\): data stream class 9 is not defined`),
    offsetOf(bytes, '9'),
  );
});

test('structural validation', () => {
  assertError(metadata(STREAM), /the first fragment must be the preamble/, 0);
  assertError(metadata({ type: 'preamble', version: 3 }), /CTF version 3 is not supported/, undefined, true);
  assertError(metadata({ type: 'preamble', version: '2' }), /expecting the integer 2/);
  assertError(metadata({ type: 'preamble' }), /missing required property "version"/);
  assertError(metadata(PREAMBLE, STREAM, PREAMBLE), /preamble must be the first fragment/);
  assertError(metadata(PREAMBLE, { type: 'trace-class' }), /without any data-stream-class/);
  assertError(metadata(PREAMBLE, { type: 'trace-class' }, { type: 'trace-class' }, STREAM), /duplicate trace-class/);
  assertError(metadata(PREAMBLE, STREAM, { type: 'trace-class' }), /trace-class fragment must come before data stream classes/);
  assertError(metadata(PREAMBLE, STREAM, { type: 'data-stream-class', id: 0 }), /duplicate data stream class id 0/);
  assertError(metadata(PREAMBLE, STREAM, { type: 'event-record-class' }, { type: 'event-record-class', id: 0 }), /duplicate event record class id 0 in data stream class 0/);
  assertError(metadata(PREAMBLE, CLOCK, CLOCK, STREAM), /duplicate clock class id "mono"/);
  assertError(metadata(PREAMBLE, { type: 'data-stream-class', 'default-clock-class-id': 'mono' }), /default clock class "mono" is not defined/);
  assertError(metadata(PREAMBLE, { ...CLOCK, frequency: 0 }, STREAM), /frequency must be at least 1/);
  assertError(metadata(PREAMBLE, { type: 'field-class-alias', name: 'a', 'field-class': uint(8) }, { type: 'field-class-alias', name: 'a', 'field-class': uint(8) }), /duplicate field class alias "a"/);
  assertError(withPayload(member('f', 'nope')), /unknown field class alias "nope"/);
  assertError(withPayload(member('f', uint(8)), member('f', uint(8))), /duplicate member "f"/);
  assertError(metadata(PREAMBLE, STREAM, { type: 'event-record-class', 'payload-field-class': uint(8) }), /must be a structure, not int/);
});

test('field class validation', () => {
  assertError(withPayload(member('f', uint(8, { alignment: 3 }))), /3 is not a power of two/);
  assertError(withPayload(member('f', { type: 'fixed-length-unsigned-integer', length: 8 })), /missing required property "byte-order"/);
  assertError(withPayload(member('f', uint(0))), /"length": expecting an integer from 1/);
  assertError(withPayload(member('f', uint(65))), /at most 64 bits/, undefined, true);
  assertError(withPayload(member('f', uint(8, { 'preferred-display-base': 3 }))), /preferred-display-base must be 2, 8, 10 or 16/);
  assertError(withPayload(member('f', uint(8, { mappings: { a: [[2, 1]] } }))), /lower bound 2 is greater than upper bound 1/);
  assertError(withPayload(member('f', uint(8, { mappings: { a: [[-1, 1]] } }))), /negative value -1/);
  assertError(withPayload(member('f', { type: 'fixed-length-bit-map', length: 4, 'byte-order': 'little-endian', flags: { x: [[4, 4]] } })), /names bit 4 of a 4-bit field/);
  assertError(withPayload(member('f', { type: 'variant', 'selector-field-location': { path: ['x'] }, options: [] })), /at least one option/);
  const loc = (l: unknown) => withPayload(member('f', { type: 'dynamic-length-string', 'length-field-location': l }));
  assertError(loc({ origin: 'event-record-payload', path: [] }), /path must be a non-empty array/);
  assertError(loc({ origin: 'elsewhere', path: ['x'] }), /unknown field location origin/);
  assertError(loc({ path: ['x', null] }), /path ends with null/);
  assertError(loc({ origin: 'event-record-payload', path: [null, 'x'] }), /expecting a member name, not null/);
});

test('locations may not point into later scopes', () => {
  const bytes = metadata(PREAMBLE, {
    type: 'data-stream-class',
    'packet-context-field-class': struct(member('s', { type: 'dynamic-length-string', 'length-field-location': { origin: 'event-record-payload', path: ['n'] } })),
  });
  assertError(bytes, /refers to a scope decoded after this one \(packet-context\)/);
});

test('roles are checked against their scope', () => {
  assertError(withPayload(member('f', uint(8, { roles: ['packet-total-length'] }))), /role "packet-total-length" is not allowed in the event-payload scope/);
  const noClock = metadata(PREAMBLE, { type: 'data-stream-class', 'event-record-header-field-class': struct(member('ts', uint(32, { roles: ['default-clock-timestamp'] }))) });
  assertError(noClock, /needs a default clock class/);
  const magicSecond = metadata(PREAMBLE, {
    type: 'trace-class',
    'packet-header-field-class': struct(member('x', uint(8)), member('magic', uint(32, { roles: ['packet-magic-number'] }))),
  }, STREAM);
  assertError(magicSecond, /magic number must be the first member/);
  const uuidWithoutPreambleUuid = metadata(PREAMBLE, {
    type: 'trace-class',
    'packet-header-field-class': struct(member('uuid', { type: 'static-length-blob', length: 16, roles: ['metadata-stream-uuid'] })),
  }, STREAM);
  assertError(uuidWithoutPreambleUuid, /the preamble gives none/);
  assertError(withPayload(member('f', { type: 'static-length-blob', length: 16, roles: ['packet-magic-number'] })), /does not apply to this field class/);
});

test('extensions: declared in the preamble they stop the parse, elsewhere they are ignored with a warning', () => {
  assertError(metadata({ ...PREAMBLE, extensions: { 'example.org,2024': { x: 1 } } }, STREAM), /unsupported CTF 2 extension namespace\(s\) "example.org,2024"/, undefined, true);
  const trace = parseCtf2(metadata({ ...PREAMBLE, extensions: {} }, { ...STREAM, extensions: { 'example.org,2024': {} } }), 'metadata');
  assert.equal(trace.warnings.length, 1);
  assert.match(trace.warnings[0]!, /data-stream-class fragment: extension data ignored/);
});

test('unknown fragment types, properties and roles are warnings', () => {
  const bytes = metadata(
    PREAMBLE,
    { type: 'future-fragment', x: 1 },
    { ...STREAM, colour: 'blue' },
    { type: 'event-record-class', 'payload-field-class': struct(member('f', uint(8, { roles: ['future-role'], hint: 1 }))) },
  );
  const trace = parseCtf2(bytes, 'm');
  assert.equal(trace.warnings.length, 4);
  assert.match(trace.warnings[0]!, new RegExp(`^m at byte ${offsetOf(bytes, '\x1e{\n  "type": "future-fragment"')}: fragment #1 .*unknown fragment type "future-fragment"`));
  assert.match(trace.warnings[1]!, new RegExp(`^m at byte ${offsetOf(bytes, '"blue"')}: .*unknown property "colour" ignored`));
  assert.match(trace.warnings[2]!, /unknown role "future-role" ignored/);
  assert.match(trace.warnings[3]!, /unknown property "hint" ignored/);
});

test('malformed JSON is reported at its byte', () => {
  const bytes = new TextEncoder().encode('\x1e{"type": "preamble", "version": 2}\n\x1e{"type": "data-stream-class",, }\n');
  assertError(bytes, /^fragment #1: unexpected ','/, offsetOf(bytes, ',,') + 1);
  assertError(new TextEncoder().encode('\x1e{"type": "preamble", "version": 2}\n\x1e \n'), /fragment #1 is empty/);
  assertError(new TextEncoder().encode('\x1e[1]'), /must be a JSON object/);
  assertError(new TextEncoder().encode('\x1e{"version": 2}'), /without "type"/);
  assertError(new TextEncoder().encode('{}\x1e{}'), /must start with a record separator/, 0);
});

test('isCtf2 recognises the record separator, plain or packetized', () => {
  assert.equal(isCtf2(new TextEncoder().encode('\x1e{}')), true);
  assert.equal(isCtf2(new TextEncoder().encode('/* CTF 1.8 */')), false);
  assert.equal(isCtf2(new Uint8Array()), false);
});

test('alias problems are reported in the alias fragment; an alias cannot use itself', () => {
  const bytes = metadata(
    PREAMBLE,
    { type: 'field-class-alias', name: 'bad', 'field-class': uint(8, { alignment: 6 }) },
    STREAM,
    { type: 'event-record-class', 'payload-field-class': struct(member('f', 'bad')) },
  );
  assertError(bytes, /^fragment #1 \(field-class-alias, .*6 is not a power of two/, offsetOf(bytes, '6'));
  const loop = metadata(PREAMBLE, { type: 'field-class-alias', name: 'me', 'field-class': struct(member('x', 'me')) }, STREAM, {
    type: 'event-record-class',
    'payload-field-class': struct(member('f', 'me')),
  });
  assertError(loop, /field class alias "me" refers to itself/);
});

test('draft clock classes: name as id, byte-array uuid, "offset"', () => {
  const clock = { type: 'clock-class', name: 'c', frequency: 100, uuid: [...Array(16).keys()].map((i) => i * 16), offset: { seconds: -2, cycles: 5 } };
  const trace = parseCtf2(metadata(PREAMBLE, clock, { type: 'data-stream-class', 'default-clock-class-name': 'c' }), 'm');
  assert.deepEqual(trace.clocks, [
    { name: 'c', uuid: '00102030-4050-6070-8090-a0b0c0d0e0f0', frequency: 100n, offsetSeconds: -2n, offsetCycles: 5n, absolute: false },
  ]);
  assert.equal(trace.streams.get(0n)?.defaultClock, 'c');
  assert.match(trace.warnings[0]!, /draft syntax: clock classes without "id", clock class "uuid", clock class "offset", "default-clock-class-name"/);
});

test('an unknown property is reported once per kind of object', () => {
  const trace = parseCtf2(withPayload(member('a', uint(8, { hint: 1 })), member('b', uint(8, { hint: 2 })), member('c', { type: 'null-terminated-string', hint: 3 })), 'm');
  assert.equal(trace.warnings.length, 2);
});
