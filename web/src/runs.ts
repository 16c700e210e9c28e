/**
 * Runs of one timeline row as typed-array columns (start, end, value, aux), the form the data
 * worker hands over (views into the server's binary answer): no objects per run, no bigint, so
 * the draw loop only does arithmetic.
 */
export interface Runs {
  n: number;
  start: Float64Array;
  end: Float64Array;
  /** The state (the API's `s` column). */
  value: Uint8Array;
  /** Second value per run (a CPU row's thread, a thread state's CPU); -1 when none. */
  aux: Int32Array;
  /** Third value per run (the API's `x` column: a thread's CPU, a CPU's IRQ number). */
  extra: Int32Array;
}

/** Index of the first run ending after `t` (runs are sorted and do not overlap). */
export function firstRunAfter(r: Runs, t: number): number {
  let lo = 0;
  let hi = r.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r.end[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The run covering `t`, or -1. */
export function runAt(r: Runs, t: number): number {
  const i = firstRunAfter(r, t);
  return i < r.n && r.start[i]! <= t ? i : -1;
}

export interface TimeMap {
  begin: number;
  end: number;
  /** Left edge of the plot area in CSS pixels (right of the labels). */
  x0: number;
  /** Plot width in CSS pixels. */
  width: number;
  nsPerPx: number;
}

export function timeToX(m: TimeMap, t: number): number {
  return m.x0 + (t - m.begin) / m.nsPerPx;
}

export function xToTime(m: TimeMap, x: number): number {
  return m.begin + (x - m.x0) * m.nsPerPx;
}

/**
 * Draws the runs in view as rectangles, at least one pixel wide; a run falling in a pixel column
 * already painted by this row is skipped, so a row costs at most one rectangle per pixel whatever
 * the zoom. `colour` returning undefined leaves the run undrawn.
 */
export function drawRuns(
  ctx: CanvasRenderingContext2D,
  r: Runs,
  m: TimeMap,
  y: number,
  h: number,
  colour: (value: number, aux: number) => string | undefined,
  label?: (i: number) => string | undefined,
  labelColour = '#fff',
): void {
  let i = firstRunAfter(r, m.begin);
  let lastX = -Infinity;
  let lastColour = '';
  const xEnd = m.x0 + m.width;
  const labels: number[] = [];
  for (; i < r.n; i++) {
    const s = r.start[i]!;
    if (s > m.end) break;
    const c = colour(r.value[i]!, r.aux[i]!);
    if (c === undefined || c === 'transparent') continue;
    let x1 = Math.max(m.x0, timeToX(m, s));
    const x2 = Math.min(xEnd, timeToX(m, r.end[i]!));
    if (x2 - x1 < 1) {
      x1 = Math.floor(x1);
      if (x1 <= lastX) continue;
      if (c !== lastColour) ctx.fillStyle = lastColour = c;
      ctx.fillRect(x1, y, 1, h);
      lastX = x1;
      continue;
    }
    if (c !== lastColour) ctx.fillStyle = lastColour = c;
    ctx.fillRect(x1, y, x2 - x1, h);
    lastX = Math.floor(x2) - 1;
    if (label && x2 - x1 > 40) labels.push(i);
  }
  if (!label || labels.length === 0) return;
  ctx.fillStyle = labelColour;
  for (const j of labels) {
    const text = label(j);
    if (!text) continue;
    const x1 = Math.max(m.x0, timeToX(m, r.start[j]!));
    const x2 = Math.min(xEnd, timeToX(m, r.end[j]!));
    const w = x2 - x1 - 6;
    if (w < 20) continue;
    ctx.fillText(fitText(ctx, text, w), x1 + 3, y + h / 2);
  }
}

/** `text` cut with an ellipsis to fit `width` pixels (empty when not even one letter fits). */
export function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (ctx.measureText(text.slice(0, mid) + '…').width <= width) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : text.slice(0, lo) + '…';
}
