/**
 * `npm run bench`: decoding speed against babeltrace2, measured in the same run.
 *
 * For each trace, alternately (so that machine noise hits both alike): `tracelane events
 * --output none` vs `babeltrace2 -o dummy` (decode everything, print nothing), and text output to
 * /dev/null for both. Prints events/s and the ratio; the ratio is what to report, absolute
 * numbers on a shared 2-core machine are noisy. Peak RSS comes from /usr/bin/time when present.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelBench } from './kernel.js';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const cli = join(root, 'bin', 'tracelane.js');
const traces = join(root, '..', 'shared', 'traces');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

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

function timed(cmd: string, args: string[], stdoutToNull = true): Timing {
  const full = hasGnuTime ? ['/usr/bin/time', ['-f', '%M', cmd, ...args]] : [cmd, args];
  const start = process.hrtime.bigint();
  const r = spawnSync(full[0] as string, full[1] as string[], {
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', stdoutToNull ? 'ignore' : 'pipe', 'pipe'],
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString().slice(-500)}`);
  const lines = r.stderr?.toString().trim().split('\n') ?? [];
  const rss = hasGnuTime ? Number(lines[lines.length - 1]) : undefined;
  return { seconds, rssKiB: Number.isFinite(rss) ? rss : undefined };
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

function main(): void {
  if (!existsSync(traces)) {
    console.error(`bench: ${traces} not found (the shared trace corpus)`);
    process.exitCode = 1;
    return;
  }
  const rows: string[][] = [];
  for (const rel of CANDIDATES) {
    const trace = join(traces, rel);
    if (!existsSync(trace)) continue;
    const events = eventCount(trace);
    const mb = dirSize(trace) / 1e6;
    const ours: Timing[] = [];
    const theirs: Timing[] = [];
    const oursText: Timing[] = [];
    const theirsText: Timing[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      ours.push(timed(process.execPath, [cli, 'events', '--output', 'none', trace]));
      theirs.push(timed('babeltrace2', ['-o', 'dummy', trace]));
      oursText.push(timed(process.execPath, [cli, 'events', trace]));
      theirsText.push(timed('babeltrace2', [trace]));
    }
    const o = best(ours);
    const t = best(theirs);
    const ot = best(oursText);
    const tt = best(theirsText);
    const rate = (s: number) => `${(events / s / 1e6).toFixed(2)} M/s`;
    rows.push([
      rel,
      String(events),
      mb.toFixed(1),
      rate(o.seconds),
      rate(t.seconds),
      `${(t.seconds / o.seconds).toFixed(2)}x`,
      rate(ot.seconds),
      rate(tt.seconds),
      `${(tt.seconds / ot.seconds).toFixed(2)}x`,
      o.rssKiB ? `${(o.rssKiB / 1024).toFixed(0)} MiB` : '-',
    ]);
  }
  const header = ['trace', 'events', 'MB', 'ours none', 'bt2 dummy', 'ratio', 'ours text', 'bt2 text', 'ratio', 'our peak RSS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(fmt(r));
  console.log(`\n(best of ${ROUNDS} alternating runs each; times include process start-up)`);
  kernelBench(traces, cli, ROUNDS);
}

main();
