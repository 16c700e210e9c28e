/**
 * Names people read for code addresses: the demangled function made compact
 * (`(anonymous namespace)::TracedMutex::lock()` → `TracedMutex::lock`), else the binary and
 * offset (`calcjob+0x44d4`), else the bare address.
 */
import { basename } from 'node:path';
import type { ResolvedAddress } from '../../symbols/resolver.js';

/** Drops `(anonymous namespace)::` and a trailing parameter list (with its qualifiers). */
export function compactFunctionName(name: string): string {
  let s = name.replace(/\(anonymous namespace\)::/g, '');
  // Trailing "(...)" plus " const", " &&" … : find the '(' that balances the last ')'.
  const m = /\)(\s*(const|volatile|&|&&|noexcept))*\s*$/.exec(s);
  if (m && !s.startsWith('_GLOBAL__')) {
    let depth = 0;
    for (let i = m.index; i >= 0; i--) {
      const c = s[i];
      if (c === ')') depth++;
      else if (c === '(' && --depth === 0) {
        // Keep "operator()" whole.
        if (i > 0 && !s.slice(0, i).endsWith('operator')) s = s.slice(0, i);
        break;
      }
    }
  }
  return s.trim();
}

/** `0x560393c06a88` */
export function hexAddr(addr: number): string {
  return Number.isNaN(addr) ? '?' : `0x${addr.toString(16)}`;
}

/** The name of the code at an address, as compact as stays unambiguous enough to read. */
export function codeLabel(where: ResolvedAddress | undefined, addr: number): string {
  if (where?.function) return compactFunctionName(where.function);
  if (where?.func) return where.func;
  if (where?.bin) return where.bin;
  return hexAddr(addr);
}

/** `calcjob.cpp:54`, or '' when the line is unknown. */
export function sourceLabel(where: ResolvedAddress | undefined): string {
  if (where?.file && where.line) return `${basename(where.file)}:${where.line}`;
  return where?.src ?? '';
}
