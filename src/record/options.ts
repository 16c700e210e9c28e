/**
 * What `tracelane record` is asked to do, checked before anything is started: every mistake
 * here is a `UsageError` (exit code 2).
 */
import { basename, resolve } from 'node:path';
import { UsageError } from '../util/errors.js';

export type KernelMode = 'off' | 'auto' | 'lttng' | 'perf';

/** An LD_PRELOAD helper library of lttng-ust and the events it provides. */
export interface Preload {
  /** The option that asked for it (for messages). */
  option: string;
  /** File name as the dynamic loader finds it (the runtime package's versioned name), or a path. */
  library: string;
  /** Its tracepoint provider, enabled with it (undefined: the library has no events of its own). */
  events?: string;
}

export const PRELOADS: Record<string, Preload> = {
  pthread: { option: '--pthread', library: 'liblttng-ust-pthread-wrapper.so.1', events: 'lttng_ust_pthread:*' },
  libc: { option: '--libc', library: 'liblttng-ust-libc-wrapper.so.1', events: 'lttng_ust_libc:*' },
  cygProfile: { option: '--cyg-profile', library: 'liblttng-ust-cyg-profile.so.1', events: 'lttng_ust_cyg_profile:*' },
  cygProfileFast: {
    option: '--cyg-profile-fast',
    library: 'liblttng-ust-cyg-profile-fast.so.1',
    events: 'lttng_ust_cyg_profile_fast:*',
  },
};

/** Events always enabled with an explicit event list: what maps addresses to binaries and lines. */
export const ADDRESS_MAP_EVENTS = ['lttng_ust_statedump:*', 'lttng_ust_lib:*'];

export const DEFAULT_CONTEXTS = ['vpid', 'vtid', 'procname', 'ip'];

/**
 * Default UST channel: 8 sub-buffers of 4 MiB per CPU (32 MiB per CPU while the session exists).
 * LTTng's default (4 × 512 KiB) discards events at bursts of 1–2 M events/s; this size lost none
 * with 1.6 M events in 0.4 s (../shared/reference/lttng-recording.md, "Buffers").
 */
export const DEFAULT_SUBBUF_SIZE = '4M';
export const DEFAULT_NUM_SUBBUF = 8;

/** The options as commander hands them over. */
export interface RecordCliOptions {
  output?: string;
  session?: string;
  event?: string[];
  context?: string[];
  kernel?: string | boolean;
  syscalls?: boolean;
  pthread?: boolean;
  libc?: boolean;
  cygProfile?: boolean;
  cygProfileFast?: boolean;
  preload?: string[];
  subbufSize?: string;
  numSubbuf?: string;
  quiet?: boolean;
}

export interface RecordOptions {
  command: string[];
  /** Absolute path of the output folder. */
  outputDir: string;
  sessionName: string;
  /** UST event patterns; empty = all user-space events (`lttng enable-event -u -a`). */
  events: string[];
  contexts: string[];
  kernel: KernelMode;
  /** With a kernel trace: also system calls (entry and exit). */
  syscalls: boolean;
  preloads: Preload[];
  subbufSize: string;
  numSubbuf: number;
  quiet: boolean;
}

const SIZE_RE = /^(\d+)([kKmMgG]?)$/;

/** `4M` → 4194304; throws a UsageError unless a power of two (as lttng requires). */
export function parseBufferSize(text: string, option: string): number {
  const m = SIZE_RE.exec(text);
  if (!m) throw new UsageError(`${option} takes a size such as 512k, 4M or 1G, not "${text}"`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()]!;
  const bytes = Number(m[1]) * unit;
  if (bytes < 4096 || (bytes & (bytes - 1)) !== 0 || bytes > 2 ** 31) {
    throw new UsageError(`${option} must be a power of two between 4k and 2G, not "${text}"`);
  }
  return bytes;
}

export function parseKernelMode(value: string | boolean | undefined): KernelMode {
  if (value === undefined || value === false) return 'off';
  if (value === true) return 'auto';
  if (value === 'auto' || value === 'lttng' || value === 'perf') return value;
  throw new UsageError(`--kernel takes auto, lttng or perf, not "${value}" (put -- before the command to record)`);
}

/** `YYYYMMDD-HHMMSS` in local time, as lttng names its session folders. */
export function timestampName(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60) || 'cmd';
}

export function parseRecordOptions(
  command: string[],
  raw: RecordCliOptions,
  env: NodeJS.ProcessEnv = process.env,
  now = new Date(),
): RecordOptions {
  if (command.length === 0 || command[0] === '') {
    throw new UsageError('no command to record: tracelane record [options] -- COMMAND [ARGS...]');
  }
  const kernel = parseKernelMode(raw.kernel);
  if (raw.syscalls === false && kernel === 'off') throw new UsageError('--no-syscalls only makes sense with --kernel');
  if (raw.cygProfile && raw.cygProfileFast) throw new UsageError('choose one of --cyg-profile and --cyg-profile-fast');
  const subbufSize = raw.subbufSize ?? DEFAULT_SUBBUF_SIZE;
  parseBufferSize(subbufSize, '--subbuf-size');
  let numSubbuf = DEFAULT_NUM_SUBBUF;
  if (raw.numSubbuf !== undefined) {
    numSubbuf = Number(raw.numSubbuf);
    if (!/^\d+$/.test(raw.numSubbuf) || numSubbuf < 2 || (numSubbuf & (numSubbuf - 1)) !== 0) {
      throw new UsageError(`--num-subbuf must be a power of two >= 2, not "${raw.numSubbuf}"`);
    }
  }
  const preloads: Preload[] = [];
  if (raw.pthread) preloads.push(PRELOADS['pthread']!);
  if (raw.libc) preloads.push(PRELOADS['libc']!);
  if (raw.cygProfile) preloads.push(PRELOADS['cygProfile']!);
  if (raw.cygProfileFast) preloads.push(PRELOADS['cygProfileFast']!);
  for (const lib of raw.preload ?? []) {
    if (!lib) throw new UsageError('--preload takes a shared library (file name or path)');
    preloads.push({ option: '--preload', library: lib.includes('/') ? resolve(lib) : lib });
  }

  const events: string[] = [];
  if (raw.event?.length) {
    for (const e of raw.event) {
      for (const p of e.split(',')) {
        const name = p.trim();
        if (!name) throw new UsageError(`--event: empty event name in "${e}"`);
        if (!events.includes(name)) events.push(name);
      }
    }
    // Asked-for events only, plus what the preloads emit and what maps addresses to code.
    for (const p of preloads) if (p.events && !events.includes(p.events)) events.push(p.events);
    for (const p of ADDRESS_MAP_EVENTS) if (!events.includes(p)) events.push(p);
  }

  const contexts = [...DEFAULT_CONTEXTS];
  for (const c of raw.context ?? []) {
    for (const p of c.split(',')) {
      const name = p.trim();
      if (!name) throw new UsageError(`--context: empty context name in "${c}"`);
      if (!contexts.includes(name)) contexts.push(name);
    }
  }

  const base = safeName(basename(command[0]!));
  const stamp = timestampName(now);
  let outputDir: string;
  if (raw.output !== undefined) {
    if (!raw.output) throw new UsageError('-o takes a folder');
    outputDir = resolve(raw.output);
  } else {
    const home = env['LTTNG_HOME'] ?? env['HOME'] ?? process.cwd();
    outputDir = resolve(home, 'lttng-traces', `${base}-${stamp}`);
  }
  let sessionName = raw.session ?? `tracelane-${base}-${stamp}-${process.pid}`;
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(sessionName)) {
    throw new UsageError(`--session: use letters, digits, '_', '.' and '-' only, not "${sessionName}"`);
  }
  if (raw.session === undefined) sessionName = sessionName.slice(0, 200);

  return {
    command,
    outputDir,
    sessionName,
    events,
    contexts,
    kernel,
    syscalls: raw.syscalls !== false,
    preloads,
    subbufSize,
    numSubbuf,
    quiet: raw.quiet === true,
  };
}
