/**
 * Every CTF 1.8 `metadata` file of the shared trace corpus (`<repo>/../shared/traces`) either
 * parses or fails as expected:
 *
 *   - ctf-testsuite `*\/metadata/pass/*` parse, `*\/metadata/fail/*` throw TraceFormatError: the
 *     suite is followed where babeltrace2 2.0.4 disagrees with it
 *     (ctf-testsuite/babeltrace2-2.0.4-results.tsv);
 *   - traces babeltrace2 refuses for metadata reasons (traces.json: `bt2_cli_rc` 1 with a CTF
 *     metadata error) throw TraceFormatError; every other trace parses;
 *   - ctf-testsuite stream/pass/integer-large-size (a 1024-bit integer) parses: the suite says
 *     so, where babeltrace2 stops at 64 bits;
 *   - CTF 2 metadata (first byte 0x1E) is not TSDL and is skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTsdl } from './index.js';
import { readMetadataText } from './packetized.js';
import { TraceFormatError } from '../../util/errors.js';

/** The folder holding package.json, above this (compiled) test file. */
function repoRoot(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

const ROOT = repoRoot();
const CORPUS = ROOT === undefined ? '(no package.json above the tests)' : join(ROOT, '..', 'shared', 'traces');

function metadataFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...metadataFiles(path));
    else if (entry.name === 'metadata' && entry.isFile()) found.push(path);
  }
  return found.sort();
}

/** Trace folders (relative to the corpus) that babeltrace2 refuses because of their metadata. */
function refusedByBabeltrace(): Map<string, string> {
  const refused = new Map<string, string>();
  const index = join(CORPUS, 'traces.json');
  if (!existsSync(index)) return refused;
  const traces = JSON.parse(readFileSync(index, 'utf8')) as { path: string; bt2_cli_rc: number; bt2_error: string | null }[];
  for (const trace of traces) {
    if (trace.bt2_cli_rc === 1 && /PLUGIN[-/]CTF[-/]META/.test(trace.bt2_error ?? '')) refused.set(trace.path, trace.bt2_error!);
  }
  return refused;
}

type Expectation = { parses: true } | { parses: false; error: typeof TraceFormatError; why: string };

function expectationFor(path: string, refused: Map<string, string>): Expectation {
  if (/^ctf-testsuite\/tests\/1\.8\/[^/]+\/metadata\/fail\//.test(path)) {
    return { parses: false, error: TraceFormatError, why: 'ctf-testsuite metadata fail case' };
  }
  const why = refused.get(dirname(path));
  if (why !== undefined) return { parses: false, error: TraceFormatError, why: `babeltrace2 refuses it: ${why.slice(0, 120)}` };
  return { parses: true };
}

if (!existsSync(CORPUS) || !statSync(CORPUS).isDirectory()) {
  const notice = `trace corpus not found at ${CORPUS}`;
  if (process.env.CI === 'true') {
    test('TSDL corpus', () => assert.fail(`${notice} (required when CI=true)`));
  } else {
    test('TSDL corpus', { skip: notice }, () => {});
  }
} else {
  test('TSDL corpus: every CTF 1.8 metadata parses or fails as expected', async (t) => {
    const refused = refusedByBabeltrace();
    let parsed = 0;
    let rejected = 0;
    let largest = { path: '', bytes: 0, ms: 0 };
    for (const file of metadataFiles(CORPUS)) {
      const path = relative(CORPUS, file).split(sep).join('/');
      const bytes = readFileSync(file);
      if (bytes[0] === 0x1e) continue; // CTF 2 (JSON text sequence)
      const expected = expectationFor(path, refused);
      await t.test(path, () => {
        const started = performance.now();
        const load = () => {
          const metadata = readMetadataText(bytes, path);
          return parseTsdl(metadata.text, path, metadata);
        };
        if (expected.parses) {
          const trace = load();
          assert.equal(trace.ctfVersion, 1);
          parsed++;
        } else {
          assert.throws(load, (e: unknown) => e instanceof expected.error, expected.why);
          rejected++;
        }
        const ms = performance.now() - started;
        if (bytes.length > largest.bytes) largest = { path, bytes: bytes.length, ms };
      });
    }
    t.diagnostic(`${parsed} metadata parsed, ${rejected} rejected as expected`);
    t.diagnostic(`largest: ${largest.path} (${largest.bytes} bytes) in ${largest.ms.toFixed(1)} ms`);
    assert.ok(parsed > 100, `only ${parsed} metadata files parsed`);
  });
}
