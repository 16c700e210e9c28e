/**
 * Symbol files in `nm` format (`ADDRESS TYPE NAME` or `ADDRESS NAME` per line), as Trace Compass
 * accepts them: names for traces without a statedump (lttng-ust < 2.8, or statedump disabled),
 * e.g. `tracecompass/cyg-profile/cyg-profile-mapping.txt` made with `nm glxgears`.
 */
import { readFileSync } from 'node:fs';
import { symbolAt, type SymbolTable } from './elf.js';

const TEXT_TYPES = new Set(['t', 'T', 'w', 'W', 'i', 'I']);

export class NmSymbols {
  private constructor(readonly table: SymbolTable) {}

  static parse(text: string): NmSymbols {
    const rows: { addr: number; name: string }[] = [];
    for (const line of text.split('\n')) {
      const m = /^\s*([0-9a-fA-F]+)\s+(?:([a-zA-Z])\s+)?(\S.*?)\s*$/.exec(line);
      if (!m) continue;
      if (m[2] !== undefined && !TEXT_TYPES.has(m[2])) continue;
      rows.push({ addr: Number.parseInt(m[1]!, 16), name: m[3]! });
    }
    rows.sort((a, b) => a.addr - b.addr);
    // Sizes: up to the next symbol, so that an address is only named by the function holding it.
    const size = rows.map((r, i) => (i + 1 < rows.length ? rows[i + 1]!.addr - r.addr : 0));
    return new NmSymbols({ addr: Float64Array.from(rows, (r) => r.addr), size: Float64Array.from(size), names: rows.map((r) => r.name) });
  }

  static load(path: string): NmSymbols {
    return NmSymbols.parse(readFileSync(path, 'utf8'));
  }

  /** The function holding `addr` (the last one has no known end and holds everything after it). */
  lookup(addr: number): { name: string; start: number } | undefined {
    const n = this.table.addr.length;
    if (n === 0) return undefined;
    if (addr >= this.table.addr[n - 1]!) return { name: this.table.names[n - 1]!, start: this.table.addr[n - 1]! };
    return symbolAt(this.table, addr, true);
  }
}
