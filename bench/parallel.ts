/**
 * The multi-core part of `npm run bench`: `tracelane events --output none` on a multi-stream
 * trace with `--jobs 1` (the main thread alone) against `--jobs 2` (the main thread decodes one
 * stream group and merges, a worker thread decodes the other), alternately, each run a fresh
 * process (a worker starts cold: timing both in one long-lived process would favour the main
 * thread's warmed-up decoders). Best and median of the rounds, with the load average: on a
 * shared machine the workers only help when cores are idle (see `automaticJobs`).
 *
 * `node dist/bench/parallel.js [rounds] [trace…]` runs it alone (default: the recorded traces).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceSet } from '../src/ctf/trace-set.js';
import { printTable } from './table.js';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const cli = join(root, 'bin', 'tracelane.js');

/** Seconds of one `events --output none` run, and the event count it printed. */
function run(trace: string, jobs: number): { seconds: number; events: number } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'events', '--output', 'none', '--jobs', String(jobs), trace], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`events --jobs ${jobs} ${trace} failed: ${r.stderr.slice(-500)}`);
  return { seconds, events: Number(/^(\d+) events/.exec(r.stdout)?.[1] ?? NaN) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

export function parallelBench(traces: { name: string; path: string }[], rounds: number): void {
  const rows: string[][] = [];
  const loads: number[] = [];
  for (const { name, path } of traces) {
    const streams = TraceSet.open([path]).createReaders().length;
    const one: number[] = [];
    const two: number[] = [];
    let events = 0;
    for (let i = 0; i < rounds; i++) {
      loads.push(loadavg()[0]!);
      const a = run(path, 1);
      const b = run(path, 2);
      if (a.events !== b.events) throw new Error(`${name}: ${a.events} events on one thread, ${b.events} on two`);
      events = a.events;
      one.push(a.seconds);
      two.push(b.seconds);
    }
    const rate = (xs: number[]) => `${(events / Math.min(...xs) / 1e6).toFixed(2)} (${(events / median(xs) / 1e6).toFixed(2)}) M/s`;
    const ratio = (f: (xs: number[]) => number) => `${(f(one) / f(two)).toFixed(2)}x`;
    rows.push([name, String(streams), String(events), rate(one), rate(two), `${ratio((xs) => Math.min(...xs))} (${ratio(median)})`]);
  }
  console.log('');
  printTable(['events --output none', 'streams', 'events', '--jobs 1', '--jobs 2 (main + 1 worker)', 'speed-up'], rows);
  const range = loads.length ? `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : '-';
  console.log(
    `\n(best (median) of ${rounds} alternating runs, process start-up included; ` +
      `${availableParallelism()} cores, load average ${range} at the rounds' start)`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.argv[2] ?? 3);
  const given = process.argv.slice(3);
  const traces = given.length
    ? given.map((p) => ({ name: p, path: p }))
    : [
        { name: 'bench/perf-xz', path: join(root, 'bench', '.work', 'perf-xz-ctf') },
        { name: 'bench/calcjob', path: join(root, 'bench', '.work', 'calcjob-ust') },
      ].filter((t) => existsSync(t.path));
  parallelBench(traces, rounds);
}
