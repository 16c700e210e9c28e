/**
 * JSON text with exact integers beyond 2^53: bigints, and `{ $bigint: "…" }` markers, are written
 * as bare JSON numbers. Kept apart from json-format (event JSON) so that reports that only print a
 * document do not load the text formatter.
 */

/** JSON text where `{ "$bigint": "123" }` markers are written as the bare number 123. */
export function stringifyExact(value: unknown): string {
  const s = JSON.stringify(value);
  // Most documents have no marker: skip the regular-expression pass over the whole text.
  return s.includes('{"$bigint":"') ? s.replace(/\{"\$bigint":"(-?\d+)"\}/g, '$1') : s;
}

type WithToJson = { toJSON?: (this: bigint) => unknown };

function bigintMarker(this: bigint): { $bigint: string } {
  return { $bigint: this.toString() };
}

/**
 * JSON text of any value, bigints anywhere in it written as exact integers. JSON.stringify asks a
 * bigint for `toJSON` before refusing it, so a temporary `BigInt.prototype.toJSON` turns bigints
 * into markers during the one stringify, without a copy of the document.
 */
export function jsonWithBigints(doc: unknown): string {
  const proto = BigInt.prototype as WithToJson;
  const before = Object.getOwnPropertyDescriptor(proto, 'toJSON');
  Object.defineProperty(proto, 'toJSON', { value: bigintMarker, configurable: true, writable: true });
  try {
    return stringifyExact(doc);
  } finally {
    if (before) Object.defineProperty(proto, 'toJSON', before);
    else delete proto.toJSON;
  }
}
