/**
 * Resources: one row per CPU showing which thread ran (a colour per thread, its name when the run
 * is wide enough), then per CPU its IRQ and softirq rows (active while a handler runs).
 */
import type { Resources as ResourceList, ThreadInfo, TraceInfo } from './api.js';
import type { TimeMap } from './runs.js';
import { drawRuns, runAt } from './runs.js';
import { StateCache } from './state-cache.js';
import { CpuState } from './states.js';
import { palette, threadColour } from './theme.js';
import { formatDuration, formatOffset } from './time.js';
import type { RowLabel, TimelineSource } from './timeline.js';
import { Timeline } from './timeline.js';
import { selectThread, state } from './view.js';

interface Row {
  kind: 'cpu' | 'irq';
  id: number;
  label: string;
}

export class ResourcesView implements TimelineSource {
  readonly timeline: Timeline;
  private readonly cpus: StateCache;
  private readonly irqs: StateCache;
  private rows: Row[] = [];
  private names = new Map<number, string>();

  constructor(private readonly trace: TraceInfo) {
    this.cpus = new StateCache('cpus', () => state.trace);
    this.irqs = new StateCache('irqs', () => state.trace);
    this.timeline = new Timeline('resources', this);
    this.cpus.onData = this.irqs.onData = () => this.timeline.invalidate();
  }

  setData(res: ResourceList, threads: ThreadInfo[]): void {
    for (const t of threads) if (t.idleCpu < 0) this.names.set(t.tid, t.name);
    const rows: Row[] = [];
    for (const c of res.cpus) {
      rows.push({ kind: 'cpu', id: c.id, label: `CPU ${c.cpu}` });
      for (const q of res.irqs.filter((i) => i.cpu === c.cpu)) {
        rows.push({ kind: 'irq', id: q.id, label: `${q.kind === 'softirq' ? 'softirq' : q.kind.toUpperCase()} ${q.num}${q.name ? ` ${q.name}` : ''}` });
      }
    }
    this.rows = rows;
    this.timeline.invalidate();
  }

  rowCount(): number {
    return this.rows.length;
  }

  rowLabel(row: number): RowLabel {
    const r = this.rows[row]!;
    return { text: r.label, indent: r.kind === 'irq' ? 1 : 0, bold: r.kind === 'cpu' };
  }

  drawRow(ctx: CanvasRenderingContext2D, row: number, y: number, h: number, m: TimeMap): void {
    const r = this.rows[row]!;
    const p = palette();
    if (r.kind === 'irq') {
      const runs = this.irqs.get(r.id);
      if (runs) drawRuns(ctx, runs, m, y + 3, h - 6, () => p.cpu[CpuState.IRQ]);
      return;
    }
    const runs = this.cpus.get(r.id);
    if (!runs) return;
    const selected = state.selectedTid;
    drawRuns(
      ctx,
      runs,
      m,
      y,
      h,
      (s, tid) => {
        if (s === CpuState.RUN_USER || s === CpuState.RUN_SYSCALL) {
          if (selected !== undefined && tid !== selected) return dimmed(threadColour(tid));
          return threadColour(tid);
        }
        return p.cpu[s];
      },
      (i) => {
        const tid = runs.aux[i]!;
        const s = runs.value[i]!;
        if (s !== CpuState.RUN_USER && s !== CpuState.RUN_SYSCALL) return undefined;
        return `${this.names.get(tid) ?? '?'} ${tid}`;
      },
      // White reads on the threads' colours; on faded ones (a thread is selected) the text colour.
      selected !== undefined ? p.text : '#fff',
    );
  }

  inSight(first: number, last: number, m: TimeMap): void {
    const cpuIds: number[] = [];
    const irqIds: number[] = [];
    for (let r = Math.max(0, first - 3); r <= Math.min(this.rows.length - 1, last + 3); r++) {
      const row = this.rows[r]!;
      (row.kind === 'cpu' ? cpuIds : irqIds).push(row.id);
    }
    if (cpuIds.length) this.cpus.want(cpuIds, m, m.width);
    if (irqIds.length) this.irqs.want(irqIds, m, m.width);
  }

  tooltip(row: number, t: number): string[] | undefined {
    const r = this.rows[row]!;
    const runs = (r.kind === 'cpu' ? this.cpus : this.irqs).get(r.id);
    if (!runs) return [r.label];
    const i = runAt(runs, t);
    if (i < 0) return [r.label];
    const when = `from ${formatOffset(runs.start[i]!)} for ${formatDuration(runs.end[i]! - runs.start[i]!)}`;
    if (r.kind === 'irq') return [r.label, 'handler running', when];
    const s = runs.value[i]!;
    const tid = runs.aux[i]!;
    const what = this.trace.cpuStates[s] ?? String(s);
    const who = tid > 0 ? `${this.names.get(tid) ?? '?'} ${tid}` : tid === 0 ? 'idle' : 'unknown thread';
    const sc = s === CpuState.RUN_SYSCALL ? ` (${this.trace.syscalls[runs.extra[i]!] ?? runs.extra[i]})` : '';
    return [r.label, `${what}${sc}: ${who}`, when];
  }

  rowClicked(row: number, t: number | undefined): void {
    const r = this.rows[row]!;
    if (r.kind !== 'cpu' || t === undefined) return;
    const runs = this.cpus.get(r.id);
    if (!runs) return;
    const i = runAt(runs, t);
    if (i >= 0 && runs.aux[i]! > 0) selectThread(runs.aux[i]!);
  }
}

/** The thread colour faded, for threads other than the selected one. */
function dimmed(colour: string): string {
  return colour.replace(')', ' / 0.25)');
}
