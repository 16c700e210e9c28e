/**
 * The tracelane page: waits for the server to be ready, builds the panels under one time axis,
 * and wires them to the shared view (view.ts) and the keyboard.
 */
import './style.css';
import type { Deadlocks, Resources, Status, ThreadInfo, TraceInfo } from './api.js';
import { fetchThreads, getJson } from './api.js';
import { AggregatePanel } from './aggregate.js';
import { TimeAxis } from './axis.js';
import { connectToCompare, isEmbedded, prepareEmbedded } from './compare-embed.js';
import { ControlFlow, type SortKey } from './control-flow.js';
import { CriticalPathView } from './critical-path.js';
import { EventDetails } from './details.js';
import { EventsTable } from './events-table.js';
import { FlameChart } from './flame.js';
import { ResourcesView } from './resources.js';
import { LEGEND_STATES, THREAD_STATE_LABELS } from './states.js';
import { onThemeChange, palette, setTheme } from './theme.js';
import { redrawAll } from './timeline.js';
import { setOffsetBase } from './time.js';
import { UsageChart } from './usage.js';
import { loadFromUrl, pan, resetView, reveal, selectThread, setCursor, setSelection, setThemeState, setView, state, subscribe, zoom } from './view.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

async function waitUntilReady(): Promise<void> {
  const el = $('loading');
  for (;;) {
    const s = await getJson<Status>('status');
    if (s.state === 'ready') return;
    if (s.state === 'failed') throw new Error(s.error ?? 'the server could not read the trace');
    el.textContent = `${s.message || s.phase} ${s.progress ? `${Math.round(s.progress * 100)} %` : ''}`;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function yieldToBrowser(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

function status(text: string, error = false): void {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('error', error);
}

async function main(): Promise<void> {
  // Inside the side-by-side comparison (compare.html): no toolbar, views kept in step with the other side.
  const embedded = isEmbedded();
  if (embedded) prepareEmbedded();
  await waitUntilReady();
  // The thread list is parsed in the data worker (thousands of threads: a long task here).
  const [trace, threads, resources] = await Promise.all([getJson<TraceInfo>('trace'), fetchThreads(), getJson<Resources>('resources')]);
  const origin = BigInt(trace.origin);
  state.trace = { begin: trace.start, end: Math.max(trace.end, trace.start + 1) };
  setOffsetBase(trace.start);
  loadFromUrl();
  setTheme(state.theme);
  document.title = `${trace.name} — tracelane`;
  $('trace-name').textContent = trace.name;
  $('trace-meta').textContent = `${trace.events.toLocaleString('en-US')} events · ${threads.length} threads · ${trace.cpus.length} CPUs`;
  // The reading's warnings (several kernel traces, discarded events…) stay in sight: the first
  // one in the toolbar, all of them in its tooltip.
  if (trace.warnings.length > 0) {
    const w = document.createElement('span');
    w.id = 'trace-warnings';
    w.style.cssText = 'color: var(--error); display: inline-block; max-width: 45em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap';
    w.textContent = `⚠ ${trace.warnings[0]}${trace.warnings.length > 1 ? ` (+${trace.warnings.length - 1} more)` : ''}`;
    w.title = trace.warnings.join('\n');
    $('trace-meta').after(w);
  }
  $('loading').remove();

  // Built in steps, giving the browser a turn between them: with thousands of threads each step
  // takes tens of ms, and together they would block the page for longer than a frame budget.
  await yieldToBrowser();
  const axis = new TimeAxis();
  const cf = new ControlFlow(trace);
  cf.setThreads(threads);
  // Deadlocked and hung threads: made by the server on first request; a failure only loses the marks.
  void getJson<Deadlocks>('deadlocks')
    .then((d) => cf.setDeadlocks(d))
    .catch(() => {});
  await yieldToBrowser();
  const rs = new ResourcesView(trace);
  rs.setData(resources, threads);
  await yieldToBrowser();
  const usage = new UsageChart();
  const details = new EventDetails(origin);
  const events = new EventsTable(origin);
  const aggregate = new AggregatePanel();
  const cp = new CriticalPathView();
  const flame = new FlameChart(details.source);

  const rowsOfTid = (tid: number | undefined): ThreadInfo[] => (tid === undefined ? [] : threads.filter((t) => t.tid === tid && t.idleCpu < 0));
  const mainRowOf = (tid: number | undefined): ThreadInfo | undefined => {
    const rows = rowsOfTid(tid);
    return rows.find((t) => t.hasCalls) ?? rows[rows.length - 1];
  };
  usage.selectedRows = () => rowsOfTid(state.selectedTid);
  usage.enabled = trace.hasKernel; // CPU usage comes from the kernel's scheduling events
  aggregate.rowsOfSelected = () => rowsOfTid(state.selectedTid).map((t) => t.id);
  cf.onEventClicked = (i) => {
    showTab('events');
    void details.show(i);
  };
  events.onEventClicked = (i) => void details.show(i);

  $('axis').append(axis.element);
  $('control-flow').append(cf.timeline.element);
  $('resources').append(rs.timeline.element);
  $('usage').append(usage.element);
  $('tab-events').append(events.element, details.element);
  $('tab-selection').append(aggregate.element);
  $('tab-critical').append(cp.element);
  $('tab-flame').append(flame.element);
  if (!trace.hasKernel) {
    $('resources-panel').hidden = true;
    $('usage-panel').hidden = true;
  }

  // Legend and toolbar.
  const legend = $('legend');
  const renderLegend = (): void => {
    legend.replaceChildren(
      ...LEGEND_STATES.map((s) => {
        const item = document.createElement('span');
        item.className = 'legend-item';
        const sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = palette().thread[s]!;
        item.append(sw, THREAD_STATE_LABELS[s]!);
        return item;
      }),
    );
  };
  renderLegend();
  onThemeChange(renderLegend);
  const filter = $<HTMLInputElement>('thread-filter');
  filter.addEventListener('input', () => cf.setFilter(filter.value));
  const sort = $<HTMLSelectElement>('thread-sort');
  sort.addEventListener('change', () => cf.setSort(sort.value as SortKey));
  $('theme-toggle').addEventListener('click', () => setThemeState(state.theme === 'dark' ? 'light' : 'dark'));
  $('zoom-reset').addEventListener('click', () => resetView());
  $('help-toggle').addEventListener('click', () => $('help').toggleAttribute('hidden'));

  // Bottom tabs.
  let activeTab = 'events';
  const showTab = (name: string): void => {
    activeTab = name;
    for (const b of document.querySelectorAll<HTMLElement>('[data-tab]')) b.classList.toggle('active', b.dataset['tab'] === name);
    for (const p of document.querySelectorAll<HTMLElement>('.tab-page')) p.hidden = p.id !== `tab-${name}`;
    if (name === 'critical') void cp.load(mainRowOf(state.selectedTid));
    if (name === 'selection') void aggregate.refresh();
    if (name === 'flame') {
      flame.element.querySelector('.split')?.append(details.source.element);
      flame.timeline.invalidate();
    } else if (name === 'events') details.element.append(details.source.element);
  };
  for (const b of document.querySelectorAll<HTMLElement>('[data-tab]')) b.addEventListener('click', () => showTab(b.dataset['tab']!));

  subscribe((changes) => {
    if (changes.has('theme')) {
      setTheme(state.theme);
      usage.themeChanged();
    }
    if (changes.has('view') || changes.has('selection') || changes.has('cursor') || changes.has('theme') || changes.has('thread')) {
      axis.draw();
      redrawAll();
    }
    if (changes.has('view')) usage.viewChanged();
    if (changes.has('selection')) {
      events.selectionChanged();
      if (state.selection && activeTab !== 'critical' && activeTab !== 'flame') showTab('selection');
      else if (activeTab === 'selection') void aggregate.refresh();
      if (activeTab === 'critical') void cp.load(mainRowOf(state.selectedTid));
    }
    if (changes.has('cursor') && state.cursor !== undefined) void events.seek(state.cursor);
    if (changes.has('thread')) {
      usage.refresh();
      flame.setThread(mainRowOf(state.selectedTid));
      events.threadChanged();
      if (activeTab === 'critical') void cp.load(mainRowOf(state.selectedTid));
      if (activeTab === 'selection') void aggregate.refresh();
      const row = mainRowOf(state.selectedTid);
      if (row) cf.timeline.scrollToRow(cf.rowOfThread(row.id));
      const t = row ? `${row.name} ${row.tid}` : 'none';
      $('selected-thread').textContent = `thread: ${t}`;
    }
  });

  // Keyboard: WASD zoom/pan, arrows jump between the selected thread's events / rows.
  document.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    if (target.closest('input, select, textarea') || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    if (k === 'w') zoom(0.8);
    else if (k === 's') zoom(1.25);
    else if (k === 'a') pan(-0.2);
    else if (k === 'd') pan(0.2);
    else if (k === '0' || k === 'home') resetView();
    else if (k === 'f' && state.selection) setView(state.selection.begin, state.selection.end);
    else if (k === 'escape') setSelection(undefined);
    else if (k === 'arrowright' || k === 'arrowleft') void jumpEvent(k === 'arrowright' ? 'next' : 'prev');
    else if (k === 'arrowdown' || k === 'arrowup') moveThread(k === 'arrowdown' ? 1 : -1);
    else if (k === '?') $('help').toggleAttribute('hidden');
    else return;
    e.preventDefault();
  });

  async function jumpEvent(dir: 'next' | 'prev'): Promise<void> {
    if (state.selectedTid === undefined) {
      status('select a thread first (click its row)');
      return;
    }
    const t = state.cursor ?? state.view.begin;
    try {
      const r = await getJson<{ i: number | null; t?: number; name?: string }>('events/next', { tid: state.selectedTid, t, dir });
      if (r.i === null || r.t === undefined) {
        status(`no ${dir === 'next' ? 'later' : 'earlier'} event of thread ${state.selectedTid}`);
        return;
      }
      setCursor(r.t);
      reveal(r.t);
      void details.show(r.i);
      status(`${r.name ?? ''}`);
    } catch (e) {
      status(e instanceof Error ? e.message : String(e), true);
    }
  }

  function moveThread(delta: number): void {
    const ids = cf.shownThreadIds();
    const cur = mainRowOf(state.selectedTid);
    const at = cur ? ids.indexOf(cur.id) : -1;
    const next = ids[Math.max(0, Math.min(ids.length - 1, at + delta))];
    const t = next !== undefined ? cf.thread(next) : undefined;
    if (t) selectThread(t.tid);
  }

  cf.states.onError = (e) => status(`server: ${e.message}`, true);
  status('wheel: zoom · drag: pan · shift+drag or drag on the axis: select · click: select thread · ? for keys');
  // The view loaded from the URL changed before the panels listened: give them its state now.
  if (state.selection) events.selectionChanged();
  else void events.reload();
  axis.draw();
  usage.refresh();
  if (state.selectedTid !== undefined) {
    flame.setThread(mainRowOf(state.selectedTid));
    const row = mainRowOf(state.selectedTid);
    if (row) requestAnimationFrame(() => cf.timeline.scrollToRow(cf.rowOfThread(row.id)));
    $('selected-thread').textContent = row ? `thread: ${row.name} ${row.tid}` : '';
  }
  if (state.selection) showTab('selection');

  // Hooks for the end-to-end tests (what the canvases show is not in the DOM).
  Object.assign(window, {
    tracelane: {
      rowLabels: () => cf.rowLabels(),
      rowBadges: () => cf.rowBadges(),
      state: () => ({ ...state }),
      eventRows: () => events.shownRows(),
      flameFrames: () => flame.frameCount(),
      criticalSegments: () => cp.segmentCount(),
      usage: () => usage.lastUsage(),
    },
  });
  if (embedded) {
    connectToCompare(threads, origin, (tid) => {
      const row = mainRowOf(tid);
      if (row) cf.timeline.scrollToRow(cf.rowOfThread(row.id));
    });
  }
  document.body.dataset['ready'] = 'true';
}

main().catch((e: unknown) => {
  const el = document.getElementById('loading');
  const msg = e instanceof Error ? e.message : String(e);
  if (el) el.textContent = `Cannot show the trace: ${msg}`;
  status(msg, true);
  document.body.dataset['ready'] = 'error';
});
