/**
 * `tracelane serve`'s JSON API on real traces, checked against the CLI's reports (threads, cpu,
 * info, events, spans, callstack) and against the kernel model read by the kernel analyses' own
 * pass; bad requests get 4xx JSON and the server goes on; the second open reads the cache.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TraceSet } from '../src/ctf/trace-set.js';
import { analyzeKernel } from '../src/analysis/kernel/index.js';
import { cliPath, corpusTest, haveCorpus, repoRoot, tracePath } from '../src/testing/corpus.js';
import { tracelane } from '../src/testing/run.js';
import type { EventsAnswer, ThreadsAnswer, TraceAnswer } from '../src/server/api-types.js';
import { startServer, type RunningServer } from '../src/server/server.js';
import { decodeStatesBin } from '../src/server/states-bin-format.js';

const tmp = mkdtempSync(join(tmpdir(), 'tracelane-server-test-'));
const cacheDir = join(tmp, 'cache');
const webRoot = join(tmp, 'web');
mkdirSync(join(webRoot, 'assets'), { recursive: true });
writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>test page</title>');
writeFileSync(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(tmp, 'secret.txt'), 'secret');
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Reply {
  status: number;
  type: string;
  body: string;
}

/** A raw GET (the path is sent exactly as given, `..` included). */
function get(server: RunningServer, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A GET whose answer is kept as bytes, copied to an ArrayBuffer of its own (aligned). */
function getBytes(server: RunningServer, path: string): Promise<{ status: number; type: string; body: ArrayBuffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: new Uint8Array(Buffer.concat(chunks)).slice().buffer }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function api<T>(server: RunningServer, path: string): Promise<T> {
  const r = await get(server, path);
  assert.equal(r.status, 200, `${path}: ${r.body}`);
  return JSON.parse(r.body) as T;
}

async function cli<T>(args: string[]): Promise<T> {
  const r = await tracelane(args);
  assert.equal(r.code, 0, `tracelane ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface StatesJson {
  res: number;
  rows: { id: number; t: number[]; d: number[]; s: number[]; a: number[]; x: number[]; m: number[] }[];
}
const MANY = 'tracecompass/many-threads';
let kernelServer: RunningServer | undefined;

before(async () => {
  if (!haveCorpus()) return;
  kernelServer = await startServer({ paths: [tracePath(MANY)], cacheDir, webRoot });
  await kernelServer.ready;
});
after(async () => kernelServer?.close());

test('trace, threads and usage agree with tracelane info, threads and cpu', corpusTest(), async () => {
  const s = kernelServer!;
  const trace = await api<TraceAnswer>(s, '/api/trace');
  const info = await cli<{ traces: { events: number; first_ns: number; last_ns: number; event_counts: Record<string, number> }[] }>(['info', '--json', tracePath(MANY)]);
  assert.equal(trace.events, info.traces[0]!.events);
  assert.equal(trace.hasKernel, true);
  assert.equal(trace.fromCache, false);
  // Times relative to the origin: the first event's absolute time, exact.
  const absFirst = JSON.parse(JSON.stringify(info.traces[0]!.first_ns)) as number;
  assert.ok(Math.abs(Number(BigInt(trace.origin) + BigInt(trace.start)) - absFirst) < 1e3);

  const { threads } = await api<ThreadsAnswer>(s, '/api/threads');
  const report = await cli<{ threads: { tid: number; cpu_time_ns: number }[] }>(['threads', '--json', '--limit', '0', tracePath(MANY)]);
  const ours = new Map<number, number>();
  for (const t of threads) if (t.idleCpu < 0) ours.set(t.tid, (ours.get(t.tid) ?? 0) + t.cpuTime);
  const theirs = new Map<number, number>();
  for (const t of report.threads) theirs.set(t.tid, (theirs.get(t.tid) ?? 0) + t.cpu_time_ns);
  assert.ok(theirs.size > 100);
  for (const [tid, ns] of theirs) assert.ok(Math.abs((ours.get(tid) ?? 0) - ns) <= 1, `CPU time of tid ${tid}: ${ours.get(tid)} vs ${ns}`);

  // Usage over the whole trace in one bucket = the sum of lttng-cputop-style CPU usages.
  const usage = await api<{ total: number[]; perCpu: number[][] }>(s, `/api/usage?buckets=1`);
  const cpu = await cli<{ cpus: { cpu: number; usage_pct: number }[] }>(['cpu', '--json', tracePath(MANY)]);
  cpu.cpus.sort((a, b) => a.cpu - b.cpu);
  cpu.cpus.forEach((c, i) => assert.ok(Math.abs(usage.perCpu[i]![0]! * 100 - c.usage_pct) < 0.01, `CPU ${c.cpu}: ${usage.perCpu[i]![0]! * 100} % vs ${c.usage_pct} %`));
  assert.ok(Math.abs(usage.total[0]! - usage.perCpu.reduce((x, h) => x + h[0]!, 0)) < 1e-9);

  // Range aggregates: event counts per name over the whole trace = info's.
  const agg = await api<{ events: { name: string; count: number }[]; eventTotal: number }>(s, '/api/aggregate?top=5');
  assert.equal(agg.eventTotal, trace.events);
  for (const e of agg.events) assert.equal(e.count, info.traces[0]!.event_counts[e.name], e.name);
});

test('viewport states: ≤ ~1 run per pixel, equal to the kernel model read by the kernel analyses', corpusTest(), async () => {
  const s = kernelServer!;
  const trace = await api<TraceAnswer>(s, '/api/trace');
  const { model } = analyzeKernel(TraceSet.open([tracePath(MANY)]));
  const { threads } = await api<ThreadsAnswer>(s, '/api/threads');
  assert.equal(threads.filter((t) => t.id < model.threads.length).length, model.threads.length);
  const busiest = [...threads].sort((a, b) => b.cpuTime - a.cpuTime).slice(0, 20).map((t) => t.id);
  const span = trace.end - trace.start;
  for (const [begin, end, px] of [
    [trace.start, trace.end, 1200],
    [trace.start + span * 0.3, trace.start + span * 0.31, 800],
    [trace.start + span * 0.5, trace.start + span * 0.5 + 20_000, 2000],
  ] as const) {
    const st = await api<StatesJson>(s, `/api/states?table=threads&rows=${busiest.join(',')}&begin=${begin}&end=${end}&px=${px}`);
    assert.equal(st.rows.length, busiest.length);
    for (const row of st.rows) {
      assert.ok(row.t.length <= px + 2, `row ${row.id}: ${row.t.length} runs for ${px} px`);
      for (let k = 0; k < row.t.length; k++) {
        if (k > 0) assert.ok(Math.abs(row.t[k]! - (row.t[k - 1]! + row.d[k - 1]!)) < 1e-3, 'runs are contiguous');
        if (row.m[k] === 1 || row.d[k] === 0) continue;
        // A run that is not a summary is the model's own interval.
        const i = model.threadStates.indexAt(row.id, row.t[k]! + row.d[k]! / 2);
        assert.equal(row.s[k], model.threadStates.state[i], `row ${row.id} at ${row.t[k]}`);
        assert.equal(row.a[k], model.threadStates.arg[i]);
        assert.equal(row.x[k], model.threadStates.aux[i]);
      }
    }
  }
  // At a resolution finer than any summary, the answer is exactly the model's intervals.
  const row = busiest[0]!;
  // Pixel edges on whole nanoseconds, as the intervals' are: no pixel is shared.
  const t1 = Math.round(trace.start + span * 0.4);
  const fine = await api<StatesJson>(s, `/api/states?rows=${row}&begin=${t1}&end=${t1 + 2_000_000}&res=1`);
  const expect: [number, number, number][] = [];
  model.threadStates.forEachIn(row, t1, t1 + 2_000_000, (i, from, to) => {
    if (to > from) expect.push([from, to, model.threadStates.state[i]!]);
  });
  assert.ok(expect.length > 3);
  assert.deepEqual(
    fine.rows[0]!.t.map((t, k) => [t, t + fine.rows[0]!.d[k]!, fine.rows[0]!.s[k]]),
    expect,
  );
  // CPU rows and tooltips.
  const cpus = await api<StatesJson>(s, `/api/states?table=cpus&px=500`);
  assert.equal(cpus.rows.length, trace.cpus.length);
  const at = await api<{ state: string; begin: number; end: number }>(s, `/api/state-at?row=${row}&t=${t1}`);
  const i = model.threadStates.indexAt(row, t1);
  assert.equal(at.begin, model.threadStates.start[i]);
  assert.equal(at.end, model.threadStates.end[i]);
});

test('viewport states in the binary form (format=bin) decode to the JSON answer', corpusTest(), async () => {
  const s = kernelServer!;
  const trace = await api<TraceAnswer>(s, '/api/trace');
  const { threads } = await api<ThreadsAnswer>(s, '/api/threads');
  const busiest = [...threads].sort((a, b) => b.cpuTime - a.cpuTime).slice(0, 30).map((t) => t.id);
  const span = trace.end - trace.start;
  let runs = 0;
  for (const query of [
    `table=threads&rows=${busiest.join(',')}&px=1500`,
    `table=threads&rows=${busiest.join(',')}&begin=${trace.start + span * 0.3}&end=${trace.start + span * 0.31}&px=777`,
    `table=threads&rows=${busiest[0]},0,${threads.length - 1}&begin=${Math.round(trace.start + span * 0.4)}&end=${Math.round(trace.start + span * 0.4) + 2_000_000}&res=1`,
    'table=cpus&px=900',
    'table=irqs&px=400',
  ]) {
    const json = await api<StatesJson & { begin: number; end: number }>(s, `/api/states?${query}`);
    const r = await getBytes(s, `/api/states?${query}&format=bin`);
    assert.equal(r.status, 200, query);
    assert.equal(r.type, 'application/octet-stream');
    const bin = decodeStatesBin(r.body);
    assert.deepEqual([bin.begin, bin.end, bin.res], [json.begin, json.end, json.res], query);
    assert.deepEqual(
      bin.rows.map((row) => ({ id: row.id, t: [...row.start], d: [...row.end].map((e, k) => e - row.start[k]!), s: [...row.state], a: [...row.arg], x: [...row.aux], m: [...row.mixed] })),
      json.rows,
      query,
    );
    runs += bin.rows.reduce((n, row) => n + row.n, 0);
  }
  assert.ok(runs > 1000, `${runs} runs compared`);
  // A corrupt answer is refused, not misread.
  const good = (await getBytes(s, '/api/states?table=cpus&px=50&format=bin')).body;
  assert.throws(() => decodeStatesBin(good.slice(0, good.byteLength - 1)), /bytes, expected/);
  assert.throws(() => decodeStatesBin(new Uint8Array(64).buffer), /magic/);
});

test('events table: rows, filters and seeking agree with tracelane events', corpusTest(), async () => {
  const s = kernelServer!;
  const text = (await tracelane(['events', tracePath(MANY)])).stdout.split('\n');
  const trace = await api<TraceAnswer>(s, '/api/trace');
  assert.equal(text.length - 1, trace.events);
  // Rows from anywhere (each stream sought to the packet holding the row).
  for (const offset of [0, 1, 99_999, 150_000, trace.events - 3]) {
    const page = await api<EventsAnswer>(s, `/api/events?offset=${offset}&limit=3`);
    assert.equal(page.total, trace.events);
    page.rows.forEach((r, k) => {
      const line = text[offset + k]!;
      assert.equal(r.i, offset + k);
      assert.ok(line.includes(` ${r.name}: `), `row ${r.i} is ${r.name}: ${line}`);
      assert.ok(line.includes(`cpu_id = ${r.cpu} }`), `row ${r.i} cpu ${r.cpu}: ${line}`);
      assert.ok(r.fields === '' || line.endsWith(`{ ${r.fields} }`), `row ${r.i} fields: ${r.fields} / ${line}`);
    });
  }
  // Filters: by name, by CPU (counted in the text), by text.
  const switches = await api<EventsAnswer>(s, '/api/events?event=sched_sw*&limit=5&offset=10');
  assert.equal(switches.total, text.filter((l) => l.includes(' sched_switch: ')).length);
  assert.ok(switches.rows.every((r) => r.name === 'sched_switch'));
  const cpu3 = await api<{ total: number }>(s, '/api/events?cpu=3&limit=0');
  assert.equal(cpu3.total, text.filter((l) => l.includes('cpu_id = 3 }')).length);
  const q = await api<EventsAnswer>(s, '/api/events?q=multithread&event=sched_switch&limit=1000');
  assert.equal(q.total, text.filter((l) => l.includes(' sched_switch: ') && l.includes('multithread')).length);
  // Seeking to the time of row k lands on the first row at that time.
  const row = (await api<EventsAnswer>(s, '/api/events?offset=123456&limit=1')).rows[0]!;
  const seek = await api<{ index: number }>(s, `/api/events/seek?t=${row.t}`);
  assert.ok(seek.index <= 123456);
  const landed = (await api<EventsAnswer>(s, `/api/events?offset=${seek.index}&limit=1`)).rows[0]!;
  assert.equal(landed.t, row.t);
  const before = (await api<EventsAnswer>(s, `/api/events?offset=${seek.index - 1}&limit=1`)).rows[0]!;
  assert.ok(before.t < row.t);
  // One event in full: the JSON output's payload.
  const json = (await tracelane(['events', '-o', 'json', '--cpu', String(row.cpu), tracePath(MANY)])).stdout.split('\n');
  const full = await api<{ name: string; scopes: { payload: Record<string, unknown> } }>(s, `/api/event?i=123456`);
  const same = json.map((l) => (l ? (JSON.parse(l) as { name: string; timestamp: number; payload: Record<string, unknown> }) : undefined)).find((e) => e && e.name === full.name && JSON.stringify(e.payload) === JSON.stringify(full.scopes.payload));
  assert.ok(same, `event 123456 (${full.name}) found in the JSON output with the same payload`);
});

test('bad requests get a 4xx JSON error and the server goes on', corpusTest(), async () => {
  const s = kernelServer!;
  const cases: [string, number, string?][] = [
    ['/api/nope', 404],
    ['/api/states?px=abc', 400],
    ['/api/states?px=0', 400],
    ['/api/states?begin=10&end=5', 400],
    ['/api/states?rows=1,x', 400],
    ['/api/states?rows=99999999', 404],
    ['/api/states?table=nope', 400],
    ['/api/states?format=xml', 400],
    ['/api/states?format=bin&px=0', 400],
    ['/api/state-at?row=0', 400],
    ['/api/event?i=-1', 400],
    ['/api/event?i=999999999', 400],
    ['/api/flame', 400],
    ['/api/source?file=/etc/passwd', 403],
    ['/api/source?file=../../../../etc/passwd', 403],
    ['/api/events?limit=100000', 400],
    ['/api/usage?buckets=1e9', 400],
    // The URL parser removes plain dot segments (then nothing is there); encoded slashes do not.
    ['/../secret.txt', 404],
    ['/%2e%2e/secret.txt', 404],
    ['/assets/../../secret.txt', 404],
    ['/..%2fsecret.txt', 403],
    ['/assets%2f..%2f..%2fsecret.txt', 403],
    ['/..%5csecret.txt', 404],
    ['/%E0%A4%A', 400],
    ['/nothing-here.js', 404],
    ['/api/trace', 405, 'POST'],
  ];
  for (const [path, status, method] of cases) {
    const r = await get(s, path, method);
    assert.equal(r.status, status, `${method ?? 'GET'} ${path}: ${r.status} ${r.body}`);
    assert.match(r.type, /application\/json/, path);
    const body = JSON.parse(r.body) as { error: string };
    assert.equal(typeof body.error, 'string');
    assert.ok(!body.error.includes('\n') && body.error.length > 0, path);
  }
  assert.equal((await get(s, '/')).body, '<!doctype html><title>test page</title>');
  assert.equal((await get(s, '/assets/app.js')).status, 200);
  assert.equal((await api<{ state: string }>(s, '/api/status')).state, 'ready');
});

test('the second open of a trace loads the cache and answers the same', corpusTest(), async () => {
  const s = kernelServer!;
  const again = await startServer({ paths: [tracePath(MANY)], cacheDir, webRoot });
  try {
    await again.ready;
    assert.equal(again.status().fromCache, true);
    assert.equal((await api<TraceAnswer>(again, '/api/trace')).fromCache, true);
    for (const path of ['/api/threads', '/api/resources', '/api/states?px=300&rows=1,2,3,50', '/api/states?table=irqs&px=100', '/api/arrows?limit=50', '/api/events?offset=5000&limit=20', '/api/aggregate?top=10']) {
      assert.deepEqual(await api(again, path), await api(s, path), path);
    }
  } finally {
    await again.close();
  }
  // --no-cache reads the trace again.
  const fresh = await startServer({ paths: [tracePath(MANY)], cacheDir, webRoot, cache: false });
  try {
    await fresh.ready;
    assert.equal(fresh.status().fromCache, false);
  } finally {
    await fresh.close();
  }
});

test('kernel + UST session (the demo trace): one timeline, spans and events on the threads, code locations and source', async () => {
  const demo = join(repoRoot, 'examples', 'demo-trace');
  const s = await startServer({ paths: [demo], cacheDir, webRoot });
  try {
    await s.ready;
    const trace = await api<TraceAnswer>(s, '/api/trace');
    assert.equal(trace.hasKernel, true);
    assert.equal(trace.hasUst, true);
    // The one kernel trace feeds the kernel views; the user-space traces do not.
    assert.deepEqual(
      trace.traces.map((t) => t.kernelViews),
      trace.traces.map((t) => t.domain === 'kernel'),
    );
    const { threads } = await api<ThreadsAnswer>(s, '/api/threads');
    const ust = threads.filter((t) => t.ust);
    assert.ok(ust.length >= 4);
    // UST threads sit on their kernel thread's row (same tid, with kernel states).
    const st = await api<StatesJson>(s, `/api/states?rows=${ust.map((t) => t.id).join(',')}&px=100`);
    for (const r of st.rows) assert.ok(r.t.length > 0, `thread row ${r.id} has kernel states`);
    // Spans per pair name = tracelane spans' counts (nothing merged at a 1 ns resolution).
    const spans = await api<{ spans: { row: number; name: string; n: number }[] }>(s, '/api/ust/spans?res=0.001');
    const report = await cli<{ pairs: { begin_event: string; count: number }[] }>(['spans', '--json', demo]);
    for (const p of report.pairs) {
      const name = p.begin_event.replace(/_(begin|start|entry)$/, '');
      assert.equal(spans.spans.filter((x) => x.name === name).length, p.count, name);
    }
    // UST events per row = the events table filtered by that thread.
    const evs = await api<{ events: { row: number; n: number; i: number }[] }>(s, '/api/ust/events?res=0.001');
    const row = ust.find((t) => t.name.includes('w0')) ?? ust[0]!;
    const mine = evs.events.filter((e) => e.row === row.id);
    const table = await api<EventsAnswer>(s, `/api/events?tid=${row.tid}&event=calcjob:*&limit=1000`);
    assert.equal(mine.filter((e) => table.rows.some((r) => r.i === e.i)).length, table.total);
    // An event with an ip context: file:line, and that line of the source is a tracepoint call.
    const ev = await api<{ where: { src: string; file: string; line: number; sourceAvailable: boolean } | null }>(s, `/api/event?i=${table.rows.find((r) => r.name === 'calcjob:job_start')!.i}`);
    assert.ok(ev.where, 'job_start has a code location');
    assert.match(ev.where.src, /^calcjob\.cpp:\d+$/);
    if (ev.where.sourceAvailable) {
      const src = await api<{ lines: { n: number; text: string }[] }>(s, `/api/source?file=${encodeURIComponent(ev.where.file)}&line=${ev.where.line}&context=0`);
      assert.match(src.lines[0]!.text, /\bjob_start\b/);
    }
    const cp = await api<{ thread: { row: number }; segments: unknown[] }>(s, `/api/critical-path?row=${row.id}`);
    assert.equal(cp.thread.row, row.id);
    assert.ok(cp.segments.length > 0);
  } finally {
    await s.close();
  }
});

test('flame chart statistics agree with tracelane callstack (two cyg-profile traces as one timeline)', corpusTest(), async () => {
  const path = tracePath('tracecompass/cyg-profile');
  const s = await startServer({ paths: [path], cacheDir, webRoot, cache: false });
  try {
    await s.ready;
    const { threads } = await api<ThreadsAnswer>(s, '/api/threads');
    const withCalls = threads.filter((t) => t.hasCalls);
    assert.equal(withCalls.length, 2);
    const report = await cli<{ functions: { name: string; calls: number; self_ns: number; total_ns: number }[] }>(['callstack', '--json', path]);
    const sum = new Map<string, { calls: number; self: number; total: number }>();
    for (const t of withCalls) {
      const f = await api<{ calls: { depth: number; n: number }[]; functions: { func: string; calls: number; self: number; total: number }[] }>(s, `/api/flame?row=${t.id}&px=2000`);
      assert.ok(f.calls.length > 0 && f.calls.length < 2000 * 10);
      for (const fn of f.functions) {
        const x = sum.get(fn.func) ?? { calls: 0, self: 0, total: 0 };
        sum.set(fn.func, { calls: x.calls + fn.calls, self: x.self + fn.self, total: x.total + fn.total });
      }
    }
    assert.equal(sum.size, report.functions.length);
    for (const fn of report.functions) {
      const ours = sum.get(fn.name);
      assert.ok(ours, fn.name);
      assert.equal(ours.calls, fn.calls, `${fn.name} calls`);
      assert.ok(Math.abs(ours.self - fn.self_ns) <= 1, `${fn.name} self ${ours.self} vs ${fn.self_ns}`);
      assert.ok(Math.abs(ours.total - fn.total_ns) <= 1, `${fn.name} total ${ours.total} vs ${fn.total_ns}`);
    }
  } finally {
    await s.close();
  }
});

test('tracelane serve: bad arguments are one line and exit 1/2; it prints its URL, serves, and stops on SIGTERM', async () => {
  const missing = await tracelane(['serve', join(tmp, 'no-such-trace')]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  const badPort = await tracelane(['serve', join(repoRoot, 'examples', 'demo-trace'), '--port', 'abc']);
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /--port/);

  const child = spawn(process.execPath, [cliPath, 'serve', join(repoRoot, 'examples', 'demo-trace'), '--port', '0'], {
    env: { ...process.env, TRACELANE_CACHE_DIR: cacheDir, TZ: 'UTC', LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const url = await new Promise<string>((ok, fail) => {
    child.on('exit', (code) => fail(new Error(`exited with ${code}: ${err}`)));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      const m = / at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
      if (m) ok(m[1]!);
    });
  });
  child.removeAllListeners('exit');
  let status = { state: 'loading' };
  for (let i = 0; i < 600 && status.state === 'loading'; i++) {
    status = (await (await fetch(`${url}api/status`)).json()) as { state: string };
    if (status.state === 'loading') await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(status.state, 'ready');
  const exit = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  child.kill('SIGTERM');
  assert.equal(await exit, 0);
});
