/**
 * Start-up: `--version` answers without loading the commands, and the kernel reports do not load
 * code they only need in some runs (the progress bar) or never (the event text and JSON formats).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run, tracelane } from '../src/testing/run.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

test('--version and -V print the package version', async () => {
  for (const flag of ['--version', '-V']) {
    const r = await tracelane([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  }
});

test('--help still lists every command', async () => {
  const r = await tracelane(['--help']);
  assert.equal(r.code, 0);
  for (const name of ['events', 'cpu', 'report', 'serve']) assert.match(r.stdout, new RegExp(`^  ${name}\\b`, 'm'));
});

/** Hooks that print every module the process loads (ES modules; CommonJS ones by `require`). */
const LOAD_LOGGER = `data:text/javascript,${encodeURIComponent(`
  export async function load(url, context, next) {
    process.stderr.write('LOADED ' + url + '\\n');
    return next(url, context);
  }`)}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(LOAD_LOGGER)});`)}`;

/** The files (ES modules and CommonJS) loaded by importing these modules, in a fresh process. */
async function loadedFiles(modules: string[]): Promise<string[]> {
  const urls = modules.map((m) => new URL(m, import.meta.url).href);
  const script = `
    import { createRequire } from 'node:module';
    for (const u of ${JSON.stringify(urls)}) await import(u);
    process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
  const r = await run(process.execPath, ['--import', REGISTER, '--input-type=module', '-e', script]);
  assert.equal(r.code, 0, r.stderr);
  const esm = r.stderr.split('\n').filter((l) => l.startsWith('LOADED file:')).map((l) => fileURLToPath(l.slice('LOADED '.length)));
  return [...esm, ...(JSON.parse(r.stdout) as string[])];
}

const file = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

test('a kernel report loads neither cli-progress nor the event formatters', async () => {
  const files = await loadedFiles(['../src/cli/main.js', '../src/cli/cpu.js']);
  // The logger sees both kinds of modules: the check below could fail.
  assert.ok(files.includes(file('../src/cli/analysis-options.js')));
  assert.ok(files.some((f) => f.includes('/node_modules/commander/')));
  assert.deepEqual(files.filter((f) => f.includes('/node_modules/cli-progress/')), [], 'cli-progress is loaded only when a bar is shown');
  assert.equal(files.includes(file('../src/ctf/json-format.js')), false, 'reports print JSON with json-exact');
  assert.equal(files.includes(file('../src/ctf/text-format.js')), false, 'reports print times with clock-printer');
});
