/**
 * Canonical kernel events: the small vocabulary the kernel analyses understand, whatever tracer
 * wrote the trace. A layout (lttng.ts, perf.ts) maps each event class of a trace to one kind
 * once, and fills one reused `KernelEvent` per event; the analyses never see tracer names.
 *
 *   LTTng 2.0–2.5  sched_switch, sys_open / exit_syscall, softirq_entry, hrtimer_expire_entry …
 *   LTTng 2.6+     syscall_entry_open / syscall_exit_open
 *   LTTng 2.7+     irq_softirq_entry, timer_hrtimer_expire_entry, x86_irq_vectors_*_entry …
 *   perf CTF       sched:sched_switch (prev_pid …), raw_syscalls:sys_enter (id), perf_tid …
 *        └──────────► Kind.SCHED_SWITCH, Kind.SYSCALL_ENTRY, Kind.SOFTIRQ_ENTRY, …
 */

export const Kind = {
  /** Not a kernel event the analyses use (still counts for the trace's time range). */
  IGNORE: 0,
  SCHED_SWITCH: 1,
  /** `sched_wakeup`: the task is runnable (on newer kernels often emitted on the target CPU). */
  SCHED_WAKEUP: 2,
  /** `sched_waking`: emitted in the waker's context (kernels 4.3+). */
  SCHED_WAKING: 3,
  SCHED_WAKEUP_NEW: 4,
  SCHED_MIGRATE: 5,
  PROCESS_FORK: 6,
  PROCESS_EXEC: 7,
  PROCESS_EXIT: 8,
  PROCESS_FREE: 9,
  PI_SETPRIO: 10,
  STATEDUMP_PROCESS: 11,
  SYSCALL_ENTRY: 12,
  SYSCALL_EXIT: 13,
  IRQ_ENTRY: 14,
  IRQ_EXIT: 15,
  SOFTIRQ_RAISE: 16,
  SOFTIRQ_ENTRY: 17,
  SOFTIRQ_EXIT: 18,
  HRTIMER_ENTRY: 19,
  HRTIMER_EXIT: 20,
  /** x86 interrupt vectors (local timer, reschedule IPI, …): `vector` in `irq`. */
  IPI_ENTRY: 21,
  IPI_EXIT: 22,
  STATEDUMP_INTERRUPT: 23,
  /** Any other event that carries the current thread (perf_tid, or an LTTng `tid` context). */
  OTHER: 24,
} as const;

export type KindValue = (typeof Kind)[keyof typeof Kind];

/**
 * The kernel's scheduler tracepoints: the same names in every LTTng version and in perf (there
 * behind a `sched:` prefix).
 */
export const SCHED_TRACEPOINTS: Readonly<Record<string, number>> = {
  sched_switch: Kind.SCHED_SWITCH,
  sched_wakeup: Kind.SCHED_WAKEUP,
  sched_waking: Kind.SCHED_WAKING,
  sched_wakeup_new: Kind.SCHED_WAKEUP_NEW,
  sched_migrate_task: Kind.SCHED_MIGRATE,
  sched_process_fork: Kind.PROCESS_FORK,
  sched_process_exec: Kind.PROCESS_EXEC,
  sched_process_exit: Kind.PROCESS_EXIT,
  sched_process_free: Kind.PROCESS_FREE,
  sched_pi_setprio: Kind.PI_SETPRIO,
};

export const KIND_NAMES: readonly string[] = Object.keys(Kind).map((k) => k.toLowerCase());

/** What `prev_state` says about the thread leaving the CPU, decoded per tracer and kernel. */
export const PrevState = {
  /** Preempted: still runnable (TASK_RUNNING, or the TASK_STATE_MAX/TASK_REPORT_MAX flag). */
  RUNNABLE: 0,
  /** Sleeping: interruptible, uninterruptible, idle (I), parked. */
  BLOCKED: 1,
  /** Exiting: TASK_DEAD, EXIT_ZOMBIE, EXIT_DEAD. */
  DEAD: 2,
  /** Stopped, traced, or a state we cannot name. */
  OTHER: 3,
} as const;

/** Statedump `status` values (lttng-modules `lttng_statedump_process_state`). */
export const StatedumpStatus = { UNNAMED: 0, WAIT_FORK: 1, WAIT_CPU: 2, EXIT: 3, ZOMBIE: 4, WAIT: 5, RUN: 6, DEAD: 7 } as const;

/**
 * One canonical event. A single instance is reused for every event (fields keep stale values
 * from earlier events: read only those that the kind defines). -1 means unknown for numbers.
 *
 * | kind | fields |
 * |---|---|
 * | SCHED_SWITCH | prevTid prevComm prevPrio prevState (PrevState) rawPrevState nextTid nextComm nextPrio |
 * | SCHED_WAKEUP/WAKING/WAKEUP_NEW | tid comm prio targetCpu |
 * | SCHED_MIGRATE | tid comm prio origCpu targetCpu (= dest_cpu) |
 * | PROCESS_FORK | parentTid tid (child) pid (child's, -1 unknown) comm (child's) |
 * | PROCESS_EXEC | tid (-1: the current thread) comm (file name) |
 * | PROCESS_EXIT / PROCESS_FREE | tid |
 * | PI_SETPRIO | tid prio |
 * | STATEDUMP_PROCESS | tid pid ppid comm status targetCpu (2.10+ `cpu`, else -1) |
 * | SYSCALL_ENTRY | syscall (id in the layout's name table) arg0 arg1 (its first two arguments, NaN unknown) |
 * | SYSCALL_EXIT | syscall (-1 when the tracer does not say) ret |
 * | IRQ_ENTRY / IRQ_EXIT | irq comm (handler name, entry only) ret |
 * | SOFTIRQ_* | vec |
 * | IPI_ENTRY / IPI_EXIT | irq (the vector) comm (its name) |
 * | STATEDUMP_INTERRUPT | irq comm |
 *
 * Every kind: `time` (ns from the trace set's origin), `cpu`, and `ctxTid`/`ctxPid` (the current
 * thread and process from the event's context, -1 when the trace does not record them).
 */
export class KernelEvent {
  kind: number = Kind.IGNORE;
  time = 0;
  cpu = -1;
  ctxTid = -1;
  ctxPid = -1;
  prevTid = -1;
  prevComm = '';
  prevPrio = 0;
  prevState: number = PrevState.OTHER;
  rawPrevState = 0;
  nextTid = -1;
  nextComm = '';
  nextPrio = 0;
  tid = -1;
  pid = -1;
  ppid = -1;
  parentTid = -1;
  comm = '';
  prio = 0;
  targetCpu = -1;
  origCpu = -1;
  status = -1;
  syscall = -1;
  arg0 = Number.NaN;
  arg1 = Number.NaN;
  ret = 0;
  irq = -1;
  vec = -1;
}

/** Softirq vector names (include/linux/interrupt.h). */
export const SOFTIRQ_NAMES: readonly string[] = ['HI', 'TIMER', 'NET_TX', 'NET_RX', 'BLOCK', 'IRQ_POLL', 'TASKLET', 'SCHED', 'HRTIMER', 'RCU'];

export function softirqName(vec: number): string {
  return SOFTIRQ_NAMES[vec] ?? `softirq ${vec}`;
}
