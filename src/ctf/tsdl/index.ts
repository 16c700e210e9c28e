/**
 * CTF 1.8 metadata front end: TSDL text (from `readMetadataText`) → trace model.
 *
 *   const metadata = readMetadataText(bytes, path);
 *   const trace = parseTsdl(metadata.text, path, metadata);   // options: cross-checks, optional
 */
import type { TraceClass } from '../model.js';
import { parseTsdlText } from './parser.js';
import { TsdlSource } from './source.js';
import { metadataToModel } from './to-model.js';
import type { TsdlOptions } from './to-model.js';

export type { TsdlOptions } from './to-model.js';
export { readMetadataText } from './packetized.js';
export type { MetadataText } from './packetized.js';

/**
 * Parses TSDL metadata text into a `TraceClass` (roles are not assigned here). Throws
 * `TraceFormatError` (or `UnsupportedTraceError`) naming `file` and the byte offset of the
 * offending token in `text`. Pass the `readMetadataText` result as `options` to skip the text
 * signature check of packetized metadata and to check the packet byte order and UUID.
 */
export function parseTsdl(text: string, file: string, options: TsdlOptions = {}): TraceClass {
  const source = new TsdlSource(text, file);
  return metadataToModel(parseTsdlText(source), source, options);
}
