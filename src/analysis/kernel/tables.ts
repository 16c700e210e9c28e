/**
 * Event tables of the kernel model: one row per syscall, interrupt, wakeup or migration, as
 * typed-array columns sorted by their first column's time (rows are appended in time order by
 * the single pass; syscalls and interrupts are appended when they end, so they are sorted by
 * end time). Times are ns from the trace set's origin; `thread` columns are thread rows.
 * Columns are appended in chunks (no copy while growing): the syscall table of a large trace
 * has millions of rows.
 */
import { ChunkedF64, ChunkedI32, ChunkedU8 } from '../../store/growable.js';

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

/** One chunk of the syscall table's columns (rows [base, base + capacity)). */
class SyscallChunk {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly thread: Int32Array;
  readonly id: Int32Array;
  readonly ret: Float64Array;
  readonly arg0: Float64Array;
  readonly arg1: Float64Array;

  constructor(readonly capacity: number) {
    this.start = new Float64Array(capacity);
    this.end = new Float64Array(capacity);
    this.thread = new Int32Array(capacity);
    this.id = new Int32Array(capacity);
    this.ret = new Float64Array(capacity);
    this.arg0 = new Float64Array(capacity);
    this.arg1 = new Float64Array(capacity);
  }
}

/**
 * The syscall table has a row for most events of a busy trace: its columns share one chunk
 * bookkeeping (one capacity test per row, not one per column). Chunks double from 1024 rows up
 * to 65536; `finish()` copies each row once.
 */
export class SyscallTableBuilder {
  private readonly chunks: SyscallChunk[] = [];
  private cur = new SyscallChunk(0);
  private used = 0;
  length = 0;

  add(start: number, end: number, thread: number, id: number, ret: number, arg0: number, arg1: number): void {
    if (this.used === this.cur.capacity) this.next();
    const c = this.cur;
    const k = this.used++;
    c.start[k] = start;
    c.end[k] = end;
    c.thread[k] = thread;
    c.id[k] = id;
    c.ret[k] = ret;
    c.arg0[k] = arg0;
    c.arg1[k] = arg1;
    this.length++;
  }

  private next(): void {
    const cap = this.chunks.length === 0 ? 1024 : Math.min(this.cur.capacity * 2, 65536);
    this.cur = new SyscallChunk(cap);
    this.chunks.push(this.cur);
    this.used = 0;
  }

  finish(): SyscallTable {
    const n = this.length;
    const t: SyscallTable = {
      length: n,
      start: new Float64Array(n),
      end: new Float64Array(n),
      thread: new Int32Array(n),
      id: new Int32Array(n),
      ret: new Float64Array(n),
      arg0: new Float64Array(n),
      arg1: new Float64Array(n),
    };
    let at = 0;
    for (const c of this.chunks) {
      const m = Math.min(c.capacity, n - at);
      t.start.set(c.start.subarray(0, m), at);
      t.end.set(c.end.subarray(0, m), at);
      t.thread.set(c.thread.subarray(0, m), at);
      t.id.set(c.id.subarray(0, m), at);
      t.ret.set(c.ret.subarray(0, m), at);
      t.arg0.set(c.arg0.subarray(0, m), at);
      t.arg1.set(c.arg1.subarray(0, m), at);
      at += m;
    }
    return t;
  }
}

export class IrqTableBuilder {
  private readonly start = new ChunkedF64();
  private readonly end = new ChunkedF64();
  private readonly cpu = new ChunkedI32();
  private readonly kind = new ChunkedU8();
  private readonly num = new ChunkedI32();
  private readonly raisedAt = new ChunkedF64();

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
  private readonly time = new ChunkedF64();
  private readonly cpu = new ChunkedI32();
  private readonly targetCpu = new ChunkedI32();
  private readonly thread = new ChunkedI32();
  private readonly wakerKind = new ChunkedU8();
  private readonly waker = new ChunkedI32();
  private readonly eventKind = new ChunkedU8();
  private readonly fromState = new ChunkedU8();
  private readonly runAt = new ChunkedF64();
  private readonly runCpu = new ChunkedI32();

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
  private readonly time = new ChunkedF64();
  private readonly thread = new ChunkedI32();
  private readonly from = new ChunkedI32();
  private readonly to = new ChunkedI32();

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
