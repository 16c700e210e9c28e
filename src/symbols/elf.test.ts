import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../testing/corpus.js';
import { fileCrc32, crc32 } from './crc32.js';
import { ElfFile, ET_DYN, symbolAt } from './elf.js';

const FIX = join(repoRoot, 'test', 'fixtures', 'debug-info', 'x86-64-linux-gnu');

function withElf<T>(rel: string, f: (e: ElfFile) => T): T {
  const e = ElfFile.open(join(FIX, rel));
  assert.ok(e, rel);
  try {
    return f(e);
  } finally {
    e.close();
  }
}

test('build ID, debug link and DWARF presence of the fixtures', () => {
  withElf('dwarf-full/libhello-so', (e) => {
    assert.equal(e.type, ET_DYN);
    assert.equal(e.buildId(), 'cdd98cdd87f7fe64c13b6daad553987eafd40cbb');
    assert.equal(e.hasDwarf(), true);
    assert.equal(e.debugLink(), undefined);
  });
  withElf('elf-only/libhello-so', (e) => {
    assert.equal(e.buildId(), undefined);
    assert.equal(e.hasDwarf(), false);
  });
  withElf('debug-link/libhello-so', (e) => {
    const link = e.debugLink();
    assert.equal(link?.filename, 'libhello-so.debug');
    // The CRC recorded in the stripped file is the CRC of the debug file.
    assert.equal(fileCrc32(join(FIX, 'debug-link', 'libhello-so.debug')), link?.crc);
  });
  assert.equal(ElfFile.open(join(FIX, '..', 'README.md')), undefined);
  assert.equal(ElfFile.open(join(FIX, 'nope')), undefined);
});

test('function symbols: babeltrace2 nearest rule and the bounded rule', () => {
  withElf('elf-only/libhello-so', (e) => {
    const t = e.functions('symtab');
    assert.ok(t);
    assert.deepEqual(symbolAt(t, 0x2349, false), { name: 'foo', start: 0x2277 });
    assert.deepEqual(symbolAt(t, 0x2448, true), { name: 'bar', start: 0x2376 });
    assert.equal(symbolAt(t, 0, false), undefined);
  });
});

test('CRC-32', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.from('6789'), crc32(Buffer.from('12345'))), 0xcbf43926);
});
