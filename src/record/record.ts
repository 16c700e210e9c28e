/**
 * `tracelane record`: one LTTng session around one run of a command.
 *
 *   check the command, lttng, preload libraries, the output folder      (nothing started yet)
 *   session daemon (ours if none runs) ─► session + UST channel/events/contexts
 *   [--kernel: LTTng kernel channel, or perf record on every CPU]  ─► lttng start
 *   run the command (its stdio, its exit code) ─► lttng stop ─► perf stop ─► losses ─► destroy
 *   perf data → CTF in OUTDIR/kernel-perf, clock aligned on the LTTng clock ─► stop our daemon
 *   decode the result (summary) ─► OUTDIR/tracelane-record.json
 *
 * Whatever fails, the session is destroyed, perf is stopped and a daemon we started is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { alignPerfTrace, lttngClockReference, type ClockReference } from './clock-align.js';
import { RecordError } from './errors.js';
import { LTTNG_KERNEL_EVENTS, Lttng, lttngKernelImpossible, parseListLosses, type Log } from './lttng.js';
import type { RecordOptions } from './options.js';
import { convertToCtf, perfLostEvents, perfUnavailable, PerfRecorder } from './perf.js';
import { summariseRecording, type RecordingSummary } from './summary.js';
import { findExecutable, findSharedLibrary } from './system.js';
import { TraceFormatError, UsageError } from '../util/errors.js';

/** Folder of the perf kernel trace inside the output folder. */
export const PERF_TRACE_DIR = 'kernel-perf';
/** What was recorded and how, beside the traces (not a trace: readers skip it). */
export const MANIFEST = 'tracelane-record.json';

const CHANNEL = 'channel0';

export interface RecordReporter {
  info: Log;
  warn: Log;
}

export interface RecordResult {
  outputDir: string;
  sessionName: string;
  command: string[];
  pid?: number;
  /** The command's exit code (128 + signal number when a signal killed it). */
  exitCode: number;
  signal?: string;
  kernel: {
    mode: 'off' | 'lttng' | 'perf';
    /** Why perf was used instead of LTTng, when it was. */
    reason?: string;
    events?: string[];
    /** Events perf's buffers lost. */
    perfLostEvents?: number;
    /** How the perf trace's clock was put on the LTTng clock. */
    clock?: { method: 'lttng-clock'; reference: ClockReference } | { method: 'perf-tod' };
  };
  /** What `lttng list` reported for the session's channels. */
  lttng: { discardedEvents: number; lostPackets: number };
  sessiondStarted?: number;
  summary?: RecordingSummary;
  /** Why there is no summary (e.g. no event was recorded). */
  summaryError?: string;
}

function checkOutputDir(dir: string): void {
  if (existsSync(dir)) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      throw new UsageError(`-o ${dir}: exists and is not a readable folder`);
    }
    if (entries.length > 0) throw new UsageError(`-o ${dir}: the folder exists and is not empty; choose another folder`);
    return;
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new RecordError(`no permission to create the output folder ${dir}`);
    throw new RecordError(`cannot create the output folder ${dir}: ${code ?? String(e)}`);
  }
}

function resolveCommand(name: string): string {
  const exe = findExecutable(name);
  if (exe) return exe;
  if (name.includes('/') && existsSync(name)) throw new RecordError(`cannot run ${name}: permission denied (not an executable file)`);
  throw new RecordError(`command not found: ${name}`);
}

function resolvePreloads(o: RecordOptions): string[] {
  return o.preloads.map((p) => {
    const path = findSharedLibrary(p.library);
    if (path) return path;
    if (p.option === '--preload') throw new RecordError(`--preload: shared library not found: ${p.library}`);
    throw new RecordError(`${p.option}: ${p.library} not found: install the Debian package liblttng-ust1`);
  });
}

/**
 * Signals while recording. Running the command: SIGINT/SIGTERM/SIGHUP go to it (a Ctrl-C reaches
 * both anyway) and tracelane goes on to stop the session. Before and after: they are noted and
 * tracelane finishes (or abandons) the recording cleanly instead of leaving a session behind.
 */
class SignalGuard {
  interrupted?: NodeJS.Signals;
  child?: ChildProcess;
  private readonly signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  private readonly handler = (sig: NodeJS.Signals) => {
    if (this.child) {
      try {
        this.child.kill(sig);
      } catch {
        // already gone
      }
      return;
    }
    this.interrupted ??= sig;
    this.warn(`${sig}: stopping the session and the tracers; please wait`);
  };

  constructor(private readonly warn: Log) {
    for (const s of this.signals) process.on(s, this.handler);
  }

  release(): void {
    for (const s of this.signals) process.off(s, this.handler);
  }
}

/** Runs the command with the terminal's stdio and waits for it. */
function runCommand(exe: string, o: RecordOptions, env: NodeJS.ProcessEnv, guard: SignalGuard): Promise<{ pid?: number; code: number; signal?: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(exe, o.command.slice(1), { stdio: 'inherit', env, argv0: o.command[0] });
    guard.child = child;
    child.on('error', (e) => {
      guard.child = undefined;
      const code = (e as NodeJS.ErrnoException).code;
      reject(new RecordError(code === 'ENOENT' ? `command not found: ${o.command[0]}` : `cannot run ${o.command[0]}: ${code ?? e.message}`));
    });
    child.on('exit', (code, signal) => {
      guard.child = undefined;
      if (signal) {
        const n = (osConstants.signals as Record<string, number>)[signal] ?? 0;
        resolvePromise({ pid: child.pid, code: 128 + n, signal });
      } else {
        resolvePromise({ pid: child.pid, code: code ?? 1 });
      }
    });
  });
}

export async function record(o: RecordOptions, rep: RecordReporter): Promise<RecordResult> {
  // Everything that can be checked before starting anything.
  const exe = resolveCommand(o.command[0]!);
  const lttng = new Lttng(rep.info);
  const preloadPaths = resolvePreloads(o);
  if (o.kernel === 'perf') {
    const why = perfUnavailable();
    if (why) throw new RecordError(`--kernel=perf: ${why}`);
  }
  const kernelImpossible = o.kernel === 'auto' || o.kernel === 'lttng' ? lttngKernelImpossible() : undefined;
  if (o.kernel === 'lttng' && kernelImpossible) throw new RecordError(`--kernel=lttng: the LTTng kernel tracer cannot work here: ${kernelImpossible}`);
  checkOutputDir(o.outputDir);

  const result: RecordResult = {
    outputDir: o.outputDir,
    sessionName: o.sessionName,
    command: o.command,
    exitCode: 1,
    kernel: { mode: 'off' },
    lttng: { discardedEvents: 0, lostPackets: 0 },
  };
  const S = o.sessionName;
  let created = false;
  let perf: PerfRecorder | undefined;
  let perfTmp: string | undefined;
  let keepPerfTmp = false;
  const guard = new SignalGuard(rep.warn);
  try {
    const tryLttngKernel = (o.kernel === 'auto' || o.kernel === 'lttng') && !kernelImpossible;
    result.sessiondStarted = lttng.ensureSessiond(tryLttngKernel);

    if (o.kernel !== 'off') {
      if (o.kernel !== 'perf' && tryLttngKernel && lttng.kernelTracerAvailable()) {
        result.kernel.mode = 'lttng';
      } else if (o.kernel === 'lttng') {
        throw new RecordError('--kernel=lttng: the session daemon has no kernel tracer (lttng-modules not installed or not loaded)');
      } else {
        const reason = o.kernel === 'perf' ? '--kernel=perf' : kernelImpossible ?? 'the session daemon has no kernel tracer (lttng-modules not installed or not loaded)';
        if (o.kernel === 'auto') {
          const why = perfUnavailable();
          if (why) throw new RecordError(`--kernel: the LTTng kernel tracer is not available (${reason}), and ${why}`);
          rep.info(`LTTng kernel tracer not available (${reason}): recording kernel events with perf instead`);
        }
        result.kernel = { mode: 'perf', reason };
      }
    }

    lttng.run(['create', S, `--output=${o.outputDir}`]);
    created = true;
    lttng.run(['enable-channel', '-u', '-s', S, `--subbuf-size=${o.subbufSize}`, `--num-subbuf=${o.numSubbuf}`, CHANNEL]);
    if (o.events.length === 0) lttng.run(['enable-event', '-u', '-s', S, '-c', CHANNEL, '-a']);
    else lttng.run(['enable-event', '-u', '-s', S, '-c', CHANNEL, o.events.join(',')]);
    lttng.run(['add-context', '-u', '-s', S, '-c', CHANNEL, ...o.contexts.flatMap((c) => ['-t', c])]);

    if (result.kernel.mode === 'lttng') {
      lttng.run(['enable-channel', '-k', '-s', S, '--subbuf-size=2M', '--num-subbuf=8', CHANNEL]);
      lttng.run(['enable-event', '-k', '-s', S, '-c', CHANNEL, LTTNG_KERNEL_EVENTS.join(',')]);
      if (o.syscalls) lttng.run(['enable-event', '-k', '-s', S, '-c', CHANNEL, '--syscall', '-a']);
      lttng.run(['add-context', '-k', '-s', S, '-c', CHANNEL, '-t', 'tid', '-t', 'pid', '-t', 'procname']);
      result.kernel.events = [...LTTNG_KERNEL_EVENTS, ...(o.syscalls ? ['syscalls'] : [])];
    } else if (result.kernel.mode === 'perf') {
      perfTmp = mkdtempSync(join(tmpdir(), 'tracelane-perf-'));
      perf = new PerfRecorder(join(perfTmp, 'perf.data'), o.syscalls);
      result.kernel.events = perf.events;
      await perf.start();
    }

    lttng.run(['start', S]);
    const ust = o.events.length ? o.events.join(',') : 'all user-space events';
    const kernel = result.kernel.mode === 'off' ? '' : `; kernel (${result.kernel.mode}): ${o.syscalls ? 'sched, irq, syscalls' : 'sched, irq'}`;
    rep.info(`recording session ${S} into ${o.outputDir} (${ust}${kernel})`);

    const env: NodeJS.ProcessEnv = { ...process.env };
    if (preloadPaths.length) env['LD_PRELOAD'] = [...preloadPaths, env['LD_PRELOAD']].filter(Boolean).join(':');
    // LTTng-UST gives up registering with the session daemon after 3 s and the program then runs
    // untraced; on a loaded machine the daemon can be slower than that. The user's value wins.
    env['LTTNG_UST_REGISTER_TIMEOUT'] ??= '30000';
    if (guard.interrupted) throw new RecordError(`interrupted (${guard.interrupted}) before ${o.command[0]} started: nothing recorded`);
    const ran = await runCommand(exe, o, env, guard);
    result.pid = ran.pid;
    result.exitCode = ran.code;
    if (ran.signal) result.signal = ran.signal;

    lttng.run(['stop', S]);
    if (perf) await perf.stop();
    result.lttng = parseListLosses(lttng.run(['list', S]).stdout);
    lttng.run(['destroy', S]);
    created = false;

    if (perf && perfTmp) {
      const perfDir = join(o.outputDir, PERF_TRACE_DIR);
      const ref = lttngClockReference(o.outputDir, perfDir);
      const conv = convertToCtf(perf.dataFile, perfDir, !ref);
      if (!conv.ok) {
        keepPerfTmp = true;
        throw new RecordError(`perf data convert --to-ctf failed: ${conv.message} (perf.data kept in ${perfTmp})`);
      }
      if (ref) {
        alignPerfTrace(perfDir, ref);
        result.kernel.clock = { method: 'lttng-clock', reference: ref };
      } else {
        result.kernel.clock = { method: 'perf-tod' };
      }
      result.kernel.perfLostEvents = perfLostEvents(perf.dataFile);
    }
  } finally {
    perf?.kill();
    if (created) lttng.try(['destroy', S]);
    if (perfTmp && !keepPerfTmp) rmSync(perfTmp, { recursive: true, force: true });
    if (result.sessiondStarted !== undefined) await lttng.stopSessiond(result.sessiondStarted);
    guard.release();
  }

  try {
    result.summary = summariseRecording(o.outputDir, result.pid);
  } catch (e) {
    if (!(e instanceof TraceFormatError)) throw e;
    result.summaryError = e.describe();
  }
  writeManifest(result);
  return result;
}

function writeManifest(r: RecordResult): void {
  const clock = r.kernel.clock;
  const doc = {
    tracelane_record: 1,
    command: r.command,
    program: basename(r.command[0] ?? ''),
    pid: r.pid ?? null,
    exit_code: r.exitCode,
    signal: r.signal ?? null,
    session: r.sessionName,
    kernel: {
      mode: r.kernel.mode,
      reason: r.kernel.reason ?? null,
      events: r.kernel.events ?? [],
      perf_lost_events: r.kernel.perfLostEvents ?? null,
      clock:
        clock?.method === 'lttng-clock'
          ? {
              method: clock.method,
              source: clock.reference.source,
              uuid: clock.reference.uuid ?? null,
              frequency: clock.reference.frequency,
              offset_s: clock.reference.offsetSeconds,
              offset: clock.reference.offsetCycles,
            }
          : (clock ?? null),
    },
    lttng_losses: { discarded_events: r.lttng.discardedEvents, lost_packets: r.lttng.lostPackets },
    traces: (r.summary?.traces ?? []).map((t) => ({
      path: t.path,
      domain: t.domain,
      tracer: t.tracer,
      events: t.events,
      events_of_process: t.eventsOfProcess,
      discarded_events: t.discardedEvents,
      lost_packets: t.lostPackets,
      event_counts: Object.fromEntries(t.names),
    })),
  };
  // Clock offsets exceed 2^53: written as exact integers.
  const text = JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'bigint' ? `#bigint:${v}` : v), 2).replace(/"#bigint:(-?\d+)"/g, '$1');
  try {
    writeFileSync(join(r.outputDir, MANIFEST), `${text}\n`);
  } catch {
    // the traces are what matters; a read-only folder (root-owned by the daemon) is not an error
  }
}
