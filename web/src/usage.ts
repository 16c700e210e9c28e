/**
 * CPU usage over time (uPlot): busy CPUs of the whole machine, and the selected thread's share,
 * as stacked areas under the shared time axis. Its plot area starts where the timelines' plot
 * areas start, so times line up vertically across panels.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ThreadInfo, Usage } from './api.js';
import { getJson } from './api.js';
import { palette } from './theme.js';
import { LABEL_WIDTH } from './timeline.js';
import { state } from './view.js';

export class UsageChart {
  readonly element: HTMLDivElement;
  private plot: uPlot | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private data: uPlot.AlignedData = [[], [], []];
  private cpus = 1;
  private readonly height = 110;
  /** Thread rows of the selected thread (set by the page). */
  selectedRows: () => ThreadInfo[] = () => [];
  private last: Usage | undefined;
  enabled = true;

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'usage';
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  private build(): void {
    this.plot?.destroy();
    const p = palette();
    const width = Math.max(LABEL_WIDTH + 10, this.element.clientWidth);
    const opts: uPlot.Options = {
      width,
      height: this.height,
      padding: [8, 0, 6, 0],
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: false, auto: false, range: () => [state.view.begin, state.view.end] },
        y: { auto: false, range: () => [0, this.cpus] },
      },
      axes: [
        { show: false },
        {
          size: LABEL_WIDTH,
          stroke: p.dimText,
          grid: { stroke: p.grid, width: 1 },
          ticks: { show: false },
          values: (_u, splits) => splits.map((v) => `${v} CPU${v === 1 ? '' : 's'}`),
          font: '11px system-ui, sans-serif',
        },
      ],
      series: [
        {},
        { label: 'total', stroke: p.dimText, fill: p.grid, width: 1, points: { show: false } },
        { label: 'selected', stroke: p.selectionEdge, fill: p.selection, width: 1, points: { show: false } },
      ],
    };
    this.element.replaceChildren();
    this.plot = new uPlot(opts, this.data, this.element);
  }

  private resize(): void {
    if (!this.plot) this.build();
    this.plot?.setSize({ width: Math.max(LABEL_WIDTH + 10, this.element.clientWidth), height: this.height });
    this.refresh();
  }

  themeChanged(): void {
    this.build();
  }

  /** The view moved: rescale now, refetch in a moment. */
  viewChanged(): void {
    this.plot?.setScale('x', { min: state.view.begin, max: state.view.end });
    this.refresh();
  }

  refresh(): void {
    if (!this.enabled) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.fetch(), 120);
  }

  private async fetch(): Promise<void> {
    const s = ++this.seq;
    const { begin, end } = state.view;
    const b = Math.max(state.trace.begin, begin);
    const e = Math.min(state.trace.end, end);
    if (e <= b) return;
    const width = Math.max(10, this.element.clientWidth - LABEL_WIDTH);
    const buckets = Math.max(10, Math.min(2000, Math.floor(width / 3)));
    const rows = this.selectedRows().map((t) => t.id);
    try {
      const u = await getJson<Usage>('usage', { begin: b, end: e, buckets, rows: rows.length ? rows.join(',') : undefined });
      if (s !== this.seq) return;
      this.last = u;
      this.cpus = Math.max(1, u.cpus);
      const step = (u.end - u.begin) / Math.max(1, u.t.length);
      // Points at bucket centres; `selected` stacked inside `total` (it is part of it).
      const xs = u.t.map((t) => t + step / 2);
      this.data = [xs, u.total, u.selected ?? u.total.map(() => null)];
      this.plot?.setData(this.data, false);
      this.plot?.setScale('y', { min: 0, max: this.cpus });
      this.plot?.setScale('x', { min: state.view.begin, max: state.view.end });
    } catch {
      // The chart keeps its last data; the status bar reports server errors.
    }
  }

  /** Mean usage of the last answer (for tests and the status line). */
  lastUsage(): Usage | undefined {
    return this.last;
  }
}
