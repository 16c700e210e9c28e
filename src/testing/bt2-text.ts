/**
 * A deliberately small, independent reader of babeltrace2's text output, for tests that
 * recompute analysis results from it (`babeltrace2 --clock-seconds TRACE`):
 *
 *   [1795745569.165796169] (+0.000000240) vm lttng_ust_cyg_profile:func_entry: { cpu_id = 1 },
 *     { vpid = 19815, vtid = 19815, … }, { addr = 0x560AE5581FB0, call_site = 0x560AE558171B }
 *
 * Each line gives the event name, its time in ns (relative to the first line) and its fields
 * by name (a later scope's field hides an earlier one of the same name). Integers, decimal or
 * hex, become numbers (exact below 2^53: user-space addresses are); strings lose their quotes.
 * It shares no code with the trace reader or the analyses.
 */

export interface Bt2Event {
  name: string;
  /** ns from the first event. */
  time: number;
  fields: Map<string, string | number>;
}

const LINE = /^\[(\d+)\.(\d{9})\] \(\+[^)]*\) (.*?): (\{.*)$/;
const FIELD = /(\w+) = ("(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,}\s]+)/g;

export function parseBt2Text(text: string): Bt2Event[] {
  const out: Bt2Event[] = [];
  let t0: bigint | undefined;
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const abs = BigInt(m[1]!) * 1_000_000_000n + BigInt(m[2]!);
    t0 ??= abs;
    const head = m[3]!;
    const name = head.slice(head.lastIndexOf(' ') + 1);
    const fields = new Map<string, string | number>();
    for (const f of m[4]!.matchAll(FIELD)) {
      const raw = f[2]!;
      let v: string | number = raw;
      if (raw.startsWith('"')) v = raw.slice(1, -1);
      else if (/^0x[0-9a-f]+$/i.test(raw)) v = Number.parseInt(raw.slice(2), 16);
      else if (/^-?\d+$/.test(raw)) v = Number(raw);
      fields.set(f[1]!, v);
    }
    out.push({ name, time: Number(abs - t0), fields });
  }
  return out;
}

/** Nearest-rank percentile (the definition tracelane documents), recomputed here. */
export function nearestRank(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}
