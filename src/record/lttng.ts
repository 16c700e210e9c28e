/**
 * Driving the real `lttng` client and, when none runs, a session daemon of our own.
 *
 *   ensureSessiond ─► create ─► enable-channel / enable-event / add-context ─► start
 *       (the command runs)  ─► stop ─► list (discarded events) ─► destroy ─► stopSessiond
 *
 * Every failing step becomes a one-line RecordError quoting lttng's own message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordError } from './errors.js';
import { findExecutable, isRoot, processAlive, runSync, waitForExit, type RunResult } from './system.js';

export const LTTNG_PACKAGE = 'lttng-tools';

/** Kernel events LTTng records with `--kernel` (those Trace Compass's kernel analysis uses). */
export const LTTNG_KERNEL_EVENTS = [
  'sched_switch',
  'sched_waking',
  'sched_wakeup',
  'sched_wakeup_new',
  'sched_migrate_task',
  'sched_process_fork',
  'sched_process_exec',
  'sched_process_exit',
  'sched_process_free',
  'irq_handler_entry',
  'irq_handler_exit',
  'irq_softirq_entry',
  'irq_softirq_exit',
  'irq_softirq_raise',
  'lttng_statedump_*',
];

export type Log = (message: string) => void;

/** The first `Error:` line lttng printed, else its last non-empty line. */
export function lttngMessage(r: RunResult): string {
  const lines = `${r.stderr}\n${r.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = lines.find((l) => /^(Error|PERROR)/.test(l));
  return (err ?? lines[lines.length - 1] ?? '').replace(/^Error:\s*/, '');
}

/** `Discarded events: N` and `Lost packets: N` of every channel in `lttng list SESSION`. */
export function parseListLosses(text: string): { discardedEvents: number; lostPackets: number } {
  let discardedEvents = 0;
  let lostPackets = 0;
  for (const m of text.matchAll(/Discarded events:\s*(\d+)/g)) discardedEvents += Number(m[1]);
  for (const m of text.matchAll(/Lost packets:\s*(\d+)/g)) lostPackets += Number(m[1]);
  return { discardedEvents, lostPackets };
}

export class Lttng {
  readonly bin: string;
  readonly sessiondBin: string;

  /** Throws a RecordError naming the Debian package when lttng is not installed. */
  constructor(private readonly log: Log) {
    const bin = findExecutable('lttng');
    const sessiond = findExecutable('lttng-sessiond') ?? findExecutable('lttng-sessiond', '/usr/bin:/usr/local/bin:/usr/sbin');
    if (!bin || !sessiond) {
      throw new RecordError(
        `LTTng is not installed (no ${bin ? 'lttng-sessiond' : 'lttng'} in PATH): install the Debian/Ubuntu package ` +
          `${LTTNG_PACKAGE} (apt-get install ${LTTNG_PACKAGE} liblttng-ust-dev)`,
      );
    }
    this.bin = bin;
    this.sessiondBin = sessiond;
  }

  /** Runs `lttng ARGS`; the result, whatever the exit code. */
  try(args: string[]): RunResult {
    return runSync(this.bin, args);
  }

  /** Runs `lttng ARGS` and throws a RecordError quoting lttng when it fails. */
  run(args: string[]): RunResult {
    const r = this.try(args);
    if (r.code !== 0 || r.signal) {
      const how = r.signal ? `was killed by ${r.signal}` : `failed (exit ${r.code})`;
      let msg = lttngMessage(r);
      // The client dies of SIGPIPE when the daemon rejects a kernel command before reading it.
      if (r.signal === 'SIGPIPE' || r.code === 141) msg = msg || 'the session daemon closed the connection (no kernel tracer?)';
      if (/permission|not allowed|EPERM|EACCES/i.test(msg)) {
        throw new RecordError(`no permission: lttng ${args.join(' ')}: ${msg} (run as root or join the "tracing" group)`);
      }
      throw new RecordError(`lttng ${args.join(' ')} ${how}${msg ? `: ${msg}` : ''}`);
    }
    return r;
  }

  /** True when a session daemon answers this user's client (none is spawned to find out). */
  sessiondRunning(): boolean {
    return this.try(['--no-sessiond', 'list']).code === 0;
  }

  /** Where lttng-sessiond writes its pid: the root daemon's rundir, or ~/.lttng for a user's. */
  static pidFile(env: NodeJS.ProcessEnv = process.env): string {
    if (isRoot()) return join(env['LTTNG_RUNDIR'] ?? '/var/run/lttng', 'lttng-sessiond.pid');
    return join(env['LTTNG_HOME'] ?? env['HOME'] ?? '/', '.lttng', 'lttng-sessiond.pid');
  }

  /**
   * Starts a session daemon when none runs. Returns its pid when we started it (to stop it
   * afterwards), undefined when one was already there.
   */
  ensureSessiond(withKernel: boolean): number | undefined {
    if (this.sessiondRunning()) return undefined;
    const args = ['--daemonize', ...(withKernel ? [] : ['--no-kernel'])];
    const r = runSync(this.sessiondBin, args);
    if (r.code !== 0) {
      // Someone else may have started one at the same moment: use theirs.
      if (this.sessiondRunning()) return undefined;
      throw new RecordError(`lttng-sessiond ${args.join(' ')} failed (exit ${r.code}): ${lttngMessage(r) || 'no message'}`);
    }
    const pidFile = Lttng.pidFile();
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
    if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) {
      this.log(`warning: started lttng-sessiond but found no live pid in ${pidFile}; it will be left running`);
      return undefined;
    }
    this.log(`started lttng-sessiond ${args.join(' ')} (pid ${pid})`);
    return pid;
  }

  /** Names of the sessions the daemon holds. */
  sessions(): string[] {
    const r = this.try(['--mi', 'xml', 'list']);
    if (r.code !== 0) return [];
    const block = /<sessions>([\s\S]*?)<\/sessions>/.exec(r.stdout)?.[1] ?? '';
    return [...block.matchAll(/<session>\s*<name>([^<]*)<\/name>/g)].map((m) => m[1]!);
  }

  /** Stops the daemon we started (by pid), unless someone else has sessions on it by now. */
  async stopSessiond(pid: number): Promise<void> {
    const others = this.sessions();
    if (others.length > 0) {
      this.log(`left lttng-sessiond (pid ${pid}) running: it now holds other sessions (${others.join(', ')})`);
      return;
    }
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    if (await waitForExit(pid, 10_000)) {
      this.log(`stopped lttng-sessiond (pid ${pid})`);
      return;
    }
    this.log(`warning: lttng-sessiond (pid ${pid}) did not stop within 10 s after SIGTERM; sending SIGKILL`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await waitForExit(pid, 5_000);
  }

  /** True when the daemon can record kernel events (lttng-modules loaded). */
  kernelTracerAvailable(): boolean {
    return this.try(['list', '-k']).code === 0;
  }
}

/** Why the LTTng kernel tracer surely cannot work here, or undefined when it might. */
export function lttngKernelImpossible(): string | undefined {
  if (!isRoot()) return 'kernel tracing with LTTng needs root';
  if (existsSync('/proc/lttng')) return undefined;
  if (!existsSync('/proc/modules')) return 'this kernel has no loadable module support (CONFIG_MODULES), so no lttng-modules';
  return undefined;
}
