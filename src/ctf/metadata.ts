/**
 * Loads a trace's metadata file, whatever its form — CTF 2 JSON text sequence, packetized CTF 1.8
 * or plain TSDL text — into the trace model, with meanings assigned.
 */
import { readFileSync } from 'node:fs';
import { isCtf2, parseCtf2 } from './ctf2/index.js';
import { assignMeanings } from './meanings.js';
import { CACHE_MIN_BYTES, cachedModel, metadataKey, rememberKey } from './metadata-cache.js';
import type { TraceClass } from './model.js';
import { parseTsdl } from './tsdl/index.js';
import { readMetadataText } from './tsdl/packetized.js';
import { TraceFormatError } from '../util/errors.js';

export function loadMetadata(path: string): TraceClass {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new TraceFormatError(`cannot read metadata: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, path);
  }
  if (bytes.length === 0) throw new TraceFormatError('empty metadata file', path, 0);
  const key = bytes.length >= CACHE_MIN_BYTES ? metadataKey(path, bytes) : undefined;
  const cached = key !== undefined ? cachedModel(key) : undefined;
  if (cached) return cached;
  let trace: TraceClass;
  if (isCtf2(bytes)) trace = parseCtf2(bytes, path);
  else {
    // The packet headers tell the byte order and UUID the TSDL text must agree with.
    const text = readMetadataText(bytes, path);
    trace = parseTsdl(text.text, path, text);
  }
  assignMeanings(trace);
  if (key !== undefined) rememberKey(trace, key);
  return trace;
}
