/**
 * The events table: virtual rows over the server's filtered event list (millions of rows: only
 * the rows in sight exist in the DOM, fetched by pages; past a few million pixels the scrollbar
 * is scaled). Filters: text search, event-name glob, CPU, thread, and the range (the selection
 * when there is one, else the whole trace). A click on a row moves the timeline's cursor there
 * and opens the event; moving the cursor in the timeline scrolls the table to it.
 */
import type { EventRow } from './api.js';
import { getJson } from './api.js';
import { formatClock } from './time.js';
import { reveal, selectThread, setCursor, state } from './view.js';

const ROW = 22;
const PAGE = 200;
/** Browsers cap element heights (~16–33 M px); above this the scrollbar maps proportionally. */
const MAX_SPACER = 4_000_000;

interface Filters {
  q: string;
  event: string;
  cpu: string;
  tid: string;
}

export class EventsTable {
  readonly element: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly countEl: HTMLSpanElement;
  private readonly inputs: Record<keyof Filters, HTMLInputElement>;
  private total = 0;
  private pages = new Map<number, EventRow[] | 'loading'>();
  private generation = 0;
  private highlighted: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private range: { begin: number; end: number } | undefined;
  onEventClicked: (i: number) => void = () => {};

  constructor(private readonly origin: bigint) {
    this.element = document.createElement('div');
    this.element.className = 'events';
    const bar = document.createElement('div');
    bar.className = 'events-bar';
    const mk = (name: keyof Filters, placeholder: string, width: string): HTMLInputElement => {
      const i = document.createElement('input');
      i.type = 'search';
      i.placeholder = placeholder;
      i.name = `events-${name}`;
      i.style.width = width;
      i.addEventListener('input', () => this.filtersChanged());
      bar.append(i);
      return i;
    };
    this.inputs = { q: mk('q', 'search name or fields', '16em'), event: mk('event', 'event glob, e.g. sched_*', '12em'), cpu: mk('cpu', 'CPU', '4em'), tid: mk('tid', 'tid', '6em') };
    this.countEl = document.createElement('span');
    this.countEl.className = 'events-count';
    bar.append(this.countEl);
    const head = document.createElement('div');
    head.className = 'events-row events-head';
    for (const c of ['time', 'CPU', 'event', 'tid', 'fields']) {
      const d = document.createElement('div');
      d.textContent = c;
      head.append(d);
    }
    this.scroller = document.createElement('div');
    this.scroller.className = 'events-scroll';
    this.spacer = document.createElement('div');
    this.spacer.className = 'events-spacer';
    this.body = document.createElement('div');
    this.body.className = 'events-body';
    this.spacer.append(this.body);
    this.scroller.append(this.spacer);
    this.element.append(bar, head, this.scroller);
    this.scroller.addEventListener('scroll', () => this.render());
    new ResizeObserver(() => this.render()).observe(this.scroller);
    this.body.addEventListener('click', (e) => {
      const rowEl = (e.target as HTMLElement).closest<HTMLElement>('.events-row');
      const i = rowEl?.dataset['i'];
      if (!rowEl || i === undefined) return;
      const row = this.rowByEventNumber(Number(i));
      if (!row) return;
      this.highlighted = row.i;
      setCursor(row.t);
      reveal(row.t);
      if (row.tid > 0) selectThread(row.tid);
      this.onEventClicked(row.i);
      this.render();
    });
  }

  private filters(): Filters {
    return { q: this.inputs.q.value.trim(), event: this.inputs.event.value.trim(), cpu: this.inputs.cpu.value.trim(), tid: this.inputs.tid.value.trim() };
  }

  private params(): Record<string, string | number | undefined> {
    const f = this.filters();
    return { q: f.q, event: f.event, cpu: f.cpu, tid: f.tid, begin: this.range?.begin, end: this.range?.end };
  }

  private filtersChanged(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), 250);
  }

  /** The selection changed: the table lists the selected range (or everything). */
  selectionChanged(): void {
    const s = state.selection;
    const r = s ? { begin: Math.max(state.trace.begin, s.begin), end: Math.min(state.trace.end, s.end) } : undefined;
    if (r?.begin === this.range?.begin && r?.end === this.range?.end) return;
    this.range = r;
    this.filtersChanged();
  }

  async reload(): Promise<void> {
    const gen = ++this.generation;
    this.pages = new Map();
    this.countEl.textContent = 'loading…';
    try {
      const first = await getJson<{ total: number; rows: EventRow[] }>('events', { ...this.params(), offset: 0, limit: PAGE });
      if (gen !== this.generation) return;
      this.total = first.total;
      this.pages.set(0, first.rows);
      this.countEl.textContent = `${first.total.toLocaleString('en-US')} events${this.range ? ' in the selection' : ''}`;
      this.scroller.scrollTop = 0;
      this.render();
      if (state.cursor !== undefined) void this.seek(state.cursor);
    } catch (e) {
      if (gen === this.generation) this.countEl.textContent = e instanceof Error ? e.message : String(e);
    }
  }

  /** Scrolls to the first event at or after `t`. */
  async seek(t: number): Promise<void> {
    const gen = this.generation;
    try {
      const { index } = await getJson<{ index: number }>('events/seek', { ...this.params(), t });
      if (gen !== this.generation || this.total === 0) return;
      const idx = Math.min(index, this.total - 1);
      this.scrollToIndex(idx);
      const page = await this.page(Math.floor(idx / PAGE));
      const row = page?.[idx % PAGE];
      if (row) this.highlighted = row.i;
      this.render();
    } catch {
      // A failed seek leaves the table where it was.
    }
  }

  private spacerHeight(): number {
    return Math.min(this.total * ROW, MAX_SPACER);
  }

  private visibleCount(): number {
    return Math.ceil(this.scroller.clientHeight / ROW) + 1;
  }

  /** Index of the first row in sight, from the (possibly scaled) scroll position. */
  private firstIndex(): number {
    const h = this.spacerHeight();
    const view = this.scroller.clientHeight;
    if (this.total * ROW <= MAX_SPACER) return Math.floor(this.scroller.scrollTop / ROW);
    const frac = this.scroller.scrollTop / Math.max(1, h - view);
    return Math.floor(frac * Math.max(0, this.total - this.visibleCount() + 1));
  }

  private scrollToIndex(idx: number): void {
    const view = this.scroller.clientHeight;
    const target = Math.max(0, idx - Math.floor(view / ROW / 3));
    if (this.total * ROW <= MAX_SPACER) this.scroller.scrollTop = target * ROW;
    else this.scroller.scrollTop = (target / Math.max(1, this.total - this.visibleCount() + 1)) * (this.spacerHeight() - view);
  }

  private async page(p: number): Promise<EventRow[] | undefined> {
    const have = this.pages.get(p);
    if (have && have !== 'loading') return have;
    if (have === 'loading') return undefined;
    const gen = this.generation;
    this.pages.set(p, 'loading');
    try {
      const r = await getJson<{ rows: EventRow[] }>('events', { ...this.params(), offset: p * PAGE, limit: PAGE });
      if (gen !== this.generation) return undefined;
      this.pages.set(p, r.rows);
      if (this.pages.size > 60) this.pages.delete(this.pages.keys().next().value!);
      this.render();
      return r.rows;
    } catch {
      this.pages.delete(p);
      return undefined;
    }
  }

  private rowByEventNumber(i: number): EventRow | undefined {
    for (const p of this.pages.values()) {
      if (p === 'loading') continue;
      const r = p.find((x) => x.i === i);
      if (r) return r;
    }
    return undefined;
  }

  private render(): void {
    const h = `${Math.max(this.spacerHeight(), 1)}px`;
    if (this.spacer.style.height !== h) this.spacer.style.height = h;
    const first = this.firstIndex();
    const count = Math.min(this.visibleCount(), Math.max(0, this.total - first));
    this.body.style.top = `${this.scroller.scrollTop}px`;
    const els: HTMLElement[] = [];
    for (let k = 0; k < count; k++) {
      const idx = first + k;
      const page = this.pages.get(Math.floor(idx / PAGE));
      if (page === undefined) void this.page(Math.floor(idx / PAGE));
      const row = page && page !== 'loading' ? page[idx % PAGE] : undefined;
      els.push(this.rowElement(row));
    }
    this.body.replaceChildren(...els);
  }

  private rowElement(row: EventRow | undefined): HTMLElement {
    const el = document.createElement('div');
    el.className = 'events-row';
    if (!row) {
      el.textContent = '…';
      return el;
    }
    el.dataset['i'] = String(row.i);
    if (row.i === this.highlighted) el.classList.add('highlighted');
    if (state.selectedTid !== undefined && row.tid === state.selectedTid) el.classList.add('of-selected');
    const cells = [formatClock(this.origin, row.t), row.cpu >= 0 ? String(row.cpu) : '', row.name, row.tid >= 0 ? String(row.tid) : '', row.fields];
    for (const c of cells) {
      const d = document.createElement('div');
      d.textContent = c;
      el.append(d);
    }
    el.title = row.fields;
    return el;
  }

  /** Rows currently shown (for tests): time text and event name. */
  shownRows(): { time: string; name: string }[] {
    return [...this.body.querySelectorAll<HTMLElement>('.events-row[data-i]')].map((r) => ({ time: r.children[0]!.textContent ?? '', name: r.children[2]!.textContent ?? '' }));
  }

  threadChanged(): void {
    this.render();
  }
}
