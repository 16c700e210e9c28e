/**
 * The side-by-side comparison page (`tracelane serve --compare BEFORE AFTER`, compare.html): what
 * `tracelane compare` says on top (/api/compare), and below it each trace's full page, stacked,
 * in iframes (/before/?embed=1, /after/?embed=1). The two timelines show the same offsets at the
 * same scale, counted from each program's start (the run the comparison's wall time measures) or,
 * as asked (`?align=trace`), from each trace's first event: this page tells each side its anchor,
 * then relays each side's view, selection, cursor and selected thread (its matched thread, as the
 * comparison pairs them) to the other side (compare-embed.ts is the other end). The URL keeps the
 * relative view and the alignment.
 */
import './style.css';
import './compare.css';
import type { CompareMessage, RelativeState, SideMessage } from './compare-embed.js';
import type { Range } from './view.js';
import type { Status } from './api.js';
import type { ThemeName } from './theme.js';
import { formatDuration } from './time.js';

type Side = 'before' | 'after';
const SIDES: Side[] = ['before', 'after'];

interface MetricJson {
  id: string;
  section?: string;
  group?: string | null;
  label: string;
  unit: 'ns' | 'pct' | 'count';
  better: string;
  before: number | null;
  after: number | null;
  change_pct: number | null;
  verdict: 'better' | 'worse' | 'same' | 'changed' | 'new' | 'gone';
}

interface ThreadJson {
  tid: number;
  pid: number;
  name: string;
}

interface ProfileJson {
  path: string;
  program: string | null;
  command: string[] | null;
  kernel: boolean;
  user_space: boolean;
}

export interface CompareJson {
  before: ProfileJson;
  after: ProfileJson;
  match: string;
  threshold_pct: number;
  summary: MetricJson[];
  metrics: MetricJson[];
  threads: { label: string; before: ThreadJson | null; after: ThreadJson | null }[];
  notes: string[];
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// --- the summary -------------------------------------------------------------------------------

function value(m: MetricJson, v: number | null): string {
  if (v === null) return '-';
  if (m.unit === 'ns') return formatDuration(v);
  if (m.unit === 'pct') return `${v.toFixed(1)} %`;
  return String(Math.round(v));
}

function change(m: MetricJson): string {
  if (m.change_pct !== null) return `${m.change_pct > 0 ? '+' : ''}${m.change_pct.toFixed(1)} %`;
  if (m.before === 0 && m.after !== null && m.after !== 0) return 'from 0';
  return '-';
}

const MARKS: Record<MetricJson['verdict'], string> = { better: 'better', worse: 'WORSE', same: 'same', changed: '', new: 'only after', gone: 'only before' };

const SECTION_WORD: Record<string, string> = { locks: 'lock', spans: 'span', threads: 'thread', wakers: 'waker', syscalls: 'syscall' };

function metricRow(m: MetricJson, label: string): HTMLTableRowElement {
  const tr = el('tr', `verdict-${m.verdict}`);
  tr.dataset['metric'] = m.id;
  tr.append(el('td', 'label', label), el('td', 'num', value(m, m.before)), el('td', 'num', value(m, m.after)), el('td', 'num', change(m)), el('td', 'mark', MARKS[m.verdict]));
  return tr;
}

function table(head: string): HTMLTableElement {
  const t = el('table', 'compare-table');
  const tr = el('tr');
  for (const [i, h] of [head, 'Before', 'After', 'Change', ''].entries()) tr.append(el('th', i > 0 && i < 4 ? 'num' : '', h));
  t.createTHead().append(tr);
  return t;
}

function describeSide(p: ProfileJson): string {
  const name = p.path.split('/').filter(Boolean).pop() ?? p.path;
  const what = p.command ? ` — ${p.command.join(' ')}` : '';
  const kinds = [p.kernel ? 'kernel' : '', p.user_space ? 'user space' : ''].filter(Boolean).join(' + ');
  return `${name}${what} (${kinds})`;
}

function renderSummary(c: CompareJson): void {
  const box = $('compare-summary');
  const byId = new Map(c.metrics.map((m) => [m.id, m]));
  const main = c.metrics.filter((m) => m.section === 'program');
  const wall = byId.get('wall');

  const left = el('div', 'compare-summary-main');
  const lines = el('div', 'compare-lines');
  if (wall) lines.append(el('div', `verdict-${wall.verdict}`, `wall time: ${value(wall, wall.before)} → ${value(wall, wall.after)}, ${change(wall)} (${MARKS[wall.verdict] || wall.verdict})`));
  const onlyB = c.threads.filter((t) => t.before && !t.after).map((t) => t.label);
  const onlyA = c.threads.filter((t) => t.after && !t.before).map((t) => t.label);
  const list = (l: string[]): string => (l.length > 4 ? `${l.slice(0, 4).join(', ')}, …` : l.join(', '));
  lines.append(
    el(
      'div',
      'dim',
      `threads matched by ${c.match}: ${c.threads.length - onlyB.length - onlyA.length}` +
        (onlyB.length ? `; only before: ${onlyB.length} (${list(onlyB)})` : '') +
        (onlyA.length ? `; only after: ${onlyA.length} (${list(onlyA)})` : ''),
    ),
  );
  const count = (v: MetricJson['verdict']): number => main.filter((m) => m.verdict === v).length;
  if (main.length) lines.append(el('div', 'dim', `program figures: ${count('better')} better, ${count('worse')} worse, ${count('same')} the same (changes under ${c.threshold_pct} %)`));
  left.append(lines);

  const largest = table('Largest changes');
  largest.id = 'compare-largest';
  const body = largest.createTBody();
  for (const s of c.summary) {
    const m = byId.get(s.id) ?? s;
    const label = m.group ? `${SECTION_WORD[m.section ?? ''] ?? m.section} ${m.group}: ${m.label}` : m.label;
    body.append(metricRow(s, label));
  }
  if (c.summary.length === 0) body.append(el('tr', '', main.every((m) => m.change_pct === 0) ? 'No change: every figure is the same in both traces.' : `No change larger than ${c.threshold_pct} % in the main figures.`));

  // Everything else, folded: the sections of `tracelane compare`, figures that are 0 on both sides left out.
  const details = el('details', 'compare-details');
  const all = table('Figure');
  const allBody = all.createTBody();
  let section = '';
  let group: string | null | undefined = null;
  let shown = 0;
  for (const m of c.metrics) {
    if ((m.before ?? 0) === 0 && (m.after ?? 0) === 0) continue;
    if (m.section !== section) {
      section = m.section ?? '';
      group = null;
      const tr = el('tr', 'section');
      const td = el('td', '', section);
      td.colSpan = 5;
      tr.append(td);
      allBody.append(tr);
    }
    if (m.group && m.group !== group) {
      group = m.group;
      const tr = el('tr', 'group');
      const td = el('td', '', m.group);
      td.colSpan = 5;
      tr.append(td);
      allBody.append(tr);
    }
    allBody.append(metricRow(m, m.group ? `  ${m.label}` : m.label));
    shown++;
  }
  // Over the timelines, not pushing them down: they keep their height.
  const popover = el('div', 'compare-popover');
  popover.append(all);
  if (c.notes.length) {
    const ul = el('ul', 'compare-notes');
    for (const n of c.notes) ul.append(el('li', '', n));
    popover.append(ul);
  }
  details.append(el('summary', '', `all figures (${shown}) and notes (${c.notes.length})`), popover);
  left.append(details);
  box.replaceChildren(left, largest);
  box.hidden = false;
  $('compare-sides').textContent = `before: ${describeSide(c.before)} · after: ${describeSide(c.after)}`;
}

// --- the two sides -----------------------------------------------------------------------------

/** What both timelines count from: each program's start (its run, as the comparison sees it) or each trace's first event. */
export type Align = 'program' | 'trace';

/** The alignment asked in the URL (`?align=trace`); the program's start by default. */
function alignFromUrl(): Align {
  return new URLSearchParams(location.search).get('align') === 'trace' ? 'trace' : 'program';
}

/** Offsets (ns from each side's anchor) in this page's URL: `?b=…&e=…` as the trace page. */
function viewFromUrl(): RelativeState | undefined {
  const p = new URLSearchParams(location.search);
  const b = Number(p.get('b'));
  const e = Number(p.get('e'));
  if (!p.has('b') || !p.has('e') || !(e > b)) return undefined;
  return { view: { begin: b, end: e }, selection: null, cursor: null };
}

function writeUrl(s: RelativeState | undefined, align: Align): void {
  const p = new URLSearchParams(location.search);
  if (s) {
    p.set('b', String(Math.round(s.view.begin)));
    p.set('e', String(Math.round(s.view.end)));
  }
  if (align === 'trace') p.set('align', 'trace');
  else p.delete('align');
  history.replaceState(null, '', `?${p.toString()}`);
}

/**
 * Each side's program start (ns since the epoch, as the decimal digits of the JSON: a double
 * would round them to 256 ns), from /api/compare's text; undefined for a side without a run.
 */
export function programStarts(text: string): Record<Side, string | undefined> {
  const exact = JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && context?.source !== undefined && /^-?\d+$/.test(context.source) ? context.source : value,
  ) as Record<Side, { run?: { begin: string | number } | null }>;
  const at = (s: Side): string | undefined => {
    const b = exact[s]?.run?.begin;
    return b === undefined ? undefined : String(b);
  };
  return { before: at('before'), after: at('after') };
}

interface Sides {
  setTheme(t: ThemeName): void;
  fit(): void;
  state(): RelativeState | undefined;
  revealProgram(): void;
  /** The comparison is there (or not: the sides then align on the traces' starts). */
  compared(starts: Record<Side, string | undefined> | undefined): void;
  align(a: Align): void;
  aligned(): Align | undefined;
}

function startSides(pairs: () => CompareJson['threads'], theme: ThemeName, onAligned: (a: Align, program: boolean) => void): Sides {
  const frames = new Map<Side, HTMLIFrameElement>();
  const ready = new Set<Side>();
  let last: RelativeState | undefined = viewFromUrl();
  let asked = alignFromUrl();
  /** Each side's program start, once the comparison is known (undefined: not yet; null: none). */
  let starts: Record<Side, string | undefined> | null | undefined;
  /** The current anchoring: its number, the sides' answers, and whether both answered. */
  let generation = 0;
  let answers = new Map<Side, Extract<SideMessage, { tracelane: 'anchored' }>>();
  let inStep = false;
  let span: Range | undefined;
  let current: Align | undefined;
  /** Whether the sides were in step once (the first view is the URL's; later ones, the before side's). */
  let inStepOnce = false;
  for (const side of SIDES) {
    const frame = document.querySelector<HTMLIFrameElement>(`.compare-side[data-side="${side}"] iframe`)!;
    frame.src = `${side}/?embed=1&side=${side}&theme=${theme}`;
    frames.set(side, frame);
  }
  const send = (side: Side, m: CompareMessage): void => frames.get(side)!.contentWindow?.postMessage(m, location.origin);
  const other = (s: Side): Side => (s === 'before' ? 'after' : 'before');
  const canProgram = (): boolean => !!starts && SIDES.every((s) => starts![s] !== undefined);
  let revealed = false;
  // Both sides start on the program (the process of the first thread the comparison matched),
  // not on the idle and kernel threads: once both sides and the comparison are there.
  const revealProgram = (): void => {
    if (revealed || ready.size < 2 || pairs().length === 0) return;
    revealed = true;
    for (const s of SIDES) {
      const first = pairs().find((p) => p[s])?.[s];
      if (first) send(s, { tracelane: 'reveal', tid: first.pid });
    }
  };
  /** Both sides count from their anchors (asked, if both have a program run), then share one view. */
  const anchor = (): void => {
    if (ready.size < 2 || starts === undefined) return;
    current = asked === 'program' && canProgram() ? 'program' : 'trace';
    generation++;
    answers = new Map();
    inStep = false;
    for (const s of SIDES) send(s, { tracelane: 'anchor', at: current === 'program' ? starts![s]! : null, generation });
  };
  const settle = (): void => {
    const b = answers.get('before')!;
    const a = answers.get('after')!;
    // One span for both: both traces together, so that one pixel is the same time in both.
    span = { begin: Math.min(b.span.begin, a.span.begin), end: Math.max(b.span.end, a.span.end) };
    for (const s of SIDES) send(s, { tracelane: 'extent', span });
    // First: the URL's view, else both whole; after a change of anchor: the before side's view
    // stays where it is, the after side follows.
    last = inStepOnce ? b.state : (last ?? { view: span, selection: null, cursor: null });
    inStepOnce = true;
    inStep = true;
    for (const s of SIDES) send(s, { tracelane: 'view', state: last });
    writeUrl(last, current!);
    onAligned(current!, canProgram());
    document.body.dataset['align'] = current;
    document.body.dataset['sides'] = 'ready';
  };

  window.addEventListener('message', (e: MessageEvent<SideMessage>) => {
    if (e.origin !== location.origin) return;
    const side = SIDES.find((s) => frames.get(s)!.contentWindow === e.source);
    if (!side) return;
    const m = e.data;
    if (m.tracelane === 'ready') {
      ready.add(side);
      anchor();
      revealProgram();
    } else if (m.tracelane === 'anchored') {
      if (m.generation !== generation) return;
      answers.set(side, m);
      if (answers.size === 2) settle();
    } else if (m.tracelane === 'view') {
      // Before both sides count from their anchors, a side's own view is not the common one.
      if (!inStep) return;
      last = m.state;
      writeUrl(m.state, current!);
      send(other(side), m);
    } else if (m.tracelane === 'thread') {
      // The matched thread of the other run (pairs by name, as `tracelane compare`), else one of the same name.
      const pair = m.tid === null ? undefined : pairs().find((p) => p[side]?.tid === m.tid);
      const mate = pair?.[other(side)];
      send(other(side), mate ? { tracelane: 'thread', tid: mate.tid, name: null } : { tracelane: 'thread', tid: null, name: m.tid === null ? null : m.name });
    }
  });
  return {
    setTheme: (t) => {
      for (const s of SIDES) send(s, { tracelane: 'theme', theme: t });
    },
    fit: () => {
      if (!inStep || !span) return;
      last = { view: span, selection: last?.selection ?? null, cursor: last?.cursor ?? null };
      writeUrl(last, current!);
      for (const s of SIDES) send(s, { tracelane: 'view', state: last });
    },
    state: () => last,
    revealProgram,
    compared: (s) => {
      starts = s ?? null;
      anchor();
    },
    align: (a) => {
      asked = a;
      if (a !== current) anchor();
    },
    aligned: () => current,
  };
}

// --- the page ----------------------------------------------------------------------------------

async function waitUntilReady(): Promise<void> {
  const el = $('compare-status');
  for (;;) {
    const r = await fetch('api/status');
    const s = (await r.json()) as Status;
    if (s.state === 'ready') return;
    if (s.state === 'failed') throw new Error(s.error ?? 'the server could not read the traces');
    el.textContent = `${s.message || s.phase} ${s.progress ? `${Math.round(s.progress * 100)} %` : ''}`;
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

async function main(): Promise<void> {
  const asked = new URLSearchParams(location.search).get('theme');
  let theme: ThemeName = asked === 'dark' || asked === 'light' ? asked : matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  document.documentElement.dataset['theme'] = theme;
  // Filled once /api/compare answers; the thread pairs are read from it when a thread is selected.
  const data: { comparison?: CompareJson } = {};
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('#compare-align button[data-align]')];
  const sides = startSides(
    () => data.comparison?.threads ?? [],
    theme,
    (aligned, program) => {
      for (const b of buttons) {
        b.setAttribute('aria-pressed', String(b.dataset['align'] === aligned));
        if (b.dataset['align'] === 'program') {
          b.disabled = !program;
          b.title = program ? "Both timelines count from each program's start (+0: its first event in the comparison's wall time)" : 'Not available: the comparison found no run of the program in one of the traces';
        }
      }
    },
  );
  for (const b of buttons) b.addEventListener('click', () => sides.align(b.dataset['align'] === 'trace' ? 'trace' : 'program'));
  $('compare-fit').addEventListener('click', () => sides.fit());
  $('compare-theme').addEventListener('click', () => {
    theme = theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset['theme'] = theme;
    sides.setTheme(theme);
  });
  // Hooks for the end-to-end tests.
  Object.assign(window, { tracelaneCompare: { comparison: () => data.comparison, state: () => sides.state(), align: () => sides.aligned() } });

  let comparison: CompareJson;
  try {
    await waitUntilReady();
    const r = await fetch('api/compare');
    const text = await r.text();
    const body = JSON.parse(text) as CompareJson & { error?: string };
    if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
    comparison = body;
    data.comparison = body;
    sides.compared(programStarts(text));
  } catch (e) {
    // Without the comparison, both sides count from their traces' starts.
    sides.compared(undefined);
    throw e;
  }
  renderSummary(comparison);
  sides.revealProgram();
  $('compare-status').hidden = true;
  document.body.dataset['ready'] = 'true';
}

main().catch((e: unknown) => {
  const s = $('compare-status');
  s.textContent = `The comparison is not available: ${e instanceof Error ? e.message : String(e)}`;
  s.classList.add('error');
  document.body.dataset['ready'] = 'error';
});
