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
  sortNumbers(values);
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

/** Integers below this are sorted by radix (three 16-bit digits)… */
const RADIX_LIMIT = 2 ** 48;
/** …in arrays of at least this many values. */
const RADIX_MIN = 1 << 16;

/**
 * Sorts in place, in ascending order: the same result as `values.sort()`. Durations in ns are
 * whole numbers: many of them (from 0 to 2^48, no -0) are sorted by an LSD radix sort, about
 * twice as fast as the builtin sort on the millions of syscalls of a busy trace; anything else
 * goes to the builtin.
 */
export function sortNumbers(values: Float64Array): void {
  const n = values.length;
  // A pass costs about 65536 steps besides the values: the builtin is faster on short arrays.
  if (n < RADIX_MIN) {
    values.sort();
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v < RADIX_LIMIT && Math.floor(v) === v) || (v === 0 && 1 / v < 0)) {
      values.sort();
      return;
    }
  }
  let src: Float64Array = values;
  let dst: Float64Array = new Float64Array(n);
  const count = new Int32Array(65537);
  for (let pass = 0; pass < 3; pass++) {
    const div = 2 ** (16 * pass);
    count.fill(0);
    for (let i = 0; i < n; i++) count[(Math.floor(src[i]! / div) & 0xffff) + 1]!++;
    // Every value has the same digit: this pass would not move anything.
    if (count[(Math.floor(src[0]! / div) & 0xffff) + 1] === n) continue;
    for (let d = 0; d < 65536; d++) count[d + 1]! += count[d]!;
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      dst[count[Math.floor(v / div) & 0xffff]!++] = v;
    }
    const done = dst;
    dst = src;
    src = done;
  }
  if (src !== values) values.set(src);
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
