/**
 * Which binary is loaded where, per process, as the trace goes: replayed from LTTng-UST's
 * statedump and library events, the way babeltrace2's debug-info filter does.
 *
 *   lttng_ust_statedump:start                     forget the process's mappings (a new dump)
 *   lttng_ust_statedump:bin_info {baddr, memsz, path, is_pic}    add a mapping (memsz 0 = vDSO: skipped)
 *   lttng_ust_statedump:build_id {baddr, build_id[]}             … its build ID
 *   lttng_ust_statedump:debug_link {baddr, filename, crc}        … its debug link
 *   lttng_ust_lib:load / lttng_ust_dl:dlopen      add a mapping (always PIC)
 *   lttng_ust_lib:unload / lttng_ust_dl:dlclose   remove it
 *   lttng_ust_lib:build_id|debug_link, lttng_ust_dl:build_id|debug_link   as the statedump ones
 *
 * Processes are told apart by the `vpid` context; a trace without it is one process.
 * `locate(vpid, addr)` then says which binary holds an address at the current point of the pass.
 */
import { BinaryFile } from './binary.js';

export interface Mapping {
  baddr: number;
  memsz: number;
  path: string;
  isPic: boolean;
  buildId?: string;
  debugLink?: { filename: string; crc: number };
  /** Created at the first lookup, once build ID and debug link are known. */
  binary?: BinaryFile;
}

/** An address placed in a binary: `offset` is what the binary's DWARF and symbols use. */
export interface CodeLocation {
  binary: BinaryFile;
  /** File address: addr − baddr for position-independent code, addr otherwise. */
  offset: number;
  addr: number;
}

const ADD = new Set(['lttng_ust_statedump:bin_info', 'lttng_ust_lib:load', 'lttng_ust_dl:dlopen']);
const REMOVE = new Set(['lttng_ust_lib:unload', 'lttng_ust_dl:dlclose']);
const BUILD_ID = new Set(['lttng_ust_statedump:build_id', 'lttng_ust_lib:build_id', 'lttng_ust_dl:build_id']);
const DEBUG_LINK = new Set(['lttng_ust_statedump:debug_link', 'lttng_ust_lib:debug_link', 'lttng_ust_dl:debug_link']);
const RESET = 'lttng_ust_statedump:start';

/** The events that change the process maps. */
export function isMapEvent(name: string): boolean {
  return name === RESET || ADD.has(name) || REMOVE.has(name) || BUILD_ID.has(name) || DEBUG_LINK.has(name);
}

/** A number from a decoded integer field (bigints above 2^53 give NaN: not a user address). */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= 0n ? Number(v) : Number.NaN;
  return Number.NaN;
}

function hexBytes(v: unknown): string | undefined {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map((b) => (Number(b) & 0xff).toString(16).padStart(2, '0')).join('');
  return undefined;
}

export class ProcessMaps {
  private readonly procs = new Map<number, Mapping[]>();
  /** Per process: address → location, cleared whenever the process's mappings change. */
  private readonly cache = new Map<number, Map<number, CodeLocation | null>>();
  /** Binaries by identity, shared by processes and across statedumps. */
  private readonly binaries = new Map<string, BinaryFile>();

  /** Applies one statedump / library event (see `isMapEvent`). */
  apply(name: string, vpid: number, pl: Record<string, unknown>): void {
    if (name === RESET) {
      this.procs.set(vpid, []);
      this.cache.delete(vpid);
      return;
    }
    const baddr = toNumber(pl['baddr']);
    if (Number.isNaN(baddr)) return;
    let maps = this.procs.get(vpid);
    if (ADD.has(name)) {
      const memsz = toNumber(pl['memsz']);
      const path = pl['path'];
      // memsz 0 is the vDSO; lttng-ust < 2.9 dlopen events have no path.
      if (!(memsz > 0) || typeof path !== 'string') return;
      if (!maps) this.procs.set(vpid, (maps = []));
      if (maps.some((m) => m.baddr === baddr)) return;
      const isPic = 'is_pic' in pl ? toNumber(pl['is_pic']) === 1 : true;
      maps.push({ baddr, memsz, path, isPic });
    } else if (REMOVE.has(name)) {
      if (maps) this.procs.set(vpid, maps.filter((m) => m.baddr !== baddr));
    } else {
      const m = maps?.find((x) => x.baddr === baddr);
      if (!m) return;
      if (BUILD_ID.has(name)) m.buildId = hexBytes(pl['build_id']);
      else if (typeof pl['filename'] === 'string') m.debugLink = { filename: pl['filename'], crc: toNumber(pl['crc']) };
      m.binary = undefined;
    }
    this.cache.delete(vpid);
  }

  /** The binary holding `addr` in process `vpid` now, or undefined. */
  locate(vpid: number, addr: number): CodeLocation | undefined {
    if (Number.isNaN(addr)) return undefined;
    let c = this.cache.get(vpid);
    if (!c) this.cache.set(vpid, (c = new Map()));
    const hit = c.get(addr);
    if (hit !== undefined) return hit ?? undefined;
    let found: CodeLocation | null = null;
    for (const m of this.procs.get(vpid) ?? []) {
      if (addr < m.baddr || addr >= m.baddr + m.memsz) continue;
      m.binary ??= this.binary(m);
      found = { binary: m.binary, offset: m.isPic ? addr - m.baddr : addr, addr };
      break;
    }
    c.set(addr, found);
    return found ?? undefined;
  }

  /** Every process seen with mappings (for reports). */
  get processCount(): number {
    return this.procs.size;
  }

  private binary(m: Mapping): BinaryFile {
    const key = `${m.path}\0${m.isPic}\0${m.buildId ?? ''}\0${m.debugLink?.filename ?? ''}\0${m.debugLink?.crc ?? ''}`;
    let b = this.binaries.get(key);
    if (!b) this.binaries.set(key, (b = new BinaryFile(m.path, m.isPic, m.buildId, m.debugLink)));
    return b;
  }
}
