import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ALPHA_LINE, elfFixturesOrSkip } from '../testing/elf-fixtures.js';
import { BinaryFile } from './binary.js';
import { LlvmSymbolizer } from './llvm-symbolizer.js';
import { SymbolResolver } from './resolver.js';

const built = elfFixturesOrSkip();
const fx = built.fx!;
after(() => {
  if (built.fx) rmSync(built.fx.root, { recursive: true, force: true });
});
const dir = (d: string) => join(fx.root, d);
const off = (d: string, fn: string, delta: number) => fx.symbols.get(d)!.get(fn)! + delta;
const symbolizer = LlvmSymbolizer.find();

/** Needs llvm-symbolizer (Debian package llvm); CI installs it, so there it must be found. */
function needsSymbolizer(): { skip: string | false } {
  if (symbolizer) return { skip: false };
  if (process.env['CI'] === 'true') throw new Error('llvm-symbolizer not found (CI installs the llvm package)');
  return { skip: 'llvm-symbolizer not installed (Debian package llvm)' };
}

const loc = (bin: BinaryFile, offset: number) => ({ binary: bin, offset, addr: 0x7f0000000000 + offset });

test('DWARF in the file: function + offset and line, as babeltrace2 prints them', { skip: built.skip || needsSymbolizer().skip }, () => {
  const r = new SymbolResolver({ targetPrefix: dir('dwarf-full') });
  const bin = new BinaryFile('/libdemo.so', true, undefined, undefined);
  const at = off('dwarf-full', 'alpha', 4);
  r.resolveAll([loc(bin, at)]);
  const a = r.get(loc(bin, at));
  assert.equal(a.bin, `libdemo.so+0x${at.toString(16)}`);
  assert.equal(a.func, 'alpha+0x4');
  assert.equal(a.function, 'alpha');
  assert.match(a.src, /^libdemo\.c:\d+$/);
  const line = a.line ?? -1;
  assert.ok(line >= ALPHA_LINE - 2 && line <= ALPHA_LINE + 1, `line ${line}`);
});

test('separate debug files by build ID and by debug link (CRC checked)', { skip: built.skip || needsSymbolizer().skip }, () => {
  const byId = new SymbolResolver({ targetPrefix: dir('build-id'), debugDir: dir('build-id') });
  const a = byId.get(loc(new BinaryFile('/libdemo.so', true, fx.buildId, undefined), off('build-id', 'beta', 2)));
  assert.equal(a.func, 'beta+0x2');
  assert.match(a.src, /^libdemo\.c:\d+$/);
  const byLink = new SymbolResolver({ targetPrefix: dir('debug-link') });
  const b = byLink.get(loc(new BinaryFile('/libdemo.so', true, undefined, undefined), off('debug-link', 'alpha', 1)));
  assert.equal(b.func, 'alpha+0x1');
  assert.match(b.src, /^libdemo\.c:\d+$/);
  const badCrc = new SymbolResolver({ targetPrefix: dir('debug-link') });
  const c = badCrc.get(loc(new BinaryFile('/libdemo.so', true, undefined, { filename: 'libdemo.so.debug', crc: 1 }), off('debug-link', 'alpha', 1)));
  assert.deepEqual([c.func, c.src], ['alpha+0x1', '']);
});

test('ELF symbols only; a build ID that differs; a missing file', { skip: built.skip }, () => {
  const r = new SymbolResolver({ targetPrefix: dir('elf-only'), symbolizer: null });
  const at = off('elf-only', 'alpha', 3);
  const a = r.get(loc(new BinaryFile('/libdemo.so', true, undefined, undefined), at));
  assert.deepEqual([a.bin, a.func, a.src], [`libdemo.so+0x${at.toString(16)}`, 'alpha+0x3', '']);
  const other = new SymbolResolver({ targetPrefix: dir('dwarf-full'), symbolizer: null });
  const b = other.get(loc(new BinaryFile('/libdemo.so', true, '00ff', undefined), at));
  assert.deepEqual([b.func, b.src, b.status], ['', '', 'build-id-mismatch']);
  const c = other.get(loc(new BinaryFile('/nowhere/app', false, undefined, undefined), 0x401000));
  assert.deepEqual([c.bin, c.func, c.status], ['app@0x401000', '', 'missing']);
  assert.equal(other.problems().length, 2);
});
