/**
 * Small helpers around the operating system: finding programs and shared libraries, running a
 * program to completion, checking processes. Nothing here knows about LTTng or perf.
 */
import { spawnSync, type SpawnSyncOptionsWithStringEncoding } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The full path of an executable: `name` itself when it holds a `/`, else searched in PATH. */
export function findExecutable(name: string, path = process.env['PATH'] ?? ''): string | undefined {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) {
        accessSync(c, constants.X_OK);
        return c;
      }
    } catch {
      // not there, or not executable: try the next one
    }
  }
  return undefined;
}

const LIBRARY_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/lib64',
  '/usr/local/lib',
  '/usr/lib',
  '/lib',
];

/**
 * The path of a shared library as the dynamic loader would find it: `ldconfig -p` first (it knows
 * the multiarch folders), then LD_LIBRARY_PATH and the usual folders.
 */
export function findSharedLibrary(file: string): string | undefined {
  if (file.includes('/')) return existsSync(file) ? file : undefined;
  const ldconfig = findExecutable('ldconfig', `${process.env['PATH'] ?? ''}${delimiter}/sbin${delimiter}/usr/sbin`);
  if (ldconfig) {
    const r = spawnSync(ldconfig, ['-p'], { encoding: 'utf8' });
    for (const line of (r.stdout ?? '').split('\n')) {
      const m = /^\s*(\S+) \(([^)]*)\) => (\S+)$/.exec(line);
      if (m && m[1] === file && existsSync(m[3]!)) return m[3]!;
    }
  }
  const dirs = [...(process.env['LD_LIBRARY_PATH'] ?? '').split(delimiter).filter(Boolean), ...LIBRARY_DIRS];
  for (const d of dirs) {
    const p = join(d, file);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export interface RunResult {
  code: number;
  /** Set when the program was killed by a signal. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to completion, capturing its output (no shell). It gets its own session, so
 * that a Ctrl-C meant for the recorded command does not kill an `lttng stop` half-way.
 */
export function runSync(cmd: string, args: string[], env?: NodeJS.ProcessEnv, maxBuffer = 64 << 20): RunResult {
  // `detached` (setsid) works for spawnSync too (libuv's flag), though Node's typings omit it.
  const options: SpawnSyncOptionsWithStringEncoding & { detached: boolean } = {
    encoding: 'utf8',
    env: env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer,
    detached: true,
  };
  const r = spawnSync(cmd, args, options);
  if (r.error) throw r.error;
  return { code: r.status ?? 128, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** True when a process with this pid exists (and is not a zombie). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/PID/stat: "pid (comm) STATE ..."; Z = zombie, X = dead.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until the process is gone; false if it still runs after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > end) return false;
    await sleep(25);
  }
  return true;
}
