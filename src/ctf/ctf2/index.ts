/**
 * CTF 2 metadata front end: a JSON text sequence (plain, or packetized per CTF2-PMETA-1.0) →
 * the trace model of `../model.ts`.
 *
 * Reads the final CTF 2 syntax (CTF2-SPEC-2.0, as LTTng 2.15 and babeltrace 2.1 write it) and
 * the pre-final draft that Trace Compass' CTF 2 test traces use (enumeration field classes,
 * `default-clock-class-name`, field locations as bare arrays, UUIDs as byte arrays, …); draft
 * syntax earns one warning listing what was met.
 */
import type { TraceClass } from '../model.js';
import { FragmentContext, Warnings } from './context.js';
import type { MetadataSource } from './context.js';
import { TraceBuilder } from './fragments.js';
import { depacketize, isPacketizedCtf2 } from './packetized.js';
import { fragmentsOf } from './text-sequence.js';

const RECORD_SEPARATOR = 0x1e;

/** Whether metadata bytes are CTF 2: a record separator first, possibly after a metadata packet header. */
export function isCtf2(bytes: Uint8Array): boolean {
  return (bytes.length > 0 && bytes[0] === RECORD_SEPARATOR) || isPacketizedCtf2(bytes);
}

/**
 * Parses CTF 2 metadata. Throws `TraceFormatError` (or `UnsupportedTraceError` for valid CTF 2
 * this reader cannot decode) naming `file`, the fragment and the byte offset in `file`.
 */
export function parseCtf2(bytes: Uint8Array, file: string): TraceClass {
  const warnings = new Warnings();
  const source: MetadataSource = isPacketizedCtf2(bytes)
    ? depacketize(bytes, file, warnings)
    : { file, text: bytes, fileOffset: (offset) => offset };
  const builder = new TraceBuilder();
  for (const fragment of fragmentsOf(source)) {
    builder.handle(new FragmentContext(source, warnings, fragment.index, fragment.offset, fragment.type), fragment.json);
  }
  if (warnings.draftFeatures.size > 0) {
    warnings.add(`${file}: pre-final CTF 2 draft syntax: ${[...warnings.draftFeatures].join(', ')}`);
  }
  return builder.finish(file, warnings.list);
}
