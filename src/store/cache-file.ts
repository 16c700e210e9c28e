/**
 * Analysis results written to one file, so that a later command on the same trace loads them
 * instead of reading the trace again (the web server's analysis, the CLI's kernel model).
 *
 *   file  = "TLCACHE\n" | u32 JSON length | u32 0 | JSON | zero padding to 8 | blob
 *   JSON  = the value, where each typed array is { "$ta": "Float64Array", "o": offset in the
 *           blob, "n": length }, Maps { "$map": [[k, v]…] }, Sets { "$set": […] }, interval
 *           tables { "$it": {…} }, non-finite numbers { "$n": "NaN" } and bigints { "$b": "123" }
 *
 * Values are plain data: objects come back as plain objects (their fields, not their classes).
 * Files live in $TRACELANE_CACHE_DIR (`off` disables every cache), else
 * $XDG_CACHE_HOME/tracelane, else ~/.cache/tracelane, named by a hash of what produced them:
 * a format version, the code of the modules that shape the results (by content, since every
 * build rewrites every file) and every trace file's path, size and modification time. The folder
 * is kept under a budget (`TRACELANE_CACHE_MAX_MB`, default 4096): writing a file removes the
 * least recently used ones beyond it (reading a file marks it used).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceSet } from '../ctf/trace-set.js';
import { IntervalTable } from './interval-table.js';

const MAGIC = Buffer.from('TLCACHE\n', 'latin1');
const HEAD_BYTES = 16;

type TypedArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

const CTORS: Record<string, new (buf: ArrayBuffer, off: number, n: number) => TypedArray> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
};

/** The cache folder, or undefined when caching is off (`TRACELANE_CACHE_DIR=off`). */
export function cacheDir(): string | undefined {
  const own = process.env['TRACELANE_CACHE_DIR'];
  if (own === 'off') return undefined;
  if (own) return own;
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'tracelane');
}

/**
 * What identifies a trace set's files for the cache: every file's path, size and modification
 * time (a changed or re-recorded trace is another trace).
 */
export function traceIdentity(set: TraceSet): string {
  const files: [string, number, number][] = [];
  for (const t of set.traces) {
    const paths = [t.metadataPath, ...t.streams.flatMap((s) => s.files.map((f) => f.path))];
    for (const p of paths) {
      const st = statSync(p);
      files.push([p, st.size, st.mtimeMs]);
    }
  }
  files.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify(files);
}

/**
 * The cache file for results of `kind` on the trace set of `identity` (`traceIdentity`): `code`
 * are the folders or modules (URLs) whose code shapes those results.
 */
export function cacheFileName(dir: string, kind: string, identity: string, code: readonly URL[]): string {
  const hash = createHash('sha256').update(JSON.stringify({ kind, code: codeStamp(code), files: identity })).digest('hex').slice(0, 32);
  return join(dir, `${hash}.tlcache`);
}

const stamps = new Map<string, string>();

/** A hash of the contents of these modules (a folder: its .js files, tests excepted). */
function codeStamp(code: readonly URL[]): string {
  const key = code.map(String).join('\n');
  let stamp = stamps.get(key);
  if (stamp === undefined) {
    const h = createHash('sha256');
    for (const url of code) {
      const path = fileURLToPath(url);
      try {
        const files = statSync(path).isDirectory()
          ? readdirSync(path).filter((f) => f.endsWith('.js') && !f.endsWith('.test.js')).sort().map((f) => join(path, f))
          : [path];
        for (const f of files) h.update(f).update(readFileSync(f));
      } catch {
        h.update(path);
      }
    }
    stamp = h.digest('hex');
    stamps.set(key, stamp);
  }
  return stamp;
}

/** Encodes any plain-data value (see the top) into JSON text and a list of binary chunks. */
function encode(value: unknown): { json: string; chunks: Uint8Array[] } {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $n: String(v) };
    if (typeof v === 'bigint') return { $b: v.toString() };
    if (v === undefined || typeof v === 'function') return undefined;
    if (ArrayBuffer.isView(v)) {
      const ta = v as TypedArray;
      const o = bytes;
      const raw = new Uint8Array(ta.buffer, ta.byteOffset, ta.byteLength);
      chunks.push(raw);
      bytes += raw.byteLength;
      const pad = (8 - (bytes % 8)) % 8;
      if (pad) {
        chunks.push(new Uint8Array(pad));
        bytes += pad;
      }
      return { $ta: ta.constructor.name, o, n: ta.length };
    }
    if (Array.isArray(v)) return v.map((x) => walk(x) ?? null);
    if (v instanceof Map) return { $map: [...v].map(([k, x]) => [walk(k), walk(x)]) };
    if (v instanceof Set) return { $set: [...v].map(walk) };
    if (v instanceof IntervalTable) {
      return { $it: walk({ rowOffset: v.rowOffset, start: v.start, end: v.end, state: v.state, arg: v.arg, aux: v.aux, endTime: v.endTime }) };
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as object)) {
      const e = walk(x);
      if (e !== undefined) out[k] = e;
    }
    return out;
  };
  const json = JSON.stringify(walk(value));
  return { json, chunks };
}

function decode(json: string, blob: ArrayBuffer): unknown {
  return JSON.parse(json, (_key, v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    if (typeof o['$ta'] === 'string') {
      const Ctor = CTORS[o['$ta']];
      if (!Ctor) throw new Error(`unknown array type ${o['$ta']}`);
      return new Ctor(blob, o['o'] as number, o['n'] as number);
    }
    if ('$n' in o) return Number(o['$n']);
    if ('$b' in o) return BigInt(o['$b'] as string);
    if ('$map' in o) return new Map(o['$map'] as [unknown, unknown][]);
    if ('$set' in o) return new Set(o['$set'] as unknown[]);
    if ('$it' in o) {
      const t = o['$it'] as { rowOffset: Int32Array; start: Float64Array; end: Float64Array; state: Uint8Array; arg: Int32Array; aux: Int32Array; endTime: number };
      return new IntervalTable(t.rowOffset, t.start, t.end, t.state, t.arg, t.aux, t.endTime);
    }
    return v;
  });
}

/** Writes the value (atomically: a temporary file renamed over the cache file). */
export function writeCacheFile(file: string, value: unknown): void {
  const { json, chunks } = encode(value);
  const jsonBytes = Buffer.from(json, 'utf8');
  const head = Buffer.alloc(HEAD_BYTES);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(jsonBytes.length, 8);
  const pad = (8 - ((HEAD_BYTES + jsonBytes.length) % 8)) % 8;
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    for (const c of [head, jsonBytes, Buffer.alloc(pad), ...chunks]) writeAll(fd, c);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  try {
    pruneCacheDir(join(file, '..'), file);
  } catch {
    // The budget is kept on a best-effort basis: an unlistable folder keeps its files.
  }
}

const DEFAULT_BUDGET_MB = 4096;

function cacheBudget(): number {
  const mb = Number(process.env['TRACELANE_CACHE_MAX_MB']);
  return (Number.isFinite(mb) && mb >= 0 ? mb : DEFAULT_BUDGET_MB) * 2 ** 20;
}

/**
 * Removes the least recently used cache files of `dir` (by modification time, which reading
 * renews) until they fit the budget; `keep`, the file just written, stays whatever its size.
 */
export function pruneCacheDir(dir: string, keep: string, budget = cacheBudget()): void {
  const files: { path: string; size: number; used: number }[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.tlcache')) continue;
    const path = join(dir, name);
    try {
      const st = statSync(path);
      files.push({ path, size: st.size, used: st.mtimeMs });
    } catch {
      // Removed meanwhile by another tracelane.
    }
  }
  let total = files.reduce((n, f) => n + f.size, 0);
  files.sort((a, b) => a.used - b.used);
  for (const f of files) {
    if (total <= budget) break;
    if (f.path === keep) continue;
    rmSync(f.path, { force: true });
    total -= f.size;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

function readAll(fd: number, into: Uint8Array, position: number): boolean {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) return false;
    done += n;
  }
  return true;
}

/** Renews the file's modification time: the budget removes the least recently used files. */
function markUsed(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // A read-only cache is still a cache.
  }
}

/**
 * The cached value, or undefined when there is none or the file is unreadable. The blob is read
 * straight into the buffer the typed arrays view (aligned, read once, not copied).
 */
export function readCacheFile(file: string): unknown {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(HEAD_BYTES);
    if (size < HEAD_BYTES || !readAll(fd, head, 0) || !head.subarray(0, 8).equals(MAGIC)) return undefined;
    const len = head.readUInt32LE(8);
    const blobStart = HEAD_BYTES + len + ((8 - ((HEAD_BYTES + len) % 8)) % 8);
    if (blobStart > size) return undefined;
    const json = Buffer.alloc(len);
    const blob = new ArrayBuffer(size - blobStart);
    if (!readAll(fd, json, HEAD_BYTES) || !readAll(fd, new Uint8Array(blob), blobStart)) return undefined;
    const value = decode(json.toString('utf8'), blob);
    markUsed(file);
    return value;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
