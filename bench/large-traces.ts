/**
 * The large traces of `npm run bench`, recorded by the bench itself and cached in bench/.work
 * (ignored by git) so that reruns reuse them:
 *
 * - `perf-xz`: a real kernel trace — `perf record` of the scheduler and raw_syscalls tracepoints
 *   on every CPU while `xz -T2` compresses ~160 MB, converted with `perf data convert --to-ctf`
 *   (millions of events, hundreds of MB). Needs root (or perf_event_paranoid = -1).
 * - `calcjob-ust`: a large LTTng-UST trace of examples/calcjob recorded with `tracelane record`
 *   (many tiny jobs: 1–2 M events). Needs LTTng-UST and a built examples/calcjob.
 *
 * Either is skipped with a one-line notice when it cannot be recorded here.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LargeTrace {
  name: string;
  path: string;
  kind: 'kernel' | 'ust';
}

const PERF_EVENTS = [
  'sched:sched_switch',
  'sched:sched_wakeup',
  'sched:sched_wakeup_new',
  'sched:sched_process_fork',
  'sched:sched_process_exec',
  'sched:sched_process_exit',
  'raw_syscalls:sys_enter',
  'raw_syscalls:sys_exit',
];

function run(cmd: string, args: string[], opts: { cwd?: string; stdout?: string } = {}): { ok: boolean; err: string } {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  return { ok: r.status === 0, err: r.stderr?.toString().trim().split('\n').slice(-3).join(' / ') ?? String(r.error) };
}

/** ~160 MB of text-like data that xz takes a few seconds to compress (deterministic). */
function writeXzInput(path: string): Promise<void> {
  return new Promise((resolveDone, reject) => {
    const out = createWriteStream(path);
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
    const words = ['sched', 'switch', 'wakeup', 'trace', 'kernel', 'event', 'packet', 'stream', 'clock', 'thread'];
    let written = 0;
    const chunk = () => {
      while (written < 160e6) {
        let s = '';
        for (let i = 0; i < 4096; i++) s += rand() < 0.3 ? `${(rand() * 1e9) | 0} ` : `${words[(rand() * words.length) | 0]} `;
        written += s.length;
        if (!out.write(s)) return void out.once('drain', chunk);
      }
      out.end(resolveDone);
    };
    out.on('error', reject);
    chunk();
  });
}

async function recordPerfXz(work: string, say: (s: string) => void): Promise<LargeTrace | undefined> {
  const dir = join(work, 'perf-xz-ctf');
  const trace: LargeTrace = { name: 'bench/perf-xz (perf, recorded here)', path: dir, kind: 'kernel' };
  if (existsSync(join(dir, 'metadata'))) return trace;
  say('recording the perf kernel trace (xz -T2 of 160 MB; once, cached in bench/.work)…');
  const input = join(work, 'xz-input.txt');
  if (!existsSync(input)) await writeXzInput(input);
  const data = join(work, 'perf-xz.data');
  const args = ['record', '-q', '-k', 'CLOCK_MONOTONIC', '-a', '-m', '1024', '-o', data];
  for (const e of PERF_EVENTS) args.push('-e', e);
  args.push('--', 'sh', '-c', `xz -T2 -6 -c ${input} > /dev/null`);
  const rec = run('perf', args);
  if (!rec.ok) {
    say(`perf record failed, no perf trace: ${rec.err}`);
    return undefined;
  }
  rmSync(dir, { recursive: true, force: true });
  const conv = run('perf', ['data', 'convert', '--to-ctf', dir, '-i', data]);
  rmSync(data, { force: true });
  if (!conv.ok) {
    say(`perf data convert failed, no perf trace: ${conv.err}`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return trace;
}

function recordCalcjob(root: string, work: string, cli: string, say: (s: string) => void): LargeTrace | undefined {
  const dir = join(work, 'calcjob-ust');
  const trace: LargeTrace = { name: 'bench/calcjob (LTTng-UST, recorded here)', path: dir, kind: 'ust' };
  if (existsSync(join(dir, '.done'))) return trace;
  const exe = join(root, 'examples', 'calcjob', 'calcjob');
  if (!existsSync(exe)) {
    say('examples/calcjob/calcjob is not built (make -C examples/calcjob): no large UST trace');
    return undefined;
  }
  say('recording the calcjob UST trace (150000 tiny jobs; once, cached in bench/.work)…');
  rmSync(dir, { recursive: true, force: true });
  // Small sub-buffers would lose events: 16 × 4 MiB per CPU holds the burst.
  const r = run(process.execPath, [cli, 'record', '-q', '-o', dir, '--num-subbuf', '16', '--', exe, '-n', '150000', '-k', '2', '-s', '200', '-q']);
  if (!r.ok) {
    say(`tracelane record failed, no UST trace: ${r.err}`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  writeFileSync(join(dir, '.done'), '');
  return trace;
}

/** Records (or finds cached) the large traces; returns those available. */
export async function largeTraces(root: string, cli: string, say: (s: string) => void): Promise<LargeTrace[]> {
  const work = join(root, 'bench', '.work');
  mkdirSync(work, { recursive: true });
  const out: LargeTrace[] = [];
  const perf = await recordPerfXz(work, say);
  if (perf) out.push(perf);
  const ust = recordCalcjob(root, work, cli, say);
  if (ust) out.push(ust);
  return out;
}
