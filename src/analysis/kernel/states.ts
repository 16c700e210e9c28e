/**
 * State values of the kernel model's interval tables, and what their `arg`/`aux` columns mean.
 *
 * Thread rows (`KernelModel.threadStates`), after Trace Compass's thread status (§1.3 of
 * ../shared/reference/tracecompass-kernel-model.md), with "not alive" a state of its own:
 *
 * | state | meaning | arg | aux |
 * |---|---|---|---|
 * | NONE | not alive, or nothing known yet (TC: null) | -1 | -1 |
 * | UNKNOWN | statedump said unnamed / exit / zombie | syscall | -1 |
 * | WAIT_BLOCKED | sleeping (S, D, I, P) | syscall it blocked in | index in `wakeups` of what ended it (-1: unknown) |
 * | RUN_USER | running in user mode | -1 | CPU (-1: statedump "run", CPU unknown) |
 * | RUN_SYSCALL | running a system call | syscall | CPU |
 * | INTERRUPTED | on a CPU that runs an IRQ, softirq or IPI | syscall | CPU |
 * | WAIT_CPU | runnable, waiting for a CPU | syscall | runqueue's CPU (-1: unknown) |
 * | WAIT_UNKNOWN | waiting, reason unknown (statedump "wait", stopped, traced) | syscall | -1 |
 * | WAIT_FORK | statedump "wait fork" | -1 | -1 |
 *
 * CPU rows (`KernelModel.cpuStates`), after the Resources view:
 *
 * | state | arg | aux |
 * |---|---|---|
 * | NONE (current thread unknown) | -1 | -1 |
 * | IDLE | 0 | -1 |
 * | RUN_USER | current tid | -1 |
 * | RUN_SYSCALL | current tid | syscall |
 * | IRQ / IPI / SOFTIRQ | current tid (-1 unknown) | IRQ number / vector / softirq vector |
 */

export const ThreadState = {
  NONE: 0,
  UNKNOWN: 1,
  WAIT_BLOCKED: 2,
  RUN_USER: 3,
  RUN_SYSCALL: 4,
  INTERRUPTED: 5,
  WAIT_CPU: 6,
  WAIT_UNKNOWN: 7,
  WAIT_FORK: 8,
} as const;

export const THREAD_STATE_COUNT = 9;

/** Short names (JSON keys, table headers). */
export const THREAD_STATE_NAMES: readonly string[] = [
  'not_alive',
  'unknown',
  'blocked',
  'usermode',
  'syscall',
  'interrupted',
  'wait_cpu',
  'wait',
  'wait_fork',
];

/** Labels as Trace Compass's Control Flow view shows them. */
export const THREAD_STATE_LABELS: readonly string[] = [
  'not alive',
  'Unknown',
  'Wait blocked',
  'Usermode',
  'System call',
  'Interrupt',
  'Wait for CPU',
  'Wait',
  'Wait fork',
];

/** On a CPU: user mode, syscall or interrupted. */
export function isOnCpu(state: number): boolean {
  return state === ThreadState.RUN_USER || state === ThreadState.RUN_SYSCALL || state === ThreadState.INTERRUPTED;
}

export const CpuState = {
  NONE: 0,
  IDLE: 1,
  RUN_USER: 2,
  RUN_SYSCALL: 3,
  IRQ: 4,
  SOFTIRQ: 5,
  IPI: 6,
} as const;

export const CPU_STATE_NAMES: readonly string[] = ['unknown', 'idle', 'usermode', 'syscall', 'irq', 'softirq', 'ipi'];

/** What woke a thread: the context on the waking CPU at the wakeup event. */
export const WakerKind = {
  UNKNOWN: 0,
  /** A thread (the `waker` column is its row). */
  THREAD: 1,
  /** A hardware interrupt handler (`waker` = IRQ number). */
  IRQ: 2,
  /** A softirq (`waker` = vector). */
  SOFTIRQ: 3,
  /** An expiring high-resolution timer. */
  HRTIMER: 4,
  /** An x86 interrupt vector such as the reschedule IPI (`waker` = vector). */
  IPI: 5,
} as const;

export const WAKER_KIND_NAMES: readonly string[] = ['unknown', 'thread', 'irq', 'softirq', 'timer', 'ipi'];

/** Kinds of rows of the IRQ table. */
export const IrqKind = { IRQ: 0, SOFTIRQ: 1, IPI: 2 } as const;

export const IRQ_KIND_NAMES: readonly string[] = ['irq', 'softirq', 'ipi'];
