/**
 * The shared time axis above the panels: ticks and times from the trace start (side by side,
 * maybe from the program's start: time.ts's offset base), the selection
 * and the cursor. Dragging on it selects a range (dragging in a panel pans); a double click
 * zooms to the selection.
 */
import { LABEL_WIDTH } from './timeline.js';
import { palette } from './theme.js';
import { formatDuration, formatOffset, offsetBase, tickStep } from './time.js';
import type { TimeMap } from './runs.js';
import { timeToX, xToTime } from './runs.js';
import { setSelection, setView, state } from './view.js';

export class TimeAxis {
  readonly element: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private width = 0;
  private readonly height = 34;
  private drag: number | undefined;

  constructor() {
    this.element = document.createElement('canvas');
    this.element.className = 'time-axis';
    const ctx = this.element.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    this.ctx = ctx;
    new ResizeObserver(() => this.resize()).observe(this.element);
    this.element.addEventListener('pointerdown', (e) => {
      const x = e.offsetX;
      if (x < LABEL_WIDTH) return;
      this.element.setPointerCapture(e.pointerId);
      this.drag = xToTime(this.map(), x);
    });
    this.element.addEventListener('pointermove', (e) => {
      if (this.drag === undefined) return;
      const t = xToTime(this.map(), e.offsetX);
      setSelection({ begin: Math.min(this.drag, t), end: Math.max(this.drag, t) });
    });
    this.element.addEventListener('pointerup', () => {
      this.drag = undefined;
    });
    this.element.addEventListener('dblclick', () => {
      if (state.selection) setView(state.selection.begin, state.selection.end);
    });
  }

  private resize(): void {
    const w = this.element.clientWidth;
    if (w === this.width) return;
    this.width = w;
    const dpr = window.devicePixelRatio || 1;
    this.element.width = Math.round(w * dpr);
    this.element.height = Math.round(this.height * dpr);
    this.draw();
  }

  map(): TimeMap {
    const { begin, end } = state.view;
    const width = Math.max(1, this.width - LABEL_WIDTH);
    return { begin, end, x0: LABEL_WIDTH, width, nsPerPx: (end - begin) / width };
  }

  draw(): void {
    const ctx = this.ctx;
    const p = palette();
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = p.panel;
    ctx.fillRect(0, 0, this.width, this.height);
    const m = this.map();
    const step = tickStep(m.nsPerPx);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    // Ticks at round offsets from where the labels count (the trace start; side by side, maybe the program's).
    const base = offsetBase();
    for (let t = base + Math.ceil((m.begin - base) / step) * step; t <= m.end; t += step) {
      const x = Math.round(timeToX(m, t));
      ctx.fillStyle = p.dimText;
      ctx.fillRect(x, this.height - 8, 1, 8);
      ctx.fillStyle = p.text;
      ctx.fillText(formatOffset(t, step), x + 3, 4);
    }
    const sel = state.selection;
    if (sel) {
      const x1 = Math.max(m.x0, timeToX(m, sel.begin));
      const x2 = Math.min(m.x0 + m.width, timeToX(m, sel.end));
      if (x2 > x1) {
        ctx.fillStyle = p.selection;
        ctx.fillRect(x1, 0, x2 - x1, this.height);
        ctx.fillStyle = p.selectionEdge;
        ctx.fillRect(x1, 0, 1, this.height);
        ctx.fillRect(x2, 0, 1, this.height);
      }
    }
    ctx.fillStyle = p.text;
    ctx.fillText(`view ${formatDuration(m.end - m.begin)}`, 6, 4);
    if (sel) {
      ctx.fillStyle = p.selectionEdge;
      ctx.fillText(`selection ${formatDuration(sel.end - sel.begin)}`, 6, 18);
    }
    ctx.fillStyle = p.grid;
    ctx.fillRect(0, this.height - 1, this.width, 1);
  }
}
