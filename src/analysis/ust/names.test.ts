import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeLabel, compactFunctionName } from './names.js';

test('compact C++ names', () => {
  assert.equal(compactFunctionName('(anonymous namespace)::TracedMutex::lock()'), 'TracedMutex::lock');
  assert.equal(compactFunctionName('long (anonymous namespace)::square<long>(long)'), 'long square<long>');
  assert.equal(compactFunctionName('std::vector<int, std::allocator<int> >::size() const'), 'std::vector<int, std::allocator<int> >::size');
  assert.equal(compactFunctionName('main::{lambda()#1}::operator()() const'), 'main::{lambda()#1}::operator()');
  assert.equal(compactFunctionName('_GLOBAL__sub_I_main'), '_GLOBAL__sub_I_main');
  assert.equal(compactFunctionName('draw_frame'), 'draw_frame');
});

test('labels fall back to the binary offset, then the address', () => {
  assert.equal(codeLabel({ bin: 'calcjob+0x44d4', func: '', src: '', inlined: [] }, 1), 'calcjob+0x44d4');
  assert.equal(codeLabel(undefined, 0x1f), '0x1f');
  assert.equal(codeLabel({ bin: 'x+0x1', func: 'lock+0x24', src: '', inlined: [] }, 1), 'lock+0x24');
});
