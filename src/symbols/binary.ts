/**
 * A binary (executable or shared object) named by a trace, and the files on this machine that
 * describe it. Looked up the way babeltrace2's debug-info filter does (bin-info.c), so that the
 * same trace on the same machine resolves to the same functions and lines:
 *
 *   ELF file   = [target prefix] + path recorded in the trace
 *                (a build ID recorded in the trace must equal the file's, else nothing resolves)
 *   DWARF from = 1. the ELF file itself, if it has .debug_info
 *                2. <debug dir>/.build-id/<first byte>/<rest>.debug
 *                3. .gnu_debuglink name (CRC32 checked) in the ELF's folder, its .debug/ folder,
 *                   then <debug dir>/<ELF's folder>/
 *   <debug dir> = /usr/lib/debug unless --debug-info-dir says otherwise.
 *
 * The build ID and debug link come from the trace's statedump events, or from the ELF file
 * itself when the trace has none.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileCrc32 } from './crc32.js';
import { ElfFile, symbolAt, type SymbolTable } from './elf.js';

export const DEFAULT_DEBUG_DIR = '/usr/lib/debug';

export interface LookupOptions {
  /** babeltrace2's `--debug-info-dir`. */
  debugDir?: string;
  /** babeltrace2's `--debug-info-target-prefix`: prepended to every path of the trace. */
  targetPrefix?: string;
}

export type BinaryStatus = 'ok' | 'missing' | 'not-elf' | 'build-id-mismatch';

/** What a binary's files give for symbolization, found once per binary. */
export interface BinaryFiles {
  status: BinaryStatus;
  elfPath: string;
  /** File holding the DWARF (the ELF itself or a separate debug file), if any. */
  dwarfPath?: string;
  /** Function symbols: `.symtab` (babeltrace2's fallback) and `.dynsym` (stripped libraries). */
  symtab?: SymbolTable;
  dynsym?: SymbolTable;
  /** Variables (for naming a static mutex by its address). */
  objects?: SymbolTable[];
}

export class BinaryFile {
  private files: BinaryFiles | undefined;

  constructor(
    /** Path as recorded in the trace. */
    readonly path: string,
    /** Position independent: addresses inside are offsets from the load address. */
    readonly isPic: boolean,
    /** Build ID recorded in the trace (lowercase hex). */
    readonly buildId: string | undefined,
    readonly debugLink: { filename: string; crc: number } | undefined,
  ) {}

  /** babeltrace2's short name of the binary (`bin = "calcjob+0x44d4"`). */
  get name(): string {
    return basename(this.path);
  }

  /** Finds the ELF and DWARF files (once). */
  locate(opts: LookupOptions): BinaryFiles {
    if (this.files) return this.files;
    const elfPath = opts.targetPrefix ? join(opts.targetPrefix, this.path) : this.path;
    const elf = ElfFile.open(elfPath);
    if (!elf) {
      this.files = { status: existsSync(elfPath) ? 'not-elf' : 'missing', elfPath };
      return this.files;
    }
    try {
      const fileBuildId = elf.buildId();
      if (this.buildId !== undefined && fileBuildId !== this.buildId) {
        this.files = { status: 'build-id-mismatch', elfPath };
        return this.files;
      }
      const files: BinaryFiles = { status: 'ok', elfPath, symtab: elf.functions('symtab'), dynsym: elf.functions('dynsym') };
      files.objects = [elf.objects('symtab'), elf.objects('dynsym')].filter((t): t is SymbolTable => t !== undefined);
      if (elf.hasDwarf()) {
        files.dwarfPath = elfPath;
      } else {
        const debugDir = opts.debugDir ?? DEFAULT_DEBUG_DIR;
        const buildId = this.buildId ?? fileBuildId;
        const link = this.debugLink ?? elf.debugLink();
        files.dwarfPath = findByBuildId(debugDir, buildId) ?? (link ? findByDebugLink(debugDir, elfPath, link) : undefined);
        if (files.dwarfPath && !files.symtab) {
          // Separate debug files keep the full symbol table that the stripped ELF lost.
          const dbg = ElfFile.open(files.dwarfPath);
          if (dbg) {
            files.symtab = dbg.functions('symtab');
            const objs = dbg.objects('symtab');
            if (objs) files.objects!.unshift(objs);
            dbg.close();
          }
        }
      }
      this.files = files;
      return files;
    } finally {
      elf.close();
    }
  }
}

/** babeltrace2's ELF-only function name: nearest `.symtab` function at or before the address. */
export function elfFunction(files: BinaryFiles, fileAddr: number): { name: string; start: number } | undefined {
  return files.symtab ? symbolAt(files.symtab, fileAddr, false) : undefined;
}

/** The function symbol that contains the address (`.symtab`, then `.dynsym`), for people. */
export function containingSymbol(files: BinaryFiles, fileAddr: number): { name: string; start: number } | undefined {
  return (files.symtab && symbolAt(files.symtab, fileAddr, true)) || (files.dynsym && symbolAt(files.dynsym, fileAddr, true)) || undefined;
}

/** The variable that contains the address (a static mutex), if the symbols name it. */
export function dataSymbol(files: BinaryFiles, fileAddr: number): { name: string; start: number } | undefined {
  for (const t of files.objects ?? []) {
    const s = symbolAt(t, fileAddr, true);
    if (s) return s;
  }
  return undefined;
}

function hasDwarfFile(path: string): boolean {
  const f = ElfFile.open(path);
  if (!f) return false;
  try {
    return f.hasDwarf();
  } finally {
    f.close();
  }
}

function findByBuildId(debugDir: string, buildId: string | undefined): string | undefined {
  if (!buildId || buildId.length < 4) return undefined;
  const p = join(debugDir, '.build-id', buildId.slice(0, 2), `${buildId.slice(2)}.debug`);
  return hasDwarfFile(p) ? p : undefined;
}

function findByDebugLink(debugDir: string, elfPath: string, link: { filename: string; crc: number }): string | undefined {
  const dir = dirname(elfPath);
  for (const p of [join(dir, link.filename), join(dir, '.debug', link.filename), join(debugDir, dir, link.filename)]) {
    if (existsSync(p) && fileCrc32(p) === link.crc && hasDwarfFile(p)) return p;
  }
  return undefined;
}
