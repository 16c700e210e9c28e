/**
 * Syntax tree of TSDL metadata, as written (nothing resolved yet). Every node keeps `at`, the
 * string index of its first token, for error messages.
 */

/** Right-hand side of `name = value;` (a C unary expression limited to what TSDL uses). */
export type Value =
  | { kind: 'integer'; value: bigint; at: number }
  /** A quoted string (or character) literal. */
  | { kind: 'string'; value: string; at: number }
  /** Bare identifiers and keywords joined by `.`: `le`, `TRUE`, `clock.monotonic.value`. */
  | { kind: 'path'; parts: string[]; at: number };

/** `name = value;` — `name` is dotted (`model.emf.uri`). */
export interface Attribute {
  kind: 'attribute';
  name: string;
  value: Value;
  at: number;
}

/** `name := type;` — assigns a type to a scope (`packet.header`, `fields`, …). */
export interface TypeAssignment {
  kind: 'type-assignment';
  name: string;
  type: TypeSpecifiers;
  at: number;
}

/** What stands before a declarator: `unsigned long`, `struct { … } align(8)`, `uint32_t`. */
export interface TypeSpecifiers {
  items: TypeSpecifier[];
  at: number;
}

export type TypeSpecifier =
  /** A C basic-type keyword (`int`, `unsigned`, …) or a declared type name. */
  | { kind: 'word'; word: string; at: number }
  | { kind: 'integer'; attributes: Attribute[]; at: number }
  | { kind: 'floating_point'; attributes: Attribute[]; at: number }
  | { kind: 'string'; attributes: Attribute[]; at: number }
  | StructSpecifier
  | VariantSpecifier
  | EnumSpecifier;

export interface StructSpecifier {
  kind: 'struct';
  name?: string;
  /** Absent for a use of a named struct (`struct NAME`). */
  body?: BodyEntry[];
  align?: Value;
  at: number;
}

export interface VariantSpecifier {
  kind: 'variant';
  name?: string;
  tag?: FieldPath;
  body?: BodyEntry[];
  at: number;
}

export interface EnumSpecifier {
  kind: 'enum';
  name?: string;
  container?: TypeSpecifiers;
  enumerators?: Enumerator[];
  at: number;
}

export interface Enumerator {
  label: string;
  /** One value, a `lo ... hi` range, or none (previous end + 1). */
  values: Value[];
  at: number;
}

/** A variant tag or sequence length reference as written: `len`, `stream.event.header.id`. */
export interface FieldPath {
  parts: string[];
  at: number;
}

/** One `[…]` of a declarator. */
export type Dimension =
  | { kind: 'fixed'; length: bigint; at: number }
  | { kind: 'dynamic'; path: FieldPath; at: number };

/**
 * A C declarator: `*` pointers, then a name or a parenthesized inner declarator, then array
 * dimensions (outermost first), then an optional GNU bitfield width (`: N`).
 */
export interface Declarator {
  pointers: number;
  name?: string;
  inner?: Declarator;
  dimensions: readonly Dimension[];
  bitfield?: Value;
  at: number;
}

/** A struct member or variant option declaration: `uint8_t a, b[4];`. */
export interface FieldDeclaration {
  kind: 'field';
  type: TypeSpecifiers;
  declarators: Declarator[];
  at: number;
}

export interface Typedef {
  kind: 'typedef';
  type: TypeSpecifiers;
  declarators: Declarator[];
  at: number;
}

export interface Typealias {
  kind: 'typealias';
  type: TypeSpecifiers;
  /** Abstract declarator of the target (`typealias uint8_t[16] := uuid_t;`), if any. */
  declarator?: Declarator;
  /** Alias name: words and bodiless `struct X` joined by spaces, then ` *` per pointer. */
  alias: string;
  aliasAt: number;
  at: number;
}

/** A declaration with no declarator: `struct NAME { … };`, `enum NAME : T { … };`. */
export interface TypeDeclaration {
  kind: 'type-declaration';
  type: TypeSpecifiers;
  at: number;
}

export type TypeStatement = Typedef | Typealias | TypeDeclaration;

export type BodyEntry = FieldDeclaration | TypeStatement;

export type BlockKind = 'trace' | 'env' | 'clock' | 'stream' | 'event' | 'callsite';

export type BlockEntry = Attribute | TypeAssignment | TypeStatement;

export interface Block {
  kind: 'block';
  block: BlockKind;
  entries: BlockEntry[];
  at: number;
}

export type Statement = Block | TypeStatement;

export interface Metadata {
  statements: Statement[];
}
