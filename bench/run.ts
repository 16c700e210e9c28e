/**
 * `npm run bench`: decoding speed against babeltrace2, measured in the same run.
 *
 * For each trace, alternately (so that machine noise hits both alike): `tracelane events
 * --output none` vs `babeltrace2 -o dummy` (decode everything, print nothing), and text output to
 * /dev/null for both (checked byte for byte once, through md5sum). Prints events/s and the ratio;
 * the ratio is what to report, absolute numbers on a shared 2-core machine are noisy. Peak RSS
 * and CPU time come from /usr/bin/time when present; user-space instructions (`perf stat`, one
 * run each, when perf works) give a ratio that the machine's load does not move. tracelane
 * decodes on one thread here (`--jobs 1`), as the target says; several threads are benched below.
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
  /** User + system CPU seconds (undefined without GNU time). */
  cpu?: number;
  rssKiB?: number;
}

const hasGnuTime = existsSync('/usr/bin/time');

function timed(cmd: string, args: string[]): Timing {
  const full = hasGnuTime ? ['/usr/bin/time', ['-f', '%M %U %S', cmd, ...args]] : [cmd, args];
  const start = process.hrtime.bigint();
  const r = spawnSync(full[0] as string, full[1] as string[], {
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString().slice(-500)}`);
  const lines = r.stderr?.toString().trim().split('\n') ?? [];
  const [rss, user, sys] = hasGnuTime ? (lines[lines.length - 1] ?? '').split(' ').map(Number) : [];
  const cpu = user !== undefined && sys !== undefined ? user + sys : Number.NaN;
  return { seconds, cpu: Number.isFinite(cpu) ? cpu : undefined, rssKiB: rss !== undefined && Number.isFinite(rss) ? rss : undefined };
}

/** User-space instructions of one run (`perf stat`), or undefined when perf cannot count. */
function instructions(cmd: string, args: string[]): number | undefined {
  const r = spawnSync('perf', ['stat', '-x', ',', '-e', 'instructions:u', cmd, ...args], {
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) return undefined;
  const line = r.stderr?.toString().split('\n').find((l) => l.includes('instructions'));
  const n = Number(line?.split(',')[0]);
  return Number.isFinite(n) && n > 0 ? n : undefined;
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

/** Node's own start-up (`node -e 0`, best of 5): no Node program finishes faster. */
function nodeStartup(): number {
  return best(Array.from({ length: 5 }, () => timed(process.execPath, ['-e', '0']))).seconds;
}

function decodeRow(label: string, trace: string, rounds: number, startup: number): string[] {
  const events = eventCount(trace);
  const mb = dirSize(trace) / 1e6;
  const ours: Timing[] = [];
  const theirs: Timing[] = [];
  const oursText: Timing[] = [];
  const theirsText: Timing[] = [];
  const oursNone = [cli, 'events', '--output', 'none', '--jobs', '1', trace];
  for (let i = 0; i < rounds; i++) {
    ours.push(timed(process.execPath, oursNone));
    theirs.push(timed('babeltrace2', ['-o', 'dummy', trace]));
    oursText.push(timed(process.execPath, [cli, 'events', trace]));
    theirsText.push(timed('babeltrace2', [trace]));
  }
  const same = sameText(trace);
  const ourInstructions = instructions(process.execPath, oursNone);
  const theirInstructions = instructions('babeltrace2', ['-o', 'dummy', trace]);
  const o = best(ours);
  const t = best(theirs);
  const ot = best(oursText);
  const tt = best(theirsText);
  const rate = (s: number) => `${(events / s / 1e6).toFixed(2)} M/s`;
  const cpuRatio = (a: Timing[], b: Timing[]) => {
    const ca = Math.min(...a.map((x) => x.cpu ?? Infinity));
    const cb = Math.min(...b.map((x) => x.cpu ?? Infinity));
    return Number.isFinite(ca) && Number.isFinite(cb) ? `${(cb / ca).toFixed(2)}x` : '-';
  };
  return [
    label,
    String(events),
    mb.toFixed(1),
    rate(o.seconds),
    rate(t.seconds),
    `${(t.seconds / o.seconds).toFixed(2)}x`,
    cpuRatio(ours, theirs),
    ourInstructions && theirInstructions ? `${(theirInstructions / ourInstructions).toFixed(2)}x` : '-',
    // The whole run that "10x babeltrace2" allows, against Node's start-up alone.
    `${(t.seconds / 10).toFixed(3)} s${t.seconds / 10 < startup ? ' < start-up' : ''}`,
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
  const startup = nodeStartup();
  for (const l of large) rows.push(decodeRow(l.name, l.path, LARGE_ROUNDS, startup));
  for (const rel of CANDIDATES) {
    const trace = join(traces, rel);
    if (existsSync(trace)) rows.push(decodeRow(rel, trace, ROUNDS, startup));
  }
  printTable(['trace', 'events', 'MB', 'ours none', 'bt2 dummy', 'ratio', 'CPU ratio', 'instr. ratio', '10x = run in', 'ours text', 'bt2 text', 'ratio', 'text vs bt2', 'RSS none', 'RSS text'], rows);
  console.log(`\n(best of ${ROUNDS} alternating runs each, ${LARGE_ROUNDS} for the recorded traces; times include process start-up;`);
  console.log(' ratios of wall time, of CPU time (user + system) and of user-space instructions, babeltrace2 / tracelane;');
  console.log(` "10x = run in": a tenth of babeltrace2's time; Node's own start-up, \`node -e 0\`, takes ${startup.toFixed(3)} s here)`);
  await parallelBench(large.length ? large.map((l) => ({ name: l.name, path: l.path })) : [], LARGE_ROUNDS);
  const perf = large.find((l) => l.kind === 'kernel');
  kernelBench(traces, cli, ROUNDS, perf ? [{ name: perf.name, path: perf.path }] : []);
  console.log('\nCritical path (graph built once per model, then one path per thread):');
  for (const line of criticalPathBench(ROUNDS)) console.log(line);
  console.log('\ntracelane serve: viewport queries (bench/serve.ts)');
  spawnSync(process.execPath, [join(root, 'dist', 'bench', 'serve.js')], { stdio: 'inherit' });
}

await main();
