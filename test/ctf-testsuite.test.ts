/**
 * The CTF conformance suite (../shared/traces/ctf-testsuite, tests/1.8/regression): every `pass`
 * case must decode, every `fail` case must be refused with a TraceFormatError (a clear message
 * naming the file), never another kind of exception. Where babeltrace2 2.0.4 disagrees with the
 * suite (babeltrace2-2.0.4-results.tsv), we follow the suite.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { corpusTest, haveCorpus, tracesDir } from '../src/testing/corpus.js';
import { decodeAll } from '../src/testing/decode.js';
import { TraceFormatError } from '../src/util/errors.js';

const suite = join(tracesDir, 'ctf-testsuite/tests/1.8/regression');

/** Where babeltrace2 2.0.4's verdict differs from the suite's (for the test names). */
function babeltraceMismatches(): Set<string> {
  const tsv = readFileSync(join(tracesDir, 'ctf-testsuite/babeltrace2-2.0.4-results.tsv'), 'utf8');
  const out = new Set<string>();
  for (const line of tsv.split('\n').slice(1)) {
    const [category, , name, , , verdict] = line.split('\t');
    if (verdict === 'MISMATCH') out.add(`${category}/${name}`);
  }
  return out;
}

if (!haveCorpus()) test('ctf-testsuite', corpusTest(), () => {});
else {
  const mismatches = babeltraceMismatches();
  for (const category of ['metadata', 'stream']) {
    for (const expected of ['pass', 'fail']) {
      const dir = join(suite, category, expected);
      for (const name of readdirSync(dir).sort()) {
        const path = join(dir, name);
        if (!statSync(path).isDirectory()) continue;
        const note = mismatches.has(`${category}/${name}`) ? ' (babeltrace2 2.0.4 disagrees; the suite wins)' : '';
        test(`ctf-testsuite ${category}/${expected}/${name}${note}`, () => {
          if (expected === 'pass') {
            decodeAll([path]);
            return;
          }
          assert.throws(
            () => decodeAll([path]),
            (e: unknown) => {
              assert.ok(e instanceof TraceFormatError, `expected a TraceFormatError, got ${String(e)}`);
              assert.ok(e.describe().includes(path), `the message names the file: ${e.describe()}`);
              return true;
            },
          );
        });
      }
    }
  }
}
