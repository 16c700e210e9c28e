/** Summary statistics of durations (ns). */

export interface Stats {
  count: number;
  total: number;
  min: number;
  max: number;
  mean: number;
  /** Sample standard deviation (n - 1), as Trace Compass's statistics view shows it; 0 for one value. */
  stdev: number;
  p50: number;
  p99: number;
}

/** Statistics of `values` (the array is sorted in place). Empty → count 0 and NaN figures. */
export function summarize(values: Float64Array): Stats {
  const n = values.length;
  if (n === 0) return { count: 0, total: 0, min: Number.NaN, max: Number.NaN, mean: Number.NaN, stdev: Number.NaN, p50: Number.NaN, p99: Number.NaN };
  values.sort();
  let total = 0;
  for (let i = 0; i < n; i++) total += values[i]!;
  const mean = total / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i]! - mean) ** 2;
  return {
    count: n,
    total,
    min: values[0]!,
    max: values[n - 1]!,
    mean,
    stdev: n > 1 ? Math.sqrt(sq / (n - 1)) : 0,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Collects values per key, then summarises each group. */
export class Grouper<K> {
  private readonly groups = new Map<K, number[]>();

  add(key: K, v: number): void {
    let g = this.groups.get(key);
    if (!g) {
      g = [];
      this.groups.set(key, g);
    }
    g.push(v);
  }

  keys(): K[] {
    return [...this.groups.keys()];
  }

  values(key: K): Float64Array {
    return Float64Array.from(this.groups.get(key) ?? []);
  }

  stats(key: K): Stats {
    return summarize(this.values(key));
  }
}

export interface HistogramBucket {
  /** Bucket bounds in ns: [from, to). */
  from: number;
  to: number;
  count: number;
}

/**
 * A log-scale histogram: buckets [2^k, 2^(k+1)) ns from the smallest to the largest value
 * (values below 1 ns go to the first bucket).
 */
export function log2Histogram(values: ArrayLike<number>): HistogramBucket[] {
  if (values.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const k = Math.floor(Math.log2(Math.max(1, values[i]!)));
    lo = Math.min(lo, k);
    hi = Math.max(hi, k);
  }
  const counts = new Array<number>(hi - lo + 1).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.floor(Math.log2(Math.max(1, values[i]!))) - lo]!++;
  return counts.map((count, i) => ({ from: 2 ** (lo + i), to: 2 ** (lo + i + 1), count }));
}
