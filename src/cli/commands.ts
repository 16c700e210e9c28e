/**
 * Every `tracelane` command, in the order `--help` lists them. Each command lives in its own
 * file and exports a `register(program)` function; add new commands here.
 *
 * Modules are loaded on demand: a run of one command loads only that command's module (the
 * analyses pull in a lot of code, and start-up time counts on every run); `--help` or an unknown
 * command loads them all.
 */
import type { Command } from 'commander';

type Register = (program: Command) => void;

export const COMMANDS: Record<string, () => Promise<Register>> = {
  report: async () => (await import('./report.js')).registerReport,
  events: async () => (await import('./events.js')).registerEvents,
  info: async () => (await import('./info.js')).registerInfo,
  record: async () => (await import('./record.js')).registerRecord,
  spans: async () => (await import('./spans.js')).registerSpans,
  locks: async () => (await import('./locks.js')).registerLocks,
  deadlocks: async () => (await import('./deadlocks.js')).registerDeadlocks,
  waits: async () => (await import('./waits.js')).registerWaits,
  callstack: async () => (await import('./callstack.js')).registerCallstack,
  threads: async () => (await import('./threads.js')).registerThreads,
  cpu: async () => (await import('./cpu.js')).registerCpu,
  sched: async () => (await import('./sched.js')).registerSched,
  blocking: async () => (await import('./blocking.js')).registerBlocking,
  syscalls: async () => (await import('./syscalls.js')).registerSyscalls,
  irq: async () => (await import('./irq.js')).registerIrq,
  state: async () => (await import('./state.js')).registerState,
  'critical-path': async () => (await import('./critical-path.js')).registerCriticalPath,
  compare: async () => (await import('./compare.js')).registerCompare,
  serve: async () => (await import('./serve.js')).registerServe,
};

/** Registers the command named in `argv` (the first word that is not an option), or all of them. */
export async function registerCommands(program: Command, argv: string[]): Promise<void> {
  const name = argv.find((a) => !a.startsWith('-'));
  const load = name !== undefined ? COMMANDS[name] : undefined;
  const loaders = load ? [load] : Object.values(COMMANDS);
  for (const register of await Promise.all(loaders.map((l) => l()))) register(program);
}
