/**
 * Control Flow: one row per thread, grouped by process (the process's main thread is the group's
 * row, its other threads below it), sorted and filtered from the toolbar; coloured by state;
 * wakeup arrows and migration markers over the rows; the user-space events (ticks at the top of
 * the row) and spans (bars at its bottom) of each thread.
 */
import type { Deadlocks, Migration, ThreadInfo, TraceInfo, UstMarker, UstSpan, Wakeup } from './api.js';
import { getJson } from './api.js';
import type { Runs, TimeMap } from './runs.js';
import { drawRuns, runAt, timeToX } from './runs.js';
import { StateCache } from './state-cache.js';
import { ThreadState } from './states.js';
import { palette } from './theme.js';
import { formatDuration, formatOffset, quantizedResolution } from './time.js';
import type { RowLabel, TimelineSource } from './timeline.js';
import { ROW_HEIGHT, Timeline } from './timeline.js';
import { selectThread, state } from './view.js';

export type SortKey = 'pid' | 'name' | 'cpu';

interface Row {
  thread: ThreadInfo | undefined;
  pid: number;
  /** 0: process row, 1: a thread of it. */
  level: number;
  /** Process rows: threads below it. */
  children: number;
  label: string;
}

/** A thread row stuck in a deadlock (red) or hung at the end of the trace (orange). */
interface Stuck {
  kind: 'deadlock' | 'hung';
  /** The waiting interval outlined on the row. */
  since: number;
  end: number;
  lines: string[];
}

const DEADLOCK_RED = '#e0182d';
const HUNG_ORANGE = '#e07a10';

interface Overlay {
  begin: number;
  end: number;
  res: number;
  key: string;
}

export class ControlFlow implements TimelineSource {
  readonly timeline: Timeline;
  readonly states: StateCache;
  private threads: ThreadInfo[] = [];
  private rows: Row[] = [];
  /** Row index of each thread row id shown. */
  private readonly rowOfId = new Map<number, number>();
  /** Folded processes; the idle threads start folded (they fill rows without saying much). */
  private readonly collapsed = new Set<number>([0]);
  private filter = '';
  private sort: SortKey = 'pid';
  private readonly byId = new Map<number, ThreadInfo>();
  private readonly ustMarkers = new Map<number, UstMarker[]>();
  private readonly ustSpans = new Map<number, UstSpan[]>();
  private wakeups: Wakeup[] = [];
  private migrations: Migration[] = [];
  /** Deadlocked and hung threads by row id, and the wait-for edges to draw (from /api/deadlocks). */
  private readonly stuck = new Map<number, Stuck>();
  private waitEdges: { from: number; to: number; t: number; deadlock: boolean }[] = [];
  private overlay: Overlay | undefined;
  private overlayTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly tooltipCache = new Map<string, Promise<string[]>>();
  /** Called when a user-space marker is clicked (event number). */
  onEventClicked: (i: number) => void = () => {};

  constructor(private readonly trace: TraceInfo) {
    this.states = new StateCache('threads', () => state.trace);
    this.timeline = new Timeline('control-flow', this);
    this.states.onData = () => this.timeline.invalidate();
  }

  setThreads(threads: ThreadInfo[]): void {
    this.threads = threads;
    for (const t of threads) this.byId.set(t.id, t);
    this.rebuild();
  }

  thread(id: number): ThreadInfo | undefined {
    return this.byId.get(id);
  }

  threadsByTid(tid: number): ThreadInfo[] {
    return this.threads.filter((t) => t.tid === tid);
  }

  setFilter(text: string): void {
    this.filter = text.trim().toLowerCase();
    this.rebuild();
  }

  setSort(key: SortKey): void {
    this.sort = key;
    this.rebuild();
  }

  /**
   * Marks the deadlocked threads (each link of a cycle: its wait, outlined until the cycle ended
   * or the trace did) and the hung ones, and keeps the wait-for edges of both.
   */
  setDeadlocks(d: Deadlocks): void {
    const end = state.trace.end;
    const at = (t: number): string => formatOffset(t);
    this.stuck.clear();
    const edges: typeof this.waitEdges = [];
    for (const c of d.deadlocks) {
      for (const l of c.links) {
        const line = `waits for ${l.lock.label} held by ${l.holder.name} ${l.holder.tid} since ${at(l.since)}`;
        const s = this.stuck.get(l.waiter.row);
        if (s?.kind === 'deadlock') s.lines.push(line);
        else this.stuck.set(l.waiter.row, { kind: 'deadlock', since: l.since, end: c.endedAt ?? end, lines: [`deadlocked${c.endedAt === null ? ' (until the end of the trace)' : `, ended at ${at(c.endedAt)}`}`, line] });
        edges.push({ from: l.waiter.row, to: l.holder.row, t: l.since, deadlock: true });
      }
    }
    // Hung: only with user-space events (the server keeps them to the traced programs). A
    // system-wide kernel trace ends with most threads asleep (kworkers, daemons in epoll_wait):
    // flagging them all would say nothing.
    for (const h of this.trace.hasUst ? d.hung : []) {
      if (this.stuck.has(h.row)) continue;
      this.stuck.set(h.row, { kind: 'hung', since: h.since, end, lines: ['hung at the end of the trace', `${h.what} since ${at(h.since)}`] });
    }
    for (const w of d.waitFor) {
      if (w.holder && !edges.some((e) => e.from === w.waiter.row && e.to === w.holder!.row)) edges.push({ from: w.waiter.row, to: w.holder.row, t: w.since, deadlock: false });
    }
    this.waitEdges = edges;
    this.timeline.invalidate();
  }

  /** Row labels with their deadlock/hung badge (for tests: the canvas is not in the DOM). */
  rowBadges(): { label: string; badge: string | null; tooltip: string[] }[] {
    return this.rows.map((r) => {
      const s = r.thread ? this.stuck.get(r.thread.id) : undefined;
      return { label: r.label, badge: s ? badgeText(s) : null, tooltip: s?.lines ?? [] };
    });
  }

  /** Labels of the rows, as shown (for tests and the row count). */
  rowLabels(): string[] {
    return this.rows.map((r) => r.label);
  }

  rowOfThread(id: number): number {
    return this.rowOfId.get(id) ?? -1;
  }

  /** The thread rows, in order, that are shown (for up/down keys). */
  shownThreadIds(): number[] {
    return this.rows.flatMap((r) => (r.thread ? [r.thread.id] : []));
  }

  private rebuild(): void {
    const f = this.filter;
    const matches = (t: ThreadInfo): boolean =>
      !f || String(t.tid) === f || String(t.pid) === f || t.names.some((n) => n.toLowerCase().includes(f)) || t.name.toLowerCase().includes(f);
    const groups = new Map<number, ThreadInfo[]>();
    for (const t of this.threads) {
      const pid = t.idleCpu >= 0 ? 0 : t.pid;
      let g = groups.get(pid);
      if (!g) groups.set(pid, (g = []));
      g.push(t);
    }
    const cpuOf = (g: ThreadInfo[]): number => g.reduce((s, t) => s + t.cpuTime, 0);
    const byThread = (a: ThreadInfo, b: ThreadInfo): number =>
      this.sort === 'name' ? a.name.localeCompare(b.name) || a.tid - b.tid : this.sort === 'cpu' ? b.cpuTime - a.cpuTime || a.tid - b.tid : a.tid - b.tid || a.begin - b.begin;
    const entries = [...groups.entries()].map(([pid, g]) => {
      g.sort(byThread);
      const main = g.find((t) => t.tid === pid && t.idleCpu < 0);
      return { pid, g, main, name: (main ?? g[0])!.name, cpu: cpuOf(g) };
    });
    entries.sort((a, b) =>
      this.sort === 'name' ? a.name.localeCompare(b.name) || a.pid - b.pid : this.sort === 'cpu' ? b.cpu - a.cpu || a.pid - b.pid : a.pid - b.pid,
    );
    const rows: Row[] = [];
    for (const e of entries) {
      const shown = e.g.filter((t) => t !== e.main && matches(t));
      const mainMatches = e.main !== undefined && matches(e.main);
      if (!mainMatches && shown.length === 0) continue;
      const pname = e.pid === 0 ? 'idle (swapper)' : e.name;
      rows.push({ thread: e.main, pid: e.pid, level: 0, children: shown.length, label: e.main ? `${pname} ${e.pid}` : `${pname} (pid ${e.pid})` });
      if (this.collapsed.has(e.pid)) continue;
      for (const t of shown) rows.push({ thread: t, pid: e.pid, level: 1, children: 0, label: `${t.name} ${t.idleCpu >= 0 ? `CPU ${t.idleCpu}` : t.tid}` });
    }
    this.rows = rows;
    this.rowOfId.clear();
    rows.forEach((r, i) => {
      if (r.thread) this.rowOfId.set(r.thread.id, i);
    });
    this.timeline.invalidate();
  }

  // --- TimelineSource --------------------------------------------------------------------------

  rowCount(): number {
    return this.rows.length;
  }

  rowLabel(row: number): RowLabel {
    const r = this.rows[row]!;
    const s = r.thread ? this.stuck.get(r.thread.id) : undefined;
    const label: RowLabel = { text: r.label, indent: r.level, expanded: r.level === 0 && r.children > 0 ? !this.collapsed.has(r.pid) : undefined, bold: r.level === 0, dim: !r.thread };
    if (s) label.badge = { text: badgeText(s), colour: s.kind === 'deadlock' ? DEADLOCK_RED : HUNG_ORANGE };
    return label;
  }

  labelTooltip(row: number): string[] | undefined {
    const t = this.rows[row]?.thread;
    const s = t ? this.stuck.get(t.id) : undefined;
    return s ? [`${t!.name} ${t!.tid}`, ...s.lines] : undefined;
  }

  isRowSelected(row: number): boolean {
    const t = this.rows[row]?.thread;
    return t !== undefined && state.selectedTid === t.tid;
  }

  drawRow(ctx: CanvasRenderingContext2D, row: number, y: number, h: number, m: TimeMap): void {
    const t = this.rows[row]!.thread;
    if (!t) return;
    const p = palette();
    const runs = this.states.get(t.id);
    if (runs) drawRuns(ctx, runs, m, y, h, (s) => p.thread[s]);
    else if (!this.trace.hasKernel) {
      // User-space-only trace: the thread's lifetime as a faint band.
      const x1 = Math.max(m.x0, timeToX(m, t.begin));
      const x2 = Math.min(m.x0 + m.width, timeToX(m, t.end));
      ctx.fillStyle = p.grid;
      if (x2 > x1) ctx.fillRect(x1, y + h / 3, x2 - x1, h / 3);
    }
    const spans = this.ustSpans.get(t.id);
    if (spans) {
      ctx.fillStyle = p.span;
      for (const s of spans) {
        if (s.end < m.begin || s.begin > m.end) continue;
        const x1 = Math.max(m.x0, timeToX(m, s.begin));
        const x2 = Math.min(m.x0 + m.width, timeToX(m, s.end));
        // Thin bars at the bottom (outermost lowest), leaving most of the row to the states.
        if (s.depth > 1) continue;
        const sy = y + h - 2 - s.depth * 3;
        ctx.fillRect(x1, sy, Math.max(1, x2 - x1), 2);
      }
    }
    const markers = this.ustMarkers.get(t.id);
    if (markers) {
      ctx.fillStyle = p.ustEvent;
      for (const e of markers) {
        if (e.t < m.begin || e.t > m.end) continue;
        const x = Math.round(timeToX(m, e.t));
        ctx.fillRect(x, y, 1, 5);
      }
    }
    const stuck = this.stuck.get(t.id);
    if (stuck && stuck.end >= m.begin && stuck.since <= m.end) {
      // The waiting interval, outlined (it can end beyond the thread's last event).
      const x1 = Math.max(m.x0 - 2, timeToX(m, stuck.since));
      const x2 = Math.min(m.x0 + m.width + 2, timeToX(m, stuck.end));
      ctx.strokeStyle = stuck.kind === 'deadlock' ? DEADLOCK_RED : HUNG_ORANGE;
      ctx.lineWidth = 2;
      ctx.strokeRect(x1 + 1, y + 1, Math.max(2, x2 - x1 - 2), h - 2);
      ctx.lineWidth = 1;
    }
  }

  drawOverlay(ctx: CanvasRenderingContext2D, first: number, last: number, m: TimeMap): void {
    const p = palette();
    const rowOf = this.rowOfId;
    const yOf = (r: number): number => r * ROW_HEIGHT + ROW_HEIGHT / 2;
    ctx.strokeStyle = p.arrow;
    ctx.fillStyle = p.arrow;
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.55;
    // Only wakeups between two rows in sight: lines from rows scrolled away would cross
    // everything without saying from where.
    let drawn = 0;
    for (const w of this.wakeups) {
      if (w.fromKind !== 'thread' || w.t < m.begin || w.t > m.end) continue;
      const a = rowOf.get(w.from);
      const b = rowOf.get(w.to);
      if (a === undefined || b === undefined || a === b) continue;
      if (a < first || a > last || b < first || b > last) continue;
      if (++drawn > 3000) break;
      const x1 = timeToX(m, w.t);
      const x2 = timeToX(m, w.runAt ?? w.t);
      arrow(ctx, x1, yOf(a), x2, yOf(b));
    }
    ctx.globalAlpha = 1;
    // Wait-for edges: from the waiter's row to the holder's, where the wait began (a handful).
    ctx.lineWidth = 2;
    for (const e of this.waitEdges) {
      const a = rowOf.get(e.from);
      const b = rowOf.get(e.to);
      if (a === undefined || b === undefined || a === b || e.t < m.begin || e.t > m.end) continue;
      if (Math.max(a, b) < first || Math.min(a, b) > last) continue;
      ctx.strokeStyle = ctx.fillStyle = e.deadlock ? DEADLOCK_RED : HUNG_ORANGE;
      const x = timeToX(m, e.t);
      // From the waiter's row centre (a dot) to the holder's row edge: visible between adjacent rows.
      const dir = b > a ? 1 : -1;
      ctx.beginPath();
      ctx.arc(x, yOf(a), 3, 0, 2 * Math.PI);
      ctx.fill();
      arrow(ctx, x, yOf(a), x, yOf(b) + dir * 2);
    }
    ctx.lineWidth = 1;
    ctx.fillStyle = p.migration;
    for (const mg of this.migrations) {
      const r = rowOf.get(mg.id);
      if (r === undefined || r < first || r > last || mg.t < m.begin || mg.t > m.end) continue;
      const x = timeToX(m, mg.t);
      const y = r * ROW_HEIGHT + 2;
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 4, y + 4);
      ctx.lineTo(x, y + 8);
      ctx.lineTo(x - 4, y + 4);
      ctx.closePath();
      ctx.fill();
    }
  }

  inSight(first: number, last: number, m: TimeMap): void {
    const ids: number[] = [];
    for (let r = Math.max(0, first - 3); r <= Math.min(this.rows.length - 1, last + 3); r++) {
      const t = this.rows[r]!.thread;
      if (t) ids.push(t.id);
    }
    if (this.trace.hasKernel) this.states.want(ids, m, m.width);
    this.wantOverlays(ids, m);
  }

  /** User-space markers and spans, arrows and migrations of the rows in sight. */
  private wantOverlays(ids: number[], m: TimeMap): void {
    const res = quantizedResolution(m.nsPerPx);
    const key = ids.join(',');
    const o = this.overlay;
    const vb = Math.max(state.trace.begin, m.begin);
    const ve = Math.min(state.trace.end, m.end);
    if (o && o.key === key && o.res <= res && o.begin <= vb && o.end >= ve) return;
    if (this.overlayTimer !== undefined) clearTimeout(this.overlayTimer);
    this.overlayTimer = setTimeout(() => {
      const span = m.end - m.begin;
      const begin = Math.max(state.trace.begin, m.begin - span);
      const end = Math.min(state.trace.end, m.end + span);
      const px = Math.min(16384, Math.max(1, Math.ceil((end - begin) / res)));
      this.overlay = { begin, end, res, key };
      const ustRows = ids.filter((id) => this.byId.get(id)?.ust);
      const done = (): void => this.timeline.invalidate();
      if (ustRows.length && this.trace.hasUst) {
        void getJson<{ events: UstMarker[] }>('ust/events', { begin, end, px, rows: ustRows.join(',') })
          .then((r) => {
            for (const id of ustRows) this.ustMarkers.set(id, []);
            for (const e of r.events) this.ustMarkers.get(e.row)?.push(e);
            done();
          })
          .catch(() => {});
        void getJson<{ spans: UstSpan[] }>('ust/spans', { begin, end, px, rows: ustRows.join(',') })
          .then((r) => {
            for (const id of ustRows) this.ustSpans.set(id, []);
            for (const s of r.spans) this.ustSpans.get(s.row)?.push(s);
            done();
          })
          .catch(() => {});
      }
      if (this.trace.hasKernel && ids.length) {
        void getJson<{ wakeups: Wakeup[]; migrations: Migration[] }>('arrows', { begin, end, rows: ids.join(','), limit: 5000 })
          .then((r) => {
            this.wakeups = r.wakeups;
            this.migrations = r.migrations;
            done();
          })
          .catch(() => {});
      }
    }, 80);
  }

  tooltip(row: number, t: number, m: TimeMap): string[] | Promise<string[]> | undefined {
    const th = this.rows[row]?.thread;
    if (!th) return undefined;
    const head = `${th.name} ${th.tid} (pid ${th.pid})`;
    const marker = this.markerNear(th.id, t, m);
    if (marker) return [head, `${marker.name}${marker.n > 1 ? ` (+${marker.n - 1} more)` : ''}`, `at ${formatOffset(marker.t)}`, 'click: event details'];
    const runs = this.states.get(th.id);
    if (!runs) return [head];
    const i = runAt(runs, t);
    if (i < 0) return [head];
    const s = runs.value[i]!;
    const key = `${th.id}:${runs.start[i]}:${s}`;
    let p = this.tooltipCache.get(key);
    if (!p) {
      const local = this.localLines(th, runs, i);
      p = getJson<{ label: string; begin: number; end: number; cpu: number; syscall: string | null; waker?: { label: string } }>('state-at', { table: 'threads', row: th.id, t })
        .then((d) => [
          head,
          `${d.label}${d.syscall ? ` in ${d.syscall}` : ''}${d.cpu >= 0 ? ` on CPU ${d.cpu}` : ''}`,
          `from ${formatOffset(d.begin)} for ${formatDuration(d.end - d.begin)}`,
          ...(d.waker ? [`woken by ${d.waker.label}`] : []),
        ])
        .catch(() => local);
      if (this.tooltipCache.size > 500) this.tooltipCache.clear();
      this.tooltipCache.set(key, p);
    }
    return p;
  }

  private localLines(th: ThreadInfo, runs: Runs, i: number): string[] {
    const s = runs.value[i]!;
    const sc = runs.aux[i]!;
    const cpu = runs.extra[i]!;
    const onCpu = s === ThreadState.RUN_USER || s === ThreadState.RUN_SYSCALL || s === ThreadState.INTERRUPTED || s === ThreadState.WAIT_CPU;
    return [
      `${th.name} ${th.tid}`,
      `${this.trace.threadStateLabels[s] ?? s}${sc >= 0 ? ` in ${this.trace.syscalls[sc] ?? `syscall ${sc}`}` : ''}${onCpu && cpu >= 0 ? ` on CPU ${cpu}` : ''}`,
      `from ${formatOffset(runs.start[i]!)} for ${formatDuration(runs.end[i]! - runs.start[i]!)}`,
    ];
  }

  private markerNear(id: number, t: number, m: TimeMap): UstMarker | undefined {
    const markers = this.ustMarkers.get(id);
    if (!markers) return undefined;
    let best: UstMarker | undefined;
    let bestD = 4 * m.nsPerPx;
    for (const e of markers) {
      const d = Math.abs(e.t - t);
      if (d <= bestD) {
        best = e;
        bestD = d;
      }
    }
    return best;
  }

  rowClicked(row: number, t: number | undefined, onLabel: boolean, ev: MouseEvent): void {
    const r = this.rows[row]!;
    const rect = (ev.target as HTMLElement).getBoundingClientRect();
    if (onLabel && r.level === 0 && r.children > 0 && ev.clientX - rect.left < 24) {
      if (this.collapsed.has(r.pid)) this.collapsed.delete(r.pid);
      else this.collapsed.add(r.pid);
      this.rebuild();
      return;
    }
    if (r.thread) selectThread(r.thread.tid);
    if (t !== undefined && r.thread) {
      const marker = this.markerNear(r.thread.id, t, this.timeline.map());
      if (marker) this.onEventClicked(marker.i);
    }
  }
}

function badgeText(s: Stuck): string {
  // Plain words: emoji glyphs are missing from many Linux fonts.
  return s.kind === 'deadlock' ? 'deadlock' : 'hung';
}

function arrow(ctx: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
  const a = Math.atan2(y2 - y1, x2 - x1);
  ctx.beginPath();
  ctx.moveTo(x2, y2);
  ctx.lineTo(x2 - 6 * Math.cos(a - 0.45), y2 - 6 * Math.sin(a - 0.45));
  ctx.lineTo(x2 - 6 * Math.cos(a + 0.45), y2 - 6 * Math.sin(a + 0.45));
  ctx.closePath();
  ctx.fill();
}
