/**
 * Thread and CPU states as the server sends them (indexes of the kernel model's
 * THREAD_STATE_NAMES / CPU_STATE_NAMES, src/analysis/kernel/states.ts, which `/api/trace` lists),
 * with our labels and the legend's order. Colours follow Trace Compass's Control Flow view so that people who know it
 * read ours at once: green user mode, blue system call, orange waiting for a CPU, yellow blocked.
 */
export const THREAD_STATE_NAMES = ['not_alive', 'unknown', 'blocked', 'usermode', 'syscall', 'interrupted', 'wait_cpu', 'wait', 'wait_fork'] as const;

export const THREAD_STATE_LABELS = ['not alive', 'unknown', 'blocked', 'user mode', 'system call', 'interrupted', 'wait for CPU', 'wait', 'wait fork'];

export const ThreadState = { NONE: 0, UNKNOWN: 1, WAIT_BLOCKED: 2, RUN_USER: 3, RUN_SYSCALL: 4, INTERRUPTED: 5, WAIT_CPU: 6, WAIT_UNKNOWN: 7, WAIT_FORK: 8 } as const;

export const CpuState = { NONE: 0, IDLE: 1, RUN_USER: 2, RUN_SYSCALL: 3, IRQ: 4, SOFTIRQ: 5, IPI: 6 } as const;

/** States shown in the legend, in the order. */
export const LEGEND_STATES = [
  ThreadState.RUN_USER,
  ThreadState.RUN_SYSCALL,
  ThreadState.INTERRUPTED,
  ThreadState.WAIT_CPU,
  ThreadState.WAIT_BLOCKED,
  ThreadState.UNKNOWN,
  ThreadState.WAIT_UNKNOWN,
];
