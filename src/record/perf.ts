/**
 * Kernel scheduling, IRQ and system-call events without lttng-modules: `perf record` of the
 * kernel's tracepoints on every CPU while the command runs, converted to CTF afterwards.
 *
 *   perf record -k CLOCK_MONOTONIC -a -D -1 --control=fd:3,4 -e ... -o perf.data   (events off)
 *   "enable" on fd 3 ─► "ack" on fd 4: recording        (so the command starts only then)
 *   SIGINT ─► perf writes perf.data ─► perf data convert --to-ctf DIR
 *
 * `-k CLOCK_MONOTONIC` stamps events with the clock LTTng-UST uses for its raw timestamps, so the
 * two traces line up once their clock offsets agree (see clock-align.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { RecordError } from './errors.js';
import { findExecutable, isRoot, runSync } from './system.js';

export const PERF_PACKAGE = 'linux-perf';

export const PERF_TRACEPOINTS = {
  sched: [
    'sched:sched_switch',
    'sched:sched_waking',
    'sched:sched_wakeup',
    'sched:sched_wakeup_new',
    'sched:sched_migrate_task',
    'sched:sched_process_fork',
    'sched:sched_process_exec',
    'sched:sched_process_exit',
    'sched:sched_process_free',
  ],
  irq: ['irq:irq_handler_entry', 'irq:irq_handler_exit', 'irq:softirq_entry', 'irq:softirq_exit', 'irq:softirq_raise'],
  syscalls: ['raw_syscalls:sys_enter', 'raw_syscalls:sys_exit'],
};

const TRACEFS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** Drops the tracepoints this kernel does not have (when tracefs shows them; else keeps all). */
export function availableTracepoints(names: string[]): string[] {
  const root = TRACEFS.find((d) => existsSync(`${d}/events`));
  if (!root) return names;
  return names.filter((n) => {
    const [sys, ev] = n.split(':');
    return existsSync(`${root}/events/${sys}/${ev}`);
  });
}

/** Why perf cannot record kernel tracepoints here, or undefined when it should. */
export function perfUnavailable(): string | undefined {
  if (!findExecutable('perf')) return `perf is not installed (Debian package ${PERF_PACKAGE})`;
  if (!isRoot()) {
    let paranoid = 2;
    try {
      paranoid = Number(readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim());
    } catch {
      // keep the safe default
    }
    if (paranoid > -1) {
      return `no permission: recording kernel tracepoints on all CPUs with perf needs root (or kernel.perf_event_paranoid=-1, now ${paranoid})`;
    }
  }
  return undefined;
}

/**
 * Tries the whole perf path once on a tiny recording (sched_switch on every CPU around `true`,
 * converted to CTF): undefined when it works, else perf's reason. Takes about a second.
 */
export function probePerf(): string | undefined {
  const why = perfUnavailable();
  if (why) return why;
  const dir = mkdtempSync(join(tmpdir(), 'tracelane-perf-probe-'));
  try {
    const data = join(dir, 'probe.data');
    const r = runSync('perf', ['record', '-q', '-k', 'CLOCK_MONOTONIC', '-a', '-e', 'sched:sched_switch', '-o', data, '--', 'true']);
    if (r.code !== 0 || !existsSync(data)) return `perf record fails here: ${perfMessage(r.stderr) || `exit ${r.code}`}`;
    const c = convertToCtf(data, join(dir, 'ctf'), false);
    if (!c.ok) return `perf data convert --to-ctf fails here (perf built without libbabeltrace?): ${c.message}`;
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function perfMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Events (disabled|enabled)$/.test(l) && !/^\[ perf record:/.test(l));
  const first = lines.find((l) => !/^(Error|Warning):?$/.test(l)) ?? '';
  return first;
}

export class PerfRecorder {
  private child?: ChildProcess;
  private stderr = '';
  private exited?: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly events: string[];

  constructor(
    readonly dataFile: string,
    syscalls: boolean,
  ) {
    this.events = availableTracepoints([
      ...PERF_TRACEPOINTS.sched,
      ...PERF_TRACEPOINTS.irq,
      ...(syscalls ? PERF_TRACEPOINTS.syscalls : []),
    ]);
    if (!this.events.includes('sched:sched_switch')) {
      throw new RecordError('this kernel has no sched:sched_switch tracepoint (CONFIG_TRACEPOINTS?): cannot record scheduling with perf');
    }
  }

  /** perf's command line (events start disabled; enabled through the control fd). */
  args(): string[] {
    const kernel = this.events.filter((e) => !e.startsWith('raw_syscalls:'));
    const sys = this.events.filter((e) => e.startsWith('raw_syscalls:'));
    return [
      'record',
      '-k',
      'CLOCK_MONOTONIC',
      '-a',
      '-m',
      '4M',
      '-D',
      '-1',
      '--control=fd:3,4',
      '-o',
      this.dataFile,
      '-e',
      kernel.join(','),
      // perf's own system calls (writing perf.data) would otherwise fill the trace.
      ...(sys.length ? ['-e', sys.join(','), '--exclude-perf'] : []),
    ];
  }

  /** Starts perf and resolves once its events are enabled. */
  async start(): Promise<void> {
    // Its own process group: a Ctrl-C meant for the command must not end the kernel recording
    // before the command has finished (we stop perf ourselves).
    const child = spawn('perf', this.args(), { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true });
    this.child = child;
    child.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString('utf8')));
    this.exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
    const ctl = child.stdio[3] as Writable;
    const ack = child.stdio[4] as Readable;
    const acked = new Promise<boolean>((res) => {
      let text = '';
      ack.on('data', (b: Buffer) => {
        text += b.toString('utf8');
        if (text.includes('ack')) res(true);
      });
      ack.on('error', () => res(false));
      child.on('exit', () => res(false));
      child.on('error', () => res(false));
    });
    ctl.on('error', () => {});
    ctl.write('enable\n');
    const timeout = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 60_000).unref());
    const r = await Promise.race([acked, timeout]);
    if (r === true) return;
    if (r === 'timeout') {
      child.kill('SIGKILL');
      throw new RecordError('perf record did not start recording within 60 s');
    }
    await this.exited;
    const msg = perfMessage(this.stderr);
    if (/permission|not permitted|Access to performance monitoring|perf_event_paranoid/i.test(this.stderr)) {
      throw new RecordError(`no permission to record kernel tracepoints with perf: ${msg} (run as root)`);
    }
    throw new RecordError(`perf record failed: ${msg || 'no message'}`);
  }

  /** Stops perf (SIGINT: it writes its data) and waits for it. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const { code, signal } = await this.exited;
    clearTimeout(timer);
    if (signal === 'SIGKILL') throw new RecordError('perf record did not stop within 60 s of SIGINT');
    if (code !== null && code !== 0 && code !== 130) {
      throw new RecordError(`perf record failed (exit ${code}): ${perfMessage(this.stderr) || 'no message'}`);
    }
    if (!existsSync(this.dataFile) || statSync(this.dataFile).size === 0) {
      throw new RecordError(`perf record wrote no data (${this.dataFile}): ${perfMessage(this.stderr) || 'no message'}`);
    }
  }

  /** Kills perf without waiting for its data (cleanup after an error). */
  kill(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
    this.child = undefined;
  }

  /** What perf said while recording (lost events are reported there). */
  get messages(): string {
    return this.stderr;
  }
}

/**
 * perf.data → a CTF trace folder. `tod`: let perf set the clock offset from its own reference
 * time (used when there is no LTTng clock to align to). Returns false when this perf cannot
 * (e.g. built without libbabeltrace) with perf's message.
 */
export function convertToCtf(dataFile: string, outDir: string, tod: boolean): { ok: boolean; message: string } {
  const args = ['data', 'convert', '--to-ctf', outDir, '-i', dataFile, ...(tod ? ['--tod'] : [])];
  const r = runSync('perf', args);
  const ok = r.code === 0 && existsSync(`${outDir}/metadata`);
  return { ok, message: ok ? '' : perfMessage(`${r.stderr}\n${r.stdout}`) || `exit ${r.code}` };
}

/**
 * Events perf's ring buffers lost: its statistics say whether there were LOST records, and the
 * raw dump gives how many events each one stands for.
 */
export function perfLostEvents(dataFile: string): number {
  const stats = runSync('perf', ['report', '--stats', '-i', dataFile]);
  const records = /^\s*LOST(?:_SAMPLES)? events:\s*(\d+)/m.exec(stats.stdout);
  if (!records || records[1] === '0') return 0;
  let lost = 0;
  try {
    const dump = runSync('perf', ['report', '-D', '-i', dataFile], undefined, 1 << 30);
    for (const m of dump.stdout.matchAll(/PERF_RECORD_LOST(?:_SAMPLES)?\b[^\n]*?lost:?\s*(\d+)/g)) lost += Number(m[1]);
  } catch {
    // too big to dump: at least one event per LOST record
  }
  return Math.max(lost, Number(records[1]));
}
