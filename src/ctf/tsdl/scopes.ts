/**
 * Lexical declaration scopes (spec §7.3.1): the root, each trace/env/clock/stream/event/callsite
 * block and each struct/variant body declares its own type aliases (`typealias`, `typedef`) and
 * named `struct`/`variant`/`enum` types. Inner scopes see outer ones; redeclaring a name in the
 * same scope is an error, hiding an outer one is allowed. Aliases and struct/variant/enum names
 * are separate name spaces, as in C.
 */
import type { EnumClass, FieldClass, StructClass, VariantClass, VariantOption } from '../model.js';
import type { TsdlSource } from './source.js';

/** A variant declared without a tag: usable only as `variant NAME <tag>`. */
export interface UntaggedVariant {
  kind: 'untagged-variant';
  options: VariantOption[];
}

/** What a type specifier denotes before a field gets it: a field class, or an untagged variant. */
export type TypeTemplate = FieldClass | UntaggedVariant;

type Space = 'alias' | 'struct' | 'variant' | 'enum';

const SPACE_LABEL: Record<Space, string> = {
  alias: 'type',
  struct: 'struct',
  variant: 'variant',
  enum: 'enum',
};

export class DeclScope {
  // Created on first declaration: most scopes (event blocks, struct bodies) declare nothing.
  private aliases?: Map<string, FieldClass>;
  private structs?: Map<string, StructClass>;
  private variants?: Map<string, VariantClass | UntaggedVariant>;
  private enums?: Map<string, EnumClass>;

  constructor(readonly parent?: DeclScope) {}

  child(): DeclScope {
    return new DeclScope(this);
  }

  lookupAlias(name: string): FieldClass | undefined {
    return this.aliases?.get(name) ?? this.parent?.lookupAlias(name);
  }

  lookupStruct(name: string): StructClass | undefined {
    return this.structs?.get(name) ?? this.parent?.lookupStruct(name);
  }

  lookupVariant(name: string): VariantClass | UntaggedVariant | undefined {
    return this.variants?.get(name) ?? this.parent?.lookupVariant(name);
  }

  lookupEnum(name: string): EnumClass | undefined {
    return this.enums?.get(name) ?? this.parent?.lookupEnum(name);
  }

  /** Fails when `name` is already declared in this very scope (not in an outer one). */
  checkFree(source: TsdlSource, space: Space, name: string, at: number): void {
    if (this.mapOf(space)?.has(name)) {
      const shown = space === 'alias' ? name : `${SPACE_LABEL[space]} ${name}`;
      throw source.error(`${SPACE_LABEL[space]} '${shown}' is already declared in this scope`, at);
    }
  }

  declareAlias(source: TsdlSource, name: string, type: FieldClass, at: number): void {
    this.checkFree(source, 'alias', name, at);
    (this.aliases ??= new Map()).set(name, type);
  }

  declareStruct(source: TsdlSource, name: string, type: StructClass, at: number): void {
    this.checkFree(source, 'struct', name, at);
    (this.structs ??= new Map()).set(name, type);
  }

  declareVariant(source: TsdlSource, name: string, type: VariantClass | UntaggedVariant, at: number): void {
    this.checkFree(source, 'variant', name, at);
    (this.variants ??= new Map()).set(name, type);
  }

  declareEnum(source: TsdlSource, name: string, type: EnumClass, at: number): void {
    this.checkFree(source, 'enum', name, at);
    (this.enums ??= new Map()).set(name, type);
  }

  private mapOf(space: Space): Map<string, unknown> | undefined {
    switch (space) {
      case 'alias':
        return this.aliases;
      case 'struct':
        return this.structs;
      case 'variant':
        return this.variants;
      case 'enum':
        return this.enums;
    }
  }
}
