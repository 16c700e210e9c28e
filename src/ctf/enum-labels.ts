/** Enumeration labels of a value (used by the text and the JSON event formats). */
import type { EnumClass } from './model.js';

/** Enumeration labels matching a value, in declaration order. */
export function enumLabels(e: EnumClass, v: number | bigint): string[] {
  const labels: string[] = [];
  const b = BigInt(v);
  for (const m of e.mappings) {
    if (m.ranges.some(([lo, hi]) => b >= lo && b <= hi)) labels.push(m.label);
  }
  return labels;
}
