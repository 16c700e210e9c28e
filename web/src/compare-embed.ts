/**
 * The trace page inside the side-by-side comparison (`?embed=1` in an iframe of compare.html):
 * it tells the compare page what the user did here — view, range selection, cursor, selected
 * thread — in times relative to its anchor, and takes the other side's moves in the same
 * relative times. The anchor is the program's start (the compare page gives it, from the
 * comparison) or the trace's start; the axis counts from it too. The compare page (compare.ts)
 * relays between the two sides.
 */
import type { ThreadInfo } from './api.js';
import type { ThemeName } from './theme.js';
import { setOffsetBase } from './time.js';
import { refreshView, selectThread, setCursor, setSelection, setThemeState, setView, setViewExtent, state, subscribe, type Range } from './view.js';

/** Times in ns from the side's anchor (the program's start, or the trace's first event). */
export interface RelativeState {
  view: Range;
  selection: Range | null;
  cursor: number | null;
}

/** From a side to the compare page. */
export type SideMessage =
  | { tracelane: 'ready' }
  /** The answer to `anchor`: this trace's span and this side's state, relative to the new anchor. */
  | { tracelane: 'anchored'; generation: number; span: Range; state: RelativeState }
  | { tracelane: 'view'; state: RelativeState }
  | { tracelane: 'thread'; tid: number | null; name: string | null };

/** From the compare page to a side. */
export type CompareMessage =
  /**
   * Count from the program's start, `at` (ns since the epoch, a decimal string: more digits
   * than a double keeps), or from the trace's first event (null).
   */
  | { tracelane: 'anchor'; at: string | null; generation: number }
  /** Both sides may show this span (relative: both traces together), so they keep one scale. */
  | { tracelane: 'extent'; span: Range }
  | { tracelane: 'view'; state: RelativeState }
  /** Select this thread (`tid`), else the first thread named `name`, else none. */
  | { tracelane: 'thread'; tid: number | null; name: string | null }
  | { tracelane: 'theme'; theme: ThemeName }
  /** Scroll Control Flow to this thread (the program's first, so that both sides start on it). */
  | { tracelane: 'reveal'; tid: number };

export function isEmbedded(): boolean {
  return new URLSearchParams(location.search).get('embed') === '1' && window.parent !== window;
}

/**
 * Half a screen high, under the compare page's own header: the toolbar keeps what is this
 * side's (its name, thread filter and sort, selected thread) and says which side it is; the bottom
 * tabs get less room; the status line goes.
 */
const EMBEDDED_CSS = `
body.embedded .brand, body.embedded #theme-toggle, body.embedded #help-toggle, body.embedded > footer.status { display: none; }
body.embedded .toolbar { padding: 2px 10px; }
body.embedded .bottom { flex: 1.1; }
body.embedded .panel { overflow: hidden; }
body.embedded .side-badge { font-weight: 700; text-transform: uppercase; color: var(--accent); }
`;

/** Before the page is built. */
export function prepareEmbedded(): void {
  document.body.classList.add('embedded');
  const style = document.createElement('style');
  style.textContent = EMBEDDED_CSS;
  document.head.append(style);
  const side = new URLSearchParams(location.search).get('side');
  const bar = document.querySelector('body > header.toolbar');
  if (side && bar) {
    const badge = document.createElement('span');
    badge.className = 'side-badge';
    badge.textContent = side;
    const alone = document.createElement('a');
    alone.href = './';
    alone.target = '_blank';
    alone.textContent = 'open alone ↗';
    alone.title = 'This trace in a page of its own';
    bar.prepend(badge);
    bar.append(alone);
  }
}

function sameRange(a: Range | null, b: Range | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a.begin - b.begin) < 1 && Math.abs(a.end - b.end) < 1;
}

function sameState(a: RelativeState, b: RelativeState | undefined): boolean {
  if (!b) return false;
  const cursor = a.cursor === null || b.cursor === null ? a.cursor === b.cursor : Math.abs(a.cursor - b.cursor) < 1;
  return sameRange(a.view, b.view) && sameRange(a.selection, b.selection) && cursor;
}

/** Once the page is ready: reports this side's moves and follows the other side's. */
export function connectToCompare(threads: ThreadInfo[], origin: bigint, reveal: (tid: number) => void): void {
  // The anchor (ns from the origin, as every time on the page); the trace's start until told.
  let base = state.trace.begin;
  const rel = (r: Range | undefined): Range | null => (r ? { begin: r.begin - base, end: r.end - base } : null);
  const abs = (r: Range): Range => ({ begin: base + r.begin, end: base + r.end });
  const current = (): RelativeState => ({ view: rel(state.view)!, selection: rel(state.selection), cursor: state.cursor === undefined ? null : state.cursor - base });
  const post = (m: SideMessage): void => window.parent.postMessage(m, location.origin);
  // What both sides agree on: a change equal to it came from the other side and is not sent back.
  // At first, this side's own view: the compare page sets both views once both sides are up.
  let synced: RelativeState | undefined = current();
  let syncedTid: number | undefined;

  subscribe((changes) => {
    if (changes.has('view') || changes.has('selection') || changes.has('cursor')) {
      const now = current();
      if (!sameState(now, synced)) {
        synced = now;
        post({ tracelane: 'view', state: now });
      }
    }
    if (changes.has('thread') && state.selectedTid !== syncedTid) {
      syncedTid = state.selectedTid;
      const t = threads.find((x) => x.tid === state.selectedTid);
      post({ tracelane: 'thread', tid: state.selectedTid ?? null, name: t?.name ?? null });
    }
  });

  window.addEventListener('message', (e: MessageEvent<CompareMessage>) => {
    if (e.source !== window.parent || e.origin !== location.origin) return;
    const m = e.data;
    if (m.tracelane === 'anchor') {
      base = m.at === null ? state.trace.begin : Number(BigInt(m.at) - origin);
      setOffsetBase(base);
      synced = current();
      // Redraws the axis and the panels at the new offsets (the view itself does not move).
      refreshView();
      // The selection's panel prints its offsets: again, from the new anchor.
      if (state.selection) setSelection({ ...state.selection });
      post({ tracelane: 'anchored', generation: m.generation, span: rel(state.trace)!, state: synced });
    } else if (m.tracelane === 'extent') {
      setViewExtent({ begin: Math.min(state.trace.begin, base + m.span.begin), end: Math.max(state.trace.end, base + m.span.end) });
    } else if (m.tracelane === 'view') {
      synced = m.state;
      const now = current();
      if (!sameRange(now.view, m.state.view)) setView(abs(m.state.view).begin, abs(m.state.view).end);
      if (!sameRange(now.selection, m.state.selection)) setSelection(m.state.selection ? abs(m.state.selection) : undefined);
      if (now.cursor !== m.state.cursor) setCursor(m.state.cursor === null ? undefined : base + m.state.cursor);
    } else if (m.tracelane === 'thread') {
      const t = m.tid !== null ? threads.find((x) => x.tid === m.tid) : m.name !== null ? threads.find((x) => x.name === m.name && x.idleCpu < 0) : undefined;
      // A thread the other side does not have: this side keeps its selection.
      if (!t && m.tid === null && m.name !== null) return;
      syncedTid = t?.tid;
      selectThread(t?.tid);
    } else if (m.tracelane === 'theme') {
      if (m.theme !== state.theme) setThemeState(m.theme);
    } else if (m.tracelane === 'reveal') {
      reveal(m.tid);
    }
  });
  post({ tracelane: 'ready' });
}
