/**
 * The metadata stream is a JSON text sequence (RFC 7464): each fragment is a record separator
 * (0x1E) followed by one JSON object, usually then a newline. JSON escapes control characters
 * inside strings, so every raw 0x1E byte starts a record.
 */
import { TraceFormatError } from '../../util/errors.js';
import type { MetadataSource } from './context.js';
import { JsonObject, JsonSyntaxError, parseJson } from './json.js';
import type { JsonValue } from './json.js';

const RECORD_SEPARATOR = 0x1e;

export interface RawFragment {
  index: number;
  /** Text offset of the record separator. */
  offset: number;
  json: JsonObject;
  /** The fragment's `type` (checked to be a string). */
  type: string;
}

export function* fragmentsOf(source: MetadataSource): Iterable<RawFragment> {
  const { text } = source;
  function fail(message: string, at: number): never {
    throw new TraceFormatError(message, source.file, source.fileOffset(at));
  }
  let start = text.indexOf(RECORD_SEPARATOR);
  if (start < 0 || !isBlank(text, 0, start)) fail('CTF 2 metadata must start with a record separator (0x1E)', 0);
  for (let index = 0; start < text.length; index++) {
    let end = text.indexOf(RECORD_SEPARATOR, start + 1);
    if (end < 0) end = text.length;
    if (isBlank(text, start + 1, end)) fail(`fragment #${index} is empty`, start);
    let json: JsonValue;
    try {
      json = parseJson(text, start + 1, end).value;
    } catch (e) {
      if (e instanceof JsonSyntaxError) fail(`fragment #${index}: ${e.message}`, e.offset);
      throw e;
    }
    if (!(json instanceof JsonObject)) fail(`fragment #${index}: a fragment must be a JSON object`, start + 1);
    const type = json.props.get('type');
    if (!type) fail(`fragment #${index}: fragment without "type"`, start + 1);
    if (typeof type.value !== 'string') fail(`fragment #${index}: fragment "type" must be a string`, type.offset);
    yield { index, offset: start, json, type: type.value };
    start = end;
  }
}

function isBlank(text: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}
