/**
 * One canvas time-graph panel: a label column and rows of time intervals under the shared time
 * axis. Only the rows in sight are drawn (the scroll container holds a spacer as tall as all the
 * rows; the canvas stays in place), every frame from data already in memory, so zooming and
 * panning never wait for the server: a `TimelineSource` fetches what is missing when told which
 * rows and range are in sight, and asks for a redraw when it arrives.
 *
 * Mouse: wheel zooms around the pointer; drag pans; shift+drag selects a range; a click selects
 * the row's thread and puts the cursor there; hovering shows the tooltip of what is under it.
 */
import { palette } from './theme.js';
import { offsetBase, tickStep } from './time.js';
import type { TimeMap } from './runs.js';
import { timeToX, xToTime } from './runs.js';
import { pan, setCursor, setSelection, setView, state, zoom } from './view.js';
import { hideTooltip, showTooltip } from './tooltip.js';

export const LABEL_WIDTH = 230;
export const ROW_HEIGHT = 20;

export interface RowLabel {
  text: string;
  indent?: number;
  /** Process rows: ▸ / ▾ before the text. */
  expanded?: boolean;
  bold?: boolean;
  dim?: boolean;
  /** A short flag at the label's right end (`deadlock`) in its own colour. */
  badge?: { text: string; colour: string };
}

export interface TimelineSource {
  rowCount(): number;
  rowLabel(row: number): RowLabel;
  drawRow(ctx: CanvasRenderingContext2D, row: number, y: number, h: number, m: TimeMap): void;
  /** After the rows: arrows, markers across rows. `rowY` is undefined for rows out of sight. */
  drawOverlay?(ctx: CanvasRenderingContext2D, first: number, last: number, m: TimeMap): void;
  /** Tooltip lines for what is at `t` on `row` (may be asynchronous). */
  tooltip?(row: number, t: number, m: TimeMap): string[] | Promise<string[]> | undefined;
  /** Tooltip lines for the row's label (its badge). */
  labelTooltip?(row: number): string[] | undefined;
  rowClicked?(row: number, t: number | undefined, onLabel: boolean, ev: MouseEvent): void;
  isRowSelected?(row: number): boolean;
  /** Rows first..last and the view are in sight: fetch what they lack. */
  inSight?(first: number, last: number, m: TimeMap): void;
}

const allTimelines: Timeline[] = [];

export function redrawAll(): void {
  for (const t of allTimelines) t.invalidate();
}

export class Timeline {
  readonly element: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private width = 0;
  private height = 0;
  private frame = 0;
  private drag: { x: number; y: number; begin: number; end: number; mode: 'pan' | 'select'; moved: boolean; t0: number } | undefined;
  private hoverSeq = 0;

  constructor(
    readonly name: string,
    readonly source: TimelineSource,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'timeline';
    this.element.dataset['panel'] = name;
    this.scroller = document.createElement('div');
    this.scroller.className = 'timeline-scroll';
    this.spacer = document.createElement('div');
    this.spacer.className = 'timeline-spacer';
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'timeline-canvas';
    this.spacer.append(this.canvas);
    this.scroller.append(this.spacer);
    this.element.append(this.scroller);
    const ctx = this.canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('no 2D canvas');
    this.ctx = ctx;
    new ResizeObserver(() => this.resize()).observe(this.scroller);
    this.scroller.addEventListener('scroll', () => this.invalidate());
    this.scroller.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.canvas.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.canvas.addEventListener('pointerup', (e) => this.onPointerUp(e));
    this.canvas.addEventListener('pointerleave', () => hideTooltip());
    allTimelines.push(this);
  }

  map(): TimeMap {
    const { begin, end } = state.view;
    const width = Math.max(1, this.width - LABEL_WIDTH);
    return { begin, end, x0: LABEL_WIDTH, width, nsPerPx: (end - begin) / width };
  }

  invalidate(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Scrolls so that `row` is in sight. */
  scrollToRow(row: number): void {
    const top = row * ROW_HEIGHT;
    if (top < this.scroller.scrollTop || top + ROW_HEIGHT > this.scroller.scrollTop + this.height) {
      this.scroller.scrollTop = Math.max(0, top - this.height / 3);
    }
  }

  private resize(): void {
    const w = this.scroller.clientWidth;
    const h = this.scroller.clientHeight;
    if (w === this.width && h === this.height) return;
    this.width = w;
    this.height = h;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.invalidate();
  }

  private draw(): void {
    const ctx = this.ctx;
    const p = palette();
    const dpr = window.devicePixelRatio || 1;
    const rows = this.source.rowCount();
    const total = rows * ROW_HEIGHT;
    const spacerHeight = `${Math.max(total, this.height)}px`;
    if (this.spacer.style.height !== spacerHeight) this.spacer.style.height = spacerHeight;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = p.background;
    ctx.fillRect(0, 0, this.width, this.height);
    const m = this.map();
    const scrollTop = this.scroller.scrollTop;
    const first = Math.floor(scrollTop / ROW_HEIGHT);
    const last = Math.min(rows - 1, Math.floor((scrollTop + this.height) / ROW_HEIGHT));
    this.drawGrid(ctx, m);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (let r = first; r <= last; r++) {
      const y = r * ROW_HEIGHT - scrollTop;
      if (this.source.isRowSelected?.(r)) {
        ctx.fillStyle = p.selectedRow;
        ctx.fillRect(0, y, this.width, ROW_HEIGHT);
      } else if (r % 2 === 1) {
        ctx.fillStyle = p.rowAlt;
        ctx.fillRect(0, y, this.width, ROW_HEIGHT);
      }
      ctx.save();
      ctx.beginPath();
      ctx.rect(m.x0, y, m.width, ROW_HEIGHT);
      ctx.clip();
      this.source.drawRow(ctx, r, y + 2, ROW_HEIGHT - 4, m);
      ctx.restore();
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(m.x0, 0, m.width, this.height);
    ctx.clip();
    ctx.translate(0, -scrollTop);
    this.source.drawOverlay?.(ctx, first, last, m);
    ctx.restore();
    this.drawLabels(ctx, first, last, scrollTop);
    this.drawSelection(ctx, m);
    this.source.inSight?.(first, last, m);
  }

  private drawGrid(ctx: CanvasRenderingContext2D, m: TimeMap): void {
    const step = tickStep(m.nsPerPx);
    ctx.fillStyle = palette().grid;
    // On the axis's ticks.
    const base = offsetBase();
    for (let t = base + Math.ceil((m.begin - base) / step) * step; t <= m.end; t += step) {
      ctx.fillRect(Math.round(timeToX(m, t)), 0, 1, this.height);
    }
  }

  private drawLabels(ctx: CanvasRenderingContext2D, first: number, last: number, scrollTop: number): void {
    const p = palette();
    ctx.fillStyle = p.panel;
    ctx.fillRect(0, 0, LABEL_WIDTH, this.height);
    ctx.fillStyle = p.grid;
    ctx.fillRect(LABEL_WIDTH - 1, 0, 1, this.height);
    for (let r = first; r <= last; r++) {
      const y = r * ROW_HEIGHT - scrollTop;
      const l = this.source.rowLabel(r);
      if (this.source.isRowSelected?.(r)) {
        ctx.fillStyle = p.selectedRow;
        ctx.fillRect(0, y, LABEL_WIDTH, ROW_HEIGHT);
      }
      const x = 6 + (l.indent ?? 0) * 14;
      ctx.fillStyle = l.dim ? p.dimText : p.text;
      ctx.font = `${l.bold ? '600 ' : ''}12px system-ui, sans-serif`;
      let text = l.text;
      if (l.expanded !== undefined) text = `${l.expanded ? '▾' : '▸'} ${text}`;
      let right = LABEL_WIDTH - 6;
      if (l.badge) {
        ctx.font = '600 11px system-ui, sans-serif';
        const bw = ctx.measureText(l.badge.text).width + 8;
        right -= bw;
        ctx.fillStyle = l.badge.colour;
        ctx.fillRect(right, y + 3, bw, ROW_HEIGHT - 6);
        ctx.fillStyle = '#fff';
        ctx.fillText(l.badge.text, right + 4, y + ROW_HEIGHT / 2);
        right -= 4;
        ctx.fillStyle = l.dim ? p.dimText : p.text;
        ctx.font = `${l.bold ? '600 ' : ''}12px system-ui, sans-serif`;
      }
      ctx.fillText(clipText(ctx, text, right - x), x, y + ROW_HEIGHT / 2);
    }
    ctx.font = '12px system-ui, sans-serif';
  }

  private drawSelection(ctx: CanvasRenderingContext2D, m: TimeMap): void {
    const p = palette();
    const sel = state.selection;
    if (sel) {
      const x1 = Math.max(m.x0, timeToX(m, sel.begin));
      const x2 = Math.min(m.x0 + m.width, timeToX(m, sel.end));
      if (x2 > x1) {
        ctx.fillStyle = p.selection;
        ctx.fillRect(x1, 0, x2 - x1, this.height);
      }
      ctx.fillStyle = p.selectionEdge;
      for (const t of [sel.begin, sel.end]) {
        const x = timeToX(m, t);
        if (x >= m.x0 && x <= m.x0 + m.width) ctx.fillRect(Math.round(x), 0, 1, this.height);
      }
    }
    if (state.cursor !== undefined) {
      const x = timeToX(m, state.cursor);
      if (x >= m.x0 && x <= m.x0 + m.width) {
        ctx.fillStyle = p.cursor;
        ctx.fillRect(Math.round(x), 0, 1, this.height);
      }
    }
  }

  private rowAt(yClient: number): number | undefined {
    const rect = this.canvas.getBoundingClientRect();
    const row = Math.floor((yClient - rect.top + this.scroller.scrollTop) / ROW_HEIGHT);
    return row >= 0 && row < this.source.rowCount() ? row : undefined;
  }

  private onWheel(e: WheelEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    if (x < LABEL_WIDTH || e.shiftKey) return; // the label column scrolls the rows
    e.preventDefault();
    const m = this.map();
    const scale = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 400 : 1;
    if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      pan((e.deltaX * scale) / m.width);
      return;
    }
    zoom(Math.pow(1.0018, e.deltaY * scale), (x - m.x0) / m.width);
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const m = this.map();
    this.canvas.setPointerCapture(e.pointerId);
    this.drag = { x: e.clientX, y: e.clientY, begin: state.view.begin, end: state.view.end, mode: e.shiftKey && x >= LABEL_WIDTH ? 'select' : 'pan', moved: false, t0: xToTime(m, x) };
  }

  private onPointerMove(e: PointerEvent): void {
    const d = this.drag;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const m = this.map();
    if (d) {
      if (Math.abs(e.clientX - d.x) + Math.abs(e.clientY - d.y) > 3) d.moved = true;
      if (!d.moved) return;
      hideTooltip();
      if (d.mode === 'pan') {
        const dt = ((e.clientX - d.x) * (d.end - d.begin)) / m.width;
        setView(d.begin - dt, d.end - dt);
        this.scroller.scrollTop -= e.movementY;
      } else {
        const t = xToTime(m, x);
        setSelection({ begin: Math.min(d.t0, t), end: Math.max(d.t0, t) });
      }
      return;
    }
    this.hover(e, x, m);
  }

  private hover(e: PointerEvent, x: number, m: TimeMap): void {
    const row = this.rowAt(e.clientY);
    const labelLines = row !== undefined && x < LABEL_WIDTH ? this.source.labelTooltip?.(row) : undefined;
    if (labelLines?.length) {
      ++this.hoverSeq;
      showTooltip(e.clientX, e.clientY, labelLines);
      return;
    }
    if (row === undefined || x < LABEL_WIDTH || !this.source.tooltip) {
      hideTooltip();
      return;
    }
    const seq = ++this.hoverSeq;
    const lines = this.source.tooltip(row, xToTime(m, x), m);
    if (!lines) {
      hideTooltip();
      return;
    }
    if (Array.isArray(lines)) {
      if (lines.length) showTooltip(e.clientX, e.clientY, lines);
      else hideTooltip();
      return;
    }
    void lines.then((l) => {
      if (seq === this.hoverSeq && l.length) showTooltip(e.clientX, e.clientY, l);
    });
  }

  private onPointerUp(e: PointerEvent): void {
    const d = this.drag;
    this.drag = undefined;
    if (!d || d.moved) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const row = this.rowAt(e.clientY);
    const onLabel = x < LABEL_WIDTH;
    const t = onLabel ? undefined : xToTime(this.map(), x);
    if (t !== undefined) setCursor(t);
    if (row !== undefined) this.source.rowClicked?.(row, t, onLabel, e);
    this.invalidate();
  }
}

function clipText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let n = text.length;
  while (n > 1 && ctx.measureText(text.slice(0, n) + '…').width > width) n--;
  return text.slice(0, n) + '…';
}

