/**
 * `node dist/bench/serve.js [TRACE…]`: latency of `tracelane serve`'s viewport queries.
 *
 * 1. A real kernel trace (default: the largest shared one, tracecompass/many-threads; or the
 *    paths given): the server is started in process with a fresh cache folder; the analysis time,
 *    the second open (from the cache), then HTTP round trips of `/api/states` for 100 thread rows
 *    at 1500 px over random windows from the whole trace down to 1/65536 of it, and of the CPU
 *    rows, as JSON and in the binary form (`format=bin`), alternately: p50, p95, max (the client
 *    asks for gzip, which the server uses for JSON but not for binary answers on loopback).
 * 2. A synthetic table of BENCH_SERVE_INTERVALS intervals (default 10 M: what a trace of several
 *    million kernel events gives; many-threads has 1.9 intervals per event) in 1000 rows, lengths
 *    log-uniform from 10 ns to 10 ms: summary build time, then the same viewport query answered by
 *    the level-of-detail table plus the answer the server writes, JSON text or the binary form,
 *    alternately (no HTTP); and the same for whole-trace windows only (every row dense).
 *
 * Standalone; prints markdown tables (the lead hooks it into `npm run bench`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntervalTable } from '../src/store/interval-table.js';
import { LodTable } from '../src/store/lod.js';
import { runsText, statesBin, type Loaded } from '../src/server/api.js';
import { startServer, type RunningServer } from '../src/server/server.js';
import { printTable } from './table.js';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const QUERIES = Number(process.env['BENCH_SERVE_QUERIES'] ?? 200);
const INTERVALS = Number(process.env['BENCH_SERVE_INTERVALS'] ?? 10_000_000);
const ROWS_PER_QUERY = 100;
const PX = 1500;

/** Deterministic pseudo-random numbers (the same windows on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(ms: number[]): string[] {
  const s = [...ms].sort((a, b) => a - b);
  return [percentile(s, 50).toFixed(1), percentile(s, 95).toFixed(1), s[s.length - 1]!.toFixed(1)];
}

function getJson(server: RunningServer, path: string): Promise<{ bytes: number }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { 'accept-encoding': 'gzip' } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => (res.statusCode === 200 ? ok({ bytes }) : fail(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', fail);
    req.end();
  });
}

/** Random windows: a zoom level 2^-k of the span (k = 0…zooms-1) at a random place. */
function windows(start: number, end: number, n: number, seed: number, zooms = 17): [number, number][] {
  const rand = rng(seed);
  const span = end - start;
  const out: [number, number][] = [];
  for (let q = 0; q < n; q++) {
    const w = span / 2 ** Math.floor(rand() * zooms);
    const b = start + rand() * (span - w);
    out.push([b, b + w]);
  }
  return out;
}

async function realTrace(paths: string[]): Promise<void> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'tracelane-bench-serve-'));
  try {
    let t0 = performance.now();
    const s = await startServer({ paths, cacheDir, webRoot: join(root, 'dist', 'web') });
    await s.ready;
    const analyse = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const again = await startServer({ paths, cacheDir });
    await again.ready;
    const cached = (performance.now() - t0) / 1000;
    await again.close();
    const trace = JSON.parse(await text(s, '/api/trace')) as { start: number; end: number; events: number };
    const threads = (JSON.parse(await text(s, '/api/threads')) as { threads: { id: number; cpuTime: number }[] }).threads;
    const rows = [...threads].sort((a, b) => b.cpuTime - a.cpuTime).slice(0, ROWS_PER_QUERY).map((t) => t.id).join(',');
    const results: string[][] = [];
    for (const [label, path] of [
      [`threads (${Math.min(ROWS_PER_QUERY, threads.length)} rows)`, `/api/states?table=threads&rows=${rows}&px=${PX}`],
      ['cpus (all rows)', `/api/states?table=cpus&px=${PX}`],
    ] as const) {
      const ms = { json: [] as number[], bin: [] as number[] };
      const bytes = { json: 0, bin: 0 };
      for (const [b, e] of windows(trace.start, trace.end, QUERIES, 7)) {
        // Alternately, so that both forms see the same load.
        for (const f of ['json', 'bin'] as const) {
          const q0 = performance.now();
          bytes[f] += (await getJson(s, `${path}&begin=${b}&end=${e}${f === 'bin' ? '&format=bin' : ''}`)).bytes;
          ms[f].push(performance.now() - q0);
        }
      }
      for (const f of ['json', 'bin'] as const) results.push([`${label}, ${f}`, String(QUERIES), ...stats(ms[f]), (bytes[f] / QUERIES / 1024).toFixed(0)]);
    }
    await s.close();
    console.log(`\n${paths.join(' ')}: ${trace.events} events; analysis ${analyse.toFixed(1)} s, second open (cache) ${cached.toFixed(2)} s\n`);
    printTable(['viewport query (HTTP; JSON gzipped, bin as is on loopback)', 'queries', 'p50 ms', 'p95 ms', 'max ms', 'KiB/answer'], results);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function text(s: RunningServer, path: string): Promise<string> {
  return new Promise((ok, fail) => {
    request({ host: '127.0.0.1', port: s.port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    })
      .on('error', fail)
      .end();
  });
}

function syntheticTable(n: number, rowCount: number): IntervalTable {
  const rand = rng(42);
  const per = Math.floor(n / rowCount);
  const total = per * rowCount;
  const rowOffset = new Int32Array(rowCount + 1);
  const start = new Float64Array(total);
  const end = new Float64Array(total);
  const state = new Uint8Array(total);
  const arg = new Int32Array(total);
  const aux = new Int32Array(total);
  let tEnd = 0;
  for (let r = 0; r < rowCount; r++) {
    rowOffset[r + 1] = (r + 1) * per;
    let t = 0;
    let prev = -1;
    for (let k = r * per; k < (r + 1) * per; k++) {
      start[k] = t;
      t += Math.round(10 * Math.exp(rand() * Math.log(1e6)));
      end[k] = t;
      let s = Math.floor(rand() * 8);
      if (s === prev) s = (s + 1) % 8;
      state[k] = prev = s;
      arg[k] = -1;
      aux[k] = s === 3 ? Math.floor(rand() * 8) : -1;
    }
    tEnd = Math.max(tEnd, t);
  }
  return new IntervalTable(rowOffset, start, end, state, arg, aux, tEnd);
}

function synthetic(): void {
  const rowCount = 1000;
  let t0 = performance.now();
  const table = syntheticTable(INTERVALS, rowCount);
  const make = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const lod = LodTable.build(table);
  const build = (performance.now() - t0) / 1000;
  const tEnd = table.endTime;
  const results: string[][] = [];
  // The binary writer reads only the IRQ rows of the analysis (none here).
  const loaded = { a: { irqRows: [] } } as unknown as Loaded;
  // 100 rows (the default of the real-trace queries) and 40 (one screen of thread rows); random
  // windows (zoom 2^-k, k = 0…16), then whole-trace windows only (every row dense).
  for (const [kind, zooms] of [
    ['random windows', 17],
    ['whole trace', 1],
  ] as const) {
    for (const rowsPerQuery of [ROWS_PER_QUERY, 40]) {
      const rand = rng(3);
      const ms = { json: [] as number[], bin: [] as number[] };
      const bytes = { json: 0, bin: 0 };
      let runs = 0;
      for (const [b, e] of windows(0, tEnd, QUERIES, 11, zooms)) {
        const first = Math.floor(rand() * (rowCount - rowsPerQuery));
        const res = (e - b) / PX;
        const ids = Array.from({ length: rowsPerQuery }, (_, k) => first + k);
        // Alternately, so that both forms see the same load.
        let q0 = performance.now();
        const rows = ids.map((r) => {
          const x = lod.queryAt(r, b, e, res);
          runs += x.length;
          return runsText(r, x);
        });
        bytes.json += Buffer.from(`{"table":"threads","begin":${b},"end":${e},"res":${res},"rows":[${rows.join(',')}]}`).length;
        ms.json.push(performance.now() - q0);
        q0 = performance.now();
        bytes.bin += statesBin(loaded, 'threads', table, lod, ids, b, e, res).length;
        ms.bin.push(performance.now() - q0);
      }
      for (const f of ['json', 'bin'] as const) {
        results.push([`${kind}, ${rowsPerQuery} rows × ${PX} px, ${f}`, String(QUERIES), ...stats(ms[f]), (runs / QUERIES / rowsPerQuery).toFixed(0), (bytes[f] / QUERIES / 1024).toFixed(0)]);
      }
    }
  }
  console.log(
    `\nsynthetic: ${table.length.toLocaleString('en')} intervals in ${rowCount} rows (made in ${make.toFixed(1)} s); ` +
      `summaries built in ${build.toFixed(1)} s, ${lod.levels.length} levels, ${lod.storedRuns.toLocaleString('en')} runs stored\n`,
  );
  printTable(['viewport query (in process, + answer)', 'queries', 'p50 ms', 'p95 ms', 'max ms', 'runs/row', 'KiB/answer'], results);
}

const args = process.argv.slice(2);
const paths = args.length > 0 ? args : [join(root, '..', 'shared', 'traces', 'tracecompass', 'many-threads')];
await realTrace(paths);
if (INTERVALS > 0) synthetic();
