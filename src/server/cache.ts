/**
 * The analysis cache: a `ServerAnalysis` written to one file so that the second `tracelane
 * serve` of the same trace loads it instead of reading the trace again.
 *
 *   file  = "TLCACHE\n" | u32 JSON length | u32 0 | JSON | zero padding to 8 | blob
 *   JSON  = the analysis, where each typed array is { "$ta": "Float64Array", "o": offset in the
 *           blob, "n": length }, Maps { "$map": [[k, v]…] }, interval tables { "$it": {…} },
 *           non-finite numbers { "$n": "NaN" } and bigints { "$b": "123" }
 *
 * Where: $TRACELANE_CACHE_DIR, else $XDG_CACHE_HOME/tracelane, else ~/.cache/tracelane. The file
 * name is a hash of the analysis version, of the analysis modules' code and of every trace
 * file's path, size and mtime, so a changed trace (or a rebuilt tracelane) is analysed again.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceSet } from '../ctf/trace-set.js';
import { IntervalTable } from '../store/interval-table.js';
import { ANALYSIS_VERSION, type ServerAnalysis } from './analysis.js';

const MAGIC = Buffer.from('TLCACHE\n', 'latin1');

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

export function cacheDir(): string {
  const own = process.env['TRACELANE_CACHE_DIR'];
  if (own) return own;
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'tracelane');
}

/** The cache file of a trace set (its identity: every file's path, size and mtime). */
export function cacheFileFor(set: TraceSet, dir = cacheDir()): string {
  const files: [string, number, number][] = [];
  for (const t of set.traces) {
    const paths = [t.metadataPath, ...t.streams.flatMap((s) => s.files.map((f) => f.path))];
    for (const p of paths) {
      const st = statSync(p);
      files.push([p, st.size, st.mtimeMs]);
    }
  }
  files.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const hash = createHash('sha256').update(JSON.stringify({ v: ANALYSIS_VERSION, code: codeStamp(), files })).digest('hex').slice(0, 32);
  return join(dir, `${hash}.tlcache`);
}

/**
 * The modules whose code shapes the cached results, by content: a tracelane whose analysis code
 * changed (a new kernel model, say) does not read results an older build cached. (Contents, not
 * modification times: every build rewrites every file.)
 */
const CODE = ['./analysis.js', './event-index.js', './ust-timeline.js', '../store/lod.js', '../store/interval-table.js', '../analysis/kernel/model.js', '../layouts/lttng.js', '../layouts/perf.js'];

let stamp: string | undefined;

function codeStamp(): string {
  if (stamp === undefined) {
    const h = createHash('sha256');
    for (const m of CODE) {
      try {
        h.update(readFileSync(fileURLToPath(new URL(m, import.meta.url))));
      } catch {
        h.update(m);
      }
    }
    stamp = h.digest('hex');
  }
  return stamp;
}

/** Encodes any plain-data value (see the top) into JSON text and a list of binary chunks. */
function encode(value: unknown): { json: string; chunks: Uint8Array[]; bytes: number } {
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
  return { json, chunks, bytes };
}

function decode(json: string, blob: ArrayBuffer, blobOffset: number): unknown {
  return JSON.parse(json, (_key, v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    if (typeof o['$ta'] === 'string') {
      const Ctor = CTORS[o['$ta']];
      if (!Ctor) throw new Error(`unknown array type ${o['$ta']}`);
      return new Ctor(blob, blobOffset + (o['o'] as number), o['n'] as number);
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

/** Writes the analysis (atomically: a temporary file renamed). */
export function writeCache(file: string, analysis: ServerAnalysis): void {
  const { json, chunks } = encode(analysis);
  const jsonBytes = Buffer.from(json, 'utf8');
  const head = Buffer.alloc(16);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(jsonBytes.length, 8);
  const pad = (8 - ((16 + jsonBytes.length) % 8)) % 8;
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, head);
    writeSync(fd, jsonBytes);
    if (pad) writeSync(fd, Buffer.alloc(pad));
    for (const c of chunks) writeSync(fd, c);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** The cached analysis, or undefined when there is none or it is unreadable / of another version. */
export function readCache(file: string): ServerAnalysis | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length < 16 || !buf.subarray(0, 8).equals(MAGIC)) return undefined;
  const len = buf.readUInt32LE(8);
  if (16 + len > buf.length) return undefined;
  const json = buf.toString('utf8', 16, 16 + len);
  const blobStart = 16 + len + ((8 - ((16 + len) % 8)) % 8);
  // Typed arrays need an aligned buffer of their own: copy the blob once.
  const blob = new ArrayBuffer(buf.length - blobStart);
  new Uint8Array(blob).set(buf.subarray(blobStart));
  try {
    const a = decode(json, blob, 0) as ServerAnalysis;
    return a.version === ANALYSIS_VERSION ? a : undefined;
  } catch {
    return undefined;
  }
}
