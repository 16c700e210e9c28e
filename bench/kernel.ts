/**
 * The kernel-model part of `npm run bench`:
 *
 * 1. in process, best of N: decoding alone (every event through the merge, whole payloads)
 *    against the canonical events of the layouts (payloads decoded partially: only the fields a
 *    layout reads), decoding plus the full kernel model (layouts, thread/CPU state machine, frozen
 *    tables), and plus the model without syscalls (what `tracelane cpu` reads), in events/s;
 * 2. wall time of `tracelane cpu` against `lttng-cputop` (python3-lttnganalyses) on the same
 *    trace, both printing the same report (JSON / LAMI), run alternately.
 *
 * `node dist/bench/kernel.js` runs this part alone (on bench/.work/perf-xz-ctf when `npm run
 * bench` has recorded it; BENCH_ROUNDS rounds, default 2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeKernel } from '../src/analysis/kernel/index.js';
import { TraceSet } from '../src/ctf/trace-set.js';
import { kernelTraceOf, readKernelEvents } from '../src/layouts/source.js';

const KERNEL_TRACES = ['tracecompass/many-threads', 'tracevizlab/cat-kern-ust/cat-kernel', 'tracecompass/bug446190'];

function seconds(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function wall(cmd: string, args: string[], env: Record<string, string> = {}): number | undefined {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, TZ: 'UTC', ...env } });
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
    let sched = Infinity;
    let layouts = Infinity;
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
      const l = kernelTraceOf(TraceSet.open([trace]));
      layouts = Math.min(
        layouts,
        seconds(() => readKernelEvents(l, { begin() {}, handle() {} })),
      );
      const b = TraceSet.open([trace]);
      model = Math.min(
        model,
        seconds(() => analyzeKernel(b)),
      );
      const c = TraceSet.open([trace]);
      sched = Math.min(
        sched,
        seconds(() => analyzeKernel(c, { syscalls: false })),
      );
    }
    let ours = Infinity;
    let theirs = Infinity;
    let cached = Infinity;
    const dir = mkdtempSync(join(tmpdir(), 'tracelane-bench-'));
    try {
      symlinkSync(trace, join(dir, 'kernel'));
      // A report after another one on the same trace: the model comes from the cache.
      const cacheEnv = { TRACELANE_CACHE_DIR: join(dir, 'cache') };
      wall(process.execPath, [cli, 'cpu', '--json', trace], cacheEnv);
      for (let i = 0; i < rounds; i++) {
        ours = Math.min(ours, wall(process.execPath, [cli, 'cpu', '--json', '--no-cache', trace]) ?? Infinity);
        cached = Math.min(cached, wall(process.execPath, [cli, 'cpu', '--json', trace], cacheEnv) ?? Infinity);
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
      rate(layouts),
      rate(model),
      `${(model / decode).toFixed(2)}x`,
      rate(sched),
      `${ours.toFixed(2)} s`,
      Number.isFinite(theirs) ? `${theirs.toFixed(2)} s` : '-',
      Number.isFinite(theirs) ? `${(theirs / ours).toFixed(1)}x` : '-',
      `${cached.toFixed(2)} s`,
    ]);
  }
  const header = ['kernel trace', 'events', 'decode', 'decode+layouts', 'decode+model', 'model/decode', 'model w/o syscalls', 'tracelane cpu', 'lttng-cputop', 'ratio', 'cpu, model cached'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log('');
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(fmt(r));
  console.log(
    `\n(decode, decode+layouts, decode+model: in process, best of ${rounds}, time from the first event to the frozen model;` +
      ` tracelane cpu --no-cache vs lttng-cputop --no-intersection --skip-validation: wall time with start-up, best of ${rounds}${haveCputop ? '' : '; lttng-cputop not installed'};` +
      ' cpu, model cached: the same report when an earlier one left the model in the cache)',
  );
}

// Run alone: `node dist/bench/kernel.js`.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), '../../..');
  const perf = join(root, 'bench', '.work', 'perf-xz-ctf');
  const extra = existsSync(perf) ? [{ name: 'bench/perf-xz (perf, recorded here)', path: perf }] : [];
  kernelBench(join(root, '..', 'shared', 'traces'), join(root, 'bin', 'tracelane.js'), Number(process.env['BENCH_ROUNDS'] ?? 2), extra);
}
