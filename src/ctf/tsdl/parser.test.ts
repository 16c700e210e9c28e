import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Block, Declarator, FieldDeclaration, Metadata, StructSpecifier, TypeDeclaration, Typealias, Typedef } from './ast.js';
import { parseTsdlText } from './parser.js';
import { TsdlSource } from './source.js';
import { TraceFormatError } from '../../util/errors.js';

function parse(text: string): Metadata {
  return parseTsdlText(new TsdlSource(text, 'meta'));
}

function parseError(text: string): TraceFormatError {
  try {
    parse(text);
  } catch (e) {
    assert.ok(e instanceof TraceFormatError, String(e));
    return e;
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

/** The fields of `struct S { … };` declared at the root. */
function fieldsOf(body: string): FieldDeclaration[] {
  const [, statement] = parse(`typealias integer { size = 8; } := u8; struct S { ${body} };`).statements;
  const struct = (statement as TypeDeclaration).type.items[0] as StructSpecifier;
  return struct.body!.filter((e): e is FieldDeclaration => e.kind === 'field');
}

test('blocks hold attributes, scope types and declarations', () => {
  const text = `
    trace { major = 1; minor = 8; byte_order = le; packet.header := struct { }; };
    event { name = "x"; model.emf.uri = "u"; typealias integer { size = 8; } := t; fields := struct { t a; }; };`;
  const { statements } = parse(text);
  const [trace, event] = statements as Block[];
  assert.equal(trace!.block, 'trace');
  assert.deepEqual(
    trace!.entries.map((e) => [e.kind, 'name' in e ? e.name : '']),
    [
      ['attribute', 'major'],
      ['attribute', 'minor'],
      ['attribute', 'byte_order'],
      ['type-assignment', 'packet.header'],
    ],
  );
  assert.deepEqual(
    event!.entries.map((e) => e.kind),
    ['attribute', 'attribute', 'typealias', 'type-assignment'],
  );
  const major = text.indexOf('major');
  assert.deepEqual(trace!.entries[0], { kind: 'attribute', name: 'major', value: { kind: 'integer', value: 1n, at: major + 8 }, at: major });
});

test('values: signed integers, strings, dotted words', () => {
  const [block] = parse('env { a = -1234; b = +7; c = "s"; d = clock.monotonic.value; e = (5); };').statements as Block[];
  const values = block!.entries.map((e) => (e.kind === 'attribute' ? e.value : undefined));
  assert.deepEqual(
    values.map((v) => (v!.kind === 'integer' ? v!.value : v!.kind === 'string' ? v!.value : v!.parts)),
    [-1234n, 7n, 's', ['clock', 'monotonic', 'value'], 5n],
  );
  assert.match(parseError('env { a = -18446744073709551615; };').message, /does not fit/);
  assert.match(parseError('trace { test = "abc" "def"; };').message, /expected ';', found string "def"/);
});

test('typealias names may be several words and pointers', () => {
  const { statements } = parse(`
    typealias integer { size = 64; } := unsigned long;
    typealias integer { size = 64; } := void *;
    typealias integer { size = 64; } := struct page *;
    typealias integer { size = 32; } := int;`);
  assert.deepEqual(
    (statements as Typealias[]).map((s) => s.alias),
    ['unsigned long', 'void *', 'struct page *', 'int'],
  );
  assert.match(parseError('typealias integer { size = 8; } := trace;').message, /'trace' is a reserved keyword/);
  assert.match(parseError('typealias entier { size = 8; } := x;').message, /expected a type after typealias/);
});

test('declarators: arrays outermost first, sequences, bitfields, pointers', () => {
  const [a, b, c, d] = fieldsOf('u8 a[2][3]; u8 len; u8 b[len], c[stream.event.header.n]; u8 d : 3, *p;');
  const dims = (decl: Declarator) => decl.dimensions.map((x) => (x.kind === 'fixed' ? x.length : x.path.parts.join('.')));
  assert.deepEqual(dims(a!.declarators[0]!), [2n, 3n]);
  assert.deepEqual(c!.declarators.map(dims), [['len'], ['stream.event.header.n']]);
  assert.equal(b!.declarators[0]!.name, 'len');
  assert.equal(d!.declarators[0]!.bitfield?.kind, 'integer');
  assert.equal(d!.declarators[1]!.pointers, 1);
});

test('a field may be named like a type', () => {
  const [field] = fieldsOf('u8 u8;');
  assert.deepEqual(
    field!.type.items.map((i) => (i.kind === 'word' ? i.word : i.kind)),
    ['u8'],
  );
  assert.equal(field!.declarators[0]!.name, 'u8');
});

test('typedef declares type names for what follows', () => {
  const { statements } = parse('typealias integer { size = 8; } := u8; typedef u8 A[4], B; struct S { A x; B y; };');
  const typedef = statements[1] as Typedef;
  assert.deepEqual(
    typedef.declarators.map((d) => d.name),
    ['A', 'B'],
  );
  // Inner scopes: a typedef in a struct body is not visible after it.
  assert.match(parseError('struct S { typedef integer { size = 8; } T; }; struct U { T x; };').message, /unknown type 'T'/);
});

test('struct, variant and enum specifiers', () => {
  const text = `
    struct a { } align(8) struct b { };
    variant v <x> { };
    variant w { };
    enum e : integer { size = 8; } { A, "B C" = 5, D = 10 ... 20, align, };`;
  const { statements } = parse(text);
  const [ab, v, w, e] = statements as TypeDeclaration[];
  assert.deepEqual(
    ab!.type.items.map((i) => [i.kind, (i as StructSpecifier).name]),
    [
      ['struct', 'a'],
      ['struct', 'b'],
    ],
  );
  const variantAt = text.indexOf('variant v');
  assert.deepEqual(v!.type.items[0], { kind: 'variant', name: 'v', tag: { parts: ['x'], at: variantAt + 11 }, body: [], at: variantAt });
  assert.equal(w!.type.items[0]!.kind, 'variant');
  const enumSpec = e!.type.items[0]!;
  assert.ok(enumSpec.kind === 'enum');
  assert.deepEqual(
    enumSpec.enumerators!.map((x) => [x.label, x.values.length]),
    [
      ['A', 0],
      ['B C', 1],
      ['D', 2],
      ['align', 0],
    ],
  );
});

test('syntax errors that the parser reports', () => {
  const cases: [string, RegExp][] = [
    ['typedef integer { size = 8; } A[-1];', /negative array length/],
    ['typedef integer { size = 8; } A["x"];', /not a string/],
    ['typedef integer { size = 8; } A[typedef];', /'typedef' is a reserved keyword/],
    ['typealias integer { size = 8; } := u8; typedef u8 A[u8];', /names a type/],
    ['typedef integer { size = 8; } A[];', /missing array length/],
    ['struct s { variant <> { } v; };', /variant tag must be a field name/],
    ['struct s { variant <2> { } v; };', /variant tag must be a field name, found number 2/],
    ['struct s { variant <"t"> { } v; };', /found string "t"/],
    ['struct s { variant <variant> { } v; };', /'variant' is a reserved keyword/],
    ['enum e : integer { size = 8; } { };', /enumeration without any entry/],
    ['struct s { integer { size = 8; } trace; };', /'trace' is a reserved keyword and cannot be a field/],
    ['struct s { foo bar; };', /unknown type 'foo'/],
    ['trace {', /expected '}', found end of metadata/],
    ['typealias', /expected a type after typealias/],
    ['trace { } ', /expected ';' after the trace block/],
    ['integer { size = 8; } x;', /fields can only be declared in a struct/],
  ];
  for (const [text, pattern] of cases) assert.match(parseError(text).message, pattern, text);
});

test('syntax errors carry the file and the byte offset of the token', () => {
  const error = parseError('env { name = "é"; };\ntrace { ] };');
  assert.equal(error.file, 'meta');
  assert.equal(error.offset, Buffer.byteLength('env { name = "é"; };\ntrace { '));
  assert.match(error.message, /line 2/);
});
