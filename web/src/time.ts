/**
 * Times on the page are plain numbers: nanoseconds from the start of the trace set (exact up to
 * 2^53 ns, 104 days). The absolute origin is kept once, as a bigint, for display and links.
 */

/** A duration for people: 1.23 ms, 845 ns, 2.5 s. */
export function formatDuration(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${trim(ns, 0)} ns`;
  if (a < 1e6) return `${trim(ns / 1e3, 3)} µs`;
  if (a < 1e9) return `${trim(ns / 1e6, 3)} ms`;
  return `${trim(ns / 1e9, 3)} s`;
}

function trim(v: number, digits: number): string {
  const s = v.toFixed(digits);
  return digits > 0 ? s.replace(/\.?0+$/, '') : s;
}

let base = 0;

/**
 * Offsets are shown from the trace's first event (API times count from the clock's origin); side
 * by side, from the program's start (compare-embed.ts), so they may be negative.
 */
export function setOffsetBase(ns: number): void {
  base = ns;
}

/** What offsets count from (ns from the origin): axis ticks fall on round offsets from it. */
export function offsetBase(): number {
  return base;
}

/** A time from the trace start, with as many decimals as the step between neighbours needs. */
export function formatOffset(ns: number, step = 1): string {
  const decimals = Math.min(9, Math.max(0, Math.ceil(-Math.log10(Math.max(step, 1) / 1e9))));
  const v = (ns - base) / 1e9;
  const digits = Math.abs(v).toFixed(decimals);
  // No "−0.000 s": a time that rounds to the base is at it.
  return `${v < 0 && /[1-9]/.test(digits) ? '−' : '+'}${digits} s`;
}

/** Absolute time of day (UTC) with nanoseconds, from the origin. */
export function formatClock(origin: bigint, ns: number): string {
  const abs = origin + BigInt(Math.round(ns));
  const secs = abs / 1_000_000_000n;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0');
  const d = new Date(Number(secs) * 1000);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${frac}`;
}

/** Tick step (1, 2, 5 × 10^k ns) giving about `pixels` between ticks. */
export function tickStep(nsPerPx: number, pixels = 90): number {
  const raw = nsPerPx * pixels;
  const pow = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
  for (const m of [1, 2, 5, 10]) {
    if (m * pow >= raw) return m * pow;
  }
  return 10 * pow;
}

/** Power-of-two resolution (ns per pixel) so that cached fetches are reused while zooming. */
export function quantizedResolution(nsPerPx: number): number {
  return Math.pow(2, Math.floor(Math.log2(Math.max(nsPerPx, 1))));
}
