/**
 * Details of one event (all its fields by scope) and, when the event or a flame-chart frame has a
 * source location, file:line and the source text around it when the file is on disk.
 */
import type { EventDetail } from './api.js';
import { ApiError, getJson } from './api.js';
import { formatClock, formatOffset } from './time.js';

export class SourceView {
  readonly element: HTMLDivElement;

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'source';
  }

  clear(): void {
    this.element.replaceChildren();
  }

  /** A frame or event without a source location: say so, and why that happens. */
  noSource(what: string): void {
    const title = document.createElement('div');
    title.className = 'source-title';
    title.textContent = what;
    const note = document.createElement('div');
    note.className = 'dim';
    note.textContent = 'no source location: the binary (with this build ID) or its debug info is not on this machine';
    this.element.replaceChildren(title, note);
  }

  async show(file: string, line: number, label = `${file}:${line}`): Promise<void> {
    const title = document.createElement('div');
    title.className = 'source-title';
    title.textContent = label;
    this.element.replaceChildren(title);
    try {
      const s = await getJson<{ file: string; line: number; lines: { n: number; text: string }[] }>('source', { file, line, context: 12 });
      const pre = document.createElement('pre');
      for (const l of s.lines) {
        const row = document.createElement('div');
        row.className = l.n === line ? 'source-line current' : 'source-line';
        row.textContent = `${String(l.n).padStart(5)}  ${l.text}`;
        pre.append(row);
      }
      this.element.append(pre);
      // Scroll only the source box (scrollIntoView would also scroll the panel away from the fields).
      const current = pre.querySelector<HTMLElement>('.current');
      if (current) pre.scrollTop = current.offsetTop - pre.offsetTop - pre.clientHeight / 2;
    } catch (e) {
      const note = document.createElement('div');
      note.className = 'dim';
      note.textContent = e instanceof ApiError && e.status === 404 ? 'source file not on this machine' : e instanceof Error ? e.message : String(e);
      this.element.append(note);
    }
  }
}

export class EventDetails {
  readonly element: HTMLDivElement;
  private readonly fields: HTMLDivElement;
  readonly source = new SourceView();
  private seq = 0;

  constructor(private readonly origin: bigint) {
    this.element = document.createElement('div');
    this.element.className = 'details';
    this.fields = document.createElement('div');
    this.fields.className = 'details-fields';
    this.fields.textContent = 'Click an event (table row or a user-space tick on a thread) to see it here.';
    this.element.append(this.fields, this.source.element);
  }

  async show(i: number): Promise<void> {
    const s = ++this.seq;
    let ev: EventDetail;
    try {
      ev = await getJson<EventDetail>('event', { i });
    } catch (e) {
      this.fields.textContent = e instanceof Error ? e.message : String(e);
      return;
    }
    if (s !== this.seq) return;
    const title = document.createElement('div');
    title.className = 'details-title';
    title.textContent = ev.name;
    const meta = document.createElement('div');
    meta.className = 'dim';
    meta.textContent = `${formatClock(this.origin, ev.t)} (${formatOffset(ev.t)})  CPU ${ev.cpu}  tid ${ev.tid}`;
    const table = document.createElement('table');
    for (const [scope, value] of Object.entries(ev.scopes)) {
      if (!value || typeof value !== 'object' || Object.keys(value).length === 0) continue;
      const h = table.insertRow();
      const hc = h.insertCell();
      hc.colSpan = 2;
      hc.className = 'scope';
      hc.textContent = scope.replace('_', ' ');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const r = table.insertRow();
        r.insertCell().textContent = k;
        r.insertCell().textContent = typeof v === 'string' ? v : JSON.stringify(v);
      }
    }
    this.fields.replaceChildren(title, meta);
    const w = ev.where;
    if (w) {
      const loc = document.createElement('div');
      loc.className = 'where';
      loc.textContent = [w.func, w.src, w.bin].filter(Boolean).join('  ·  ');
      this.fields.append(loc);
    }
    this.fields.append(table);
    if (w?.file && w.line) void this.source.show(w.file, w.line, `${w.src ?? w.file}${w.func ? ` (${w.func})` : ''}`);
    else this.source.clear();
  }
}
