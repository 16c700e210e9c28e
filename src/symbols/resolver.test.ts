import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../testing/corpus.js';
import { BinaryFile } from './binary.js';
import { LlvmSymbolizer } from './llvm-symbolizer.js';
import { SymbolResolver } from './resolver.js';

const FIX = join(repoRoot, 'test', 'fixtures', 'debug-info', 'x86-64-linux-gnu');
const symbolizer = LlvmSymbolizer.find();

/** Needs llvm-symbolizer (Debian package llvm); CI installs it, so there it must be found. */
function needsSymbolizer(): { skip: string | false } {
  if (symbolizer) return { skip: false };
  if (process.env['CI'] === 'true') throw new Error('llvm-symbolizer not found (CI installs the llvm package)');
  return { skip: 'llvm-symbolizer not installed (Debian package llvm)' };
}

const loc = (bin: BinaryFile, offset: number) => ({ binary: bin, offset, addr: 0x7f0000000000 + offset });

test('DWARF in the file: function + offset and line, as babeltrace2 prints them', needsSymbolizer(), () => {
  const r = new SymbolResolver({ targetPrefix: join(FIX, 'dwarf-full') });
  const bin = new BinaryFile('/libhello-so', true, undefined, undefined);
  r.resolveAll([loc(bin, 0x2349), loc(bin, 0x2448)]);
  const foo = r.get(loc(bin, 0x2349));
  assert.deepEqual([foo.bin, foo.func, foo.src], ['libhello-so+0x2349', 'foo+0xd2', 'libhello.c:35']);
  assert.equal(foo.function, 'foo');
  assert.equal(foo.line, 35);
  // The tracepoint call is inlined into foo: the inlined frame is listed.
  assert.equal(foo.inlined[0]?.function, '__tracepoint_cb_my_provider___my_first_tracepoint');
  const bar = r.get(loc(bin, 0x2448));
  assert.deepEqual([bar.func, bar.src], ['bar+0xd2', 'libhello.c:41']);
});

test('separate debug files by build ID and by debug link (CRC checked)', needsSymbolizer(), () => {
  const byId = new SymbolResolver({ targetPrefix: join(FIX, 'build-id'), debugDir: join(FIX, 'build-id') });
  const a = byId.get(loc(new BinaryFile('/libhello-so', true, 'cdd98cdd87f7fe64c13b6daad553987eafd40cbb', undefined), 0x2349));
  assert.deepEqual([a.func, a.src], ['foo+0xd2', 'libhello.c:35']);
  const byLink = new SymbolResolver({ targetPrefix: join(FIX, 'debug-link') });
  const b = byLink.get(loc(new BinaryFile('/libhello-so', true, undefined, undefined), 0x2448));
  assert.deepEqual([b.func, b.src], ['bar+0xd2', 'libhello.c:41']);
  const badCrc = new SymbolResolver({ targetPrefix: join(FIX, 'debug-link') });
  const c = badCrc.get(loc(new BinaryFile('/libhello-so', true, undefined, { filename: 'libhello-so.debug', crc: 1 }), 0x2448));
  assert.deepEqual([c.func, c.src], ['bar+0xd2', '']);
});

test('ELF symbols only; a build ID that differs; a missing file', () => {
  const r = new SymbolResolver({ targetPrefix: join(FIX, 'elf-only'), symbolizer: null });
  const a = r.get(loc(new BinaryFile('/libhello-so', true, undefined, undefined), 0x2349));
  assert.deepEqual([a.bin, a.func, a.src], ['libhello-so+0x2349', 'foo+0xd2', '']);
  const other = new SymbolResolver({ targetPrefix: join(FIX, 'dwarf-full'), symbolizer: null });
  const b = other.get(loc(new BinaryFile('/libhello-so', true, '00ff', undefined), 0x2349));
  assert.deepEqual([b.bin, b.func, b.src, b.status], ['libhello-so+0x2349', '', '', 'build-id-mismatch']);
  const c = other.get(loc(new BinaryFile('/nowhere/app', false, undefined, undefined), 0x401000));
  assert.deepEqual([c.bin, c.func, c.status], ['app@0x401000', '', 'missing']);
  assert.equal(other.problems().length, 2);
});
