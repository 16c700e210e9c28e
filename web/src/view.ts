/**
 * The shared view: visible time range, range selection, cursor and selected thread. Every panel
 * draws from it and changes it through these functions; listeners are told on the next frame,
 * once, however many changes happened. The URL keeps the parts worth sharing in a link.
 */
import type { ThemeName } from './theme.js';

export interface Range {
  begin: number;
  end: number;
}

export interface ViewState {
  /** Whole trace: [0, duration]. */
  trace: Range;
  view: Range;
  selection: Range | undefined;
  cursor: number | undefined;
  selectedTid: number | undefined;
  theme: ThemeName;
}

export type ChangeKind = 'view' | 'selection' | 'cursor' | 'thread' | 'theme';

export const state: ViewState = {
  trace: { begin: 0, end: 1 },
  view: { begin: 0, end: 1 },
  selection: undefined,
  cursor: undefined,
  selectedTid: undefined,
  theme: 'light',
};

type Listener = (changes: Set<ChangeKind>) => void;
const listeners: Listener[] = [];
let pending = new Set<ChangeKind>();
let scheduled = false;

export function subscribe(l: Listener): void {
  listeners.push(l);
}

function changed(kind: ChangeKind): void {
  pending.add(kind);
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    const p = pending;
    pending = new Set();
    for (const l of listeners) l(p);
    scheduleUrlUpdate();
  });
}

/** Smallest visible span: 100 ns (below that, pixels are finer than most clocks). */
const MIN_SPAN = 100;

/**
 * How far the view may go, when not the trace: side by side (compare-embed.ts), both pages may
 * show the longer trace's span, so that both keep the same offsets and the same scale.
 */
let extent: Range | undefined;

export function setViewExtent(r: Range | undefined): void {
  extent = r;
}

function viewLimits(): Range {
  return extent ?? state.trace;
}

export function setView(begin: number, end: number): void {
  const t = viewLimits();
  let span = Math.max(MIN_SPAN, end - begin);
  span = Math.min(span, (t.end - t.begin) * 1.05 + MIN_SPAN);
  let b = begin;
  const margin = (t.end - t.begin) * 0.025;
  if (b < t.begin - margin) b = t.begin - margin;
  if (b + span > t.end + margin) b = t.end + margin - span;
  if (b === state.view.begin && b + span === state.view.end) return;
  state.view = { begin: b, end: b + span };
  changed('view');
}

/** Redraws what depends on the view, which did not move (e.g. the axis counts from elsewhere now). */
export function refreshView(): void {
  changed('view');
}

/** Zooms by `factor` (< 1: in) keeping the time at `anchor` (0..1 of the width) in place. */
export function zoom(factor: number, anchor = 0.5): void {
  const { begin, end } = state.view;
  const at = begin + (end - begin) * anchor;
  const span = (end - begin) * factor;
  setView(at - span * anchor, at - span * anchor + span);
}

export function pan(fraction: number): void {
  const { begin, end } = state.view;
  const d = (end - begin) * fraction;
  setView(begin + d, end + d);
}

export function resetView(): void {
  const t = viewLimits();
  setView(t.begin, t.end);
}

export function setSelection(r: Range | undefined): void {
  state.selection = r && r.end > r.begin ? { begin: r.begin, end: r.end } : undefined;
  changed('selection');
}

export function setCursor(t: number | undefined): void {
  state.cursor = t;
  changed('cursor');
}

export function selectThread(tid: number | undefined): void {
  if (state.selectedTid === tid) return;
  state.selectedTid = tid;
  changed('thread');
}

export function setThemeState(theme: ThemeName): void {
  state.theme = theme;
  changed('theme');
}

/** Centres the view on `t`, keeping the zoom, when `t` is outside it. */
export function reveal(t: number): void {
  const { begin, end } = state.view;
  if (t >= begin && t <= end) return;
  const span = end - begin;
  setView(t - span / 2, t + span / 2);
}

// --- URL -------------------------------------------------------------------------------------

let urlTimer: ReturnType<typeof setTimeout> | undefined;

function scheduleUrlUpdate(): void {
  if (urlTimer !== undefined) return;
  urlTimer = setTimeout(() => {
    urlTimer = undefined;
    history.replaceState(null, '', `?${urlParams().toString()}`);
  }, 150);
}

function urlParams(): URLSearchParams {
  const p = new URLSearchParams(location.search);
  p.set('b', String(Math.round(state.view.begin)));
  p.set('e', String(Math.round(state.view.end)));
  setOrDelete(p, 'sb', state.selection ? String(Math.round(state.selection.begin)) : undefined);
  setOrDelete(p, 'se', state.selection ? String(Math.round(state.selection.end)) : undefined);
  setOrDelete(p, 'tid', state.selectedTid?.toString());
  setOrDelete(p, 't', state.cursor !== undefined ? String(Math.round(state.cursor)) : undefined);
  p.set('theme', state.theme);
  return p;
}

function setOrDelete(p: URLSearchParams, k: string, v: string | undefined): void {
  if (v === undefined) p.delete(k);
  else p.set(k, v);
}

/** Reads the view from the URL (after `state.trace` is known). */
export function loadFromUrl(): void {
  const p = new URLSearchParams(location.search);
  const num = (k: string): number | undefined => {
    const v = p.get(k);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const b = num('b');
  const e = num('e');
  if (b !== undefined && e !== undefined && e > b) setView(b, e);
  else resetView();
  const sb = num('sb');
  const se = num('se');
  if (sb !== undefined && se !== undefined) setSelection({ begin: sb, end: se });
  const tid = num('tid');
  if (tid !== undefined) selectThread(tid);
  const t = num('t');
  if (t !== undefined) setCursor(t);
  const theme = p.get('theme');
  state.theme = theme === 'dark' || theme === 'light' ? theme : matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
