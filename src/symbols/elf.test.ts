import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { elfFixturesOrSkip } from '../testing/elf-fixtures.js';
import { fileCrc32, crc32 } from './crc32.js';
import { ElfFile, ET_DYN, symbolAt } from './elf.js';

const built = elfFixturesOrSkip();
const fx = built.fx!;
after(() => {
  if (built.fx) rmSync(built.fx.root, { recursive: true, force: true });
});

function withElf<T>(rel: string, f: (e: ElfFile) => T): T {
  const e = ElfFile.open(join(fx.root, rel));
  assert.ok(e, rel);
  try {
    return f(e);
  } finally {
    e.close();
  }
}

test('build ID, debug link and DWARF presence', { skip: built.skip }, () => {
  withElf('dwarf-full/libdemo.so', (e) => {
    assert.equal(e.type, ET_DYN);
    assert.equal(e.buildId(), fx.buildId);
    assert.equal(e.hasDwarf(), true);
    assert.equal(e.debugLink(), undefined);
  });
  withElf('elf-only/libdemo.so', (e) => {
    assert.equal(e.buildId(), undefined);
    assert.equal(e.hasDwarf(), false);
  });
  withElf('debug-link/libdemo.so', (e) => {
    const link = e.debugLink();
    assert.equal(link?.filename, 'libdemo.so.debug');
    // The CRC recorded in the stripped file is the CRC of the debug file.
    assert.equal(fileCrc32(join(fx.root, 'debug-link', 'libdemo.so.debug')), link?.crc);
  });
  assert.equal(ElfFile.open(join(fx.root, 'libdemo.c')), undefined);
  assert.equal(ElfFile.open(join(fx.root, 'nope')), undefined);
});

test('function symbols: babeltrace2 nearest rule and the bounded rule', { skip: built.skip }, () => {
  const sym = fx.symbols.get('elf-only')!;
  const alpha = sym.get('alpha')!;
  const beta = sym.get('beta')!;
  withElf('elf-only/libdemo.so', (e) => {
    const t = e.functions('symtab');
    assert.ok(t);
    assert.deepEqual(symbolAt(t, alpha + 2, false), { name: 'alpha', start: alpha });
    assert.deepEqual(symbolAt(t, beta + 2, true), { name: 'beta', start: beta });
    assert.equal(symbolAt(t, 0, false), undefined);
  });
});

test('CRC-32', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.from('6789'), crc32(Buffer.from('12345'))), 0xcbf43926);
});
