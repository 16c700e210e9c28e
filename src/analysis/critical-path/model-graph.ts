/**
 * The execution graph of a kernel trace, built from the kernel model's tables (no second pass
 * over the trace): one worker per thread row (worker number = row), a vertex wherever the
 * thread's edge type changes, and a vertical edge from the waker to the wakee at each wakeup by
 * a thread.
 *
 * Horizontal edges, from the thread's state intervals (`KernelModel.threadStates`):
 *
 * | thread state | edge |
 * |---|---|
 * | usermode, syscall | RUNNING |
 * | interrupted | IRQ, SOFTIRQ or IPI — what the CPU was running (from `cpuStates`), qualified by its name |
 * | wait for CPU, wait fork | PREEMPTED |
 * | blocked, woken by a thread | BLOCKED (+ vertical edge from the waker), qualified by the syscall |
 * | blocked, woken by a timer (hrtimer, TIMER/HRTIMER softirq, timer IRQ) | TIMER |
 * | blocked, woken by the NET_TX/NET_RX softirq or a network card's IRQ | NETWORK |
 * | blocked, woken by the BLOCK/IRQ_POLL softirq or a disk controller's IRQ | BLOCK_DEVICE |
 * | blocked, woken by another IRQ / softirq / IPI | IRQ / SOFTIRQ / IPI, qualified by its name |
 * | blocked, waker unknown or never woken | BLOCKED (unexplained) |
 * | statedump "wait" ended by a wakeup | as blocked; otherwise UNKNOWN |
 * | not alive | no edge |
 *
 * A fork (`sched_wakeup_new` by the parent) is a vertical edge from the parent to the child.
 *
 * Differences from Trace Compass's graph (brief §2.2), on purpose:
 * - Built from the model, so the model's fixes apply: spurious second wakeups do not relabel a
 *   wait (TC's CAVEAT), IPIs are contexts of their own (TC pops them on entry), migrations during
 *   a wakeup keep the waker.
 * - Interrupted time on a CPU is IRQ / SOFTIRQ / IPI, not RUNNING, so the path shows the time
 *   interrupts took from the thread. TC's INTERRUPTED label for waits ended by the timer IRQ
 *   becomes TIMER, and every IRQ's name is used (TC's qualifier code never fires, brief §2.2 BUG).
 * - Waits ended by softirqs other than timer, network, block and sched are SOFTIRQ (TC: BLOCKED,
 *   then unexplained); network and block-device IRQs are recognised by their handler's name.
 * - A wakeup from an idle thread (swapper) in task context — an interrupt the trace did not
 *   record — leaves the wait unexplained instead of following swapper's "running".
 * - No packet matching (the kernel model has no network events): network waits end the path.
 */
import { Kind, softirqName } from '../../layouts/canonical.js';
import type { KernelModel } from '../kernel/model.js';
import { CpuState, ThreadState, WakerKind } from '../kernel/states.js';
import { EdgeType, ExecGraphBuilder, type ExecGraph } from './graph.js';

/** Softirq vectors (include/linux/interrupt.h). */
const SOFTIRQ_EDGE: readonly number[] = [
  EdgeType.SOFTIRQ, // HI
  EdgeType.TIMER, // TIMER
  EdgeType.NETWORK, // NET_TX
  EdgeType.NETWORK, // NET_RX
  EdgeType.BLOCK_DEVICE, // BLOCK
  EdgeType.BLOCK_DEVICE, // IRQ_POLL (BLOCK_IOPOLL before 4.5)
  EdgeType.SOFTIRQ, // TASKLET
  EdgeType.SOFTIRQ, // SCHED
  EdgeType.TIMER, // HRTIMER
  EdgeType.SOFTIRQ, // RCU
];

const TIMER_IRQ = /timer|hpet|\brtc/i;
const NETWORK_IRQ = /^(eth|en[ops]|wl|ww|ib)|e1000|igb|ixgb|i40e|ice|r8169|rtl|tg3|bnx|mlx|iwl|ath|brcm|-(input|output|rx|tx)[.-]|virtio\d*-(input|output)/i;
const BLOCK_IRQ = /ahci|\bata|nvme|mmc|sdhci|scsi|sata|megasas|mpt|virtio\d*-req|blk/i;

/** The edge type of a wait ended by IRQ `irq` with handler `name`. */
export function irqEdgeType(irq: number, name: string): number {
  if (name ? TIMER_IRQ.test(name) : irq === 0) return EdgeType.TIMER;
  if (BLOCK_IRQ.test(name)) return EdgeType.BLOCK_DEVICE;
  if (NETWORK_IRQ.test(name)) return EdgeType.NETWORK;
  return EdgeType.IRQ;
}

export function softirqEdgeType(vec: number): number {
  return SOFTIRQ_EDGE[vec] ?? EdgeType.SOFTIRQ;
}

export interface ThreadGraph {
  graph: ExecGraph;
  model: KernelModel;
}

/** Builds the execution graph of a kernel model. */
export function buildThreadGraph(model: KernelModel): ThreadGraph {
  return { graph: new ModelGraphBuilder(model).build(), model };
}

class ModelGraphBuilder {
  private readonly b = new ExecGraphBuilder();
  private readonly wakerVertex: Int32Array;
  private readonly wakeeVertex: Int32Array;
  private readonly cpuRow = new Map<number, number>();
  private readonly sysQual = new Map<number, number>();
  private readonly irqQual = new Map<number, number>();
  private readonly softirqQual = new Map<number, number>();
  private readonly ipiQual = new Map<number, number>();
  // Classification of the current interval (set by `classify`).
  private cType = 0;
  private cQual = -1;
  private cIn = -1;

  constructor(private readonly m: KernelModel) {
    this.wakerVertex = new Int32Array(m.wakeups.length).fill(-1);
    this.wakeeVertex = new Int32Array(m.wakeups.length).fill(-1);
    for (const c of m.cpus) this.cpuRow.set(c.cpu, c.row);
  }

  /** A wakeup by a (non-idle) thread. */
  private byThread(i: number): boolean {
    const w = this.m.wakeups;
    if (w.wakerKind[i] !== WakerKind.THREAD) return false;
    const waker = w.waker[i]!;
    return waker >= 0 && this.m.threads[waker]!.idleCpu < 0;
  }

  /** A wakeup ending a wait, by a thread: a vertical edge waker → wakee. */
  private wakeLink(i: number): boolean {
    const from = this.m.wakeups.fromState[i];
    return (from === ThreadState.WAIT_BLOCKED || from === ThreadState.WAIT_UNKNOWN) && this.byThread(i);
  }

  /** The parent's `sched_wakeup_new` of its child: a vertical edge parent → child. */
  private forkLink(i: number): boolean {
    return this.m.wakeups.eventKind[i] === Kind.SCHED_WAKEUP_NEW && !this.wakeLink(i) && this.byThread(i);
  }

  build(): ExecGraph {
    const m = this.m;
    const w = m.wakeups;
    const rows = m.threadStates.rowCount;
    // Per thread row, the wakeups it made (and the fork that created it), in time order.
    const outStart = new Int32Array(rows + 1);
    const forkIn = new Int32Array(rows).fill(-1);
    for (let i = 0; i < w.length; i++) {
      if (this.wakeLink(i) || this.forkLink(i)) outStart[w.waker[i]! + 1]!++;
      if (this.forkLink(i) && forkIn[w.thread[i]!]! < 0) forkIn[w.thread[i]!] = i;
    }
    for (let r = 0; r < rows; r++) outStart[r + 1]! += outStart[r]!;
    const outs = new Int32Array(outStart[rows]!);
    const cursor = outStart.slice(0, rows);
    for (let i = 0; i < w.length; i++) if (this.wakeLink(i) || this.forkLink(i)) outs[cursor[w.waker[i]!]!++] = i;
    for (let r = 0; r < rows; r++) this.buildRow(r, outs.subarray(outStart[r]!, outStart[r + 1]!), forkIn[r]!);
    for (let i = 0; i < w.length; i++) {
      if (this.wakerVertex[i]! >= 0 && this.wakeeVertex[i]! >= 0) this.b.vertical(this.wakerVertex[i]!, this.wakeeVertex[i]!);
    }
    return this.b.finish();
  }

  private buildRow(r: number, outs: Int32Array, forkIn: number): void {
    const b = this.b;
    const tbl = this.m.threadStates;
    const wt = this.m.wakeups.time;
    b.startWorker();
    const lo = tbl.rowOffset[r]!;
    const hi = tbl.rowOffset[r + 1]!;
    let open = false;
    let curType = 0;
    let curQual = -1;
    let pendingIn = -1;
    let lastV = -1;
    let outFree = false;
    let inFree = false;
    let o = 0;
    let forkDone = forkIn < 0;

    /** A vertex at `t` whose incoming (`forIn`) or outgoing vertical slot is free. */
    const vertexAt = (t: number, forIn: boolean): number => {
      if (lastV >= 0 && b.timeOf(lastV) === t && (forIn ? inFree : outFree)) return lastV;
      lastV = b.append(t, curType, curQual);
      outFree = true;
      inFree = true;
      return lastV;
    };
    /** Attaches the wakeups made (and the fork received) before `t` (at or before when `inclusive`). */
    const attach = (t: number, inclusive: boolean): void => {
      while (true) {
        const to = o < outs.length ? wt[outs[o]!]! : Infinity;
        const tf = forkDone ? Infinity : wt[forkIn]!;
        const next = Math.min(to, tf);
        if (next > t || (next === t && !inclusive)) return;
        if (tf <= to) {
          forkDone = true;
          if (!open) continue;
          this.wakeeVertex[forkIn] = vertexAt(tf, true);
          inFree = false;
        } else {
          const i = outs[o++]!;
          if (!open) continue;
          this.wakerVertex[i] = vertexAt(to, false);
          outFree = false;
        }
      }
    };
    const boundary = (t: number): void => {
      lastV = b.append(t, curType, curQual);
      outFree = true;
      inFree = true;
      if (pendingIn >= 0) {
        this.wakeeVertex[pendingIn] = lastV;
        inFree = false;
        pendingIn = -1;
      }
    };

    let end = Number.NaN;
    for (let k = lo; k < hi; k++) {
      const s = tbl.start[k]!;
      // A state entered by the trace's last event lasts nothing: no edge (as TC's graph).
      if (tbl.end[k]! <= s && k > lo) continue;
      end = tbl.end[k]!;
      this.classify(r, k);
      if (this.cType === EdgeType.NO_EDGE) {
        if (open) {
          attach(s, false);
          boundary(s);
          open = false;
        }
        continue;
      }
      if (!open) {
        attach(s, false);
        lastV = b.vertex(s);
        outFree = true;
        inFree = true;
        open = true;
      } else if (this.cType !== curType || this.cQual !== curQual || pendingIn >= 0) {
        attach(s, false);
        boundary(s);
      } else {
        continue;
      }
      curType = this.cType;
      curQual = this.cQual;
      pendingIn = this.cIn;
    }
    if (open) {
      attach(end, false);
      boundary(end);
      attach(end, true);
    }
  }

  /** Sets cType, cQual, cIn (the wakeup whose vertical edge ends this interval, -1 none). */
  private classify(r: number, k: number): void {
    const tbl = this.m.threadStates;
    this.cQual = -1;
    this.cIn = -1;
    switch (tbl.state[k]) {
      case ThreadState.NONE:
        this.cType = EdgeType.NO_EDGE;
        return;
      case ThreadState.RUN_USER:
      case ThreadState.RUN_SYSCALL:
        this.cType = EdgeType.RUNNING;
        return;
      case ThreadState.INTERRUPTED:
        this.interrupted(tbl.aux[k]!, tbl.start[k]!);
        return;
      case ThreadState.WAIT_CPU:
      case ThreadState.WAIT_FORK:
        this.cType = EdgeType.PREEMPTED;
        return;
      case ThreadState.WAIT_BLOCKED: {
        const i = tbl.aux[k]!;
        this.cType = EdgeType.BLOCKED;
        this.cQual = this.syscallQualifier(tbl.arg[k]!);
        if (i >= 0) this.endedBy(i, tbl.arg[k]!);
        return;
      }
      case ThreadState.WAIT_UNKNOWN: {
        const i = this.wakeupEnding(r, tbl.end[k]!);
        this.cType = EdgeType.UNKNOWN;
        if (i >= 0) {
          this.cType = EdgeType.BLOCKED;
          this.cQual = this.syscallQualifier(tbl.arg[k]!);
          this.endedBy(i, tbl.arg[k]!);
        }
        return;
      }
      default:
        this.cType = EdgeType.UNKNOWN;
    }
  }

  /**
   * A wait (in syscall `sys`, -1 none) ended by wakeup `i`: what the waker says about it. The
   * qualifier names the syscall and, when the wait is not followed to a thread, what ended it.
   */
  private endedBy(i: number, sys: number): void {
    const w = this.m.wakeups;
    const num = w.waker[i]!;
    const waker = (what: string) => this.b.qualifier(sys >= 0 ? `${this.syscallName(sys)}, woken by ${what}` : `woken by ${what}`);
    switch (w.wakerKind[i]) {
      case WakerKind.THREAD:
        if (this.wakeLink(i)) this.cIn = i;
        else this.cQual = waker('the idle thread (interrupt not traced)');
        return;
      case WakerKind.HRTIMER:
        this.cType = EdgeType.TIMER;
        this.cQual = waker('hrtimer');
        return;
      case WakerKind.IRQ:
        this.cType = irqEdgeType(num, this.m.irqNames.get(num) ?? '');
        this.cQual = waker(this.irqName(num));
        return;
      case WakerKind.SOFTIRQ:
        this.cType = softirqEdgeType(num);
        this.cQual = waker(`${softirqName(num)} softirq`);
        return;
      case WakerKind.IPI:
        this.cType = EdgeType.IPI;
        this.cQual = waker(this.ipiName(num));
        return;
      default:
        return;
    }
  }

  /** The wakeup of thread row `r` at time `t` (-1: none). */
  private wakeupEnding(r: number, t: number): number {
    const w = this.m.wakeups;
    let lo = 0;
    let hi = w.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (w.time[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < w.length && w.time[i] === t; i++) if (w.thread[i] === r) return i;
    return -1;
  }

  /** Interrupted on `cpu` from `t`: by what the CPU's state says. */
  private interrupted(cpu: number, t: number): void {
    const row = this.cpuRow.get(cpu);
    const cs = this.m.cpuStates;
    const j = row === undefined ? -1 : cs.indexAt(row, t);
    const state = j >= 0 ? cs.state[j] : -1;
    const num = j >= 0 ? cs.aux[j]! : -1;
    if (state === CpuState.SOFTIRQ) {
      this.cType = EdgeType.SOFTIRQ;
      this.cQual = this.interruptQualifier(this.softirqQual, num, `${softirqName(num)} softirq`);
    } else if (state === CpuState.IPI) {
      this.cType = EdgeType.IPI;
      this.cQual = this.interruptQualifier(this.ipiQual, num, this.ipiName(num));
    } else {
      this.cType = EdgeType.IRQ;
      if (state === CpuState.IRQ) this.cQual = this.interruptQualifier(this.irqQual, num, this.irqName(num));
    }
  }

  private syscallName(id: number): string {
    return this.m.syscallNames[id] ?? `syscall ${id}`;
  }

  private syscallQualifier(id: number): number {
    if (id < 0) return -1;
    let q = this.sysQual.get(id);
    if (q === undefined) {
      q = this.b.qualifier(this.syscallName(id));
      this.sysQual.set(id, q);
    }
    return q;
  }

  private irqName(irq: number): string {
    const name = this.m.irqNames.get(irq);
    return `IRQ ${irq}${name ? ` ${name}` : ''}`;
  }

  private ipiName(vec: number): string {
    const name = this.m.ipiNames.get(vec);
    return `IPI ${vec}${name ? ` ${name}` : ''}`;
  }

  /** Interrupt qualifiers of on-CPU time, cached per number. */
  private interruptQualifier(cache: Map<number, number>, num: number, name: string): number {
    let q = cache.get(num);
    if (q === undefined) {
      q = this.b.qualifier(`interrupted by ${name}`);
      cache.set(num, q);
    }
    return q;
  }
}
