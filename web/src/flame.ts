/**
 * Flame chart of the selected thread's call stacks (cyg-profile entry/exit events), in time
 * order under the shared time axis (one row per depth), and the per-function statistics of the
 * view. A click on a frame or a function shows its source line.
 */
import type { FlameCall, FunctionStats, ThreadInfo } from './api.js';
import { getJson } from './api.js';
import type { SourceView } from './details.js';
import type { TimeMap } from './runs.js';
import { fitText, timeToX } from './runs.js';
import { threadColour, palette } from './theme.js';
import { formatDuration, formatOffset, quantizedResolution } from './time.js';
import type { RowLabel, TimelineSource } from './timeline.js';
import { Timeline } from './timeline.js';
import { state } from './view.js';

export class FlameChart implements TimelineSource {
  readonly element: HTMLDivElement;
  readonly timeline: Timeline;
  private readonly message: HTMLDivElement;
  private readonly statsEl: HTMLDivElement;
  private thread: ThreadInfo | undefined;
  private calls: FlameCall[] = [];
  private byDepth: FlameCall[][] = [];
  private loaded: { id: number; begin: number; end: number; res: number } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private functions: FunctionStats[] = [];

  constructor(private readonly source: SourceView) {
    this.element = document.createElement('div');
    this.element.className = 'flame';
    this.message = document.createElement('div');
    this.message.className = 'panel-note';
    this.timeline = new Timeline('flame', this);
    this.statsEl = document.createElement('div');
    this.statsEl.className = 'flame-stats';
    const lower = document.createElement('div');
    lower.className = 'split';
    lower.append(this.statsEl, source.element);
    this.element.append(this.message, this.timeline.element, lower);
    this.setThread(undefined);
  }

  /** The selected thread (one of its rows: the one with call stacks, if any). */
  setThread(t: ThreadInfo | undefined): void {
    this.thread = t;
    this.calls = [];
    this.byDepth = [];
    this.loaded = undefined;
    this.functions = [];
    this.statsEl.replaceChildren();
    this.message.textContent = !t
      ? 'Select a thread whose program was recorded with --cyg-profile to see its call stacks.'
      : t.hasCalls
        ? `Call stacks of ${t.name} ${t.tid}`
        : `${t.name} ${t.tid} has no call stacks (record with tracelane record --cyg-profile).`;
    this.timeline.invalidate();
  }

  rowCount(): number {
    return Math.max(this.byDepth.length, 1);
  }

  rowLabel(row: number): RowLabel {
    return { text: this.byDepth.length ? `depth ${row}` : '', dim: true };
  }

  drawRow(ctx: CanvasRenderingContext2D, row: number, y: number, h: number, m: TimeMap): void {
    const calls = this.byDepth[row];
    if (!calls) return;
    const p = palette();
    let lastX = -Infinity;
    for (const c of calls) {
      if (c.end < m.begin || c.begin > m.end) continue;
      const x1 = Math.max(m.x0, timeToX(m, c.begin));
      const x2 = Math.min(m.x0 + m.width, timeToX(m, c.end));
      if (x2 - x1 < 1 && Math.floor(x1) <= lastX) continue;
      ctx.fillStyle = threadColour(hash(c.func));
      ctx.fillRect(x1, y, Math.max(1, x2 - x1 - 0.5), h);
      lastX = Math.floor(x2);
      if (x2 - x1 > 30) {
        ctx.fillStyle = p.background === '#ffffff' ? '#111' : '#fff';
        ctx.fillText(fitText(ctx, c.func, x2 - x1 - 6), x1 + 3, y + h / 2);
      }
    }
  }

  inSight(_first: number, _last: number, m: TimeMap): void {
    const t = this.thread;
    if (!t || !t.hasCalls) return;
    const res = quantizedResolution(m.nsPerPx);
    const l = this.loaded;
    const vb = Math.max(state.trace.begin, m.begin);
    const ve = Math.min(state.trace.end, m.end);
    if (l && l.id === t.id && l.res <= res && l.begin <= vb && l.end >= ve) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const span = m.end - m.begin;
      const begin = Math.max(state.trace.begin, m.begin - span);
      const end = Math.min(state.trace.end, m.end + span);
      const px = Math.min(16384, Math.max(1, Math.ceil((end - begin) / res)));
      this.loaded = { id: t.id, begin, end, res };
      void getJson<{ calls: FlameCall[]; functions: FunctionStats[] }>('flame', { row: t.id, begin, end, px })
        .then((r) => {
          if (this.thread !== t) return;
          this.calls = r.calls;
          this.byDepth = [];
          for (const c of r.calls) (this.byDepth[c.depth] ??= []).push(c);
          for (let d = 0; d < this.byDepth.length; d++) this.byDepth[d] ??= [];
          this.functions = r.functions;
          this.renderStats();
          this.timeline.invalidate();
        })
        .catch((e: unknown) => {
          this.message.textContent = e instanceof Error ? e.message : String(e);
        });
    }, 80);
  }

  tooltip(row: number, t: number): string[] | undefined {
    const c = this.callAt(row, t);
    if (!c) return undefined;
    return [c.func, c.src, `from ${formatOffset(c.begin)} for ${formatDuration(c.end - c.begin)}${c.n > 1 ? ` (${c.n} calls merged)` : ''}`];
  }

  rowClicked(row: number, t: number | undefined): void {
    if (t === undefined) return;
    const c = this.callAt(row, t);
    if (!c) return;
    const f = this.functions.find((x) => x.func === c.func && x.src === c.src) ?? this.functions.find((x) => x.func === c.func);
    this.showSource(f ?? { func: c.func, src: c.src });
  }

  private showSource(f: { func: string; src: string; file?: string; line?: number }): void {
    if (f.file && f.line) void this.source.show(f.file, f.line, `${f.src} (${f.func})`);
    else this.source.noSource(f.func);
  }

  private callAt(row: number, t: number): FlameCall | undefined {
    const calls = this.byDepth[row];
    if (!calls) return undefined;
    const slack = (state.view.end - state.view.begin) / 2000;
    return calls.find((c) => c.begin - slack <= t && t <= c.end + slack);
  }

  /** Number of frames drawn (for tests). */
  frameCount(): number {
    return this.calls.length;
  }

  private renderStats(): void {
    const t = document.createElement('table');
    t.className = 'clickable';
    const head = t.createTHead().insertRow();
    for (const h of ['function', 'calls', 'total', 'self', 'max', 'source']) {
      const th = document.createElement('th');
      th.textContent = h;
      head.append(th);
    }
    const body = t.createTBody();
    for (const f of [...this.functions].sort((a, b) => b.self - a.self)) {
      const r = body.insertRow();
      r.insertCell().textContent = f.func;
      r.insertCell().textContent = String(f.calls);
      r.insertCell().textContent = formatDuration(f.total);
      r.insertCell().textContent = formatDuration(f.self);
      r.insertCell().textContent = formatDuration(f.max);
      r.insertCell().textContent = f.src;
      r.addEventListener('click', () => this.showSource(f));
    }
    this.statsEl.replaceChildren(t);
  }
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}
