/**
 * Just enough ELF to place addresses: the build ID note, the `.gnu_debuglink` section, whether
 * DWARF is present, and the function symbols (`.symtab`, `.dynsym`). Section contents are read
 * on demand with positioned reads, so a 100 MB library costs only its headers and symbol tables.
 *
 *   ELF header ─► section headers ─► .shstrtab (names)
 *                                  ├► SHT_NOTE "GNU" type 3  → build ID
 *                                  ├► .gnu_debuglink          → file name + CRC32
 *                                  ├► .debug_info / .zdebug_info present?
 *                                  └► SHT_SYMTAB / SHT_DYNSYM → STT_FUNC symbols, sorted by address
 *
 * Addresses are `number`s: user-space addresses (≤ 2^47 on x86-64, ≤ 2^52 elsewhere) are exact.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const SHT_SYMTAB = 2;
const SHT_NOTE = 7;
const SHT_NOBITS = 8;
const SHT_DYNSYM = 11;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_TLS = 6;
const STT_GNU_IFUNC = 10;
const NT_GNU_BUILD_ID = 3;
export const ET_EXEC = 2;
export const ET_DYN = 3;

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

/** Function symbols of one symbol table, sorted by address (ties keep table order). */
export interface SymbolTable {
  addr: Float64Array;
  size: Float64Array;
  names: string[];
}

export class ElfFile {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  /** `e_type`: ET_EXEC (2, absolute addresses) or ET_DYN (3, position independent). */
  readonly type: number;
  readonly sections: ElfSection[];
  private symtabs = new Map<string, SymbolTable | null>();

  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly fileSize: number,
  ) {
    const ident = this.read(0, 64);
    if (ident.length < 52 || ident.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path}: not an ELF file`);
    this.is64 = ident[4] === 2;
    this.littleEndian = ident[5] === 1;
    this.type = this.u16(ident, 16);
    const shoff = this.is64 ? this.addr(ident, 0x28) : this.u32(ident, 0x20);
    const shentsize = this.u16(ident, this.is64 ? 0x3a : 0x2e);
    let shnum = this.u16(ident, this.is64 ? 0x3c : 0x30);
    let shstrndx = this.u16(ident, this.is64 ? 0x3e : 0x32);
    this.sections = [];
    if (shoff === 0 || shentsize === 0) return;
    // More than 0xff00 sections: the real count and string-table index live in section 0.
    const first = this.sectionHeader(shoff, shentsize);
    if (shnum === 0) shnum = first.size;
    if (shstrndx === 0xffff) shstrndx = first.link;
    const raw: (ElfSection & { nameOff: number })[] = [];
    for (let i = 0; i < shnum; i++) raw.push(this.sectionHeader(shoff + i * shentsize, shentsize));
    const strtab = raw[shstrndx];
    const names = strtab ? this.read(strtab.offset, strtab.size) : Buffer.alloc(0);
    this.sections = raw.map(({ nameOff, ...s }) => ({ ...s, name: cString(names, nameOff) }));
  }

  /** Opens an ELF file; undefined when it does not exist or is not ELF. Call `close()` after. */
  static open(path: string): ElfFile | undefined {
    let fd = -1;
    try {
      const size = statSync(path).size;
      fd = openSync(path, 'r');
      return new ElfFile(path, fd, size);
    } catch {
      if (fd !== -1) closeSync(fd);
      return undefined;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Bytes of the file at `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Buffer {
    const n = Math.max(0, Math.min(length, this.fileSize - offset));
    const buf = Buffer.alloc(n);
    let done = 0;
    while (done < n) {
      const got = readSync(this.fd, buf, done, n - done, offset + done);
      if (got === 0) break;
      done += got;
    }
    return done === n ? buf : buf.subarray(0, done);
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The GNU build ID as lowercase hex, if the file has one. */
  buildId(): string | undefined {
    for (const s of this.sections) {
      if (s.type !== SHT_NOTE) continue;
      const data = this.read(s.offset, s.size);
      let off = 0;
      while (off + 12 <= data.length) {
        const namesz = this.u32(data, off);
        const descsz = this.u32(data, off + 4);
        const type = this.u32(data, off + 8);
        const nameOff = off + 12;
        const descOff = nameOff + align4(namesz);
        if (descOff + descsz > data.length) break;
        if (type === NT_GNU_BUILD_ID && namesz === 4 && data.toString('latin1', nameOff, nameOff + 3) === 'GNU') {
          return data.subarray(descOff, descOff + descsz).toString('hex');
        }
        off = descOff + align4(descsz);
      }
    }
    return undefined;
  }

  /** `.gnu_debuglink`: the separate debug file's name and its CRC32. */
  debugLink(): { filename: string; crc: number } | undefined {
    const s = this.section('.gnu_debuglink');
    if (!s || s.type === SHT_NOBITS) return undefined;
    const data = this.read(s.offset, s.size);
    const end = data.indexOf(0);
    if (end <= 0) return undefined;
    const crcOff = align4(end + 1);
    if (crcOff + 4 > data.length) return undefined;
    return { filename: data.toString('utf8', 0, end), crc: this.u32(data, crcOff) };
  }

  /** True when the file carries DWARF debugging information (not stripped of it). */
  hasDwarf(): boolean {
    return this.sections.some((s) => (s.name === '.debug_info' || s.name === '.zdebug_info') && s.type !== SHT_NOBITS && s.size > 0);
  }

  /** Function symbols of `.symtab` (`which = 'symtab'`) or `.dynsym`; undefined when absent. */
  functions(which: 'symtab' | 'dynsym'): SymbolTable | undefined {
    return this.symbols(which, 'func');
  }

  /** Data object symbols (variables) of `.symtab` or `.dynsym`. */
  objects(which: 'symtab' | 'dynsym'): SymbolTable | undefined {
    return this.symbols(which, 'object');
  }

  private symbols(which: 'symtab' | 'dynsym', kind: 'func' | 'object'): SymbolTable | undefined {
    const key = `${which}/${kind}`;
    if (!this.symtabs.has(key)) this.symtabs.set(key, this.loadSymbols(which === 'symtab' ? SHT_SYMTAB : SHT_DYNSYM, kind));
    return this.symtabs.get(key) ?? undefined;
  }

  private loadSymbols(type: number, kind: 'func' | 'object'): SymbolTable | null {
    const s = this.sections.find((x) => x.type === type);
    if (!s || s.entsize === 0) return null;
    const strs = this.sections[s.link];
    if (!strs) return null;
    const data = this.read(s.offset, s.size);
    const names = this.read(strs.offset, strs.size);
    const rows: { addr: number; size: number; name: string; order: number }[] = [];
    const count = Math.floor(data.length / s.entsize);
    for (let i = 0; i < count; i++) {
      const o = i * s.entsize;
      // Elf64_Sym: name u32, info u8, other u8, shndx u16, value u64, size u64.
      // Elf32_Sym: name u32, value u32, size u32, info u8, other u8, shndx u16.
      const nameOff = this.u32(data, o);
      const info = this.is64 ? data[o + 4]! : data[o + 12]!;
      const shndx = this.u16(data, this.is64 ? o + 6 : o + 14);
      const value = this.is64 ? this.addr(data, o + 8) : this.u32(data, o + 4);
      const size = this.is64 ? this.addr(data, o + 16) : this.u32(data, o + 8);
      const st = info & 0xf;
      const wanted = kind === 'func' ? st === STT_FUNC || st === STT_GNU_IFUNC : st === STT_OBJECT || st === STT_TLS;
      if (!wanted || shndx === 0) continue;
      rows.push({ addr: value, size, name: cString(names, nameOff), order: i });
    }
    rows.sort((a, b) => a.addr - b.addr || a.order - b.order);
    return {
      addr: Float64Array.from(rows, (r) => r.addr),
      size: Float64Array.from(rows, (r) => r.size),
      names: rows.map((r) => r.name),
    };
  }

  private sectionHeader(off: number, entsize: number): ElfSection & { nameOff: number } {
    const h = this.read(off, entsize);
    const is64 = this.is64;
    return {
      name: '',
      nameOff: this.u32(h, 0),
      type: this.u32(h, 4),
      flags: is64 ? this.addr(h, 8) : this.u32(h, 8),
      addr: is64 ? this.addr(h, 16) : this.u32(h, 12),
      offset: is64 ? this.addr(h, 24) : this.u32(h, 16),
      size: is64 ? this.addr(h, 32) : this.u32(h, 20),
      link: this.u32(h, is64 ? 40 : 24),
      entsize: is64 ? this.addr(h, 56) : this.u32(h, 36),
    };
  }

  private u16(b: Buffer, o: number): number {
    return this.littleEndian ? b.readUInt16LE(o) : b.readUInt16BE(o);
  }

  private u32(b: Buffer, o: number): number {
    return this.littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o);
  }

  /** A 64-bit address or size as a number (exact below 2^53). */
  private addr(b: Buffer, o: number): number {
    return Number(this.littleEndian ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  }
}

/**
 * The function symbol at or before `addr`: babeltrace2's rule (the nearest `STT_FUNC` symbol
 * whose value is ≤ addr, sizes ignored) when `bounded` is false; with `bounded`, only a symbol
 * whose [value, value + size) holds addr (or a zero-size symbol at addr itself).
 */
export function symbolAt(t: SymbolTable, addr: number, bounded: boolean): { name: string; start: number } | undefined {
  let lo = 0;
  let hi = t.addr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t.addr[mid]! <= addr) lo = mid + 1;
    else hi = mid;
  }
  // lo - 1: last symbol with address ≤ addr. Among symbols at that same address, take the first
  // (babeltrace2 keeps the first one it meets at the highest address).
  let i = lo - 1;
  if (i < 0) return undefined;
  const start = t.addr[i]!;
  while (i > 0 && t.addr[i - 1] === start) i--;
  if (bounded) {
    // Several symbols may share the address (aliases); any with a size that covers addr will do.
    for (let j = i; j < t.addr.length && t.addr[j] === start; j++) {
      const size = t.size[j]!;
      if (addr < start + size || (size === 0 && addr === start)) return { name: t.names[j]!, start };
    }
    return undefined;
  }
  return { name: t.names[i]!, start };
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function cString(buf: Buffer, off: number): string {
  if (off >= buf.length) return '';
  const end = buf.indexOf(0, off);
  return buf.toString('utf8', off, end === -1 ? buf.length : end);
}
