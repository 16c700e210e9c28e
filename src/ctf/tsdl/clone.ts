/**
 * Every use of a declared type gets its own copy of the field classes: later passes annotate
 * them per field (`roles`, `mappedClock`), which must not leak to other uses of the same alias.
 * Immutable parts (field references, enum mappings) are shared.
 */
import type { FieldClass, IntegerClass, StructClass, VariantOption } from '../model.js';

export function cloneInteger(fc: IntegerClass): IntegerClass {
  // Explicit fields (not a spread): one object shape for all integers, and this runs per field.
  const copy: IntegerClass = {
    kind: 'int',
    size: fc.size,
    align: fc.align,
    signed: fc.signed,
    byteOrder: fc.byteOrder,
    base: fc.base,
    encoding: fc.encoding,
  };
  if (fc.mappedClock !== undefined) copy.mappedClock = fc.mappedClock;
  if (fc.roles) copy.roles = [...fc.roles];
  if (fc.variableLength !== undefined) copy.variableLength = fc.variableLength;
  return copy;
}

export function cloneStruct(fc: StructClass): StructClass {
  return {
    kind: 'struct',
    members: fc.members.map((m) => ({ name: m.name, origName: m.origName, type: cloneFieldClass(m.type) })),
    align: fc.align,
  };
}

export function cloneOptions(options: VariantOption[]): VariantOption[] {
  return options.map((o) => ({ ...o, type: cloneFieldClass(o.type) }));
}

export function cloneFieldClass(fc: FieldClass): FieldClass {
  switch (fc.kind) {
    case 'int':
      return cloneInteger(fc);
    case 'enum':
      return { kind: 'enum', container: cloneInteger(fc.container), mappings: fc.mappings };
    case 'float':
    case 'string':
      return { ...fc };
    case 'struct':
      return cloneStruct(fc);
    case 'variant':
      return { kind: 'variant', tag: fc.tag, options: cloneOptions(fc.options) };
    case 'array':
      return { kind: 'array', element: cloneFieldClass(fc.element), length: fc.length };
    case 'sequence':
      return { kind: 'sequence', element: cloneFieldClass(fc.element), length: fc.length };
    default:
      // CTF 2-only kinds never come out of TSDL; copy them shallowly all the same.
      return { ...fc };
  }
}
