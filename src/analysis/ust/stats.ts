/**
 * Duration statistics: count, total, min, mean, p99, max over a growable list of durations (ns).
 *
 * Percentiles use the nearest-rank method: pN is the smallest value with at least N % of the
 * values at or below it, i.e. sorted[ceil(N/100 · count) − 1]. Always an observed duration, no
 * interpolation, so tests can recompute it exactly.
 */

export interface DurationStats {
  count: number;
  total: number;
  min: number;
  mean: number;
  p99: number;
  max: number;
}

export const EMPTY_STATS: DurationStats = Object.freeze({ count: 0, total: 0, min: 0, mean: 0, p99: 0, max: 0 });

/** Nearest-rank percentile of sorted values (p in 0–100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(n, rank) - 1]!;
}

/** A growable Float64Array of durations. */
export class Durations {
  private data = new Float64Array(16);
  length = 0;

  push(d: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = d;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }

  stats(): DurationStats {
    return durationStats(this.values());
  }
}

export function durationStats(values: ArrayLike<number>): DurationStats {
  const n = values.length;
  if (n === 0) return { ...EMPTY_STATS };
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (let i = 0; i < n; i++) total += sorted[i]!;
  return { count: n, total, min: sorted[0]!, mean: total / n, p99: percentile(sorted, 99), max: sorted[n - 1]! };
}

/** Keeps the `n` largest items by `key` seen so far (ties: the earlier one stays ahead). */
export class TopN<T> {
  private readonly items: { key: number; seq: number; item: T }[] = [];
  private seq = 0;

  constructor(private readonly n: number) {}

  /** Whether an item with this key would be kept (lets callers skip building it). */
  accepts(key: number): boolean {
    return this.n > 0 && (this.items.length < this.n || key > this.items[this.items.length - 1]!.key);
  }

  add(key: number, item: T): void {
    if (!this.accepts(key)) return;
    const entry = { key, seq: this.seq++, item };
    let i = this.items.length;
    while (i > 0 && this.items[i - 1]!.key < key) i--;
    this.items.splice(i, 0, entry);
    if (this.items.length > this.n) this.items.pop();
  }

  /** Largest first. */
  list(): T[] {
    return this.items.map((e) => e.item);
  }
}
