/**
 * Addresses → binary, function and source line, in batches (one symbolizer run per binary).
 *
 * Every result carries babeltrace2's three `debug_info` strings — `bin` (`calcjob+0x44d4`),
 * `func` (`lock+0x24`: DWARF name + offset from the function start) and `src`
 * (`calcjob.cpp:54`) — so that output can be checked against `babeltrace2 --debug-info`, plus
 * what people want to read: the demangled function, the full source path and the inlined frames.
 *
 * Differences from babeltrace2, all where it gives nothing: `bin` is given whenever the trace
 * maps the address, even if the file is not on this machine; `src` is the line holding the
 * address, not only addresses that start a line-table row; functions split in hot/cold parts
 * (DW_AT_ranges) are named.
 */
import { basename } from 'node:path';
import { containingSymbol, dataSymbol, elfFunction, type BinaryFile, type BinaryStatus, type LookupOptions } from './binary.js';
import { LlvmSymbolizer, type SymbolFrame } from './llvm-symbolizer.js';
import type { NmSymbols } from './nm-file.js';
import type { CodeLocation } from './process-maps.js';

export interface InlinedFrame {
  function: string;
  file: string;
  line: number;
}

export interface ResolvedAddress {
  /** babeltrace2's `bin`, `func`, `src` ('' when unknown). */
  bin: string;
  func: string;
  src: string;
  /** The (outermost, real) function, demangled; undefined when unknown. */
  function?: string;
  /** Source of the address in that function (for inlined code: the call site), full path. */
  file?: string;
  line?: number;
  /** Inlined functions at the address, innermost first. */
  inlined: InlinedFrame[];
  /** Why nothing more is known, when the binary's files were not usable. */
  status?: BinaryStatus;
}

export interface SymbolOptions extends LookupOptions {
  /** The symbolizer; `null` for none (ELF symbols only), undefined to look for it on PATH. */
  symbolizer?: LlvmSymbolizer | null;
  /** nm-format symbol files, for addresses no statedump maps. */
  symbolFiles?: NmSymbols[];
}

/** `%#x` as C prints it (and babeltrace2 with it): `0` for zero, `0x1f` otherwise. */
export function cHex(n: number): string {
  return n === 0 ? '0' : `0x${n.toString(16)}`;
}

const EMPTY: ResolvedAddress = Object.freeze({ bin: '', func: '', src: '', inlined: [] }) as ResolvedAddress;

export class SymbolResolver {
  readonly symbolizer: LlvmSymbolizer | undefined;
  private readonly done = new Map<BinaryFile, Map<number, ResolvedAddress>>();
  private readonly nmDone = new Map<number, ResolvedAddress>();

  constructor(private readonly opts: SymbolOptions = {}) {
    this.symbolizer = opts.symbolizer === null ? undefined : (opts.symbolizer ?? LlvmSymbolizer.find());
  }

  /** Resolves many locations at once (cheaper than one by one); later `get` calls are lookups. */
  resolveAll(locs: Iterable<CodeLocation>): void {
    const todo = new Map<BinaryFile, Set<number>>();
    for (const l of locs) {
      if (this.done.get(l.binary)?.has(l.offset)) continue;
      let s = todo.get(l.binary);
      if (!s) todo.set(l.binary, (s = new Set()));
      s.add(l.offset);
    }
    for (const [bin, offsets] of todo) this.resolveBinary(bin, [...offsets]);
  }

  /** The resolution of one location (resolved now if `resolveAll` did not include it). */
  get(loc: CodeLocation): ResolvedAddress {
    let r = this.done.get(loc.binary)?.get(loc.offset);
    if (!r) {
      this.resolveBinary(loc.binary, [loc.offset]);
      r = this.done.get(loc.binary)!.get(loc.offset)!;
    }
    // `bin` depends on the load address for non-PIC code only through `offset` (= addr).
    return r;
  }

  /**
   * A data address (a static mutex): `calcjob+0x5068` and, when the symbols name the variable,
   * `queue_lock` (`queue_lock+0x8` inside it). Undefined when nothing is known.
   */
  data(loc: CodeLocation): { bin: string; symbol?: string } {
    const bin = loc.binary;
    const out: { bin: string; symbol?: string } = { bin: bin.isPic ? `${bin.name}+${cHex(loc.offset)}` : `${bin.name}@${cHex(loc.offset)}` };
    const files = bin.locate(this.opts);
    if (files.status === 'ok') {
      const s = dataSymbol(files, loc.offset);
      if (s) out.symbol = s.start === loc.offset ? s.name : `${s.name}+${cHex(loc.offset - s.start)}`;
    }
    return out;
  }

  /** An address no mapping holds: named from the nm symbol files, if any. */
  unmapped(addr: number): ResolvedAddress {
    const files = this.opts.symbolFiles;
    if (!files || files.length === 0 || Number.isNaN(addr)) return EMPTY;
    let r = this.nmDone.get(addr);
    if (r) return r;
    r = EMPTY;
    for (const f of files) {
      const s = f.lookup(addr);
      if (s) {
        r = { bin: '', func: `${s.name}+${cHex(addr - s.start)}`, src: '', function: s.name, inlined: [] };
        break;
      }
    }
    this.nmDone.set(addr, r);
    return r;
  }

  /** Problems worth one line each to the user (binaries not found, symbolizer failures). */
  problems(): string[] {
    const out: string[] = [];
    for (const bin of this.done.keys()) {
      const f = bin.locate(this.opts);
      if (f.status === 'missing') out.push(`${f.elfPath}: not found on this machine (no function names or source lines for it)`);
      else if (f.status === 'build-id-mismatch') out.push(`${f.elfPath}: build ID differs from the traced binary's (not used)`);
      else if (f.status === 'not-elf') out.push(`${f.elfPath}: not an ELF file`);
    }
    if (this.symbolizer) out.push(...this.symbolizer.problems);
    return out;
  }

  private resolveBinary(bin: BinaryFile, offsets: number[]): void {
    let results = this.done.get(bin);
    if (!results) this.done.set(bin, (results = new Map()));
    const files = bin.locate(this.opts);
    const binStr = (off: number) => (bin.isPic ? `${bin.name}+${cHex(off)}` : `${bin.name}@${cHex(off)}`);
    if (files.status !== 'ok') {
      for (const off of offsets) results.set(off, { bin: binStr(off), func: '', src: '', inlined: [], status: files.status });
      return;
    }
    const obj = files.dwarfPath ?? files.elfPath;
    const sym = this.symbolizer;
    const short = files.dwarfPath && sym ? sym.symbolize(obj, offsets, 'short') : undefined;
    const linkage = sym ? sym.symbolize(obj, offsets, 'linkage') : undefined;
    offsets.forEach((off, i) => {
      const r: ResolvedAddress = { bin: binStr(off), func: '', src: '', inlined: [] };
      const shortFrames = short?.[i] ?? [];
      const longFrames = linkage?.[i] ?? [];
      const symbol = containingSymbol(files, off);
      if (files.dwarfPath) {
        // babeltrace2: DWARF name of the function (not inlined) holding the address, offset from
        // its low_pc; source line of the address in it (the call site when inlined).
        const outer = shortFrames[shortFrames.length - 1];
        if (outer && outer.function !== '') {
          const start = outer.start ?? symbol?.start;
          r.func = start === undefined ? outer.function : `${outer.function}+${cHex(off - start)}`;
        }
        if (outer && outer.line > 0 && outer.file !== '') r.src = `${basename(outer.file)}:${outer.line}`;
      } else {
        // babeltrace2 without DWARF: nearest .symtab function symbol.
        const s = elfFunction(files, off);
        if (s) r.func = `${s.name}+${cHex(off - s.start)}`;
      }
      fillHuman(r, longFrames.length > 0 ? longFrames : shortFrames, symbol);
      results.set(off, r);
    });
  }
}

function fillHuman(r: ResolvedAddress, frames: SymbolFrame[], symbol: { name: string } | undefined): void {
  const outer = frames[frames.length - 1];
  const fn = outer && outer.function !== '' ? outer.function : symbol?.name;
  if (fn !== undefined) r.function = fn;
  if (outer && outer.file !== '' && outer.line > 0) {
    r.file = outer.file;
    r.line = outer.line;
  }
  r.inlined = frames.slice(0, -1).map((f) => ({ function: f.function, file: f.file, line: f.line }));
}
