/**
 * A one-line rendering of a field class layout that reads the same for a CTF 2 trace and its
 * CTF 1.8 twin (used by the twin tests). It folds the differences that are expected between the
 * two front ends:
 *   - TSDL strips one leading underscore from field names (the model's `name` already has it
 *     stripped), and from the targets of length/selector references (done here);
 *   - a TSDL text array/sequence (8-bit integers with an encoding) is a CTF 2 static/dynamic-
 *     length string: both are `text[N]`;
 *   - a TSDL array/sequence of plain unsigned bytes is a CTF 2 blob: both are `bytes[N]`;
 *   - enum labels are listed sorted (a CTF 2 producer may write them in another order);
 *   - roles are ignored (TSDL gets them later, from names).
 */
import type { FieldClass, FieldRef, IntegerClass, TraceClass } from '../model.js';

export function layoutSignature(fc: FieldClass | undefined, trace: Pick<TraceClass, 'ctfVersion'>): string {
  if (!fc) return '-';
  const sig = (x: FieldClass) => layoutSignature(x, trace);
  const target = (len: number | FieldRef) => (typeof len === 'number' ? String(len) : refTarget(len, trace.ctfVersion));
  switch (fc.kind) {
    case 'int':
      return intSignature(fc);
    case 'enum': {
      const labels = fc.mappings
        .map((m) => `${m.label}=${m.ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}..${hi}`)).join('|')}`)
        .sort();
      return `enum<${intSignature(fc.container)}>{${labels.join(',')}}`;
    }
    case 'float':
      return `f${fc.size}@${fc.align}${fc.byteOrder}`;
    case 'string':
      return 'string';
    case 'counted-string':
      return `text[${target(fc.length)}]`;
    case 'blob':
      return `bytes[${target(fc.length)}]`;
    case 'bool':
      return `bool${fc.size}@${fc.align}${fc.byteOrder}`;
    case 'bit-array':
      return `bits${fc.size}@${fc.align}${fc.byteOrder}${fc.flags ? `{${fc.flags.map((f) => f.name).join(',')}}` : ''}`;
    case 'struct':
      return `{${fc.members.map((m) => `${m.name}:${sig(m.type)}`).join(',')}}${fc.align > 1 ? `@${fc.align}` : ''}`;
    case 'array':
    case 'sequence': {
      const el = fc.element;
      if (el.kind === 'int' && el.size === 8 && !el.variableLength) {
        if (el.encoding !== 'none') return `text[${target(fc.length)}]`;
        if (!el.signed && el.align === 8) return `bytes[${target(fc.length)}]`;
      }
      return `${sig(el)}[${target(fc.length)}]`;
    }
    case 'variant':
      return `variant<${refTarget(fc.tag, trace.ctfVersion)}>{${fc.options.map((o) => `${o.name}:${sig(o.type)}`).join(',')}}`;
    case 'optional':
      return `optional<${refTarget(fc.selector, trace.ctfVersion)}>(${sig(fc.type)})`;
  }
}

function intSignature(fc: IntegerClass): string {
  if (fc.variableLength) return `${fc.signed ? 's' : 'u'}leb${fc.base === 10 ? '' : `x${fc.base}`}`;
  const base = fc.base === 10 ? '' : `x${fc.base}`;
  const clock = fc.mappedClock === undefined ? '' : `~${fc.mappedClock}`;
  return `${fc.signed ? 's' : 'u'}${fc.size}@${fc.align}${fc.byteOrder}${base}${clock}`;
}

/** The referenced field's name as shown (TSDL references use the written, unstripped names). */
function refTarget(ref: FieldRef, ctfVersion: 1 | 2): string {
  const last = ref.path[ref.path.length - 1] ?? '';
  return ctfVersion === 1 && last.startsWith('_') ? last.slice(1) : last;
}
