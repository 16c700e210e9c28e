/**
 * Terminal output helpers for the analysis commands: aligned text tables, durations and
 * percentages, sparklines and bar histograms. Plain text (no colours), so output is the same on a
 * terminal, in a pipe and in tests.
 */

export type Align = 'left' | 'right';

export interface Column {
  title: string;
  align?: Align;
}

/** Renders rows under a header line, columns separated by two spaces, numbers right-aligned. */
export function renderTable(columns: (Column | string)[], rows: string[][]): string[] {
  const cols = columns.map((c) => (typeof c === 'string' ? { title: c } : c));
  const widths = cols.map((c, i) => Math.max(width(c.title), ...rows.map((r) => width(r[i] ?? ''))));
  const aligns = cols.map((c, i) => c.align ?? (rows.length > 0 && rows.every((r) => isNumeric(r[i] ?? '')) ? 'right' : 'left'));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (aligns[i] === 'right' ? padStart(cell, widths[i]!) : i === cells.length - 1 ? cell : padEnd(cell, widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cols.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((_, i) => r[i] ?? '')))];
}

/** Display width (code points; the block characters we use are one column each). */
function width(s: string): number {
  return [...s].length;
}

function padStart(s: string, w: number): string {
  return ' '.repeat(Math.max(0, w - width(s))) + s;
}

function padEnd(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}

function isNumeric(s: string): boolean {
  return s === '' || s === '-' || /^[-+]?[\d.,]+(\s?(%|ns|µs|us|ms|s|x))?$/.test(s);
}

/** A duration in ns as a short human string: 950 ns, 12.3 µs, 4.56 ms, 1.234 s. */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return '-';
  const a = Math.abs(ns);
  if (a < 1e3) return `${Math.round(ns)} ns`;
  if (a < 1e6) return `${(ns / 1e3).toFixed(a < 1e4 ? 2 : 1)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(a < 1e7 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}

export function formatPct(v: number, digits = 2): string {
  return Number.isFinite(v) ? `${v.toFixed(digits)} %` : '-';
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** One character per value in [0, 1]: ' ' for 0, then ▁ … █. */
export function sparkline(values: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    s += v <= 0 ? ' ' : SPARKS[Math.min(SPARKS.length - 1, Math.floor(v * SPARKS.length))]!;
  }
  return s;
}

/** A horizontal bar of `value / max` × `width` characters. */
export function bar(value: number, max: number, w = 30): string {
  if (!(max > 0) || !(value > 0)) return '';
  const n = (value / max) * w;
  const full = Math.floor(n);
  const parts = ' ▏▎▍▌▋▊▉';
  const rest = Math.floor((n - full) * 8);
  return '█'.repeat(full) + (rest > 0 ? parts[rest] : '');
}
