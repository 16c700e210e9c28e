/**
 * The kernel-model part of `npm run bench`:
 *
 * 1. in process, best of N: decoding alone (every event through the merge) against decoding plus
 *    the full kernel model (layouts, thread/CPU state machine, frozen tables), in events/s;
 * 2. wall time of `tracelane cpu` against `lttng-cputop` (python3-lttnganalyses) on the same
 *    trace, both printing the same report (JSON / LAMI), run alternately.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeKernel } from '../src/analysis/kernel/index.js';
import { TraceSet } from '../src/ctf/trace-set.js';

const KERNEL_TRACES = ['tracecompass/many-threads', 'tracevizlab/cat-kern-ust/cat-kernel', 'tracecompass/bug446190'];

function seconds(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function wall(cmd: string, args: string[]): number | undefined {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, TZ: 'UTC' } });
  if (r.status !== 0) return undefined;
  return Number(process.hrtime.bigint() - t) / 1e9;
}

export function kernelBench(tracesDir: string, cli: string, rounds: number, extra: { name: string; path: string }[] = []): void {
  const rows: string[][] = [];
  const haveCputop = spawnSync('lttng-cputop-mi', ['--help'], { stdio: 'ignore' }).status === 0;
  // lttng-analyses reads LTTng kernel traces only: the recorded perf trace has no comparison.
  const all = [...extra.map((e) => ({ ...e, lttng: false })), ...KERNEL_TRACES.map((rel) => ({ name: rel, path: join(tracesDir, rel), lttng: true }))];
  for (const { name: rel, path: trace, lttng } of all) {
    if (!existsSync(trace)) continue;
    let events = 0;
    let decode = Infinity;
    let model = Infinity;
    for (let i = 0; i < rounds; i++) {
      const a = TraceSet.open([trace]);
      decode = Math.min(
        decode,
        seconds(() => {
          const m = a.muxer();
          let n = 0;
          while (m.next()) n++;
          events = n;
        }),
      );
      const b = TraceSet.open([trace]);
      model = Math.min(
        model,
        seconds(() => analyzeKernel(b)),
      );
    }
    let ours = Infinity;
    let theirs = Infinity;
    const dir = mkdtempSync(join(tmpdir(), 'tracelane-bench-'));
    try {
      symlinkSync(trace, join(dir, 'kernel'));
      for (let i = 0; i < rounds; i++) {
        ours = Math.min(ours, wall(process.execPath, [cli, 'cpu', '--json', trace]) ?? Infinity);
        if (haveCputop && lttng) theirs = Math.min(theirs, wall('lttng-cputop-mi', ['--no-intersection', '--skip-validation', '--limit', '1000000', join(dir, 'kernel')]) ?? Infinity);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const rate = (s: number) => `${(events / s / 1e6).toFixed(2)} M/s`;
    rows.push([
      rel,
      String(events),
      rate(decode),
      rate(model),
      `${(model / decode).toFixed(2)}x`,
      `${ours.toFixed(2)} s`,
      Number.isFinite(theirs) ? `${theirs.toFixed(2)} s` : '-',
      Number.isFinite(theirs) ? `${(theirs / ours).toFixed(1)}x` : '-',
    ]);
  }
  const header = ['kernel trace', 'events', 'decode', 'decode+model', 'model/decode', 'tracelane cpu', 'lttng-cputop', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log('');
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(fmt(r));
  console.log(
    `\n(decode, decode+model: in process, best of ${rounds}, time from the first event to the frozen model;` +
      ` tracelane cpu vs lttng-cputop --no-intersection --skip-validation: wall time with start-up, best of ${rounds}${haveCputop ? '' : '; lttng-cputop not installed'})`,
  );
}
