import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { corpusTest, tracePath } from '../testing/corpus.js';
import { compileTrace } from './compile.js';
import { isChecked } from './metadata-cache.js';
import { loadMetadata } from './metadata.js';

test('a kernel metadata is parsed once, then read back checked and equal from the cache', corpusTest(), () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracelane-mdcache-'));
  const saved = process.env['TRACELANE_CACHE_DIR'];
  process.env['TRACELANE_CACHE_DIR'] = dir;
  try {
    const path = join(tracePath('tracecompass/many-threads'), 'metadata');
    const parsed = loadMetadata(path);
    assert.equal(isChecked(parsed), false);
    compileTrace(parsed, path); // checks every layout, then stores the model
    assert.equal(readdirSync(join(dir, 'metadata-v1')).length, 1);
    const cached = loadMetadata(path);
    assert.equal(isChecked(cached), true);
    assert.notEqual(cached, parsed);
    assert.deepEqual(cached, parsed);
    const { compiled } = { compiled: compileTrace(cached, path) };
    assert.equal(compiled.streams.size, parsed.streams.size);
    process.env['TRACELANE_CACHE_DIR'] = 'off';
    assert.equal(isChecked(loadMetadata(path)), false);
  } finally {
    if (saved === undefined) delete process.env['TRACELANE_CACHE_DIR'];
    else process.env['TRACELANE_CACHE_DIR'] = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
