/**
 * Light and dark themes. CSS variables style the DOM; the canvases read the same palette from
 * here (a canvas cannot use CSS variables), refreshed when the theme changes.
 */
export type ThemeName = 'light' | 'dark';

export interface Palette {
  background: string;
  panel: string;
  text: string;
  dimText: string;
  grid: string;
  rowAlt: string;
  selectedRow: string;
  selection: string;
  selectionEdge: string;
  cursor: string;
  arrow: string;
  migration: string;
  span: string;
  ustEvent: string;
  thread: string[];
  cpu: string[];
}

const THREAD_LIGHT = ['transparent', '#8c8c8c', '#d4c21c', '#1f9e3a', '#2a55d8', '#c0306a', '#e07a10', '#b0a47c', '#9d9d9d'];
const THREAD_DARK = ['transparent', '#7a7a7a', '#c8b72e', '#35c05a', '#5a84ff', '#e2508a', '#ff9a3c', '#8e8566', '#6f6f6f'];
// CPU rows: unknown, idle, user mode, syscall, irq, softirq, ipi. Running states are drawn with
// the thread's own colour; these are the fallbacks.
const CPU_LIGHT = ['#c8c8c8', 'transparent', '#1f9e3a', '#2a55d8', '#d6333b', '#9a49c7', '#e07a10'];
const CPU_DARK = ['#555', 'transparent', '#35c05a', '#5a84ff', '#ff5a62', '#b879ff', '#ff9a3c'];

const PALETTES: Record<ThemeName, Palette> = {
  light: {
    background: '#ffffff',
    panel: '#f4f5f7',
    text: '#1c1e21',
    dimText: '#6a7078',
    grid: 'rgba(0,0,0,0.08)',
    rowAlt: 'rgba(0,0,0,0.025)',
    selectedRow: 'rgba(40,110,255,0.14)',
    selection: 'rgba(40,110,255,0.12)',
    selectionEdge: 'rgba(40,110,255,0.7)',
    cursor: '#d0021b',
    arrow: '#111',
    migration: '#7b2cbf',
    span: 'rgba(100,60,180,0.85)',
    ustEvent: '#111',
    thread: THREAD_LIGHT,
    cpu: CPU_LIGHT,
  },
  dark: {
    background: '#16181d',
    panel: '#1e2128',
    text: '#e4e6eb',
    dimText: '#9aa0aa',
    grid: 'rgba(255,255,255,0.08)',
    rowAlt: 'rgba(255,255,255,0.025)',
    selectedRow: 'rgba(90,140,255,0.2)',
    selection: 'rgba(90,140,255,0.16)',
    selectionEdge: 'rgba(120,170,255,0.85)',
    cursor: '#ff4d5e',
    arrow: '#f0f0f0',
    migration: '#c792ff',
    span: 'rgba(190,150,255,0.9)',
    ustEvent: '#f0f0f0',
    thread: THREAD_DARK,
    cpu: CPU_DARK,
  },
};

let current: ThemeName = 'light';
const listeners: (() => void)[] = [];

export function palette(): Palette {
  return PALETTES[current];
}

export function themeName(): ThemeName {
  return current;
}

export function setTheme(name: ThemeName): void {
  current = name;
  document.documentElement.dataset['theme'] = name;
  for (const l of listeners) l();
}

export function onThemeChange(f: () => void): void {
  listeners.push(f);
}

/** A stable colour per thread (CPU rows, critical path): hue from the tid, golden-ratio spread. */
export function threadColour(tid: number): string {
  const hue = Math.round(((tid * 0.618033988749895) % 1) * 360);
  return current === 'dark' ? `hsl(${hue} 55% 52%)` : `hsl(${hue} 60% 58%)`;
}
