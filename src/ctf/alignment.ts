/** Alignment rules shared by the metadata front ends and the decoder generator. */
import type { FieldClass } from './model.js';

/**
 * Alignment (bits) of a field class, as used before reading it: a structure's is the largest of
 * its members' and its own minimum; an array's is its element's; a variant's or optional's
 * depends on the data (the chosen field aligns itself), so counts as 1.
 */
export function alignmentOf(fc: FieldClass): number {
  switch (fc.kind) {
    case 'int':
      return fc.variableLength ? 8 : fc.align;
    case 'enum':
      return alignmentOf(fc.container);
    case 'float':
    case 'bool':
    case 'bit-array':
      return fc.align;
    case 'string':
    case 'counted-string':
    case 'blob':
      return 8;
    case 'struct': {
      let a = Math.max(1, fc.align);
      for (const m of fc.members) a = Math.max(a, alignmentOf(m.type));
      return a;
    }
    case 'array':
    case 'sequence':
      return alignmentOf(fc.element);
    case 'variant':
    case 'optional':
      return 1;
  }
}

