import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../util/errors.js';
import { parseBufferSize, parseKernelMode, parseRecordOptions, timestampName } from './options.js';

const NOW = new Date(2025, 0, 2, 3, 4, 5);
const ENV = { HOME: '/home/u' };

test('defaults: all UST events, four contexts, 8 x 4M, no kernel, ~/lttng-traces/NAME-DATE', () => {
  const o = parseRecordOptions(['./calcjob', '-n', '5'], {}, ENV, NOW);
  assert.deepEqual(o.command, ['./calcjob', '-n', '5']);
  assert.deepEqual(o.events, []);
  assert.deepEqual(o.contexts, ['vpid', 'vtid', 'procname', 'ip']);
  assert.equal(o.subbufSize, '4M');
  assert.equal(o.numSubbuf, 8);
  assert.equal(o.kernel, 'off');
  assert.equal(o.syscalls, true);
  assert.equal(o.outputDir, '/home/u/lttng-traces/calcjob-20250102-030405');
  assert.match(o.sessionName, /^tracelane-calcjob-20250102-030405-\d+$/);
});

test('explicit events get the preloads\' providers and the address-mapping events', () => {
  const o = parseRecordOptions(['app'], { event: ['myapp:*,other:ev'], pthread: true, cygProfile: true }, ENV, NOW);
  assert.deepEqual(o.events, [
    'myapp:*',
    'other:ev',
    'lttng_ust_pthread:*',
    'lttng_ust_cyg_profile:*',
    'lttng_ust_statedump:*',
    'lttng_ust_lib:*',
  ]);
  assert.deepEqual(
    o.preloads.map((p) => p.library),
    ['liblttng-ust-pthread-wrapper.so.1', 'liblttng-ust-cyg-profile.so.1'],
  );
});

test('extra contexts are added once; -o is made absolute', () => {
  const o = parseRecordOptions(['app'], { context: ['pthread_id', 'vtid'], output: 'out/x' }, ENV, NOW);
  assert.deepEqual(o.contexts, ['vpid', 'vtid', 'procname', 'ip', 'pthread_id']);
  assert.equal(o.outputDir, `${process.cwd()}/out/x`);
});

test('--kernel modes', () => {
  assert.equal(parseKernelMode(undefined), 'off');
  assert.equal(parseKernelMode(true), 'auto');
  assert.equal(parseKernelMode('perf'), 'perf');
  assert.equal(parseKernelMode('lttng'), 'lttng');
  assert.throws(() => parseKernelMode('./calcjob'), /--kernel takes auto, lttng or perf.*put --/);
});

test('buffer sizes: powers of two with k/M/G', () => {
  assert.equal(parseBufferSize('4M', 'x'), 4 << 20);
  assert.equal(parseBufferSize('512k', 'x'), 512 << 10);
  assert.equal(parseBufferSize('1G', 'x'), 1 << 30);
  assert.throws(() => parseBufferSize('3M', 'x'), UsageError);
  assert.throws(() => parseBufferSize('lots', 'x'), UsageError);
});

test('usage errors', () => {
  const bad: [string[], object, RegExp][] = [
    [[], {}, /no command/],
    [['app'], { numSubbuf: '3' }, /--num-subbuf/],
    [['app'], { subbufSize: '5M' }, /power of two/],
    [['app'], { syscalls: false }, /--no-syscalls only makes sense with --kernel/],
    [['app'], { cygProfile: true, cygProfileFast: true }, /one of --cyg-profile/],
    [['app'], { session: 'a b' }, /--session/],
    [['app'], { event: ['a,,b'] }, /empty event name/],
  ];
  for (const [cmd, raw, re] of bad) {
    assert.throws(() => parseRecordOptions(cmd, raw, ENV, NOW), (e: unknown) => e instanceof UsageError && re.test(e.message));
  }
});

test('timestampName is local time YYYYMMDD-HHMMSS', () => {
  assert.equal(timestampName(new Date(2024, 11, 31, 23, 59, 58)), '20241231-235958');
});
