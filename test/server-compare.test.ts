/**
 * `tracelane serve --compare BEFORE AFTER`'s server: each trace set's page and API under its
 * prefix (/before/, /after/) answering as a server of that trace alone, /api/compare answering
 * what `tracelane compare --json` prints for the pair, the compare page at /, and the safety
 * rules (unknown prefixes and root API paths: 404 JSON; no path outside the page's folder).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../src/testing/corpus.js';
import { tracelane } from '../src/testing/run.js';
import { startServer, type RunningServer } from '../src/server/server.js';

const BEFORE = join(repoRoot, 'examples', 'demo-trace');
const AFTER = join(BEFORE, 'ust');

const tmp = mkdtempSync(join(tmpdir(), 'tracelane-server-compare-'));
const cacheDir = join(tmp, 'cache');
const webRoot = join(tmp, 'web');
mkdirSync(join(webRoot, 'assets'), { recursive: true });
writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>trace page</title>');
writeFileSync(join(webRoot, 'compare.html'), '<!doctype html><title>compare page</title>');
writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(tmp, 'secret.txt'), 'secret');

interface Reply {
  status: number;
  type: string;
  location: string | undefined;
  body: string;
}

/** A raw GET (the path is sent exactly as given, `..` included). */
function get(server: RunningServer, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

let pair: RunningServer;
let alone: RunningServer;

before(async () => {
  [pair, alone] = await Promise.all([startServer({ paths: [BEFORE, AFTER], compare: true, cacheDir, webRoot }), startServer({ paths: [AFTER], cacheDir, webRoot })]);
  await Promise.all([pair.ready, alone.ready]);
});
after(async () => {
  await Promise.all([pair?.close(), alone?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

test('/api/compare is what tracelane compare --json prints for the same pair', async () => {
  const [r, cli] = await Promise.all([get(pair, '/api/compare'), tracelane(['compare', BEFORE, AFTER, '--json'])]);
  assert.equal(r.status, 200, r.body);
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(JSON.parse(r.body), JSON.parse(cli.stdout));
  const c = JSON.parse(r.body) as { metrics: unknown[]; threads: { label: string }[] };
  assert.ok(c.metrics.length > 10 && c.threads.some((t) => t.label === 'calcjob-w1'));
  const st = JSON.parse((await get(pair, '/api/status')).body) as { state: string; progress: number };
  assert.equal(st.state, 'ready');
  assert.equal(st.progress, 1);
});

test('each side answers under its prefix as a server of that trace alone', async () => {
  for (const path of ['/api/trace', '/api/threads', '/api/events?offset=5&limit=3', '/api/ust/spans?px=200']) {
    const [mine, ref] = await Promise.all([get(pair, `/after${path}`), get(alone, path)]);
    assert.equal(mine.status, 200, `${path}: ${mine.body}`);
    // `fromCache` differs with the order the servers wrote the cache in; the rest is the same.
    const strip = (b: string) => ({ ...(JSON.parse(b) as object), fromCache: null });
    assert.deepEqual(strip(mine.body), strip(ref.body), path);
  }
  const b = JSON.parse((await get(pair, '/before/api/trace')).body) as { name: string; hasKernel: boolean };
  assert.equal(b.name, 'demo-trace');
  assert.equal(b.hasKernel, true);
});

test('pages: the compare page at /, each trace page under its prefix (redirected to the slash), the assets everywhere', async () => {
  assert.match((await get(pair, '/')).body, /compare page/);
  for (const side of ['before', 'after']) {
    const bare = await get(pair, `/${side}?embed=1`);
    assert.equal(bare.status, 301);
    assert.equal(bare.location, `/${side}/?embed=1`);
    const page = await get(pair, `/${side}/?embed=1`);
    assert.equal(page.status, 200);
    assert.match(page.body, /trace page/);
    assert.equal((await get(pair, `/${side}/assets/app.js`)).status, 200);
  }
  assert.equal((await get(pair, '/assets/app.js')).status, 200);
  // Alone, the root is still the trace page.
  assert.match((await get(alone, '/')).body, /trace page/);
});

test('unknown prefixes, root API paths and paths outside the page: 4xx JSON, one line', async () => {
  const cases: [string, number, RegExp][] = [
    ['/third/api/trace', 404, /no trace set "third"/],
    ['/api/trace', 404, /each trace's API is under \/before\/api\/ and \/after\/api\//],
    ['/before/api/nothing', 404, /no API endpoint \/api\/nothing/],
    ['/before/api/states?table=nope', 400, /table/],
    ['/before/../secret.txt', 404, /not found/],
    ['/before/%2e%2e/%2e%2e/secret.txt', 404, /not found: \/secret\.txt/],
    ['/after/..%2f..%2fsecret.txt', 403, /outside the web page/],
    ['/nowhere.html', 404, /not found/],
  ];
  for (const [path, status, message] of cases) {
    const r = await get(pair, path);
    assert.equal(r.status, status, `${path}: ${r.body}`);
    assert.match(r.type, /application\/json/, path);
    const e = JSON.parse(r.body) as { error: string };
    assert.match(e.error, message, path);
    assert.doesNotMatch(e.error, /\n/);
  }
  // The server goes on.
  assert.equal((await get(pair, '/before/api/status')).status, 200);
});

test('/api/compare is made while loading, in the background: status "comparing", and the sides answer meanwhile', async () => {
  const server = await startServer({ paths: [BEFORE, AFTER], compare: true, cacheDir, webRoot });
  try {
    // Until the comparison is made, the root status says so, and /api/compare is not there yet.
    let seen = false;
    for (;;) {
      const st = JSON.parse((await get(server, '/api/status')).body) as { state: string; phase: string; message: string };
      if (st.state === 'ready') break;
      if (st.phase !== 'comparing') {
        await new Promise((next) => setTimeout(next, 20));
        continue;
      }
      assert.equal(st.state, 'loading');
      assert.match(st.message, /comparing/);
      // The comparison runs beside the server: a side answers while it runs.
      const side = await get(server, '/before/api/threads');
      const compare = await get(server, '/api/compare');
      const still = JSON.parse((await get(server, '/api/status')).body) as { phase: string };
      if (still.phase !== 'comparing') break;
      assert.equal(side.status, 200);
      assert.equal(compare.status, 503);
      assert.match((JSON.parse(compare.body) as { error: string }).error, /still being compared/);
      seen = true;
    }
    await server.ready;
    assert.ok(seen, 'the status said "comparing" while the sides answered');
    assert.equal((await get(server, '/api/compare')).status, 200);
  } finally {
    await server.close();
  }
});

test('traces that cannot be compared: /api/compare answers 422 with one line, both sides still work', async () => {
  // The user-space half with its events gone: a trace, but nothing to compare.
  const empty = join(tmp, 'empty');
  cpSync(AFTER, join(empty, 'ust'), { recursive: true });
  const emptyFiles = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) emptyFiles(path);
      else if (name !== 'metadata') truncateSync(path, 0);
    }
  };
  emptyFiles(empty);
  const server = await startServer({ paths: [empty, BEFORE], compare: true, cacheDir, webRoot });
  try {
    await server.ready;
    assert.equal(server.status().state, 'ready');
    const r = await get(server, '/api/compare');
    assert.equal(r.status, 422, r.body);
    const e = JSON.parse(r.body) as { error: string };
    assert.match(e.error, /^cannot compare: .*nothing to compare$/);
    assert.doesNotMatch(e.error, /\n/);
    assert.equal((await get(server, '/after/api/trace')).status, 200);
    assert.equal((await get(server, '/before/api/trace')).status, 200);
  } finally {
    await server.close();
  }
});

test('tracelane serve --compare takes exactly two traces', async () => {
  const r = await tracelane(['serve', '--compare', BEFORE]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--compare takes two traces/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
