/**
 * Putting perf's kernel trace and the LTTng trace of the same recording on one clock.
 *
 * Both record raw CLOCK_MONOTONIC nanoseconds (LTTng-UST always; perf with `-k CLOCK_MONOTONIC`).
 * What differs is the metadata: LTTng's clock class carries the offset to the Unix epoch that
 * the tracer sampled at session start, and the boot id as UUID; perf's converter writes offset 0
 * (or, with --tod, an offset from its own, microsecond, reference time) and a random UUID. We
 * give the perf trace's clock exactly LTTng's offset and UUID, so that
 *
 *   - every reader converts the same raw value to the same time in both traces (the order of
 *     UST and kernel events is the order of their CLOCK_MONOTONIC stamps), and
 *   - babeltrace2 accepts to merge them (it takes LTTng's clock as absolute, i.e. from the Unix
 *     epoch, and merges it only with absolute clocks), like `tracelane events`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findTraceDirs } from '../ctf/discover.js';
import { loadMetadata } from '../ctf/metadata.js';
import { RecordError } from './errors.js';

export interface ClockReference {
  uuid?: string;
  frequency: bigint;
  offsetSeconds: bigint;
  offsetCycles: bigint;
  /** Where it comes from, for the record manifest (e.g. `ust/uid/0/64-bit/metadata`). */
  source: string;
}

/** The `monotonic` clock of the first LTTng trace below `dir` (perf's own trace excluded). */
export function lttngClockReference(dir: string, exclude?: string): ClockReference | undefined {
  let dirs;
  try {
    dirs = findTraceDirs(dir);
  } catch {
    return undefined;
  }
  for (const d of dirs) {
    if (exclude && d.dir.startsWith(exclude)) continue;
    const cls = loadMetadata(d.metadataPath);
    const tracer = cls.env.get('tracer_name');
    if (typeof tracer !== 'string' || !tracer.startsWith('lttng')) continue;
    const clock = cls.clocks.find((c) => c.name === 'monotonic') ?? cls.clocks[0];
    if (!clock) continue;
    return {
      uuid: clock.uuid,
      frequency: clock.frequency,
      offsetSeconds: clock.offsetSeconds,
      offsetCycles: clock.offsetCycles,
      source: relative(dir, d.metadataPath) || d.metadataPath,
    };
  }
  return undefined;
}

function setField(body: string, re: RegExp, line: string): string {
  if (re.test(body)) return body.replace(re, line);
  return body.replace(/\n(\s*)name\s*=[^;]*;/, (m, indent: string) => `${m}\n${indent}${line}`);
}

/**
 * The TSDL text with its (first) clock block given the reference's offset and UUID. The clock
 * frequencies must agree (both are nanoseconds for LTTng and perf).
 */
export function alignClockText(tsdl: string, ref: ClockReference): string {
  const m = /(^|\n)clock\s*\{([\s\S]*?)\n\};/.exec(tsdl);
  if (!m) throw new RecordError('perf trace metadata has no clock block to align');
  let body = m[2]!;
  const freq = /\bfreq\s*=\s*(\d+)\s*;/.exec(body);
  const frequency = freq ? BigInt(freq[1]!) : 1_000_000_000n;
  if (frequency !== ref.frequency) {
    throw new RecordError(`cannot align clocks: perf's clock runs at ${frequency} Hz, the LTTng clock at ${ref.frequency} Hz`);
  }
  if (ref.uuid) body = setField(body, /\buuid\s*=\s*"[^"]*"\s*;/, `uuid = "${ref.uuid}";`);
  body = setField(body, /\boffset_s\s*=\s*-?\d+\s*;/, `offset_s = ${ref.offsetSeconds};`);
  body = setField(body, /\boffset\s*=\s*-?\d+\s*;/, `offset = ${ref.offsetCycles};`);
  // With LTTng's offset the clock counts from the Unix epoch; babeltrace2 treats LTTng's own
  // clock as absolute and merges only clocks that agree on that.
  body = setField(body, /\babsolute\s*=\s*\w+\s*;/, 'absolute = TRUE;');
  const note = `/* tracelane record: offset and uuid set from the LTTng clock (${ref.source}), same CLOCK_MONOTONIC */`;
  const start = m.index + m[1]!.length;
  return `${tsdl.slice(0, start)}${note}\nclock {${body}\n};${tsdl.slice(m.index + m[0].length)}`;
}

/** Rewrites the perf trace's plain-text metadata in place. */
export function alignPerfTrace(perfDir: string, ref: ClockReference): void {
  const path = join(perfDir, 'metadata');
  const text = readFileSync(path, 'utf8');
  if (!text.startsWith('/* CTF 1.8 */')) {
    throw new RecordError(`${path}: expected perf's plain-text CTF 1.8 metadata`);
  }
  writeFileSync(path, alignClockText(text, ref));
}
