/**
 * Critical path of the selected thread over the selected range (or the view): the threads it
 * depended on, one row each, the segments coloured by state, arrows where the path jumps from
 * one thread to another, and a summary table (time per thread and state on the path).
 */
import type { CriticalPath, PathThread, ThreadInfo } from './api.js';
import { getJson } from './api.js';
import type { TimeMap } from './runs.js';
import { timeToX } from './runs.js';
import { ThreadState } from './states.js';
import { palette } from './theme.js';
import { formatDuration, formatOffset } from './time.js';
import type { RowLabel, TimelineSource } from './timeline.js';
import { ROW_HEIGHT, Timeline } from './timeline.js';
import { selectThread, state } from './view.js';

export class CriticalPathView implements TimelineSource {
  readonly element: HTMLDivElement;
  readonly timeline: Timeline;
  private readonly message: HTMLDivElement;
  private readonly summaryEl: HTMLDivElement;
  private path: CriticalPath | undefined;
  private rows: PathThread[] = [];
  private seq = 0;

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'critical-path';
    this.message = document.createElement('div');
    this.message.className = 'panel-note';
    this.timeline = new Timeline('critical-path', this);
    this.summaryEl = document.createElement('div');
    this.summaryEl.className = 'cp-summary';
    this.element.append(this.message, this.timeline.element, this.summaryEl);
    this.message.textContent = 'Select a thread (and a range) to see its critical path.';
  }

  async load(t: ThreadInfo | undefined): Promise<void> {
    const s = ++this.seq;
    this.path = undefined;
    this.rows = [];
    this.summaryEl.replaceChildren();
    this.timeline.invalidate();
    if (!t) {
      this.message.textContent = 'Select a thread (and a range) to see its critical path.';
      return;
    }
    const r = state.selection ?? state.view;
    const begin = Math.max(state.trace.begin, r.begin);
    const end = Math.min(state.trace.end, r.end);
    this.message.textContent = `Critical path of ${t.name} ${t.tid}, ${formatOffset(begin)} – ${formatOffset(end)}: computing…`;
    try {
      const p = await getJson<CriticalPath>('critical-path', { row: t.id, begin, end });
      if (s !== this.seq) return;
      this.path = p;
      const seen = new Map<number, PathThread>([[p.thread.row, p.thread]]);
      for (const g of p.segments) if (!seen.has(g.thread.row)) seen.set(g.thread.row, g.thread);
      this.rows = [...seen.values()];
      this.message.textContent = `Critical path of ${t.name} ${t.tid}, ${formatOffset(begin)} – ${formatOffset(end)}: ${p.segments.length} segments over ${this.rows.length} threads, ${formatDuration(p.summary.total)}`;
      this.renderSummary();
      this.timeline.invalidate();
    } catch (e) {
      if (s !== this.seq) return;
      this.message.textContent = `Critical path: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  rowCount(): number {
    return this.rows.length;
  }

  rowLabel(row: number): RowLabel {
    const r = this.rows[row]!;
    return { text: `${r.name} ${r.tid}` };
  }

  isRowSelected(row: number): boolean {
    return this.rows[row]?.tid === state.selectedTid;
  }

  drawRow(ctx: CanvasRenderingContext2D, row: number, y: number, h: number, m: TimeMap): void {
    const p = this.path;
    const r = this.rows[row];
    if (!p || !r) return;
    const pal = palette();
    for (const g of p.segments) {
      if (g.thread.row !== r.row || g.end < m.begin || g.start > m.end) continue;
      const x1 = Math.max(m.x0, timeToX(m, g.start));
      const x2 = Math.min(m.x0 + m.width, timeToX(m, g.end));
      ctx.fillStyle = pal.thread[TYPE_STATE[g.type] ?? ThreadState.UNKNOWN]!;
      ctx.fillRect(x1, y, Math.max(1, x2 - x1), h);
    }
  }

  drawOverlay(ctx: CanvasRenderingContext2D, _first: number, _last: number, m: TimeMap): void {
    const p = this.path;
    if (!p) return;
    const rowOf = new Map(this.rows.map((r, i) => [r.row, i]));
    ctx.strokeStyle = palette().arrow;
    ctx.fillStyle = palette().arrow;
    for (const a of p.handoffs) {
      const r1 = rowOf.get(a.from.row);
      const r2 = rowOf.get(a.to.row);
      if (r1 === undefined || r2 === undefined || a.toTime < m.begin || a.fromTime > m.end) continue;
      const x = timeToX(m, a.toTime);
      const y1 = r1 * ROW_HEIGHT + ROW_HEIGHT / 2;
      const y2 = r2 * ROW_HEIGHT + ROW_HEIGHT / 2;
      ctx.beginPath();
      ctx.moveTo(x, y1);
      ctx.lineTo(x, y2);
      ctx.stroke();
      const dir = y2 > y1 ? 1 : -1;
      ctx.beginPath();
      ctx.moveTo(x, y2);
      ctx.lineTo(x - 4, y2 - 6 * dir);
      ctx.lineTo(x + 4, y2 - 6 * dir);
      ctx.closePath();
      ctx.fill();
    }
  }

  tooltip(row: number, t: number): string[] | undefined {
    const r = this.rows[row];
    const g = this.path?.segments.find((s) => s.thread.row === r?.row && s.start <= t && t <= s.end);
    if (!r || !g) return undefined;
    const by = g.preemptedBy?.map((x) => `${x.name} ${x.tid} (${formatDuration(x.duration)})`).join(', ');
    return [`${r.name} ${r.tid}`, `${g.type}${g.detail ? `: ${g.detail}` : ''}`, `from ${formatOffset(g.start)} for ${formatDuration(g.duration)}`, ...(by ? [`preempted by ${by}`] : [])];
  }

  rowClicked(row: number): void {
    const r = this.rows[row];
    if (r) selectThread(r.tid);
  }

  /** Segments drawn (for tests). */
  segmentCount(): number {
    return this.path?.segments.length ?? 0;
  }

  private renderSummary(): void {
    const p = this.path;
    if (!p) return;
    const byThread = table(['thread', 'time on the path', '%'], p.summary.byThread.map((x) => [`${x.name} ${x.tid}`, formatDuration(x.duration), `${x.pct.toFixed(1)} %`]));
    const byType = table(['what', 'time', '%'], p.summary.byType.map((x) => [x.type, formatDuration(x.duration), `${x.pct.toFixed(1)} %`]));
    byThread.className = 'clickable';
    byThread.tBodies[0]!.addEventListener('click', (e) => {
      const i = (e.target as HTMLElement).closest('tr')?.sectionRowIndex;
      const x = i === undefined ? undefined : p.summary.byThread[i];
      if (x) selectThread(x.tid);
    });
    this.summaryEl.replaceChildren(byThread, byType);
  }
}

/** Segment types of the critical path drawn with the colour of the matching thread state. */
const TYPE_STATE: Record<string, number> = {
  running: ThreadState.RUN_USER,
  preempted: ThreadState.WAIT_CPU,
  blocked: ThreadState.WAIT_BLOCKED,
  timer: ThreadState.WAIT_UNKNOWN,
  network: ThreadState.WAIT_UNKNOWN,
  block_device: ThreadState.WAIT_UNKNOWN,
  irq: ThreadState.INTERRUPTED,
  softirq: ThreadState.INTERRUPTED,
  ipi: ThreadState.INTERRUPTED,
  unknown: ThreadState.UNKNOWN,
};

function table(headers: string[], rows: string[][]): HTMLTableElement {
  const t = document.createElement('table');
  const head = t.createTHead().insertRow();
  for (const h of headers) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of r) tr.insertCell().textContent = c;
  }
  return t;
}
