/**
 * A cache of parsed and checked metadata: a kernel trace declares ~1000 event classes, whose
 * parsing and layout checks take most of the time a short command runs. The model is stored
 * with `v8.serialize` (keeps Maps, bigints, byte arrays and shared objects) under the SHA-1 of
 * the metadata's path and bytes, once the whole layout was checked, in
 * `$TRACELANE_CACHE_DIR` or `$XDG_CACHE_HOME/tracelane` (default `~/.cache/tracelane`).
 * `TRACELANE_CACHE_DIR=off` disables it. Only metadata of 64 KiB or more is cached (kernel
 * traces). Any problem with the cache only means parsing again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { TraceClass } from './model.js';

/** Bump when the model's shape or the parser's output changes. */
const FORMAT = 'metadata-v1';

/** Models read from the cache: their layouts were checked when they were stored. */
const checked = new WeakSet<TraceClass>();
/** Cache keys of the models parsed in this process, to store them once checked. */
const keys = new WeakMap<TraceClass, string>();

function cacheDir(): string | undefined {
  const env = process.env['TRACELANE_CACHE_DIR'];
  if (env === 'off') return undefined;
  if (env) return join(env, FORMAT);
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'tracelane', FORMAT);
}

/** Smaller metadata (user-space traces, test fixtures) parses in a few ms: not worth a file. */
export const CACHE_MIN_BYTES = 64 * 1024;

/** The path is part of the key: the model's warnings name the file. */
export function metadataKey(path: string, bytes: Uint8Array): string {
  return createHash('sha1').update(resolve(path)).update('\0').update(bytes).digest('hex');
}

/** The cached model of these metadata bytes, if any. */
export function cachedModel(key: string): TraceClass | undefined {
  const dir = cacheDir();
  if (!dir) return undefined;
  try {
    const cls = deserialize(readFileSync(join(dir, `${key}.bin`))) as TraceClass;
    checked.add(cls);
    return cls;
  } catch {
    return undefined;
  }
}

export function rememberKey(cls: TraceClass, key: string): void {
  keys.set(cls, key);
}

/** Was this model's layout already checked (it came from the cache)? */
export function isChecked(cls: TraceClass): boolean {
  return checked.has(cls);
}

/** Stores a model whose layout was just checked (errors writing the cache are ignored). */
export function storeChecked(cls: TraceClass): void {
  const key = keys.get(cls);
  const dir = cacheDir();
  if (!key || !dir || checked.has(cls)) return;
  checked.add(cls);
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `${key}.${process.pid}.tmp`);
    writeFileSync(tmp, serialize(cls));
    renameSync(tmp, join(dir, `${key}.bin`));
  } catch {
    // A read-only home, a full disk: the next run parses again.
  }
}
