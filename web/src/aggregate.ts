/** The range selection's aggregates: time per state, per thread and per CPU, event counts. */
import type { Aggregate } from './api.js';
import { getJson } from './api.js';
import { LEGEND_STATES, THREAD_STATE_LABELS, THREAD_STATE_NAMES } from './states.js';
import { palette } from './theme.js';
import { formatDuration, formatOffset } from './time.js';
import { selectThread, state } from './view.js';

export class AggregatePanel {
  readonly element: HTMLDivElement;
  private seq = 0;
  rowsOfSelected: () => number[] = () => [];

  constructor() {
    this.element = document.createElement('div');
    this.element.className = 'aggregate';
    this.element.textContent = 'Select a range (shift+drag on a panel, or drag on the time axis) to see what happened in it.';
  }

  async refresh(): Promise<void> {
    const sel = state.selection;
    if (!sel) return;
    const s = ++this.seq;
    const rows = this.rowsOfSelected();
    let a: Aggregate;
    try {
      a = await getJson<Aggregate>('aggregate', { begin: Math.max(0, sel.begin), end: sel.end, rows: rows.length ? rows.join(',') : undefined, top: 30 });
    } catch (e) {
      this.element.textContent = e instanceof Error ? e.message : String(e);
      return;
    }
    if (s !== this.seq) return;
    const title = document.createElement('div');
    title.className = 'details-title';
    title.textContent = `${formatOffset(a.begin)} – ${formatOffset(a.end)} (${formatDuration(a.end - a.begin)})`;
    const cols = document.createElement('div');
    cols.className = 'aggregate-cols';
    cols.append(this.statesBox(a, rows.length > 0), this.threadsBox(a), this.cpusBox(a), this.eventsBox(a));
    this.element.replaceChildren(title, cols);
  }

  private statesBox(a: Aggregate, selected: boolean): HTMLElement {
    const box = section(selected ? 'Time per state (selected thread)' : 'Time per state (all threads)');
    const p = palette();
    const total = Object.values(a.states).reduce((x, y) => x + y, 0) || 1;
    const t = document.createElement('table');
    for (const s of LEGEND_STATES) {
      const v = a.states[THREAD_STATE_NAMES[s]!] ?? 0;
      if (!v) continue;
      const r = t.insertRow();
      const sw = r.insertCell();
      sw.innerHTML = '<span class="swatch"></span>';
      (sw.firstChild as HTMLElement).style.background = p.thread[s]!;
      r.insertCell().textContent = THREAD_STATE_LABELS[s]!;
      r.insertCell().textContent = formatDuration(v);
      r.insertCell().textContent = `${((100 * v) / total).toFixed(1)} %`;
    }
    box.append(t);
    return box;
  }

  private threadsBox(a: Aggregate): HTMLElement {
    const box = section('Threads by CPU time');
    const t = document.createElement('table');
    t.className = 'clickable';
    for (const th of a.threads) {
      const r = t.insertRow();
      r.insertCell().textContent = `${th.name} ${th.tid}`;
      r.insertCell().textContent = formatDuration(th.cpuTime);
      r.addEventListener('click', () => selectThread(th.tid));
    }
    box.append(t);
    return box;
  }

  private cpusBox(a: Aggregate): HTMLElement {
    const box = section('CPUs');
    const t = document.createElement('table');
    for (const c of a.cpus) {
      const r = t.insertRow();
      r.insertCell().textContent = `CPU ${c.cpu}`;
      r.insertCell().textContent = formatDuration(c.busy);
      r.insertCell().textContent = `${(100 * c.usage).toFixed(1)} %`;
    }
    box.append(t);
    return box;
  }

  private eventsBox(a: Aggregate): HTMLElement {
    const box = section(`Events (${a.eventTotal.toLocaleString('en-US')})`);
    const t = document.createElement('table');
    for (const e of a.events.slice(0, 40)) {
      const r = t.insertRow();
      r.insertCell().textContent = e.name;
      r.insertCell().textContent = e.count.toLocaleString('en-US');
    }
    box.append(t);
    return box;
  }
}

function section(title: string): HTMLElement {
  const s = document.createElement('section');
  const h = document.createElement('h3');
  h.textContent = title;
  s.append(h);
  return s;
}
