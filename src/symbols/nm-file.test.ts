import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NmSymbols } from './nm-file.js';

test('nm files name the function holding an address', () => {
  const nm = NmSymbols.parse(
    ['00000000006062cc b angle', '0000000000401aac t current_time', '                 U cos@@GLIBC_2.2.5', '00000000004033a7 t draw', '0000000000403760 T draw_frame', '403800 lone'].join('\n'),
  );
  assert.deepEqual(nm.lookup(0x4033a7), { name: 'draw', start: 0x4033a7 });
  assert.deepEqual(nm.lookup(0x4033b0), { name: 'draw', start: 0x4033a7 });
  assert.deepEqual(nm.lookup(0x403761), { name: 'draw_frame', start: 0x403760 });
  assert.deepEqual(nm.lookup(0x500000), { name: 'lone', start: 0x403800 });
  assert.equal(nm.lookup(0x400000), undefined);
});
