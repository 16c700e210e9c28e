/**
 * Event tables of the kernel model: one row per syscall, interrupt, wakeup or migration, as
 * typed-array columns sorted by their first column's time (rows are appended in time order by
 * the single pass; syscalls and interrupts are appended when they end, so they are sorted by
 * end time). Times are ns from the trace set's origin; `thread` columns are thread rows.
 */
import { GrowableF64, GrowableI32, GrowableU8 } from '../../store/growable.js';

export interface SyscallTable {
  length: number;
  start: Float64Array;
  end: Float64Array;
  thread: Int32Array;
  /** Id in `KernelModel.syscallNames`. */
  id: Int32Array;
  /** Return value (negative: an error number; NaN: still running at the end of the trace). */
  ret: Float64Array;
  /** The first two arguments (NaN when the tracer did not record them), e.g. futex uaddr and op. */
  arg0: Float64Array;
  arg1: Float64Array;
}

export interface IrqTable {
  length: number;
  start: Float64Array;
  end: Float64Array;
  cpu: Int32Array;
  /** `IrqKind`. */
  kind: Uint8Array;
  /** IRQ number, softirq vector or x86 vector. */
  num: Int32Array;
  /** When the softirq was raised (NaN: not seen or not a softirq). */
  raisedAt: Float64Array;
}

export interface WakeupTable {
  length: number;
  time: Float64Array;
  /** CPU the wakeup event was recorded on. */
  cpu: Int32Array;
  /** `target_cpu`: the runqueue the thread was put on (-1 unknown). */
  targetCpu: Int32Array;
  /** The woken thread. */
  thread: Int32Array;
  /** `WakerKind`. */
  wakerKind: Uint8Array;
  /** Thread row (THREAD) or IRQ number / vector (others), -1 unknown. */
  waker: Int32Array;
  /** Canonical kind of the event (sched_waking, sched_wakeup or sched_wakeup_new). */
  eventKind: Uint8Array;
  /** `ThreadState` of the thread just before (WAIT_BLOCKED for a real wakeup). */
  fromState: Uint8Array;
  /** When the thread next got a CPU (NaN: not in the trace). */
  runAt: Float64Array;
  runCpu: Int32Array;
}

export interface MigrationTable {
  length: number;
  time: Float64Array;
  thread: Int32Array;
  from: Int32Array;
  to: Int32Array;
}

export class SyscallTableBuilder {
  private readonly start = new GrowableF64(1024);
  private readonly end = new GrowableF64(1024);
  private readonly thread = new GrowableI32(1024);
  private readonly id = new GrowableI32(1024);
  private readonly ret = new GrowableF64(1024);
  private readonly arg0 = new GrowableF64(1024);
  private readonly arg1 = new GrowableF64(1024);

  add(start: number, end: number, thread: number, id: number, ret: number, arg0: number, arg1: number): void {
    this.start.push(start);
    this.end.push(end);
    this.thread.push(thread);
    this.id.push(id);
    this.ret.push(ret);
    this.arg0.push(arg0);
    this.arg1.push(arg1);
  }

  finish(): SyscallTable {
    return {
      length: this.start.length,
      start: this.start.finish(),
      end: this.end.finish(),
      thread: this.thread.finish(),
      id: this.id.finish(),
      ret: this.ret.finish(),
      arg0: this.arg0.finish(),
      arg1: this.arg1.finish(),
    };
  }
}

export class IrqTableBuilder {
  private readonly start = new GrowableF64(1024);
  private readonly end = new GrowableF64(1024);
  private readonly cpu = new GrowableI32(1024);
  private readonly kind = new GrowableU8(1024);
  private readonly num = new GrowableI32(1024);
  private readonly raisedAt = new GrowableF64(1024);

  add(start: number, end: number, cpu: number, kind: number, num: number, raisedAt: number): void {
    this.start.push(start);
    this.end.push(end);
    this.cpu.push(cpu);
    this.kind.push(kind);
    this.num.push(num);
    this.raisedAt.push(raisedAt);
  }

  finish(): IrqTable {
    return {
      length: this.start.length,
      start: this.start.finish(),
      end: this.end.finish(),
      cpu: this.cpu.finish(),
      kind: this.kind.finish(),
      num: this.num.finish(),
      raisedAt: this.raisedAt.finish(),
    };
  }
}

export class WakeupTableBuilder {
  private readonly time = new GrowableF64(1024);
  private readonly cpu = new GrowableI32(1024);
  private readonly targetCpu = new GrowableI32(1024);
  private readonly thread = new GrowableI32(1024);
  private readonly wakerKind = new GrowableU8(1024);
  private readonly waker = new GrowableI32(1024);
  private readonly eventKind = new GrowableU8(1024);
  private readonly fromState = new GrowableU8(1024);
  private readonly runAt = new GrowableF64(1024);
  private readonly runCpu = new GrowableI32(1024);

  add(time: number, cpu: number, targetCpu: number, thread: number, wakerKind: number, waker: number, eventKind: number, fromState: number): number {
    this.cpu.push(cpu);
    this.targetCpu.push(targetCpu);
    this.thread.push(thread);
    this.wakerKind.push(wakerKind);
    this.waker.push(waker);
    this.eventKind.push(eventKind);
    this.fromState.push(fromState);
    this.runAt.push(Number.NaN);
    this.runCpu.push(-1);
    return this.time.push(time);
  }

  ran(i: number, t: number, cpu: number): void {
    this.runAt.set(i, t);
    this.runCpu.set(i, cpu);
  }

  finish(): WakeupTable {
    return {
      length: this.time.length,
      time: this.time.finish(),
      cpu: this.cpu.finish(),
      targetCpu: this.targetCpu.finish(),
      thread: this.thread.finish(),
      wakerKind: this.wakerKind.finish(),
      waker: this.waker.finish(),
      eventKind: this.eventKind.finish(),
      fromState: this.fromState.finish(),
      runAt: this.runAt.finish(),
      runCpu: this.runCpu.finish(),
    };
  }
}

export class MigrationTableBuilder {
  private readonly time = new GrowableF64(256);
  private readonly thread = new GrowableI32(256);
  private readonly from = new GrowableI32(256);
  private readonly to = new GrowableI32(256);

  add(time: number, thread: number, from: number, to: number): void {
    this.time.push(time);
    this.thread.push(thread);
    this.from.push(from);
    this.to.push(to);
  }

  finish(): MigrationTable {
    return { length: this.time.length, time: this.time.finish(), thread: this.thread.finish(), from: this.from.finish(), to: this.to.finish() };
  }
}
