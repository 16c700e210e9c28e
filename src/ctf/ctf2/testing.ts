/**
 * Test helpers for the CTF 2 front end (used by the `*.test.ts` files only): building metadata
 * text sequences inline, and finding the shared trace corpus.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import type { EventClass, StructClass, TraceClass } from '../model.js';

/** A metadata stream: each fragment is an object (JSON.stringify'd) or raw JSON text. */
export function metadata(...fragments: (string | object)[]): Uint8Array {
  const text = fragments.map((f) => `\x1e${typeof f === 'string' ? f : JSON.stringify(f, null, 2)}\n`).join('');
  return new TextEncoder().encode(text);
}

export const PREAMBLE = { type: 'preamble', version: 2 };
export const STREAM = { type: 'data-stream-class' };

export function uint(length: number, extra: object = {}): object {
  return { type: 'fixed-length-unsigned-integer', length, 'byte-order': 'little-endian', alignment: 8, ...extra };
}

export function member(name: string, fieldClass: object | string): object {
  return { name, 'field-class': fieldClass };
}

export function struct(...members: object[]): object {
  return { type: 'structure', 'member-classes': members };
}

/** Metadata with one stream class and one event class whose payload has `members`. */
export function withPayload(...members: object[]): Uint8Array {
  return metadata(PREAMBLE, STREAM, { type: 'event-record-class', name: 'ev', 'payload-field-class': struct(...members) });
}

export function onlyEvent(trace: TraceClass): EventClass {
  const event = trace.streams.get(0n)?.events.get(0n);
  if (!event) throw new Error('no event record class 0 in data stream class 0');
  return event;
}

export function payloadOf(trace: TraceClass): StructClass {
  const payload = onlyEvent(trace).payload;
  if (!payload) throw new Error('event record class without payload');
  return payload;
}

/** Byte offset of the first occurrence of `needle` in `bytes` (to check error positions). */
export function offsetOf(bytes: Uint8Array, needle: string): number {
  const text = new TextDecoder().decode(bytes);
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" not in the metadata`);
  return new TextEncoder().encode(text.slice(0, at)).length;
}

/**
 * The shared trace corpus: `<repo root>/../shared/traces`, the repo root being the nearest
 * folder above this file holding package.json. Missing: the test is skipped with a notice,
 * unless CI=true, where it fails.
 */
export function corpusDir(t: TestContext): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no package.json above the test file');
    dir = parent;
  }
  const corpus = join(dir, '..', 'shared', 'traces');
  if (existsSync(corpus)) return corpus;
  if (process.env.CI === 'true') throw new Error(`trace corpus missing: ${corpus}`);
  t.skip(`trace corpus not found at ${corpus}`);
  return undefined;
}
