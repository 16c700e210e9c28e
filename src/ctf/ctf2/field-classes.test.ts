import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnsupportedTraceError } from '../../util/errors.js';
import type { FieldClass } from '../model.js';
import { parseCtf2 } from './index.js';
import { member, metadata, payloadOf, PREAMBLE, STREAM, struct, uint, withPayload } from './testing.js';

/** The field class of payload member `name`. */
function field(bytes: Uint8Array, name = 'f'): FieldClass {
  const m = payloadOf(parseCtf2(bytes, 'metadata')).members.find((x) => x.name === name);
  assert.ok(m, `member ${name}`);
  return m.type;
}

test('fixed-length integers: size, alignment (default 1), byte order, sign, display base', () => {
  assert.deepEqual(field(withPayload(member('f', uint(32, { 'preferred-display-base': 16 })))), {
    kind: 'int',
    size: 32,
    align: 8,
    byteOrder: 'le',
    signed: false,
    base: 16,
    encoding: 'none',
  });
  const signed = { type: 'fixed-length-signed-integer', length: 13, 'byte-order': 'big-endian' };
  assert.deepEqual(field(withPayload(member('f', signed))), {
    kind: 'int',
    size: 13,
    align: 1,
    byteOrder: 'be',
    signed: true,
    base: 10,
    encoding: 'none',
  });
});

test('integers with mappings become enums, labels in written order, 64-bit values exact', () => {
  const mapped = `{"type": "fixed-length-unsigned-integer", "length": 64, "byte-order": "little-endian",
    "mappings": {"zed": [[0, 0]], "10": [[10, 12], [20, 20]], "a": [[18446744073709551614, 18446744073709551615]]}}`;
  // Raw JSON text: JSON.stringify would reorder "10" first and round the 64-bit bounds.
  const fc = field(
    metadata(
      PREAMBLE,
      STREAM,
      `{"type": "event-record-class", "payload-field-class": {"type": "structure", "member-classes": [{"name": "f", "field-class": ${mapped}}]}}`,
    ),
  );
  assert.equal(fc.kind, 'enum');
  assert.deepEqual(fc.mappings, [
    { label: 'zed', ranges: [[0n, 0n]] },
    { label: '10', ranges: [[10n, 12n], [20n, 20n]] },
    { label: 'a', ranges: [[18446744073709551614n, 18446744073709551615n]] },
  ]);
  assert.equal(fc.container.size, 64);
});

test('roles on unsigned integers and on the UUID blob', () => {
  const trace = parseCtf2(
    metadata(
      { ...PREAMBLE, uuid: [...Array(16).keys()] },
      {
        type: 'trace-class',
        'packet-header-field-class': struct(
          member('magic', uint(32, { roles: ['packet-magic-number'] })),
          member('uuid', { type: 'static-length-blob', length: 16, roles: ['metadata-stream-uuid'] }),
          member('stream_id', uint(8, { roles: ['data-stream-class-id'] })),
        ),
      },
      STREAM,
    ),
    'metadata',
  );
  const [magic, uuid, id] = trace.packetHeader!.members.map((m) => m.type);
  assert.deepEqual(magic?.kind === 'int' && magic.roles, ['packet-magic-number']);
  assert.deepEqual(uuid, { kind: 'blob', length: 16, mediaType: 'application/octet-stream', roles: ['metadata-stream-uuid'] });
  assert.deepEqual(id?.kind === 'int' && id.roles, ['data-stream-class-id']);
  assert.deepEqual(trace.uuid, Uint8Array.from([...Array(16).keys()]));
});

test('bit arrays, bit maps, booleans and floats', () => {
  const bits = { 'byte-order': 'little-endian', length: 8 };
  assert.deepEqual(field(withPayload(member('f', { type: 'fixed-length-bit-array', ...bits, alignment: 8 }))), {
    kind: 'bit-array',
    size: 8,
    align: 8,
    byteOrder: 'le',
  });
  assert.deepEqual(field(withPayload(member('f', { type: 'fixed-length-bit-map', ...bits, flags: { ro: [[0, 0]], mode: [[1, 3], [6, 6]] } }))), {
    kind: 'bit-array',
    size: 8,
    align: 1,
    byteOrder: 'le',
    flags: [
      { name: 'ro', bits: [[0n, 0n]] },
      { name: 'mode', bits: [[1n, 3n], [6n, 6n]] },
    ],
  });
  assert.deepEqual(field(withPayload(member('f', { type: 'fixed-length-boolean', ...bits }))), { kind: 'bool', size: 8, align: 1, byteOrder: 'le' });
  const double = { type: 'fixed-length-floating-point-number', length: 64, 'byte-order': 'big-endian', alignment: 64 };
  assert.deepEqual(field(withPayload(member('f', double))), { kind: 'float', size: 64, align: 64, byteOrder: 'be' });
  assert.throws(() => parseCtf2(withPayload(member('f', { ...double, length: 16 })), 'metadata'), UnsupportedTraceError);
});

test('bit order other than the natural one of the byte order is unsupported', () => {
  const fc = uint(8, { 'bit-order': 'last-to-first' });
  assert.throws(() => parseCtf2(withPayload(member('f', fc)), 'metadata'), UnsupportedTraceError);
  assert.equal(field(withPayload(member('f', uint(8, { 'bit-order': 'first-to-last' })))).kind, 'int');
});

test('variable-length integers', () => {
  assert.deepEqual(field(withPayload(member('f', { type: 'variable-length-signed-integer', 'preferred-display-base': 8 }))), {
    kind: 'int',
    size: 64,
    align: 8,
    signed: true,
    byteOrder: 'le',
    base: 8,
    encoding: 'none',
    variableLength: true,
  });
});

test('strings and blobs', () => {
  const bytes = withPayload(
    member('len', uint(8)),
    member('nt', { type: 'null-terminated-string' }),
    member('sl', { type: 'static-length-string', length: 10, encoding: 'utf-8' }),
    member('dl', { type: 'dynamic-length-string', 'length-field-location': { origin: 'event-record-payload', path: ['len'] } }),
    member('sb', { type: 'static-length-blob', length: 4, 'media-type': 'image/png' }),
    member('db', { type: 'dynamic-length-blob', 'length-field-location': { path: ['len'] } }),
  );
  assert.deepEqual(field(bytes, 'nt'), { kind: 'string', encoding: 'utf8' });
  assert.deepEqual(field(bytes, 'sl'), { kind: 'counted-string', length: 10, encoding: 'utf8' });
  assert.deepEqual(field(bytes, 'dl'), {
    kind: 'counted-string',
    length: { origin: 'event-payload', path: ['len'], text: 'event-record-payload/len' },
    encoding: 'utf8',
  });
  assert.deepEqual(field(bytes, 'sb'), { kind: 'blob', length: 4, mediaType: 'image/png' });
  assert.deepEqual(field(bytes, 'db'), { kind: 'blob', length: { path: ['len'], text: 'len' }, mediaType: 'application/octet-stream' });
  const utf16 = { type: 'null-terminated-string', encoding: 'utf-16le' };
  assert.throws(() => parseCtf2(withPayload(member('f', utf16)), 'metadata'), UnsupportedTraceError);
});

test('structures keep names as written and their minimum alignment', () => {
  const inner = { type: 'structure', 'minimum-alignment': 32, 'member-classes': [member('_x', uint(8))] };
  assert.deepEqual(field(withPayload(member('_s', inner)), '_s'), {
    kind: 'struct',
    align: 32,
    members: [{ name: '_x', origName: '_x', type: { kind: 'int', size: 8, align: 8, byteOrder: 'le', signed: false, base: 10, encoding: 'none' } }],
  });
  assert.deepEqual(field(withPayload(member('e', { type: 'structure' })), 'e'), { kind: 'struct', members: [], align: 1 });
});

test('arrays, sequences and optionals', () => {
  const bytes = withPayload(
    member('n', uint(8)),
    member('flag', { type: 'fixed-length-boolean', length: 8, 'byte-order': 'little-endian' }),
    member('a', { type: 'static-length-array', length: 3, 'element-field-class': uint(16) }),
    member('s', { type: 'dynamic-length-array', 'length-field-location': { path: ['n'] }, 'element-field-class': { type: 'null-terminated-string' } }),
    member('o', { type: 'optional', 'selector-field-location': { path: ['flag'] }, 'field-class': uint(8) }),
    member('oi', { type: 'optional', 'selector-field-location': { path: ['n'] }, 'selector-field-ranges': [[1, 5]], 'field-class': uint(8) }),
  );
  const a = field(bytes, 'a');
  assert.ok(a.kind === 'array' && a.length === 3 && a.element.kind === 'int' && a.element.size === 16);
  assert.deepEqual(field(bytes, 's'), { kind: 'sequence', element: { kind: 'string', encoding: 'utf8' }, length: { path: ['n'], text: 'n' } });
  const o = field(bytes, 'o');
  assert.ok(o.kind === 'optional' && o.ranges === undefined);
  assert.deepEqual(o.selector, { path: ['flag'], text: 'flag' });
  const oi = field(bytes, 'oi');
  assert.ok(oi.kind === 'optional');
  assert.deepEqual(oi.ranges, [[1n, 5n]]);
});

test('variants: options with selector ranges, selector as an absolute reference', () => {
  const bytes = withPayload(
    member('tag', { type: 'fixed-length-signed-integer', length: 8, 'byte-order': 'little-endian' }),
    member('v', {
      type: 'variant',
      'selector-field-location': { origin: 'event-record-payload', path: ['tag'] },
      options: [
        { name: 'neg', 'selector-field-ranges': [[-128, -1]], 'field-class': { type: 'null-terminated-string' } },
        { 'selector-field-ranges': [[0, 0], [5, 9]], 'field-class': uint(32) },
      ],
    }),
  );
  const v = field(bytes, 'v');
  assert.ok(v.kind === 'variant');
  assert.deepEqual(v.tag, { origin: 'event-payload', path: ['tag'], text: 'event-record-payload/tag' });
  assert.deepEqual(
    v.options.map((o) => [o.name, o.type.kind, o.ranges]),
    [
      ['neg', 'string', [[-128n, -1n]]],
      ['', 'int', [[0n, 0n], [5n, 9n]]],
    ],
  );
});

test('field location origins map to model scopes', () => {
  const origins = {
    'packet-header': 'packet-header',
    'packet-context': 'packet-context',
    'event-record-header': 'event-header',
    'event-record-common-context': 'event-common-context',
    'event-record-specific-context': 'event-specific-context',
    'event-record-payload': 'event-payload',
  };
  for (const [origin, scope] of Object.entries(origins)) {
    const fc = { type: 'dynamic-length-string', 'length-field-location': { origin, path: ['a', 'b'] } };
    const f = field(withPayload(member('f', fc)));
    assert.deepEqual(f.kind === 'counted-string' && f.length, { origin: scope, path: ['a', 'b'], text: `${origin}/a/b` });
  }
});

test('relative locations with parent steps become absolute', () => {
  const inner = struct(member('x', { type: 'dynamic-length-string', 'length-field-location': { path: [null, 'n'] } }));
  const f = payloadOf(parseCtf2(withPayload(member('n', uint(8)), member('inner', inner)), 'metadata')).members[1]!.type;
  assert.ok(f.kind === 'struct');
  const x = f.members[0]!.type;
  assert.deepEqual(x.kind === 'counted-string' && x.length, { origin: 'event-payload', path: ['n'], text: '../n' });
  // A parent step above the scope root is an error.
  const tooHigh = { type: 'dynamic-length-string', 'length-field-location': { path: [null, 'n'] } };
  assert.throws(() => parseCtf2(withPayload(member('n', uint(8)), member('x', tooHigh)), 'metadata'), /goes above the root/);
});

test('draft syntax: enumeration types and bare-array locations', () => {
  const trace = parseCtf2(
    withPayload(
      member('tag', { type: 'fixed-length-unsigned-enumeration', length: 8, 'byte-order': 'big-endian', mappings: { A: [[0, 0]], B: [[1, 1]] } }),
      member('v', {
        type: 'variant',
        'selector-field-location': ['event-record-payload', 'tag'],
        options: [
          { name: 'A', 'selector-field-ranges': [[0, 0]], 'field-class': { type: 'null-terminated-string' } },
          { name: 'B', 'selector-field-ranges': [[1, 1]], 'field-class': { type: 'null-terminated-string' } },
        ],
      }),
    ),
    'metadata',
  );
  const [tag, v] = payloadOf(trace).members.map((m) => m.type);
  assert.ok(tag?.kind === 'enum' && tag.container.byteOrder === 'be');
  assert.deepEqual(v?.kind === 'variant' && v.tag, { origin: 'event-payload', path: ['tag'], text: 'event-record-payload/tag' });
  assert.equal(trace.warnings.length, 1);
  assert.match(trace.warnings[0]!, /draft syntax: "fixed-length-unsigned-enumeration" field classes, field locations as bare arrays/);
});

test('field class aliases are expanded where used', () => {
  const bytes = metadata(
    PREAMBLE,
    { type: 'field-class-alias', name: 'u8', 'field-class': uint(8) },
    { type: 'field-class-alias', name: 'text', 'field-class': { type: 'dynamic-length-string', 'length-field-location': { path: ['len'] } } },
    STREAM,
    { type: 'event-record-class', 'payload-field-class': struct(member('len', 'u8'), member('s', 'text')) },
  );
  const [len, s] = payloadOf(parseCtf2(bytes, 'metadata')).members.map((m) => m.type);
  assert.equal(len?.kind === 'int' && len.size, 8);
  assert.deepEqual(s, { kind: 'counted-string', length: { path: ['len'], text: 'len' }, encoding: 'utf8' });
});

test('an array minimum alignment becomes an aligned padding member before it', () => {
  const bytes = withPayload(
    member('n', uint(8)),
    member('bits', { type: 'static-length-array', length: 8, 'minimum-alignment': 32, 'element-field-class': uint(1, { alignment: 1 }) }),
    member('bytes', { type: 'static-length-array', length: 8, 'minimum-alignment': 8, 'element-field-class': uint(8) }),
  );
  const trace = parseCtf2(bytes, 'metadata');
  assert.deepEqual(
    payloadOf(trace).members.map((m) => [m.name, m.type.kind, m.type.kind === 'struct' ? m.type.align : undefined]),
    [
      ['n', 'int', undefined],
      ['bits_padding', 'struct', 32],
      ['bits', 'array', undefined],
      ['bytes', 'array', undefined],
    ],
  );
  assert.equal(trace.warnings.length, 1);
  assert.match(trace.warnings[0]!, /minimum-alignment/);
});

test('unknown field class types are unsupported, not silently skipped', () => {
  assert.throws(
    () => parseCtf2(withPayload(member('f', { type: 'fixed-length-decimal' })), 'metadata'),
    (e: unknown) => e instanceof UnsupportedTraceError && /unknown field class type "fixed-length-decimal"/.test(e.message),
  );
});
