import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProcessMaps } from './process-maps.js';

test('statedump and library events place addresses in binaries, per process', () => {
  const m = new ProcessMaps();
  m.apply('lttng_ust_statedump:start', 7, {});
  m.apply('lttng_ust_statedump:bin_info', 7, { baddr: 0x1000, memsz: 0x100, path: '/bin/a', is_pic: 1 });
  m.apply('lttng_ust_statedump:bin_info', 7, { baddr: 0x9000, memsz: 0, path: '[vdso]', is_pic: 0 });
  m.apply('lttng_ust_statedump:bin_info', 7, { baddr: 0x400000, memsz: 0x1000, path: '/bin/exe', is_pic: 0 });
  m.apply('lttng_ust_statedump:build_id', 7, { baddr: 0x1000, build_id: [0xab, 0xcd] });
  m.apply('lttng_ust_statedump:debug_link', 7, { baddr: 0x1000, filename: 'a.debug', crc: 5 });
  const a = m.locate(7, 0x1010)!;
  assert.equal(a.offset, 0x10);
  assert.equal(a.binary.path, '/bin/a');
  assert.equal(a.binary.buildId, 'abcd');
  assert.deepEqual(a.binary.debugLink, { filename: 'a.debug', crc: 5 });
  assert.equal(m.locate(7, 0x400010)!.offset, 0x400010);
  assert.equal(m.locate(7, 0x9000), undefined);
  assert.equal(m.locate(8, 0x1010), undefined);
  m.apply('lttng_ust_lib:load', 7, { baddr: 0x5000, memsz: 0x10, path: '/lib/b.so' });
  assert.equal(m.locate(7, 0x5001)!.binary.path, '/lib/b.so');
  m.apply('lttng_ust_lib:unload', 7, { baddr: 0x5000 });
  assert.equal(m.locate(7, 0x5001), undefined);
  // A new statedump forgets everything of that process.
  m.apply('lttng_ust_statedump:start', 7, {});
  assert.equal(m.locate(7, 0x1010), undefined);
});
