/**
 * Recursive-descent parser for TSDL (CTF 1.8 spec, appendix C.2) producing the tree of `ast.ts`.
 *
 * Like a C parser, it must know which identifiers name types to tell `uint32_t x;` (type, field)
 * from `x;`: it keeps the lexical scopes of `typedef`/`typealias` names (root, blocks, struct and
 * variant bodies). What the names mean is resolved later, in `to-model.ts`.
 *
 * Checks that need no type information are made here: array lengths that are strings, keywords,
 * type names or negative; variant tags that are not field names; enums without entries.
 */
import type {
  Attribute,
  Block,
  BlockEntry,
  BlockKind,
  BodyEntry,
  Declarator,
  Dimension,
  EnumSpecifier,
  Enumerator,
  FieldPath,
  Metadata,
  Statement,
  StructSpecifier,
  TypeSpecifier,
  TypeSpecifiers,
  TypeStatement,
  Typealias,
  Value,
  VariantSpecifier,
} from './ast.js';
import { TokenKind, tokenize } from './lexer.js';
import type { Tokens } from './lexer.js';
import { quoted } from './source.js';
import type { TsdlSource } from './source.js';

/** C basic-type keywords that combine into type names (`unsigned long`). */
const BASIC_TYPE_WORDS: ReadonlySet<string> = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', '_Complex',
  '_Imaginary',
]);

const BLOCK_KINDS: ReadonlySet<string> = new Set(['trace', 'env', 'clock', 'stream', 'event', 'callsite']);

/** Tokens after which an identifier is a declarator even if it also names a type. */
const DECLARATOR_FOLLOWERS: ReadonlySet<string> = new Set([';', ',', '[', ':', ')']);

const MIN_I64_MAGNITUDE = 1n << 63n;

/**
 * An array built with push() keeps spare capacity (17 slots for one element); the tree lives
 * for the whole parse and has hundreds of thousands of short lists, so they are trimmed.
 */
function trimmed<T>(list: T[]): T[] {
  return list.slice();
}

/** Shared by the (many) declarators without dimensions. */
const NO_DIMENSIONS: readonly Dimension[] = Object.freeze([]);

export function parseTsdlText(source: TsdlSource): Metadata {
  return new Parser(source, tokenize(source)).parseMetadata();
}

class Parser {
  private pos = 0;
  /** Type names declared per lexical scope, innermost last (created on first declaration). */
  private readonly typeScopes: (Set<string> | undefined)[] = [undefined];
  /**
   * `integer {…}`/`floating_point {…}`/`string {…}` nodes by lexer block id: a repeated block
   * shares the node of its first occurrence, so the model builder also builds it only once.
   */
  private readonly blockSpecifiers: TypeSpecifier[] = [];

  constructor(
    private readonly source: TsdlSource,
    private readonly tokens: Tokens,
  ) {}

  parseMetadata(): Metadata {
    const statements: Statement[] = [];
    while (this.kind() !== TokenKind.eof) statements.push(this.parseStatement());
    return { statements };
  }

  // ── token helpers ────────────────────────────────────────────────────────────────────────

  /** Index of the token `ahead` tokens away (never past `eof`). */
  private at(ahead = 0): number {
    return Math.min(this.pos + ahead, this.tokens.count - 1);
  }

  private kind(ahead = 0): TokenKind {
    return this.tokens.kind(this.at(ahead));
  }

  private text(ahead = 0): string {
    return this.tokens.text(this.at(ahead));
  }

  private start(ahead = 0): number {
    return this.tokens.start(this.at(ahead));
  }

  /** Consumes the current token; returns its index. */
  private next(): number {
    const index = this.at();
    if (this.tokens.kind(index) !== TokenKind.eof) this.pos++;
    return index;
  }

  private isPunct(text: string, ahead = 0): boolean {
    const index = this.at(ahead);
    return this.tokens.kind(index) === TokenKind.punct && this.tokens.is(index, text);
  }

  private isKeyword(text: string, ahead = 0): boolean {
    const index = this.at(ahead);
    return this.tokens.kind(index) === TokenKind.keyword && this.tokens.is(index, text);
  }

  private acceptPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.pos++;
    return true;
  }

  private expectPunct(text: string, what?: string): void {
    if (!this.isPunct(text)) throw this.unexpected(what ?? `'${text}'`);
    this.pos++;
  }

  private unexpected(expected: string): Error {
    return this.source.error(`syntax error: expected ${expected}, found ${this.describe(this.at())}`, this.start());
  }

  private describe(index: number): string {
    const text = this.tokens.text(index);
    switch (this.tokens.kind(index)) {
      case TokenKind.eof:
        return 'end of metadata';
      case TokenKind.string:
        return `string ${quoted(text)}`;
      case TokenKind.integer:
        return `number ${text}`;
      default:
        return `'${text}'`;
    }
  }

  // ── type-name scopes ─────────────────────────────────────────────────────────────────────

  private isTypeName(name: string): boolean {
    for (let i = this.typeScopes.length - 1; i >= 0; i--) if (this.typeScopes[i]?.has(name)) return true;
    return false;
  }

  private declareTypeName(name: string): void {
    (this.typeScopes[this.typeScopes.length - 1] ??= new Set()).add(name);
  }

  private inScope<T>(parse: () => T): T {
    this.typeScopes.push(undefined);
    try {
      return parse();
    } finally {
      this.typeScopes.pop();
    }
  }

  // ── statements ───────────────────────────────────────────────────────────────────────────

  private parseStatement(): Statement {
    if (this.kind() === TokenKind.keyword && BLOCK_KINDS.has(this.text()) && this.isPunct('{', 1)) {
      return this.parseBlock(this.text() as BlockKind);
    }
    const statement = this.parseTypeStatement();
    if (statement) return statement;
    throw this.unexpected('a declaration or a trace/env/clock/stream/event/callsite block');
  }

  private parseBlock(block: BlockKind): Block {
    const at = this.start();
    this.next();
    this.expectPunct('{');
    const entries = this.inScope(() => {
      const list: BlockEntry[] = [];
      while (!this.isPunct('}')) list.push(this.parseBlockEntry());
      return trimmed(list);
    });
    this.expectPunct('}');
    this.expectPunct(';', `';' after the ${block} block`);
    return { kind: 'block', block, entries, at };
  }

  private parseBlockEntry(): BlockEntry {
    if (this.kind() === TokenKind.eof) throw this.unexpected("'}'");
    const startsType =
      this.isKeyword('typedef') ||
      this.isKeyword('typealias') ||
      ((this.isKeyword('struct') || this.isKeyword('variant') || this.isKeyword('enum')) &&
        !this.isPunct('.', 1) &&
        !this.isPunct('=', 1) &&
        !this.isPunct(':=', 1));
    if (startsType) return this.parseTypeStatement()!;

    const at = this.start();
    const name = this.parseDottedName('an attribute name');
    if (this.acceptPunct(':=')) {
      const type = this.parseSpecifiers();
      if (type.items.length === 0) throw this.unexpected('a type');
      this.expectPunct(';');
      return { kind: 'type-assignment', name, type, at };
    }
    this.expectPunct('=', "'=' or ':='");
    const value = this.parseValue();
    this.expectPunct(';');
    return { kind: 'attribute', name, value, at };
  }

  /** `typedef …;`, `typealias …;` or a declaration without declarator (`struct X {…};`). */
  private parseTypeStatement(): TypeStatement | undefined {
    const at = this.start();
    if (this.isKeyword('typedef')) {
      this.next();
      const type = this.parseSpecifiers();
      if (type.items.length === 0) throw this.unexpected('a type after typedef');
      const declarators = this.parseDeclaratorList();
      this.expectPunct(';');
      for (const declarator of declarators) this.declareTypeName(declaratorName(declarator)!);
      return { kind: 'typedef', type, declarators, at };
    }
    if (this.isKeyword('typealias')) return this.parseTypealias();
    const type = this.parseSpecifiers();
    if (type.items.length === 0) return undefined;
    this.expectPunct(';', "';' (fields can only be declared in a struct or variant)");
    return { kind: 'type-declaration', type, at };
  }

  private parseTypealias(): Typealias {
    const at = this.start();
    this.next();
    const type = this.parseSpecifiers();
    if (type.items.length === 0) throw this.unexpected('a type after typealias');
    const declarator = this.isPunct(':=') ? undefined : this.parseDeclarator('abstract');
    this.expectPunct(':=');
    const aliasAt = this.start();
    const parts: string[] = [];
    const identifiers: string[] = [];
    while (true) {
      const kind = this.kind();
      if (kind === TokenKind.keyword && BASIC_TYPE_WORDS.has(this.text())) {
        parts.push(this.text());
        this.next();
      } else if (this.isKeyword('const')) {
        this.next();
      } else if (kind === TokenKind.identifier) {
        identifiers.push(this.text());
        parts.push(this.text());
        this.next();
      } else if (
        (this.isKeyword('struct') || this.isKeyword('variant') || this.isKeyword('enum')) &&
        this.kind(1) === TokenKind.identifier
      ) {
        parts.push(`${this.text()} ${this.text(1)}`);
        this.pos += 2;
      } else {
        break;
      }
    }
    if (parts.length === 0) {
      if (this.kind() === TokenKind.keyword) {
        throw this.source.error(`'${this.text()}' is a reserved keyword and cannot be a type alias name`, this.start());
      }
      throw this.unexpected('an alias name');
    }
    let pointers = 0;
    while (this.acceptPunct('*')) {
      pointers++;
      while (this.isKeyword('const')) this.next();
    }
    this.expectPunct(';');
    for (const name of identifiers) this.declareTypeName(name);
    return { kind: 'typealias', type, declarator, alias: parts.join(' ') + ' *'.repeat(pointers), aliasAt, at };
  }

  // ── type specifiers ──────────────────────────────────────────────────────────────────────

  /** Reads type specifiers while they last; the list is empty when none starts here. */
  private parseSpecifiers(): TypeSpecifiers {
    const at = this.start();
    const items: TypeSpecifier[] = [];
    while (true) {
      const item = this.parseSpecifier(items.length > 0);
      if (item === undefined) break;
      if (item !== null) items.push(item);
    }
    return { items: items.length === 1 ? [items[0]!] : trimmed(items), at };
  }

  /** The next type specifier; null for a skipped `const`, undefined when none starts here. */
  private parseSpecifier(afterOthers: boolean): TypeSpecifier | null | undefined {
    const kind = this.kind();
    if (kind === TokenKind.keyword) {
      const word = this.text();
      if (BASIC_TYPE_WORDS.has(word)) {
        const at = this.start();
        this.next();
        return { kind: 'word', word, at };
      }
      if (word === 'const') {
        this.next();
        return null;
      }
      return this.parseCompoundSpecifier(word);
    }
    if (kind !== TokenKind.identifier) return undefined;
    const word = this.text();
    if (!this.isTypeName(word)) return undefined;
    // `T name;` where `name` also names a type: it is the field, not part of the type.
    if (afterOthers && this.kind(1) === TokenKind.punct && DECLARATOR_FOLLOWERS.has(this.text(1))) return undefined;
    const at = this.start();
    this.next();
    return { kind: 'word', word, at };
  }

  private parseCompoundSpecifier(keyword: string): TypeSpecifier | undefined {
    const at = this.start();
    switch (keyword) {
      case 'integer':
      case 'floating_point':
      case 'string': {
        this.next();
        if (!this.isAttributeBlock()) {
          if (keyword === 'string') return { kind: 'string', attributes: [], at };
          throw this.unexpected(`'{' after ${keyword}`);
        }
        const id = this.tokens.blockId(this.at());
        if (this.kind() === TokenKind.repeatedBlock) {
          const shared = this.blockSpecifiers[id!];
          if (!shared) throw this.source.error('internal error: repeated attribute block before its first occurrence', this.start());
          this.next();
          return shared;
        }
        const specifier: TypeSpecifier = { kind: keyword, attributes: this.parseAttributeBlock(), at };
        if (id !== undefined) this.blockSpecifiers[id] = specifier;
        return specifier;
      }
      case 'struct':
        return this.parseStruct();
      case 'variant':
        return this.parseVariant();
      case 'enum':
        return this.parseEnum();
      default:
        return undefined;
    }
  }

  /** `{ name = value; … }` of integer, floating_point and string. */
  private parseAttributeBlock(): Attribute[] {
    this.expectPunct('{');
    const attributes: Attribute[] = [];
    while (!this.isPunct('}')) {
      const at = this.start();
      const name = this.parseDottedName('an attribute name');
      this.expectPunct('=');
      const value = this.parseValue();
      this.expectPunct(';');
      attributes.push({ kind: 'attribute', name, value, at });
    }
    this.expectPunct('}');
    return trimmed(attributes);
  }

  private isAttributeBlock(): boolean {
    return this.isPunct('{') || this.kind() === TokenKind.repeatedBlock;
  }

  private parseStruct(): StructSpecifier {
    const at = this.start();
    this.next();
    const name = this.optionalIdentifier();
    let body: BodyEntry[] | undefined;
    if (this.isPunct('{')) body = this.parseBody();
    else if (name === undefined) throw this.unexpected("a struct name or '{'");
    let align: Value | undefined;
    if (this.isKeyword('align')) {
      this.next();
      this.expectPunct('(');
      align = this.parseValue();
      this.expectPunct(')');
    }
    return { kind: 'struct', name, body, align, at };
  }

  private parseVariant(): VariantSpecifier {
    const at = this.start();
    this.next();
    const name = this.optionalIdentifier();
    let tag: FieldPath | undefined;
    if (this.acceptPunct('<')) {
      tag = this.parseFieldPath('variant tag');
      this.expectPunct('>');
    }
    let body: BodyEntry[] | undefined;
    if (this.isPunct('{')) body = this.parseBody();
    else if (name === undefined) throw this.unexpected("a variant name or '{'");
    return { kind: 'variant', name, tag, body, at };
  }

  private parseEnum(): EnumSpecifier {
    const at = this.start();
    this.next();
    const name = this.optionalIdentifier();
    let container: TypeSpecifiers | undefined;
    if (this.acceptPunct(':')) {
      container = this.parseSpecifiers();
      if (container.items.length === 0) throw this.unexpected('the enumeration container type');
    }
    if (!this.isPunct('{')) {
      if (name === undefined || container) throw this.unexpected("'{'");
      return { kind: 'enum', name, at };
    }
    const braceAt = this.start();
    this.next();
    const enumerators: Enumerator[] = [];
    while (!this.isPunct('}')) {
      enumerators.push(this.parseEnumerator());
      if (!this.acceptPunct(',')) break;
    }
    this.expectPunct('}', "',' or '}'");
    if (enumerators.length === 0) throw this.source.error('enumeration without any entry', braceAt);
    return { kind: 'enum', name, container, enumerators: trimmed(enumerators), at };
  }

  private parseEnumerator(): Enumerator {
    const kind = this.kind();
    if (kind !== TokenKind.identifier && kind !== TokenKind.keyword && kind !== TokenKind.string) {
      throw this.unexpected('an enumeration label');
    }
    const label = this.text();
    const at = this.start();
    this.next();
    let values: Value[] = [];
    if (this.acceptPunct('=')) {
      const first = this.parseValue();
      values = this.acceptPunct('...') ? [first, this.parseValue()] : [first];
    }
    return { label, values, at };
  }

  private optionalIdentifier(): string | undefined {
    if (this.kind() !== TokenKind.identifier) return undefined;
    const name = this.text();
    this.next();
    return name;
  }

  /** Struct or variant body: fields and type statements, in their own lexical scope. */
  private parseBody(): BodyEntry[] {
    this.expectPunct('{');
    const entries = this.inScope(() => {
      const list: BodyEntry[] = [];
      while (!this.isPunct('}')) list.push(this.parseBodyEntry());
      return trimmed(list);
    });
    this.expectPunct('}');
    return entries;
  }

  private parseBodyEntry(): BodyEntry {
    const at = this.start();
    if (this.isKeyword('typedef') || this.isKeyword('typealias')) return this.parseTypeStatement()!;
    const type = this.parseSpecifiers();
    if (type.items.length === 0) {
      if (this.kind() === TokenKind.identifier && this.kind(1) === TokenKind.identifier) {
        throw this.source.error(`unknown type '${this.text()}'`, this.start());
      }
      throw this.unexpected(this.kind() === TokenKind.eof ? "'}'" : 'a field declaration');
    }
    if (this.acceptPunct(';')) return { kind: 'type-declaration', type, at };
    const declarators = this.parseDeclaratorList(true);
    this.expectPunct(';', "';' after the field declaration");
    return { kind: 'field', type, declarators, at };
  }

  // ── declarators ──────────────────────────────────────────────────────────────────────────

  private parseDeclaratorList(allowBitfield = false): Declarator[] {
    const list: Declarator[] = [];
    do {
      const declarator = this.parseDeclarator('named');
      if (allowBitfield && this.acceptPunct(':')) declarator.bitfield = this.parseValue();
      list.push(declarator);
    } while (this.acceptPunct(','));
    return list.length === 1 ? [list[0]!] : trimmed(list);
  }

  private parseDeclarator(mode: 'named' | 'abstract'): Declarator {
    const at = this.start();
    let pointers = 0;
    while (this.acceptPunct('*')) {
      pointers++;
      while (this.isKeyword('const')) this.next();
    }
    const declarator: Declarator = { pointers, dimensions: NO_DIMENSIONS, at };
    if (this.acceptPunct('(')) {
      declarator.inner = this.parseDeclarator(mode);
      this.expectPunct(')');
    } else if (this.kind() === TokenKind.identifier) {
      declarator.name = this.text();
      this.next();
    } else if (mode === 'named') {
      if (this.kind() === TokenKind.keyword) {
        throw this.source.error(`'${this.text()}' is a reserved keyword and cannot be a field or type name`, this.start());
      }
      throw this.unexpected('a name');
    }
    if (this.isPunct('[')) {
      const dimensions: Dimension[] = [];
      while (this.isPunct('[')) dimensions.push(this.parseDimension());
      declarator.dimensions = trimmed(dimensions);
    }
    return declarator;
  }

  private parseDimension(): Dimension {
    this.expectPunct('[');
    const at = this.start();
    if (this.isPunct('+') && this.kind(1) === TokenKind.integer) this.next();
    let dimension: Dimension;
    if (this.kind() === TokenKind.integer) {
      dimension = { kind: 'fixed', length: this.tokens.integer(this.next()), at };
    } else if (this.isPunct('-') && this.kind(1) === TokenKind.integer) {
      throw this.source.error('negative array length', at);
    } else if (this.kind() === TokenKind.string) {
      throw this.source.error('array length must be an integer or a field name, not a string', at);
    } else if (this.isPunct(']')) {
      throw this.source.error('missing array length', at);
    } else {
      const path = this.parseFieldPath('array length');
      const first = path.parts[0]!;
      if (path.parts.length === 1 && this.isTypeName(first)) {
        throw this.source.error(`array length '${first}' names a type, not a field`, path.at);
      }
      dimension = { kind: 'dynamic', path, at };
    }
    this.expectPunct(']');
    return dimension;
  }

  /**
   * A field reference: `name`, `a.b`, `stream.event.header.id`. Keywords are allowed only as
   * parts of a dotted path (scope prefixes); alone they cannot name a field.
   */
  private parseFieldPath(what: string): FieldPath {
    const at = this.start();
    const firstKind = this.kind();
    if (firstKind !== TokenKind.identifier && firstKind !== TokenKind.keyword) {
      throw this.source.error(`${what} must be a field name, found ${this.describe(this.at())}`, at);
    }
    const parts = this.parseNameParts('a field name');
    if (parts.length === 1 && firstKind === TokenKind.keyword) {
      throw this.source.error(`${what} '${parts[0]}' is a reserved keyword, not a field name`, at);
    }
    return { parts, at };
  }

  // ── values ───────────────────────────────────────────────────────────────────────────────

  /** Identifiers or keywords separated by `.`: `packet.header`, `clock.monotonic.value`. */
  private parseNameParts(what: string): string[] {
    const parts: string[] = [];
    do {
      const kind = this.kind();
      if (kind !== TokenKind.identifier && kind !== TokenKind.keyword) throw this.unexpected(what);
      parts.push(this.text());
      this.next();
    } while (this.acceptPunct('.'));
    return trimmed(parts);
  }

  private parseDottedName(what: string): string {
    let name = '';
    do {
      const kind = this.kind();
      if (kind !== TokenKind.identifier && kind !== TokenKind.keyword) throw this.unexpected(what);
      name = name === '' ? this.text() : `${name}.${this.text()}`;
      this.next();
    } while (this.acceptPunct('.'));
    return name;
  }

  /** A unary expression: integer (optionally signed), string, or dotted identifiers. */
  private parseValue(): Value {
    const at = this.start();
    if (this.acceptPunct('(')) {
      const inner = this.parseValue();
      this.expectPunct(')');
      return inner;
    }
    if (this.isPunct('+') || this.isPunct('-')) {
      const negative = this.isPunct('-');
      this.next();
      if (this.kind() !== TokenKind.integer) throw this.unexpected('a number after the sign');
      const magnitude = this.tokens.integer(this.next());
      if (!negative) return { kind: 'integer', value: magnitude, at };
      if (magnitude > MIN_I64_MAGNITUDE) throw this.source.error(`integer literal -${magnitude} does not fit in 64 bits`, at);
      return { kind: 'integer', value: -magnitude, at };
    }
    switch (this.kind()) {
      case TokenKind.integer:
        return { kind: 'integer', value: this.tokens.integer(this.next()), at };
      case TokenKind.string:
        return { kind: 'string', value: this.tokens.text(this.next()), at };
      case TokenKind.identifier:
      case TokenKind.keyword:
        return { kind: 'path', parts: this.parseNameParts('a name'), at };
      default:
        throw this.unexpected('a value');
    }
  }
}

/** The name a declarator declares (through parentheses). */
export function declaratorName(declarator: Declarator): string | undefined {
  let current: Declarator | undefined = declarator;
  while (current) {
    if (current.name !== undefined) return current.name;
    current = current.inner;
  }
  return undefined;
}
