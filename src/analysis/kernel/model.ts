/**
 * The kernel model: one pass over canonical kernel events (../../layouts/canonical.ts) builds
 * the state intervals of every thread and CPU, and the tables of syscalls, interrupts, wakeups
 * and migrations. Pure: events in, frozen tables out; no I/O.
 *
 *   KernelEvent ─► handle() ─┬─► threadStates (IntervalTable, one row per thread lifetime)
 *                            ├─► cpuStates    (one row per CPU)
 *                            └─► syscalls, irqs, wakeups, migrations (event tables)
 *
 * The transitions are Trace Compass's Linux kernel state provider (OSL/.../kernel/handlers/*,
 * summarised in ../shared/reference/tracecompass-kernel-model.md §1.4), with these differences,
 * each a fix of something the brief lists or a consequence of one:
 *
 * - A wakeup of a thread that is on a CPU is ignored. TC turns an INTERRUPTED target into
 *   WAIT_FOR_CPU while it still runs (brief §1.4 "Quirk"); the kernel does not dequeue it.
 * - Only the first wakeup after a thread left the CPU is a wakeup: a second one while it is
 *   already runnable changes nothing and is not recorded (TC's graph re-triggers its blocked
 *   edge on spurious wakeups, brief §2.2 CAVEAT / §7; TC's SWS latency keeps the last one).
 * - A thread leaves the INTERRUPTED state only when no IRQ, IPI nor softirq is running on its
 *   CPU. TC sets it running after any IRQ exit even inside a softirq, and keeps it interrupted
 *   after a softirq exit while another softirq is merely raised (brief §1.4 "Quirk").
 * - `sched_migrate_task` of a blocked thread does not end its blocked wait when the trace has
 *   wakeup events: before `sched_waking` existed, try_to_wake_up() migrated the task before
 *   emitting `sched_wakeup`, and TC's forced WAIT_FOR_CPU lost the waker of every such wakeup.
 *   A migrating thread that is on a CPU keeps running (TC would mark it waiting).
 * - IRQ, softirq, IPI and timer contexts are kept as a stack per CPU to attribute wakeups; an
 *   exit pops its own kind (TC's graph pops IPIs on entry, brief §2.2 BUG).
 * - `sched_process_exec` renames the thread (TC's state system ignores it).
 * - `prev_state` is decoded per kernel and tracer (see ../../layouts/prev-state.ts).
 * - When the trace records the current thread of each event (an LTTng `tid` context, perf's
 *   `perf_tid`), a CPU's current thread is known from its first event instead of its first
 *   `sched_switch`, and an event of another thread than the one believed current means a
 *   `sched_switch` was lost: the context's thread is running from then on.
 *
 * CPU usage before the first known thread of a CPU: like TC's CPU usage analysis and
 * lttng-cputop, the thread found running there first (the `prev` of the first `sched_switch`)
 * is assumed to have run since the trace start. The state tables keep TC's "unknown" for that
 * span; the assumption is recorded per CPU (`CpuInfo.assumed*`) and used by CPU-time queries.
 */
import { Kind, PrevState, StatedumpStatus, type KernelEvent } from '../../layouts/canonical.js';
import { GrowableI32 } from '../../store/growable.js';
import { IntervalTableBuilder, type IntervalTable } from '../../store/interval-table.js';
import { CpuState, IrqKind, ThreadState, WakerKind } from './states.js';
import {
  IrqTableBuilder,
  MigrationTableBuilder,
  SyscallTableBuilder,
  WakeupTableBuilder,
  type IrqTable,
  type MigrationTable,
  type SyscallTable,
  type WakeupTable,
} from './tables.js';

/** One thread lifetime (a tid reused after `sched_process_free` or a new fork is a new row). */
export interface ThreadInfo {
  readonly row: number;
  readonly tid: number;
  /** Process id (thread group); -1 unknown (then show the tid). */
  readonly pid: number;
  /** Parent: the parent process for a process, the creating thread for a thread (as TC); -1 unknown. */
  readonly ppid: number;
  /** The last name seen. */
  readonly name: string;
  /** Every name the thread had, in order (fork, exec, sched_switch comm, statedump). */
  readonly names: readonly string[];
  readonly prio: number;
  /** For the per-CPU idle threads (tid 0), their CPU; -1 otherwise. */
  readonly idleCpu: number;
  /** When the row starts being meaningful: fork time, or the first event about the thread. */
  readonly firstSeen: number;
  /** sched_process_fork time (NaN: created before the trace). */
  readonly forkedAt: number;
  readonly exitedAt: number;
  readonly freedAt: number;
}

export interface CpuInfo {
  readonly cpu: number;
  /** Row in `cpuStates`. */
  readonly row: number;
  /** When the CPU's current thread was first known (NaN: never). */
  readonly knownFrom: number;
  /** The thread assumed to have run from the trace start until `knownFrom` (-1: none, or idle). */
  readonly assumedThread: number;
}

export interface KernelModel {
  /** First and last event of the trace (ns from the origin). */
  readonly start: number;
  readonly end: number;
  readonly threads: readonly ThreadInfo[];
  readonly cpus: readonly CpuInfo[];
  readonly threadStates: IntervalTable;
  readonly cpuStates: IntervalTable;
  /** Completed syscalls (entry and exit seen), in the order they returned. */
  readonly syscalls: SyscallTable;
  /** Syscalls still in progress at the end of the trace (a thread hung in `futex`, `read`…). */
  readonly unfinishedSyscalls: SyscallTable;
  readonly syscallNames: readonly string[];
  readonly irqs: IrqTable;
  /** IRQ handler names by number (from irq_handler_entry and the statedump). */
  readonly irqNames: ReadonlyMap<number, string>;
  /** x86 vector names by number. */
  readonly ipiNames: ReadonlyMap<number, string>;
  readonly wakeups: WakeupTable;
  readonly migrations: MigrationTable;
  /** Canonical events handled, per kind. */
  readonly eventCounts: Int32Array;
}

export interface ModelOptions {
  /** Whether the trace declares wakeup events (see the migrate rule above). Default true. */
  hasWakeups?: boolean;
  /** Syscall names by id (the layout's table, read at `finish`). */
  syscallNames?: { readonly strings: readonly string[] };
  /**
   * False: no CPU state is recorded (`cpuStates` keeps one "unknown" interval per CPU), for
   * reports that do not read CPU states (`threads`): about a third of the model's work and
   * memory on a busy trace. Default true.
   */
  cpuStates?: boolean;
  /**
   * False: completed syscalls are not recorded (`syscalls` stays empty; thread states and
   * `unfinishedSyscalls` are unchanged), for reports that do not read them. Default true.
   * (`analyzeKernel` then also reads no syscall arguments: see `AnalyzeOptions`.)
   */
  syscallTable?: boolean;
}

class Thread implements ThreadInfo {
  pid = -1;
  ppid = -1;
  name = '';
  names: string[] = [];
  prio = 0;
  firstSeen: number;
  forkedAt = Number.NaN;
  exitedAt = Number.NaN;
  freedAt = Number.NaN;
  // Mutable state during the pass.
  state: number = ThreadState.NONE;
  /** Current syscall id, -1 in user mode. */
  syscall = -1;
  /** CPU it runs on, -1 when off-CPU. */
  onCpu = -1;
  /** The wakeup waiting for this thread to run (index in the wakeup table), -1 none. */
  pendingWakeup = -1;
  /** Entry time and id of the syscall in progress (for the syscall table). */
  sysStart = Number.NaN;
  sysId = -1;
  sysArg0 = Number.NaN;
  sysArg1 = Number.NaN;
  /** Seen in a sched_switch or migration (lttng-cputop's "known" threads). */
  placed = false;

  constructor(
    readonly row: number,
    readonly tid: number,
    readonly idleCpu: number,
    t: number,
  ) {
    this.firstSeen = t;
  }
}

const STACK = 16;

class Cpu implements CpuInfo {
  cur: Thread | null = null;
  idle: Thread | null = null;
  knownFrom = Number.NaN;
  assumedThread = -1;
  // Hard IRQs and IPIs being handled (innermost last).
  irqKind = new Int32Array(STACK);
  irqNum = new Int32Array(STACK);
  irqStart = new Float64Array(STACK);
  irqDepth = 0;
  softirq = -1;
  softirqStart = Number.NaN;
  softirqRaisedAt = Number.NaN;
  raisedAt = new Float64Array(32).fill(Number.NaN);
  // Interrupt contexts for waker attribution (WakerKind, number), innermost last.
  ctxKind = new Int32Array(STACK);
  ctxNum = new Int32Array(STACK);
  ctxDepth = 0;

  constructor(
    readonly cpu: number,
    readonly row: number,
  ) {}

  pushCtx(kind: number, num: number): void {
    if (this.ctxDepth === STACK) return;
    this.ctxKind[this.ctxDepth] = kind;
    this.ctxNum[this.ctxDepth] = num;
    this.ctxDepth++;
  }

  /** Pops the innermost context of this kind (and anything left above it by lost exits). */
  popCtx(kind: number): void {
    for (let i = this.ctxDepth - 1; i >= 0; i--) {
      if (this.ctxKind[i] === kind) {
        this.ctxDepth = i;
        return;
      }
    }
  }

  get interrupted(): boolean {
    return this.irqDepth > 0 || this.softirq >= 0;
  }
}

export class KernelModelBuilder {
  private readonly threadStates = new IntervalTableBuilder();
  private readonly cpuStates = new IntervalTableBuilder();
  private readonly threads: Thread[] = [];
  /** tid → row of its current thread (-1: none). */
  private readonly tidRow = new GrowableI32(1 << 15);
  /** tid → when its last lifetime ended (a new lifetime's row starts there, not at the trace start). */
  private readonly tidEnded = new Map<number, number>();
  private readonly cpuById: (Cpu | undefined)[] = [];
  private readonly cpuList: Cpu[] = [];
  private readonly syscalls = new SyscallTableBuilder();
  private readonly irqs = new IrqTableBuilder();
  private readonly wakeups = new WakeupTableBuilder();
  private readonly migrations = new MigrationTableBuilder();
  private readonly irqNames = new Map<number, string>();
  private readonly ipiNames = new Map<number, string>();
  private readonly eventCounts = new Int32Array(32);
  private readonly hasWakeups: boolean;
  private readonly recordCpu: boolean;
  private readonly recordSyscalls: boolean;
  private t0 = Number.NaN;
  private tLast = Number.NaN;
  private finished = false;

  constructor(private readonly options: ModelOptions = {}) {
    this.hasWakeups = options.hasWakeups ?? true;
    this.recordCpu = options.cpuStates ?? true;
    this.recordSyscalls = options.syscallTable ?? true;
  }

  /** The trace's first event time (the start of every row). Defaults to the first handled event. */
  begin(t: number): void {
    if (Number.isNaN(this.t0)) this.t0 = t;
  }

  handle(ev: KernelEvent): void {
    const t = ev.time;
    if (Number.isNaN(this.t0)) this.t0 = t;
    this.tLast = t;
    if (ev.cpu < 0) return;
    const c = this.cpuById[ev.cpu] ?? this.addCpu(ev.cpu);
    this.eventCounts[ev.kind]!++;
    if (ev.ctxTid >= 0) {
      if (c.cur === null) this.learnCurrent(c, ev.ctxTid, t, false);
      else if (c.cur.tid !== ev.ctxTid && ev.kind !== Kind.SCHED_SWITCH) this.lostSwitch(c, ev.ctxTid, t);
      const cur = c.cur;
      if (ev.ctxPid >= 0 && cur !== null && cur.pid < 0 && cur.tid === ev.ctxTid) cur.pid = ev.ctxPid;
    }
    const kind = ev.kind;
    if (kind === Kind.SYSCALL_ENTRY || kind === Kind.SYSCALL_EXIT) this.syscall(ev, c, t, kind === Kind.SYSCALL_ENTRY);
    // OTHER only tells the current thread (above): most events when syscalls are skipped.
    else if (kind !== Kind.OTHER) this.dispatch(ev, c, t);
  }

  /** Every kind but syscalls and OTHER (out of `handle`, which stays small on the path of most events). */
  private dispatch(ev: KernelEvent, c: Cpu, t: number): void {
    switch (ev.kind) {
      case Kind.SCHED_SWITCH:
        this.schedSwitch(ev, c, t);
        break;
      case Kind.SCHED_WAKEUP:
      case Kind.SCHED_WAKING:
      case Kind.SCHED_WAKEUP_NEW:
        this.wakeup(ev, c, t);
        break;
      case Kind.SCHED_MIGRATE:
        this.migrate(ev, t);
        break;
      case Kind.PROCESS_FORK:
        this.fork(ev, t);
        break;
      case Kind.PROCESS_EXEC: {
        const th = ev.tid > 0 ? this.threadOf(ev.tid, t) : c.cur;
        if (th && ev.comm) this.rename(th, ev.comm);
        break;
      }
      case Kind.PROCESS_EXIT: {
        const th = this.existing(ev.tid);
        if (th) th.exitedAt = t;
        break;
      }
      case Kind.PROCESS_FREE:
        this.free(ev.tid, t);
        break;
      case Kind.PI_SETPRIO:
        if (ev.tid > 0) this.threadOf(ev.tid, t).prio = ev.prio;
        break;
      case Kind.STATEDUMP_PROCESS:
        this.statedump(ev, t);
        break;
      case Kind.STATEDUMP_INTERRUPT:
        if (ev.comm && !this.irqNames.has(ev.irq)) this.irqNames.set(ev.irq, ev.comm);
        break;
      case Kind.IRQ_ENTRY:
        if (ev.comm && this.irqNames.get(ev.irq) !== ev.comm) this.irqNames.set(ev.irq, ev.comm);
        this.irqEntry(c, t, IrqKind.IRQ, ev.irq);
        break;
      case Kind.IRQ_EXIT:
        this.irqExit(c, t, IrqKind.IRQ, ev.irq);
        break;
      case Kind.IPI_ENTRY:
        if (ev.comm && !this.ipiNames.has(ev.irq)) this.ipiNames.set(ev.irq, ev.comm);
        this.irqEntry(c, t, IrqKind.IPI, ev.irq);
        break;
      case Kind.IPI_EXIT:
        this.irqExit(c, t, IrqKind.IPI, ev.irq);
        break;
      case Kind.SOFTIRQ_RAISE:
        if (ev.vec >= 0 && ev.vec < 32 && Number.isNaN(c.raisedAt[ev.vec]!)) c.raisedAt[ev.vec] = t;
        break;
      case Kind.SOFTIRQ_ENTRY:
        this.softirqEntry(c, t, ev.vec);
        break;
      case Kind.SOFTIRQ_EXIT:
        this.softirqExit(c, t, ev.vec);
        break;
      case Kind.HRTIMER_ENTRY:
        c.pushCtx(WakerKind.HRTIMER, -1);
        break;
      case Kind.HRTIMER_EXIT:
        c.popCtx(WakerKind.HRTIMER);
        break;
      default:
        break;
    }
  }

  // ── threads and CPUs ───────────────────────────────────────────────────────────────────────

  private addCpu(id: number): Cpu {
    const c = new Cpu(id, this.cpuStates.addRow(this.t0, CpuState.NONE));
    this.cpuById[id] = c;
    this.cpuList.push(c);
    return c;
  }

  /**
   * A new thread row. Rows of one tid tile the timeline: the first starts at the trace start (as
   * Trace Compass's single attribute per tid, "null" until the first event), a later lifetime
   * where the previous one ended (freed, or its tid reused by a fork).
   */
  private newThread(tid: number, t: number, idleCpu = -1): Thread {
    const row = this.threadStates.addRow(this.tidEnded.get(tid) ?? this.t0, ThreadState.NONE);
    const th = new Thread(row, tid, idleCpu, t);
    this.threads.push(th);
    if (tid > 0) {
      this.tidRow.ensure(tid, -1);
      this.tidRow.set(tid, row);
    }
    return th;
  }

  private existing(tid: number): Thread | undefined {
    if (tid <= 0 || tid >= this.tidRow.length) return undefined;
    const row = this.tidRow.get(tid);
    return row < 0 ? undefined : this.threads[row];
  }

  /** The live thread with this tid (> 0), created when first mentioned. */
  private threadOf(tid: number, t: number): Thread {
    return this.existing(tid) ?? this.newThread(tid, t);
  }

  /** The CPU's idle thread ("swapper/N", tid 0). */
  private idleOf(c: Cpu, t: number): Thread {
    if (!c.idle) {
      c.idle = this.newThread(0, t, c.cpu);
      this.rename(c.idle, `swapper/${c.cpu}`);
    }
    return c.idle;
  }

  private thread(tid: number, c: Cpu, t: number): Thread {
    return tid === 0 ? this.idleOf(c, t) : this.threadOf(tid, t);
  }

  private rename(th: Thread, name: string): void {
    if (th.name === name) return;
    th.name = name;
    if (!th.names.includes(name)) th.names.push(name);
  }

  private setThread(th: Thread, t: number, state: number, aux: number): void {
    th.state = state;
    this.threadStates.set(th.row, t, state, state === ThreadState.RUN_USER || state === ThreadState.WAIT_FORK || state === ThreadState.NONE ? -1 : th.syscall, aux);
  }

  /** On CPU `c`: user mode, syscall, or interrupted when an interrupt is being handled. */
  private setRunning(th: Thread, t: number, c: Cpu): void {
    const state = c.interrupted && th === c.cur ? ThreadState.INTERRUPTED : th.syscall >= 0 ? ThreadState.RUN_SYSCALL : ThreadState.RUN_USER;
    this.setThread(th, t, state, c.cpu);
  }

  /** TC's updateCpuStatus: IRQ, then softirq, then the current thread's mode. */
  private updateCpu(c: Cpu, t: number): void {
    const cur = c.cur;
    const tid = cur ? cur.tid : -1;
    let state: number;
    let aux = -1;
    if (c.irqDepth > 0) {
      const top = c.irqDepth - 1;
      state = c.irqKind[top] === IrqKind.IPI ? CpuState.IPI : CpuState.IRQ;
      aux = c.irqNum[top]!;
    } else if (c.softirq >= 0) {
      state = CpuState.SOFTIRQ;
      aux = c.softirq;
    } else if (!cur) state = CpuState.NONE;
    else if (tid === 0) state = CpuState.IDLE;
    else if (cur.syscall >= 0) {
      state = CpuState.RUN_SYSCALL;
      aux = cur.syscall;
    } else state = CpuState.RUN_USER;
    if (this.recordCpu) this.cpuStates.set(c.row, t, state, tid, aux);
  }

  /**
   * The CPU's current thread, learnt from an event (`viaSwitch`: the `prev` of its first
   * sched_switch, whose handler then sets the states). The first time for a CPU, the thread is
   * assumed to have run there since the trace start (for CPU usage only).
   */
  private learnCurrent(c: Cpu, tid: number, t: number, viaSwitch: boolean): void {
    const th = this.thread(tid, c, t);
    if (Number.isNaN(c.knownFrom)) {
      c.knownFrom = t;
      if (tid > 0 && !th.placed) c.assumedThread = th.row;
    }
    if (th.onCpu >= 0 && th.onCpu !== c.cpu) this.leaveCpu(th, t);
    c.cur = th;
    th.onCpu = c.cpu;
    if (viaSwitch) return;
    th.placed = true;
    this.setRunning(th, t, c);
    this.updateCpu(c, t);
  }

  /**
   * The event's context names another thread than the one believed current: the `sched_switch`
   * that put it there was lost (perf drops records when its buffer is full, without saying how
   * many in the CTF). The thread believed current left at an unknown time, for an unknown reason.
   */
  private lostSwitch(c: Cpu, tid: number, t: number): void {
    const gone = c.cur!;
    if (gone.onCpu === c.cpu) gone.onCpu = -1;
    if (gone.tid !== 0) this.setThread(gone, t, ThreadState.WAIT_UNKNOWN, -1);
    c.cur = null;
    const th = this.thread(tid, c, t);
    if (th.pendingWakeup >= 0) {
      this.wakeups.ran(th.pendingWakeup, t, c.cpu);
      th.pendingWakeup = -1;
    }
    this.learnCurrent(c, tid, t, false);
  }

  /** A thread seen starting on another CPU while believed on this one (lost events). */
  private leaveCpu(th: Thread, t: number): void {
    const other = this.cpuById[th.onCpu];
    if (other && other.cur === th) {
      other.cur = null;
      this.updateCpu(other, t);
    }
    th.onCpu = -1;
  }

  // ── scheduler ──────────────────────────────────────────────────────────────────────────────

  private schedSwitch(ev: KernelEvent, c: Cpu, t: number): void {
    if (c.cur === null) this.learnCurrent(c, ev.prevTid, t, true);
    const prev = this.thread(ev.prevTid, c, t);
    const lost = c.cur;
    if (lost !== null && lost !== prev) {
      // Events were lost (discarded): the thread we believed on this CPU left it unseen.
      if (lost.onCpu === c.cpu) lost.onCpu = -1;
      if (lost.tid !== 0) this.setThread(lost, t, ThreadState.WAIT_UNKNOWN, -1);
      if (prev.onCpu >= 0 && prev.onCpu !== c.cpu) this.leaveCpu(prev, t);
    }
    if (ev.prevComm && prev.tid !== 0) this.rename(prev, ev.prevComm);
    prev.prio = ev.prevPrio;
    prev.placed = true;
    if (prev.onCpu === c.cpu) prev.onCpu = -1;
    prev.pendingWakeup = -1;
    switch (ev.prevState) {
      case PrevState.RUNNABLE:
        this.setThread(prev, t, ThreadState.WAIT_CPU, c.cpu);
        break;
      case PrevState.BLOCKED:
        this.setThread(prev, t, ThreadState.WAIT_BLOCKED, -1);
        break;
      case PrevState.DEAD:
        prev.syscall = -1;
        this.setThread(prev, t, ThreadState.NONE, -1);
        break;
      default:
        this.setThread(prev, t, ThreadState.WAIT_UNKNOWN, -1);
        break;
    }

    const next = this.thread(ev.nextTid, c, t);
    if (ev.nextComm && next.tid !== 0) this.rename(next, ev.nextComm);
    next.prio = ev.nextPrio;
    next.placed = true;
    if (next.pendingWakeup >= 0) {
      this.wakeups.ran(next.pendingWakeup, t, c.cpu);
      next.pendingWakeup = -1;
    }
    if (next.onCpu >= 0 && next.onCpu !== c.cpu) this.leaveCpu(next, t);
    next.onCpu = c.cpu;
    c.cur = next;
    this.setRunning(next, t, c);
    this.updateCpu(c, t);
  }

  private wakeup(ev: KernelEvent, c: Cpu, t: number): void {
    if (ev.tid <= 0) return;
    const th = this.threadOf(ev.tid, t);
    if (ev.comm && !th.name) this.rename(th, ev.comm);
    th.prio = ev.prio;
    if (th.onCpu >= 0) return;
    if (th.pendingWakeup >= 0) {
      // Already woken (sched_waking then sched_wakeup, or a spurious second wakeup): only the
      // runqueue may have changed.
      if (th.state === ThreadState.WAIT_CPU && ev.targetCpu >= 0) this.setThread(th, t, ThreadState.WAIT_CPU, ev.targetCpu);
      return;
    }
    let wakerKind: number = WakerKind.UNKNOWN;
    let waker = -1;
    if (c.ctxDepth > 0) {
      wakerKind = c.ctxKind[c.ctxDepth - 1]!;
      waker = c.ctxNum[c.ctxDepth - 1]!;
    } else if (c.cur) {
      wakerKind = WakerKind.THREAD;
      waker = c.cur.row;
    }
    const i = this.wakeups.add(t, c.cpu, ev.targetCpu, th.row, wakerKind, waker, ev.kind, th.state);
    th.pendingWakeup = i;
    if (th.state === ThreadState.WAIT_BLOCKED) this.threadStates.patchOpen(th.row, th.syscall, i);
    this.setThread(th, t, ThreadState.WAIT_CPU, ev.targetCpu);
  }

  private migrate(ev: KernelEvent, t: number): void {
    if (ev.tid <= 0) return;
    const th = this.threadOf(ev.tid, t);
    this.migrations.add(t, th.row, ev.origCpu, ev.targetCpu);
    th.placed = true;
    if (th.onCpu >= 0) return;
    // The wakeup that follows ends the blocked wait (and says who woke the thread).
    if (th.state === ThreadState.WAIT_BLOCKED && this.hasWakeups) return;
    this.setThread(th, t, ThreadState.WAIT_CPU, ev.targetCpu);
  }

  private fork(ev: KernelEvent, t: number): void {
    if (ev.tid <= 0) return;
    const parent = ev.parentTid > 0 ? this.threadOf(ev.parentTid, t) : undefined;
    let child = this.existing(ev.tid);
    if (child && (child.placed || child.state !== ThreadState.NONE)) {
      // The tid was reused without its sched_process_free in the trace: a new lifetime.
      this.retire(child, t);
      child = undefined;
    }
    child ??= this.newThread(ev.tid, t);
    child.firstSeen = t;
    child.forkedAt = t;
    child.placed = true;
    const isThread = ev.pid >= 0 && ev.pid !== ev.tid;
    child.pid = ev.pid;
    // Trace Compass: PPID = parent_tid. For a new process whose parent is a secondary thread,
    // the process parent is that thread's process.
    child.ppid = !isThread && parent && parent.pid >= 0 ? parent.pid : ev.parentTid;
    if (ev.comm) this.rename(child, ev.comm);
    if (parent) child.prio = parent.prio;
    // The child returns from the parent's clone/fork: it shows that syscall until its exit.
    child.syscall = parent ? parent.syscall : -1;
    this.setThread(child, t, ThreadState.WAIT_CPU, parent && parent.onCpu >= 0 ? parent.onCpu : -1);
  }

  /** Ends a thread's lifetime (freed, or its tid reused): its row stops at `t`. */
  private retire(th: Thread, t: number): void {
    if (th.onCpu >= 0) this.leaveCpu(th, t);
    th.syscall = -1;
    th.state = ThreadState.NONE;
    this.threadStates.endRow(th.row, t);
    if (th.tid > 0 && this.tidRow.get(th.tid) === th.row) {
      this.tidRow.set(th.tid, -1);
      this.tidEnded.set(th.tid, t);
    }
  }

  private free(tid: number, t: number): void {
    const th = this.existing(tid);
    if (!th) return;
    th.freedAt = t;
    this.retire(th, t);
  }

  private statedump(ev: KernelEvent, t: number): void {
    if (ev.tid <= 0) return;
    const th = this.threadOf(ev.tid, t);
    // Trace data seen earlier always beats the statedump (TC's StateDumpHandler).
    if (!th.name && ev.comm) this.rename(th, ev.comm);
    if (th.pid < 0 && ev.pid >= 0) th.pid = ev.pid;
    if (th.ppid < 0 && ev.ppid >= 0) th.ppid = ev.ppid;
    if (th.state !== ThreadState.NONE || th.placed) return;
    switch (ev.status) {
      case StatedumpStatus.WAIT_FORK:
        this.setThread(th, t, ThreadState.WAIT_FORK, -1);
        break;
      case StatedumpStatus.WAIT_CPU:
        this.setThread(th, t, ThreadState.WAIT_CPU, ev.targetCpu);
        break;
      case StatedumpStatus.WAIT:
        this.setThread(th, t, ThreadState.WAIT_UNKNOWN, -1);
        break;
      case StatedumpStatus.RUN:
        this.setThread(th, t, ThreadState.RUN_USER, -1);
        break;
      case StatedumpStatus.DEAD:
        break;
      default:
        this.setThread(th, t, ThreadState.UNKNOWN, -1);
        break;
    }
  }

  // ── syscalls ───────────────────────────────────────────────────────────────────────────────

  /**
   * A syscall entry or exit of the CPU's current thread: most events of a busy trace, so one
   * path for both (the state updates are then inlined once).
   */
  private syscall(ev: KernelEvent, c: Cpu, t: number, entry: boolean): void {
    const th = c.cur;
    if (!th || th.tid === 0) return;
    if (entry) {
      th.syscall = ev.syscall;
      th.sysStart = t;
      th.sysId = ev.syscall;
      th.sysArg0 = ev.arg0;
      th.sysArg1 = ev.arg1;
    } else {
      if (!Number.isNaN(th.sysStart)) {
        if (this.recordSyscalls) this.syscalls.add(th.sysStart, t, th.row, th.sysId, ev.ret, th.sysArg0, th.sysArg1);
        th.sysStart = Number.NaN;
      }
      th.syscall = -1;
    }
    if (c.irqDepth === 0 && c.softirq < 0) {
      // No interrupt on the CPU: the thread and the CPU run the syscall or user code. This is
      // setRunning and updateCpu for that case, without their general tests.
      const sys = th.syscall;
      if (sys >= 0) {
        th.state = ThreadState.RUN_SYSCALL;
        this.threadStates.set(th.row, t, ThreadState.RUN_SYSCALL, sys, c.cpu);
        if (this.recordCpu) this.cpuStates.set(c.row, t, CpuState.RUN_SYSCALL, th.tid, sys);
      } else {
        th.state = ThreadState.RUN_USER;
        this.threadStates.set(th.row, t, ThreadState.RUN_USER, -1, c.cpu);
        if (this.recordCpu) this.cpuStates.set(c.row, t, CpuState.RUN_USER, th.tid, -1);
      }
      return;
    }
    this.setRunning(th, t, c);
    this.updateCpu(c, t);
  }

  // ── interrupts ─────────────────────────────────────────────────────────────────────────────

  private irqEntry(c: Cpu, t: number, kind: number, num: number): void {
    if (c.irqDepth < STACK) {
      c.irqKind[c.irqDepth] = kind;
      c.irqNum[c.irqDepth] = num;
      c.irqStart[c.irqDepth] = t;
      c.irqDepth++;
    }
    c.pushCtx(kind === IrqKind.IPI ? WakerKind.IPI : WakerKind.IRQ, num);
    if (c.cur) this.setThread(c.cur, t, ThreadState.INTERRUPTED, c.cpu);
    this.updateCpu(c, t);
  }

  private irqExit(c: Cpu, t: number, kind: number, num: number): void {
    let i = c.irqDepth - 1;
    while (i >= 0 && !(c.irqKind[i] === kind && c.irqNum[i] === num)) i--;
    // An exit without its entry (the handler began before the trace): ignored, as TC does.
    if (i < 0) return;
    this.irqs.add(c.irqStart[i]!, t, c.cpu, kind, num, Number.NaN);
    c.irqDepth = i;
    c.popCtx(kind === IrqKind.IPI ? WakerKind.IPI : WakerKind.IRQ);
    if (c.cur && !c.interrupted) this.setRunning(c.cur, t, c);
    this.updateCpu(c, t);
  }

  private softirqEntry(c: Cpu, t: number, vec: number): void {
    c.softirq = vec;
    c.softirqStart = t;
    if (vec >= 0 && vec < 32) {
      c.softirqRaisedAt = c.raisedAt[vec]!;
      c.raisedAt[vec] = Number.NaN;
    } else c.softirqRaisedAt = Number.NaN;
    c.pushCtx(WakerKind.SOFTIRQ, vec);
    if (c.cur) this.setThread(c.cur, t, ThreadState.INTERRUPTED, c.cpu);
    this.updateCpu(c, t);
  }

  private softirqExit(c: Cpu, t: number, vec: number): void {
    if (c.softirq === vec && !Number.isNaN(c.softirqStart)) {
      this.irqs.add(c.softirqStart, t, c.cpu, IrqKind.SOFTIRQ, vec, c.softirqRaisedAt);
    }
    c.softirq = -1;
    c.softirqStart = Number.NaN;
    c.popCtx(WakerKind.SOFTIRQ);
    if (c.cur && !c.interrupted) this.setRunning(c.cur, t, c);
    this.updateCpu(c, t);
  }

  // ── result ─────────────────────────────────────────────────────────────────────────────────

  /** Syscalls of live threads that had not returned when the trace ended (end = trace end, ret NaN). */
  private unfinishedSyscalls(last: number): SyscallTable {
    const b = new SyscallTableBuilder();
    const open = this.threads.filter((th) => !Number.isNaN(th.sysStart) && Number.isNaN(th.exitedAt)).sort((x, y) => x.sysStart - y.sysStart);
    for (const th of open) b.add(th.sysStart, last, th.row, th.sysId, Number.NaN, th.sysArg0, th.sysArg1);
    return b.finish();
  }

  /**
   * Freezes the tables; `end` defaults to the last handled event. The big tables (thread and CPU
   * states, syscalls) are copied into their frozen columns when a report first reads them: most
   * reports read one or two of them, and a copy of a large trace's table costs about 0.3 s and
   * 250 MB. The builder takes no events afterwards.
   */
  finish(end?: number): KernelModel {
    if (this.finished) throw new Error('KernelModelBuilder.finish called twice');
    this.finished = true;
    const start = Number.isNaN(this.t0) ? 0 : this.t0;
    const last = end ?? (Number.isNaN(this.tLast) ? start : this.tLast);
    const cpus = [...this.cpuList].sort((a, b) => a.cpu - b.cpu);
    const threadStates = this.threadStates.seal(last);
    const cpuStates = this.cpuStates.seal(last);
    const syscalls = this.syscalls;
    let threadTable: IntervalTable | undefined;
    let cpuTable: IntervalTable | undefined;
    let syscallTable: SyscallTable | undefined;
    return {
      start,
      end: last,
      threads: this.threads,
      cpus,
      get threadStates(): IntervalTable {
        return (threadTable ??= threadStates.freeze());
      },
      get cpuStates(): IntervalTable {
        return (cpuTable ??= cpuStates.freeze());
      },
      get syscalls(): SyscallTable {
        return (syscallTable ??= syscalls.finish());
      },
      unfinishedSyscalls: this.unfinishedSyscalls(last),
      syscallNames: this.options.syscallNames?.strings ?? [],
      irqs: this.irqs.finish(),
      irqNames: this.irqNames,
      ipiNames: this.ipiNames,
      wakeups: this.wakeups.finish(),
      migrations: this.migrations.finish(),
      eventCounts: this.eventCounts,
    };
  }
}
