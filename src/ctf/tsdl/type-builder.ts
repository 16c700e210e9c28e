/**
 * Type specifiers + declarators → model field classes, and the declarations that name types
 * (`typedef`, `typealias`, `struct NAME {…}`, `variant NAME {…}`, `enum NAME : T {…}`).
 *
 *   `uint8_t x[2][3]`   array 2 of array 3 of uint8_t (outermost dimension first, as in C)
 *   `uint8_t x[len]`    sequence; `x[stream.event.header.len]` absolute, `x[env.N]` array
 *   `uint32_t x : 5`    GNU bitfield: a 5-bit, bit-aligned integer of the same kind
 *   `void *p`           the alias declared as `void *` (pointers are only alias names)
 *
 * Member and option names lose one leading underscore (`_ret` → `ret`), `origName` keeps it.
 */
import type {
  Attribute,
  BodyEntry,
  Declarator,
  Dimension,
  EnumSpecifier,
  FieldDeclaration,
  StructSpecifier,
  TypeSpecifier,
  TypeSpecifiers,
  TypeStatement,
  VariantSpecifier,
} from './ast.js';
import { enumMappings, floatClass, integerClass, stringClass } from './basic-types.js';
import type { BasicTypeContext } from './basic-types.js';
import { cloneFieldClass, cloneInteger, cloneOptions, cloneStruct } from './clone.js';
import { fieldRefOf } from './field-refs.js';
import type { RefRegistry } from './field-refs.js';
import type { EnumClass, FieldClass, FieldRef, IntegerClass, ScopeName, StructClass, VariantOption } from '../model.js';
import { checkFieldRefs } from './ref-check.js';
import type { DeclScope, TypeTemplate, UntaggedVariant } from './scopes.js';
import { alignmentValue, smallUnsignedValue } from './values.js';

export interface TypeBuildContext extends BasicTypeContext {
  readonly env: ReadonlyMap<string, string | bigint>;
  readonly refs: RefRegistry;
}

/** Where a struct being built will be: a scope root, or a member path from one. */
interface Location {
  origin: ScopeName;
  path: string[];
}

/** A struct or variant body being built. */
interface BodyFrame {
  /** Members (options) declared so far. */
  members: VariantOption[];
  location?: Location;
  /** `nestedTypedefDepth` when the body was opened. */
  typedefDepth: number;
}

interface NamedTemplate {
  name: string;
  type: TypeTemplate;
  at: number;
}

export function stripUnderscore(name: string): string {
  return name.startsWith('_') ? name.slice(1) : name;
}

export class TypeBuilder {
  /** Struct/variant bodies being built around the current point (none: block or root level). */
  private readonly frames: BodyFrame[] = [];
  /** Typedef/typealias declarations being built inside a body. */
  private nestedTypedefDepth = 0;
  /** Basic types by their (parser-shared) attribute list: each distinct text is built once. */
  private readonly basicTypes = new WeakMap<Attribute[], FieldClass>();

  constructor(private readonly ctx: TypeBuildContext) {}

  /** Runs a `typedef`, `typealias` or bare type declaration in `scope`. */
  declare(statement: TypeStatement, scope: DeclScope): void {
    const nested = this.frames.length > 0 && statement.kind !== 'type-declaration';
    if (nested) this.nestedTypedefDepth++;
    try {
      const declared = this.declaredTemplates(statement, scope);
      // Top-level declarations are checked once here: unused ones must be valid too.
      if (this.frames.length === 0) for (const type of declared) checkFieldRefs(type, this.ctx);
    } finally {
      if (nested) this.nestedTypedefDepth--;
    }
  }

  /** The struct assigned to a scope (`packet.header := struct {…};`). */
  scopeStruct(type: TypeSpecifiers, scope: DeclScope, what: string, origin: ScopeName): StructClass {
    const template = this.specifiersType(type, scope, { origin, path: [] });
    if (template.kind !== 'struct') throw this.ctx.source.error(`${what} must be a struct`, type.at);
    return template;
  }

  private declaredTemplates(statement: TypeStatement, scope: DeclScope): TypeTemplate[] {
    const { source } = this.ctx;
    switch (statement.kind) {
      case 'typedef': {
        const named = this.declarators(statement.type, statement.declarators, scope);
        for (const { name, type, at } of named) {
          scope.declareAlias(source, name, this.tagged(type, `typedef '${name}'`, at), at);
        }
        return named.map((n) => n.type);
      }
      case 'typealias': {
        const declarator = statement.declarator;
        const [target] = declarator
          ? this.declarators(statement.type, [declarator], scope, false)
          : [{ name: '', type: this.specifiersType(statement.type, scope), at: statement.at }];
        if (target!.name !== '') {
          throw source.error(`typealias target must not declare a name ('${target!.name}')`, declarator!.at);
        }
        scope.declareAlias(source, statement.alias, this.tagged(target!.type, `typealias '${statement.alias}'`, statement.at), statement.aliasAt);
        return [target!.type];
      }
      case 'type-declaration':
        // `struct a {…} struct b {…};` declares both (ctf-testsuite struct-inner-struct).
        return statement.type.items.filter((item) => item.kind !== 'word').map((item) => this.compoundType(item, scope));
    }
  }

  /** A field class, not an untagged variant (those can only be named or used with a tag). */
  private tagged(type: TypeTemplate, what: string, at: number): FieldClass {
    if (type.kind === 'untagged-variant') {
      throw this.ctx.source.error(`${what} is a variant without tag (give it one: variant NAME <tag>)`, at);
    }
    return type;
  }

  // ── specifiers ───────────────────────────────────────────────────────────────────────────

  /** `location`: where a struct body written here will be, when known (see `fieldRef`). */
  private specifiersType(spec: TypeSpecifiers, scope: DeclScope, location?: Location): TypeTemplate {
    const items = spec.items;
    if (items.every((item) => item.kind === 'word')) {
      return this.aliasType(items.map((item) => (item as { word: string }).word).join(' '), scope, spec.at);
    }
    if (items.length > 1) throw this.ctx.source.error('invalid combination of type specifiers', items[1]!.at);
    return this.compoundType(items[0]!, scope, location);
  }

  private aliasType(name: string, scope: DeclScope, at: number): FieldClass {
    const found = scope.lookupAlias(name);
    if (!found) throw this.ctx.source.error(`unknown type '${name}'`, at);
    return cloneFieldClass(found);
  }

  /** `T *name`: the alias declared as `T *` (TSDL pointers are integers named that way). */
  private pointerType(spec: TypeSpecifiers, pointers: number, scope: DeclScope): FieldClass {
    const words = spec.items.map((item) => {
      if (item.kind === 'word') return item.word;
      if ((item.kind === 'struct' || item.kind === 'variant' || item.kind === 'enum') && item.name !== undefined && !hasBody(item)) {
        return `${item.kind} ${item.name}`;
      }
      throw this.ctx.source.error('a pointer declarator needs a type alias name (typealias … := T *;)', item.at);
    });
    const type = this.aliasType(words.join(' ') + ' *'.repeat(pointers), scope, spec.at);
    if (type.kind === 'int') type.base = 16;
    return type;
  }

  private compoundType(item: TypeSpecifier, scope: DeclScope, location?: Location): TypeTemplate {
    switch (item.kind) {
      case 'word':
        return this.aliasType(item.word, scope, item.at);
      case 'integer':
        return this.basicType(item.attributes, () => integerClass(this.ctx, item.attributes, item.at));
      case 'floating_point':
        return this.basicType(item.attributes, () => floatClass(this.ctx, item.attributes, item.at));
      case 'string':
        return this.basicType(item.attributes, () => stringClass(this.ctx, item.attributes));
      case 'struct':
        return this.structType(item, scope, location);
      case 'variant':
        return this.variantType(item, scope);
      case 'enum':
        return this.enumType(item, scope);
    }
  }

  private basicType(attributes: Attribute[], build: () => FieldClass): FieldClass {
    let template = this.basicTypes.get(attributes);
    if (!template) {
      template = build();
      this.basicTypes.set(attributes, template);
    }
    return cloneFieldClass(template);
  }

  private structType(spec: StructSpecifier, scope: DeclScope, location?: Location): StructClass {
    const { source } = this.ctx;
    const align = spec.align ? alignmentValue(source, spec.align, 'struct align') : 1;
    if (!spec.body) {
      const found = scope.lookupStruct(spec.name!);
      if (!found) throw source.error(`unknown struct '${spec.name}'`, spec.at);
      const copy = cloneStruct(found);
      copy.align = Math.max(copy.align, align);
      return copy;
    }
    if (spec.name !== undefined) scope.checkFree(source, 'struct', spec.name, spec.at);
    const members = this.body(spec.body, scope.child(), 'struct', location);
    const struct: StructClass = { kind: 'struct', members, align };
    if (spec.name !== undefined) scope.declareStruct(source, spec.name, struct, spec.at);
    return struct;
  }

  private variantType(spec: VariantSpecifier, scope: DeclScope): FieldClass | UntaggedVariant {
    const { source } = this.ctx;
    let options: VariantOption[];
    let declaredTag: FieldRef | undefined;
    if (!spec.body) {
      const found = scope.lookupVariant(spec.name!);
      if (!found) throw source.error(`unknown variant '${spec.name}'`, spec.at);
      options = cloneOptions(found.options);
      if (found.kind === 'variant') declaredTag = found.tag;
    } else {
      if (spec.name !== undefined) scope.checkFree(source, 'variant', spec.name, spec.at);
      options = this.body(spec.body, scope.child(), 'variant');
    }
    const tag = spec.tag ? this.fieldRef(spec.tag.parts, spec.tag.at, 'variant tag') : declaredTag;
    const variant: FieldClass | UntaggedVariant = tag
      ? { kind: 'variant', tag, options }
      : { kind: 'untagged-variant', options };
    if (spec.body && spec.name !== undefined) scope.declareVariant(source, spec.name, variant, spec.at);
    return variant;
  }

  private enumType(spec: EnumSpecifier, scope: DeclScope): EnumClass {
    const { source } = this.ctx;
    if (!spec.enumerators) {
      const found = scope.lookupEnum(spec.name!);
      if (!found) throw source.error(`unknown enum '${spec.name}'`, spec.at);
      return cloneFieldClass(found) as EnumClass;
    }
    if (spec.name !== undefined) scope.checkFree(source, 'enum', spec.name, spec.at);
    let container: TypeTemplate;
    if (spec.container) {
      container = this.specifiersType(spec.container, scope);
    } else {
      const int = scope.lookupAlias('int');
      if (!int) throw source.error("enumeration without container type needs a declared 'int' type", spec.at);
      container = cloneFieldClass(int);
    }
    if (container.kind !== 'int') {
      throw source.error('enumeration container must be an integer type', spec.container?.at ?? spec.at);
    }
    const enumClass: EnumClass = { kind: 'enum', container, mappings: enumMappings(this.ctx, spec.enumerators, container) };
    if (spec.name !== undefined) scope.declareEnum(source, spec.name, enumClass, spec.at);
    return enumClass;
  }

  // ── struct and variant bodies ────────────────────────────────────────────────────────────

  /** Members of a struct, or options of a variant (same shape), in declaration order. */
  private body(entries: BodyEntry[], scope: DeclScope, owner: 'struct' | 'variant', location?: Location): VariantOption[] {
    const { source } = this.ctx;
    const members: VariantOption[] = [];
    this.frames.push({ members, location, typedefDepth: this.nestedTypedefDepth });
    try {
      for (const entry of entries) {
        if (entry.kind !== 'field') {
          this.declare(entry, scope);
          continue;
        }
        const declared = this.declarators(entry.type, entry.declarators, scope, true, location && memberLocation(location, entry));
        for (const { name, type, at } of declared) {
          if (members.some((m) => m.origName === name)) {
            throw source.error(`duplicate ${owner === 'struct' ? 'field' : 'option'} '${name}' in ${owner}`, at);
          }
          members.push({ name: stripUnderscore(name), origName: name, type: this.tagged(type, `field '${name}'`, at) });
        }
      }
      return members.slice(); // trimmed: push() leaves spare capacity, and models are kept
    } finally {
      this.frames.pop();
    }
  }

  // ── declarators ──────────────────────────────────────────────────────────────────────────

  /**
   * Applies each declarator to the specifiers. The specifiers are evaluated once (a named
   * struct in them is declared once) and copied for the following declarators.
   */
  private declarators(spec: TypeSpecifiers, declarators: Declarator[], scope: DeclScope, named = true, location?: Location): NamedTemplate[] {
    let shared: TypeTemplate | undefined;
    const base = (declarator: Declarator): TypeTemplate => {
      if (declarator.pointers > 0) return this.pointerType(spec, declarator.pointers, scope);
      if (shared === undefined) {
        shared = this.specifiersType(spec, scope, location);
        return shared;
      }
      return shared.kind === 'untagged-variant' ? { kind: 'untagged-variant', options: cloneOptions(shared.options) } : cloneFieldClass(shared);
    };
    return declarators.map((declarator) => {
      const { name, type } = this.applyDeclarator(declarator, base(declarator));
      if (named && name === undefined) throw this.ctx.source.error('declarator without a name', declarator.at);
      const bitfield = declarator.bitfield ? this.bitfield(type, declarator) : type;
      return { name: name ?? '', type: bitfield, at: declarator.at };
    });
  }

  private applyDeclarator(declarator: Declarator, base: TypeTemplate): { name?: string; type: TypeTemplate } {
    let type = base;
    for (let i = declarator.dimensions.length - 1; i >= 0; i--) type = this.dimension(declarator.dimensions[i]!, type);
    if (!declarator.inner) return { name: declarator.name, type };
    if (declarator.inner.pointers > 0) {
      throw this.ctx.source.unsupported('pointers inside parenthesized declarators are not supported', declarator.inner.at);
    }
    return this.applyDeclarator(declarator.inner, type);
  }

  private dimension(dimension: Dimension, elementTemplate: TypeTemplate): FieldClass {
    const { source } = this.ctx;
    const element = this.tagged(elementTemplate, 'array element', dimension.at);
    if (dimension.kind === 'fixed') {
      if (dimension.length > BigInt(Number.MAX_SAFE_INTEGER)) throw source.error(`array length ${dimension.length} is too large`, dimension.at);
      return { kind: 'array', element, length: Number(dimension.length) };
    }
    const parts = dimension.path.parts;
    if (parts[0] === 'env' && parts.length === 2) {
      // `x[env.NAME]`: a fixed length taken from an integer environment entry.
      const value = this.ctx.env.get(parts[1]!);
      if (typeof value !== 'bigint' || value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw source.error(`array length env.${parts[1]} is not a non-negative integer environment entry`, dimension.at);
      }
      return { kind: 'array', element, length: Number(value) };
    }
    const length = this.fieldRef(parts, dimension.at, 'sequence length');
    if (length.origin === undefined && this.frames.length === 0) {
      // Relative paths resolve in the static scope of the declaration (spec §7.3.2): outside
      // any struct there is none (ctf-testsuite array-size-identifier).
      throw source.error(`sequence length '${length.text}' refers to a field, but the sequence is declared outside any struct`, dimension.at);
    }
    return { kind: 'sequence', element, length };
  }

  private bitfield(type: TypeTemplate, declarator: Declarator): FieldClass {
    const { source } = this.ctx;
    const at = declarator.bitfield!.at;
    if (declarator.dimensions.length > 0 || declarator.inner) throw source.error('a bitfield cannot be an array', at);
    const width = smallUnsignedValue(source, declarator.bitfield!, 'bitfield width');
    const int = type.kind === 'int' ? type : type.kind === 'enum' ? type.container : undefined;
    if (!int) throw source.error('only integers and enumerations can be bitfields', at);
    if (width < 1 || width > int.size) throw source.error(`bitfield width ${width} is outside 1 … ${int.size}`, at);
    const narrowed: IntegerClass = { ...cloneInteger(int), size: width, align: 1 };
    return type.kind === 'enum' ? { ...type, container: narrowed } : narrowed;
  }

  /**
   * A variant tag or sequence length. In a typedef nested in a struct, a relative path means
   * the field before the typedef in the enclosing struct (spec §4.2.2: lookups start where the
   * type is defined), which the decoder, resolving from where the type is used, could miss:
   * it is made absolute when that struct's place is known.
   */
  private fieldRef(parts: string[], at: number, what: string): FieldRef {
    const ref = fieldRefOf(this.ctx.source, { parts, at }, what);
    if (ref.origin !== undefined || this.nestedTypedefDepth === 0) return this.ctx.refs.register(ref, at, false);
    for (let f = this.frames.length - 1; f >= 0; f--) {
      const frame = this.frames[f]!;
      if (!frame.members.some((m) => m.origName === parts[0])) continue;
      if (frame.typedefDepth >= this.nestedTypedefDepth) return this.ctx.refs.register(ref, at, false); // inside the typedef itself
      if (!frame.location) break;
      const absolute: FieldRef = { origin: frame.location.origin, path: [...frame.location.path, ...parts], text: ref.text };
      return this.ctx.refs.register(absolute, at, false);
    }
    return this.ctx.refs.register(ref, at, true);
  }
}

/** A struct body written as the type of a single plain field is at `location.path + name`. */
function memberLocation(location: Location, entry: FieldDeclaration): Location | undefined {
  const [type] = entry.type.items;
  const [only, more] = entry.declarators;
  if (type?.kind !== 'struct' || !type.body || !only || more || only.name === undefined) return undefined;
  if (only.pointers > 0 || only.dimensions.length > 0 || only.bitfield) return undefined;
  return { origin: location.origin, path: [...location.path, only.name] };
}

function hasBody(item: StructSpecifier | VariantSpecifier | EnumSpecifier): boolean {
  return item.kind === 'enum' ? item.enumerators !== undefined : item.body !== undefined;
}
