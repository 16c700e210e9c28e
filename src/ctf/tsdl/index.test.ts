import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTsdl } from './index.js';
import type { EventClass, FieldClass, IntegerClass, StructClass, TraceClass } from '../model.js';
import { TraceFormatError, UnsupportedTraceError } from '../../util/errors.js';

const PROLOGUE = `/* CTF 1.8 */
typealias integer { size = 8; align = 8; signed = false; } := uint8_t;
typealias integer { size = 16; align = 8; signed = false; } := uint16_t;
typealias integer { size = 32; align = 8; signed = false; } := uint32_t;
typealias integer { size = 32; align = 8; signed = true; } := int;
trace { major = 1; minor = 8; byte_order = le; packet.header := struct { uint32_t magic; uint32_t stream_id; }; };
`;

function parse(body: string, prologue = PROLOGUE): TraceClass {
  return parseTsdl(prologue + body, 'meta');
}

function parseError(text: string): TraceFormatError {
  try {
    parseTsdl(text, 'meta');
  } catch (e) {
    assert.ok(e instanceof TraceFormatError, String(e));
    return e;
  }
  assert.fail('no error');
}

/** The payload of the only event of a trace whose body is `event { name = e; fields := struct { … }; };`. */
function payload(fields: string, declarations = ''): StructClass {
  const trace = parse(`${declarations}\nevent { name = e; fields := struct { ${fields} }; };`);
  return onlyEvent(trace).payload!;
}

function onlyEvent(trace: TraceClass): EventClass {
  const [stream] = trace.streams.values();
  const [event] = stream!.events.values();
  return event!;
}

function member(struct: StructClass, name: string): FieldClass {
  const found = struct.members.find((m) => m.name === name);
  assert.ok(found, `no member ${name}`);
  return found.type;
}

function int(fc: FieldClass): IntegerClass {
  assert.equal(fc.kind, 'int');
  return fc as IntegerClass;
}

test('trace, env, clock and callsite blocks', () => {
  const trace = parseTsdl(
    `/* CTF 1.8 */
    typealias integer { size = 32; } := uint32_t;
    trace { major = 1; minor = 8; uuid = "2A6422D0-6cee-11e0-8c08-cb07d7b3a564"; byte_order = be; };
    env { hostname = "h"; tracer_major = 2; domain = kernel; delta = -5; };
    clock { name = "monotonic"; uuid = "e5704ebe-7bf8-4ff6-a15d-fda2e33fd1a5"; description = "Monotonic Clock";
            freq = 1000000000; precision = 1; offset_s = -2; offset = 1499450703143835608; absolute = TRUE; };
    clock { name = other; };
    callsite { name = "ev"; func = "f"; file = "x.c"; line = 12; ip = 0x40; };`,
    'meta',
  );
  assert.equal(trace.ctfVersion, 1);
  assert.equal(trace.byteOrder, 'be');
  assert.equal(Buffer.from(trace.uuid!).toString('hex'), '2a6422d06cee11e08c08cb07d7b3a564');
  assert.deepEqual([...trace.env], [
    ['hostname', 'h'],
    ['tracer_major', 2n],
    ['domain', 'kernel'],
    ['delta', -5n],
  ]);
  assert.deepEqual(trace.clocks, [
    {
      name: 'monotonic',
      uuid: 'e5704ebe-7bf8-4ff6-a15d-fda2e33fd1a5',
      description: 'Monotonic Clock',
      frequency: 1000000000n,
      precision: 1n,
      offsetSeconds: -2n,
      offsetCycles: 1499450703143835608n,
      absolute: true,
    },
    { name: 'other', frequency: 1000000000n, offsetSeconds: 0n, offsetCycles: 0n, absolute: false },
  ]);
  assert.deepEqual(trace.callsites, [{ name: 'ev', func: 'f', file: 'x.c', line: 12n, ip: 0x40n }]);
  assert.deepEqual(trace.warnings, []);
  assert.equal(trace.streams.size, 0);
});

test('integers: defaults, native byte order, bases, encodings, clock maps', () => {
  const fields = payload(
    `integer { size = 5; } a;
     integer { size = 16; signed = true; byte_order = network; base = x; } b;
     integer { size = 8; encoding = UTF8; base = 8; } c;
     integer { size = 64; align = 64; byte_order = native; base = binary; map = clock.mono.value; } d;
     integer { size = 8; encoding = ASCII; base = u; signed = 0; } e;`,
    'clock { name = mono; };',
  );
  assert.deepEqual(member(fields, 'a'), { kind: 'int', size: 5, align: 1, signed: false, byteOrder: 'le', base: 10, encoding: 'none' });
  assert.deepEqual(member(fields, 'b'), { kind: 'int', size: 16, align: 8, signed: true, byteOrder: 'be', base: 16, encoding: 'none' });
  assert.deepEqual(member(fields, 'c'), { kind: 'int', size: 8, align: 8, signed: false, byteOrder: 'le', base: 8, encoding: 'utf8' });
  assert.deepEqual(member(fields, 'd'), {
    kind: 'int',
    size: 64,
    align: 64,
    signed: false,
    byteOrder: 'le',
    base: 2,
    encoding: 'none',
    mappedClock: 'mono',
  });
  assert.equal(int(member(fields, 'e')).encoding, 'ascii');
});

test('integer attribute errors', () => {
  const cases: [string, RegExp][] = [
    ['integer { size = 0; }', /at least 1 bit/],
    ['integer { size = "8"; }', /size must be an unsigned integer, not the string "8"/],
    ['integer { size = -8; }', /must not be negative/],
    ['integer { align = 8; }', /without 'size'/],
    ['integer { size = 8; align = 17; }', /power of two/],
    ['integer { size = 8; align = "8"; }', /align must be an unsigned integer/],
    ['integer { size = 8; signed = "false"; }', /signed must be a boolean/],
    ['integer { size = 8; signed = svp; }', /signed must be a boolean/],
    ['integer { size = 8; base = "decimal"; }', /base must be a bare word/],
    ['integer { size = 8; base = orthogonal; }', /invalid integer base/],
    ['integer { size = 8; base = 3; }', /invalid integer base 3/],
    ['integer { size = 8; encoding = "ascii"; }', /encoding must be a bare word/],
    ['integer { size = 8; encoding = true; }', /invalid integer encoding/],
    ['integer { size = 8; byte_order = iroquois; }', /invalid byte_order/],
    ['integer { size = 8; size = 8; }', /duplicate attribute 'size'/],
    ['integer { size = 8; map = clock.nope.value; }', /unknown clock 'nope'/],
  ];
  for (const [type, pattern] of cases) {
    assert.match(parseError(`${PROLOGUE}typealias ${type} := t;`).message, pattern, type);
  }
  const wide = (() => {
    try {
      parse('typealias integer { size = 8193; } := t;');
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(wide instanceof UnsupportedTraceError);
  assert.equal(wide.offset, (PROLOGUE + 'typealias integer { size = ').length);
});

test('unknown attributes are warnings', () => {
  const trace = parse('typealias integer { size = 8; aa = bb; } := t; stream { blah = 1; }; event { name = x; zz := struct { }; };');
  assert.equal(trace.warnings.length, 3);
  assert.match(trace.warnings[0]!, /^meta at byte \d+: unknown attribute 'aa' in integer ignored \(line 7\)$/);
  assert.match(trace.warnings[1]!, /unknown entry 'blah =' in stream block/);
  assert.match(trace.warnings[2]!, /unknown entry 'zz :=' in event block/);
});

test('floating point, strings', () => {
  const fields = payload(
    `floating_point { exp_dig = 8; mant_dig = 24; } f;
     floating_point { exp_dig = 11; mant_dig = 53; align = 64; byte_order = be; } d;
     string s; string { encoding = ASCII; } a;`,
  );
  assert.deepEqual(member(fields, 'f'), { kind: 'float', size: 32, align: 8, byteOrder: 'le' });
  assert.deepEqual(member(fields, 'd'), { kind: 'float', size: 64, align: 64, byteOrder: 'be' });
  assert.deepEqual(member(fields, 's'), { kind: 'string', encoding: 'utf8' });
  assert.deepEqual(member(fields, 'a'), { kind: 'string', encoding: 'ascii' });
  assert.throws(() => parse('typealias floating_point { exp_dig = 15; mant_dig = 113; } := q;'), UnsupportedTraceError);
  assert.throws(() => parse('typealias floating_point { exp_dig = 8; } := q;'), /needs both/);
});

test('enumerations: implicit values, ranges, negative values, labels written twice', () => {
  const fields = payload(
    `enum : uint8_t { A, B = 5, C, "D E" = 10 ... 20, F, A = 30 } e;
     enum { X = -3, Y } s;
     enum : integer { size = 8; } { _unknown = 0 ... 5, _tcp = 6, _unknown = 7 ... 255 } p;`,
  );
  const e = member(fields, 'e');
  assert.ok(e.kind === 'enum');
  assert.equal(e.container.size, 8);
  assert.deepEqual(e.mappings, [
    { label: 'A', ranges: [[0n, 0n], [30n, 30n]] },
    { label: 'B', ranges: [[5n, 5n]] },
    { label: 'C', ranges: [[6n, 6n]] },
    { label: 'D E', ranges: [[10n, 20n]] },
    { label: 'F', ranges: [[21n, 21n]] },
  ]);
  const s = member(fields, 's');
  assert.ok(s.kind === 'enum' && s.container.signed);
  assert.deepEqual(s.mappings, [
    { label: 'X', ranges: [[-3n, -3n]] },
    { label: 'Y', ranges: [[-2n, -2n]] },
  ]);
  const p = member(fields, 'p');
  assert.ok(p.kind === 'enum');
  assert.deepEqual(p.mappings.map((m) => m.label), ['_unknown', '_tcp']);
  assert.deepEqual(p.mappings[0]!.ranges, [[0n, 5n], [7n, 255n]]);
});

test('enumeration errors', () => {
  const cases: [string, RegExp][] = [
    ['enum : uint8_t { A = 256 }', /value 256 of enumeration label 'A' does not fit its 8-bit unsigned container/],
    ['enum : uint8_t { A = 255, B }', /value 256 of enumeration label 'B'/],
    ['enum : uint32_t { A = -1 }', /-1 .* does not fit/],
    ['enum : integer { size = 8; signed = true; } { A = -129 }', /-129/],
    ['enum : uint8_t { A, B = A }', /must be an integer, not 'A'/],
    ['enum : uint8_t { A = 5 ... 2 }', /reversed/],
    ['enum : floating_point { exp_dig = 8; mant_dig = 24; } { A }', /container must be an integer/],
    ['enum : ascii_t { A }', /container must be an integer/],
  ];
  for (const [type, pattern] of cases) {
    assert.match(parseError(`${PROLOGUE}typealias string { encoding = ASCII; } := ascii_t; typealias ${type} := t;`).message, pattern, type);
  }
  const noInt = PROLOGUE.replace(':= int;', ':= notint;');
  assert.match(parseError(`${noInt}typealias enum { A } := t;`).message, /needs a declared 'int' type/);
});

test('structs: align, named declarations and uses, underscores', () => {
  const fields = payload(
    `struct pair p; struct { } align(64) pad; struct pair align(32) q; uint8_t _x; uint8_t __y; uint8_t _;`,
    'struct pair { uint8_t a; uint16_t b; } align(16);',
  );
  assert.deepEqual(member(fields, 'p'), {
    kind: 'struct',
    align: 16,
    members: [
      { name: 'a', origName: 'a', type: { kind: 'int', size: 8, align: 8, signed: false, byteOrder: 'le', base: 10, encoding: 'none' } },
      { name: 'b', origName: 'b', type: { kind: 'int', size: 16, align: 8, signed: false, byteOrder: 'le', base: 10, encoding: 'none' } },
    ],
  });
  assert.deepEqual(member(fields, 'pad'), { kind: 'struct', members: [], align: 64 });
  assert.equal((member(fields, 'q') as StructClass).align, 32);
  assert.deepEqual(
    fields.members.slice(3).map((m) => [m.name, m.origName]),
    [
      ['x', '_x'],
      ['_y', '__y'],
      ['', '_'],
    ],
  );
});

test('struct errors', () => {
  const cases: [string, RegExp][] = [
    ['struct a { uint8_t x; } align(0);', /power of two \(0\)/],
    ['struct a { uint8_t x; } align(0xFFFFFFFFU);', /power of two/],
    ['struct a { uint8_t x; } align(0x100000000);', /too large/],
    ['struct a { uint8_t x; } align(-8);', /must not be negative/],
    ['struct a { uint8_t x; } align("duh");', /must be an unsigned integer/],
    ['enum : uint32_t { X = 8 }; struct a { uint8_t x; } align(X);', /not 'X'/],
    ['struct a { uint8_t x; uint16_t x; };', /duplicate field 'x'/],
    ['struct a { uint8_t x; }; struct a { uint8_t y; };', /struct 'struct a' is already declared/],
    ['struct a { struct b f; }; struct b { uint8_t x; };', /unknown struct 'b'/],
    ['struct a { uint8_t x; struct a y; };', /unknown struct 'a'/],
    ['struct a { long x; };', /unknown type 'long'/],
  ];
  for (const [text, pattern] of cases) assert.match(parseError(PROLOGUE + text).message, pattern, text);
  // Same names in different scopes, and `str`/`_str` (different as written), are fine.
  const fields = payload('string str; string _str; struct { uint8_t x; } a; struct { uint8_t x; } b;');
  assert.deepEqual(
    fields.members.map((m) => m.name),
    ['str', 'str', 'a', 'b'],
  );
});

test('arrays and sequences', () => {
  const fields = payload(
    `uint8_t a[2][3];
     uint32_t len;
     uint16_t s[len];
     uint8_t t[len][4];
     uint8_t h[stream.event.header.id];
     uint8_t f[event.fields.len];
     uint8_t e[env.count];
     integer { size = 8; encoding = UTF8; } text[16];`,
    'env { count = 3; }; stream { event.header := struct { uint8_t id; }; };',
  );
  const a = member(fields, 'a');
  assert.ok(a.kind === 'array' && a.length === 2 && a.element.kind === 'array' && a.element.length === 3);
  assert.deepEqual(member(fields, 's'), {
    kind: 'sequence',
    element: { kind: 'int', size: 16, align: 8, signed: false, byteOrder: 'le', base: 10, encoding: 'none' },
    length: { path: ['len'], text: 'len' },
  });
  const t = member(fields, 't');
  assert.ok(t.kind === 'sequence' && t.element.kind === 'array' && t.element.length === 4);
  const h = member(fields, 'h');
  assert.ok(h.kind === 'sequence');
  assert.deepEqual(h.length, { origin: 'event-header', path: ['id'], text: 'stream.event.header.id' });
  const f = member(fields, 'f');
  assert.ok(f.kind === 'sequence');
  assert.deepEqual(f.length, { origin: 'event-payload', path: ['len'], text: 'event.fields.len' });
  const e = member(fields, 'e');
  assert.ok(e.kind === 'array' && e.length === 3 && int(e.element).size === 8);
  const text = member(fields, 'text');
  assert.ok(text.kind === 'array' && text.element.kind === 'int' && text.element.encoding === 'utf8');
});

test('all absolute scope prefixes', () => {
  const prefixes: [string, string][] = [
    ['trace.packet.header.magic', 'packet-header'],
    ['stream.packet.context.n', 'packet-context'],
    ['stream.event.header.n', 'event-header'],
    ['stream.event.context.n', 'event-common-context'],
    ['event.context.n', 'event-specific-context'],
    ['event.fields.n', 'event-payload'],
  ];
  const stream = 'stream { packet.context := struct { uint8_t n; }; event.header := struct { uint8_t n; }; event.context := struct { uint8_t n; }; };';
  for (const [path, origin] of prefixes) {
    const trace = parse(`${stream} event { name = e; context := struct { uint8_t n; }; fields := struct { uint8_t n; uint8_t s[${path}]; }; };`);
    const s = member(onlyEvent(trace).payload!, 's');
    assert.ok(s.kind === 'sequence');
    assert.equal(s.length.origin, origin, path);
  }
  assert.match(parseError(`${PROLOGUE}event { name = e; fields := struct { uint8_t s[stream.nope.n]; }; };`).message, /does not start with a known scope/);
});

test('sequence and array length errors', () => {
  assert.match(parseError(`${PROLOGUE}typedef uint32_t A[x];`).message, /declared outside any struct/);
  assert.match(parseError(`${PROLOGUE}event { name = e; fields := struct { string l; uint8_t s[l]; }; };`).message, /must be an unsigned integer, not a string/);
  assert.match(parseError(`${PROLOGUE}event { name = e; fields := struct { int l; uint8_t s[l]; }; };`).message, /not a signed integer/);
  assert.match(parseError(`${PROLOGUE}event { name = e; fields := struct { uint8_t s[nowhere]; }; };`).message, /does not name an earlier field/);
  assert.match(parseError(`${PROLOGUE}env { n = "x"; }; event { name = e; fields := struct { uint8_t s[env.n]; }; };`).message, /not a non-negative integer environment entry/);
});

test('variants: tag at declaration or at use, untagged ones', () => {
  const fields = payload(
    `enum : uint8_t { a, b, c } tag;
     variant v <tag> x;
     variant w <tag> y;
     variant <tag> { uint8_t a; string _b; } z;`,
    'variant v <tag> { uint8_t a; uint16_t b; }; variant w { uint32_t c; };',
  );
  const x = member(fields, 'x');
  assert.ok(x.kind === 'variant');
  assert.deepEqual(x.tag, { path: ['tag'], text: 'tag' });
  assert.deepEqual(x.options.map((o) => o.name), ['a', 'b']);
  const y = member(fields, 'y');
  assert.ok(y.kind === 'variant');
  assert.deepEqual(y.options.map((o) => o.name), ['c']);
  const z = member(fields, 'z');
  assert.ok(z.kind === 'variant');
  assert.deepEqual(
    z.options.map((o) => [o.name, o.origName]),
    [
      ['a', 'a'],
      ['b', '_b'],
    ],
  );
  assert.match(parseError(`${PROLOGUE}variant w { uint8_t a; }; struct s { variant w x; };`).message, /variant without tag/);
  assert.match(parseError(`${PROLOGUE}typedef variant { uint8_t a; } V;`).message, /variant without tag/);
  assert.match(parseError(`${PROLOGUE}struct s { enum : uint8_t { a } t; variant <t> { uint8_t a; uint8_t a; } v; };`).message, /duplicate option 'a'/);
});

test('variant tag checks', () => {
  const decl = (tag: string, options = 'uint8_t sel1;') => `${PROLOGUE}struct S { ${tag} tag; variant <tag> { ${options} } v; };`;
  assert.match(parseError(decl('floating_point { exp_dig = 8; mant_dig = 24; }')).message, /must be an enumeration, not a floating point/);
  assert.match(parseError(decl('string')).message, /must be an enumeration, not a string/);
  assert.match(parseError(decl('struct { uint8_t x; }')).message, /not a struct/);
  assert.match(parseError(decl('enum : uint8_t { " sel1 " }')).message, /no option of the variant matches a label/);
  // Options without labels and labels without options are fine, as long as some match.
  assert.doesNotThrow(() => parseTsdl(decl('enum : uint8_t { sel1, sel2 }', 'uint8_t sel1; uint8_t sel3;'), 'meta'));
  // An enum label matches an option as written or without its leading underscore.
  assert.doesNotThrow(() => parseTsdl(decl('enum : uint8_t { sel1 }', 'uint8_t _sel1;'), 'meta'));
  assert.match(parseError(`${PROLOGUE}event { name = e; fields := struct { variant <nope> { uint8_t a; } v; }; };`).message, /variant tag 'nope' does not name an earlier field/);
});

test('a typedef in a struct resolves its references where it is written', () => {
  const fields = payload('uint8_t len; typedef struct { uint32_t A[len]; } Field; struct { string len; Field x; } field;');
  const x = member(member(fields, 'field') as StructClass, 'x') as StructClass;
  const a = member(x, 'A');
  assert.ok(a.kind === 'sequence');
  assert.deepEqual(a.length, { origin: 'event-payload', path: ['len'], text: 'len' });
});

test('typedef and typealias: declarators, scopes, redefinitions', () => {
  const fields = payload(
    'A a; B b; X x; p_t p; void *q; unsigned long l;',
    `typedef uint8_t A[4], B;
     typealias uint32_t := X;
     typealias integer { size = 64; } := void *;
     typedef void *p_t;
     typealias integer { size = 64; } := unsigned long;`,
  );
  assert.ok(member(fields, 'a').kind === 'array');
  assert.equal(int(member(fields, 'b')).size, 8);
  assert.equal(int(member(fields, 'x')).size, 32);
  assert.equal(int(member(fields, 'p')).base, 16); // pointers show in hexadecimal
  assert.equal(int(member(fields, 'q')).size, 64);
  assert.equal(int(member(fields, 'l')).size, 64);
  assert.match(parseError(`${PROLOGUE}typedef uint8_t T; typedef uint16_t T;`).message, /type 'T' is already declared/);
  assert.match(parseError(`${PROLOGUE}typealias uint8_t := uint32_t;`).message, /type 'uint32_t' is already declared/);
  assert.match(parseError(`${PROLOGUE}typedef uint32_t int;`).message, /reserved keyword|expected a name/);
  // A block can hide a root alias; its own aliases do not leak out.
  const trace = parse(`
    stream { typealias integer { size = 64; } := uint8_t; event.header := struct { uint8_t id; }; };
    event { name = e; fields := struct { uint8_t x; }; };`);
  const [stream] = trace.streams.values();
  assert.equal(int(member(stream!.eventHeader!, 'id')).size, 64);
  assert.equal(int(member(onlyEvent(trace).payload!, 'x')).size, 8);
});

test('GNU bitfields', () => {
  const fields = payload('uint32_t a : 5; enum : uint8_t { X, Y } e : 2;');
  assert.deepEqual(member(fields, 'a'), { kind: 'int', size: 5, align: 1, signed: false, byteOrder: 'le', base: 10, encoding: 'none' });
  const e = member(fields, 'e');
  assert.ok(e.kind === 'enum' && e.container.size === 2 && e.container.align === 1);
  assert.match(parseError(`${PROLOGUE}struct s { uint8_t a : 9; };`).message, /outside 1 … 8/);
  assert.match(parseError(`${PROLOGUE}struct s { string a : 3; };`).message, /only integers and enumerations/);
});

test('every use of a type is a separate copy', () => {
  const fields = payload('uint32_t a; uint32_t b; struct p c; struct p d;', 'struct p { uint8_t x; };');
  assert.notEqual(member(fields, 'a'), member(fields, 'b'));
  int(member(fields, 'a')).roles = ['packet-magic-number'];
  assert.equal(int(member(fields, 'b')).roles, undefined);
  assert.notEqual(member(member(fields, 'c') as StructClass, 'x'), member(member(fields, 'd') as StructClass, 'x'));
});

test('streams and events: ids, defaults, log levels, EMF URI', () => {
  const trace = parse(`
    event { name = "late"; id = 3; stream_id = 1; loglevel = 13; model.emf.uri = "http://x"; };
    stream { id = 1; event.header := struct { uint16_t id; }; };
    stream { id = 0; };
    event { name = first; id = 0; stream_id = 0; context := struct { uint8_t c; }; };
    event { name = other; id = 0; stream_id = 1; };`);
  assert.deepEqual([...trace.streams.keys()], [1n, 0n]);
  const late = trace.streams.get(1n)!.events.get(3n)!;
  assert.deepEqual(late, { id: 3n, name: 'late', streamClassId: 1n, logLevel: 13, emfUri: 'http://x' });
  assert.equal(trace.streams.get(0n)!.events.get(0n)!.context!.members[0]!.name, 'c');
  // One stream and one event need no ids; events then go to the only stream.
  const implicit = parse('event { name = only; };');
  assert.equal(onlyEvent(implicit).id, 0n);
  assert.equal(onlyEvent(implicit).streamClassId, 0n);
  const single = parse('stream { }; event { name = a; id = 7; }; event { name = b; id = 8; };');
  assert.deepEqual([...single.streams.get(0n)!.events.keys()], [7n, 8n]);
});

test('stream and event errors', () => {
  const cases: [string, RegExp][] = [
    ['stream { id = 0; }; stream { id = 0; };', /duplicate stream id 0/],
    ['stream { id = 0; }; stream { };', /without id, but there are several/],
    ['stream { id = 0; }; stream { id = 1; }; event { name = e; };', /without stream_id, but there are several/],
    ['event { name = a; id = 1; }; event { name = b; id = 1; };', /event id 1 \('b'\) is already used by 'a'/],
    ['event { name = a; }; event { name = b; };', /has no id, but its stream has several events/],
    ['event { name = a; stream_id = 4; };', /stream 4, which is not declared/],
    ['event { id = 1; };', /without 'name'/],
    ['event { name = a; id = "wrong"; };', /event id must be an unsigned integer/],
    ['event { name = a; id = 1; id = 2; };', /duplicate 'id' in event block/],
    ['stream { packet.context := integer { size = 8; }; };', /packet.context must be a struct/],
  ];
  for (const [text, pattern] of cases) assert.match(parseError(PROLOGUE + text).message, pattern, text);
  const noHeader = PROLOGUE.replace(/packet\.header := struct \{[^}]*\};/, '');
  assert.match(parseError(`${noHeader}stream { id = 1; };`).message, /no integer 'stream_id' field/);
});

test('the trace block: required attributes, version, byte order', () => {
  const cases: [string, RegExp][] = [
    ['/* CTF 1.8 */ typealias integer { size = 8; } := t;', /no trace block/],
    ['/* CTF 1.8 */ trace { major = 1; minor = 8; };', /without 'byte_order'/],
    ['/* CTF 1.8 */ trace { major = 1; byte_order = le; };', /without 'major' and 'minor'/],
    ['/* CTF 1.8 */ trace { major = 1; minor = 8; byte_order = native; };', /not native/],
    ['/* CTF 1.8 */ trace { major = 1; minor = 8; byte_order = le; uuid = ""; };', /not a valid UUID/],
    ['/* CTF 1.8 */ trace { major = 1; minor = 8; byte_order = le; }; trace { major = 1; minor = 8; byte_order = le; };', /second trace block/],
    ['/* CTF 2.0 */ trace { major = 1; minor = 8; byte_order = le; };', /signature says CTF 2.0/],
  ];
  for (const [text, pattern] of cases) assert.match(parseError(text).message, pattern, text);
  assert.throws(() => parseTsdl('trace { major = 0; minor = 1; byte_order = le; };', 'meta'), UnsupportedTraceError);
});

test('the byte order applies to types declared before the trace block', () => {
  const trace = parseTsdl('/* CTF 1.8 */ typealias integer { size = 32; } := u32; trace { major = 1; minor = 8; byte_order = be; packet.header := struct { u32 magic; }; };', 'meta');
  assert.equal(int(trace.packetHeader!.members[0]!.type).byteOrder, 'be');
});

test('the signature: missing is a warning, not with packetized metadata', () => {
  const body = 'trace { major = 1; minor = 8; byte_order = le; };';
  assert.match(parseTsdl(body, 'meta').warnings[0]!, /missing "\/\* CTF 1.8" signature/);
  assert.deepEqual(parseTsdl(body, 'meta', { packetized: true }).warnings, []);
  assert.match(parseTsdl(`/* CTF 1 */ ${body}`, 'meta').warnings[0]!, /malformed/);
  assert.deepEqual(parseTsdl(`/* CTF 1.8 */\r\n${body.replace(/;/g, ';\r\n')}`, 'meta').warnings, []);
});

test('packet cross-checks: byte order and UUID', () => {
  const text = '/* CTF 1.8 */ trace { major = 1; minor = 8; byte_order = le; uuid = "2a6422d0-6cee-11e0-8c08-cb07d7b3a564"; };';
  assert.throws(() => parseTsdl(text, 'meta', { packetized: true, byteOrder: 'be' }), /packets are big-endian but the trace byte_order is le/);
  const other = parseTsdl(text, 'meta', { packetized: true, byteOrder: 'le', uuid: new Uint8Array(16) });
  assert.match(other.warnings[0]!, /differs from the UUID of the metadata packets/);
});
