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

/**
 * The syscall table has a row for most events of a busy trace: its columns share one chunk
 * bookkeeping (one capacity test per row, not one per column). Chunks double from 1024 rows up
 * to 65536; `finish()` copies each row once, one column at a time, releasing that column's
 * chunks before the next column is allocated.
 */
export class SyscallTableBuilder {
  // The chunks of each column, and the current chunk of each (the last one).
  private starts: Float64Array[] = [];
  private ends: Float64Array[] = [];
  private threads: Int32Array[] = [];
  private ids: Int32Array[] = [];
  private rets: Float64Array[] = [];
  private arg0s: Float64Array[] = [];
  private arg1s: Float64Array[] = [];
  private cStart = new Float64Array(0);
  private cEnd = new Float64Array(0);
  private cThread = new Int32Array(0);
  private cId = new Int32Array(0);
  private cRet = new Float64Array(0);
  private cArg0 = new Float64Array(0);
  private cArg1 = new Float64Array(0);
  private capacity = 0;
  private used = 0;
  length = 0;

  add(start: number, end: number, thread: number, id: number, ret: number, arg0: number, arg1: number): void {
    if (this.used === this.capacity) this.next();
    const k = this.used++;
    this.cStart[k] = start;
    this.cEnd[k] = end;
    this.cThread[k] = thread;
    this.cId[k] = id;
    this.cRet[k] = ret;
    this.cArg0[k] = arg0;
    this.cArg1[k] = arg1;
    this.length++;
  }

  private next(): void {
    const cap = this.starts.length === 0 ? 1024 : Math.min(this.capacity * 2, 65536);
    this.starts.push((this.cStart = new Float64Array(cap)));
    this.ends.push((this.cEnd = new Float64Array(cap)));
    this.threads.push((this.cThread = new Int32Array(cap)));
    this.ids.push((this.cId = new Int32Array(cap)));
    this.rets.push((this.cRet = new Float64Array(cap)));
    this.arg0s.push((this.cArg0 = new Float64Array(cap)));
    this.arg1s.push((this.cArg1 = new Float64Array(cap)));
    this.capacity = cap;
    this.used = 0;
  }

  /** The frozen table (the builder is emptied). */
  finish(): SyscallTable {
    const n = this.length;
    const start = joined(this.starts, new Float64Array(n));
    this.starts = [];
    this.cStart = new Float64Array(0);
    const end = joined(this.ends, new Float64Array(n));
    this.ends = [];
    this.cEnd = new Float64Array(0);
    const thread = joined(this.threads, new Int32Array(n));
    this.threads = [];
    this.cThread = new Int32Array(0);
    const id = joined(this.ids, new Int32Array(n));
    this.ids = [];
    this.cId = new Int32Array(0);
    const ret = joined(this.rets, new Float64Array(n));
    this.rets = [];
    this.cRet = new Float64Array(0);
    const arg0 = joined(this.arg0s, new Float64Array(n));
    this.arg0s = [];
    this.cArg0 = new Float64Array(0);
    const arg1 = joined(this.arg1s, new Float64Array(n));
    this.arg1s = [];
    this.cArg1 = new Float64Array(0);
    this.length = 0;
    this.capacity = 0;
    this.used = 0;
    return { length: n, start, end, thread, id, ret, arg0, arg1 };
  }
}

/** The first `out.length` values of consecutive chunks, copied into `out`. */
function joined<T extends Float64Array | Int32Array>(chunks: T[], out: T): T {
  let at = 0;
  for (const c of chunks) {
    const m = Math.min(c.length, out.length - at);
    out.set(c.subarray(0, m) as never, at);
    at += m;
  }
  return out;
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
