/**
 * `npm run bench`: decoding speed against babeltrace2, measured in the same run.
 *
 * For each trace, alternately (so that machine noise hits both alike): `tracelane events
 * --output none` vs `babeltrace2 -o dummy` (decode everything, print nothing), and text output to
 * /dev/null for both (checked byte for byte once, through md5sum). Prints events/s and the ratio;
 * the ratio is what to report, absolute numbers on a shared 2-core machine are noisy. Peak RSS
 * comes from /usr/bin/time when present.
 *
 * Besides the shared corpus, the bench records two large traces itself (bench/large-traces.ts,
 * cached in bench/.work): a perf kernel trace of `xz -T2` and an LTTng-UST trace of calcjob.
 * Then: the worker-thread scan on 1 and 2 workers (parallel.ts), the kernel model (kernel.ts),
 * the critical path (critical-path.ts) and the web server's viewport queries (serve.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parallelBench } from './parallel.js';
import { kernelBench } from './kernel.js';
import { criticalPathBench } from './critical-path.js';
import { largeTraces } from './large-traces.js';
import { printTable } from './table.js';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const cli = join(root, 'bin', 'tracelane.js');
const traces = join(root, '..', 'shared', 'traces');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/** Rounds for the traces of millions of events (each run takes seconds). */
const LARGE_ROUNDS = Number(process.env['BENCH_LARGE_ROUNDS'] ?? 2);

const CANDIDATES = [
  'tracecompass/memory',
  'tracecompass/many-threads',
  'tracevizlab/cat-kern-ust/cat-kernel',
  'tracecompass/_incomplete/uneven-streams',
  'tracecompass/bug446190',
];

interface Timing {
  seconds: number;
  rssKiB?: number;
}

const hasGnuTime = existsSync('/usr/bin/time');

function timed(cmd: string, args: string[]): Timing {
  const full = hasGnuTime ? ['/usr/bin/time', ['-f', '%M', cmd, ...args]] : [cmd, args];
  const start = process.hrtime.bigint();
  const r = spawnSync(full[0] as string, full[1] as string[], {
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString().slice(-500)}`);
  const lines = r.stderr?.toString().trim().split('\n') ?? [];
  const rss = hasGnuTime ? Number(lines[lines.length - 1]) : undefined;
  return { seconds, rssKiB: Number.isFinite(rss) ? rss : undefined };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const shell = (cmd: string, args: string[]) => `${[cmd, ...args].map(quote).join(' ')} 2>/dev/null`;

/** md5 of a command's stdout (streamed through md5sum: text outputs reach gigabytes). */
function md5Of(cmd: string, args: string[]): string {
  const r = spawnSync('sh', ['-c', `${shell(cmd, args)} | md5sum`], { env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8' });
  return r.stdout.split(' ')[0] ?? '';
}

/**
 * "identical", or how many of our lines differ from babeltrace2's (the README lists the known,
 * deliberate differences, e.g. empty strings that babeltrace2 2.0 prints with a stale value).
 */
function sameText(trace: string): string {
  const ours: [string, string[]] = [process.execPath, [cli, 'events', trace]];
  if (md5Of(...ours) === md5Of('babeltrace2', [trace])) return 'identical';
  const r = spawnSync('bash', ['-c', `diff <(${shell(...ours)}) <(${shell('babeltrace2', [trace])}) | grep -c '^<'`], {
    env: { ...process.env, TZ: 'UTC' },
    encoding: 'utf8',
  });
  return `${r.stdout.trim()} lines differ`;
}

function eventCount(trace: string): number {
  const r = spawnSync(process.execPath, [cli, 'events', '--output', 'none', trace], { encoding: 'utf8' });
  return Number(/^(\d+) events/.exec(r.stdout)?.[1] ?? NaN);
}

function dirSize(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return n;
}

function best(ts: Timing[]): Timing {
  return ts.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

function decodeRow(label: string, trace: string, rounds: number): string[] {
  const events = eventCount(trace);
  const mb = dirSize(trace) / 1e6;
  const ours: Timing[] = [];
  const theirs: Timing[] = [];
  const oursText: Timing[] = [];
  const theirsText: Timing[] = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(timed(process.execPath, [cli, 'events', '--output', 'none', trace]));
    theirs.push(timed('babeltrace2', ['-o', 'dummy', trace]));
    oursText.push(timed(process.execPath, [cli, 'events', trace]));
    theirsText.push(timed('babeltrace2', [trace]));
  }
  const same = sameText(trace);
  const o = best(ours);
  const t = best(theirs);
  const ot = best(oursText);
  const tt = best(theirsText);
  const rate = (s: number) => `${(events / s / 1e6).toFixed(2)} M/s`;
  return [
    label,
    String(events),
    mb.toFixed(1),
    rate(o.seconds),
    rate(t.seconds),
    `${(t.seconds / o.seconds).toFixed(2)}x`,
    rate(ot.seconds),
    rate(tt.seconds),
    `${(tt.seconds / ot.seconds).toFixed(2)}x`,
    same,
    o.rssKiB ? `${(o.rssKiB / 1024).toFixed(0)} MiB` : '-',
    ot.rssKiB ? `${(ot.rssKiB / 1024).toFixed(0)} MiB` : '-',
  ];
}

async function main(): Promise<void> {
  if (!existsSync(traces)) {
    console.error(`bench: ${traces} not found (the shared trace corpus)`);
    process.exitCode = 1;
    return;
  }
  const large = await largeTraces(root, cli, (s) => console.error(`bench: ${s}`));
  const rows: string[][] = [];
  for (const l of large) rows.push(decodeRow(l.name, l.path, LARGE_ROUNDS));
  for (const rel of CANDIDATES) {
    const trace = join(traces, rel);
    if (existsSync(trace)) rows.push(decodeRow(rel, trace, ROUNDS));
  }
  printTable(['trace', 'events', 'MB', 'ours none', 'bt2 dummy', 'ratio', 'ours text', 'bt2 text', 'ratio', 'text vs bt2', 'RSS none', 'RSS text'], rows);
  console.log(`\n(best of ${ROUNDS} alternating runs each, ${LARGE_ROUNDS} for the recorded traces; times include process start-up)`);
  await parallelBench(large.length ? large.map((l) => ({ name: l.name, path: l.path })) : [], LARGE_ROUNDS);
  const perf = large.find((l) => l.kind === 'kernel');
  kernelBench(traces, cli, ROUNDS, perf ? [{ name: perf.name, path: perf.path }] : []);
  console.log('\nCritical path (graph built once per model, then one path per thread):');
  for (const line of criticalPathBench(ROUNDS)) console.log(line);
  console.log('\ntracelane serve: viewport queries (bench/serve.ts)');
  spawnSync(process.execPath, [join(root, 'dist', 'bench', 'serve.js')], { stdio: 'inherit' });
}

await main();
