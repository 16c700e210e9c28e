/**
 * Per-row cache of state runs for one table (threads, cpus, irqs), filled on demand for the rows
 * and range in sight. A fetch covers three view widths (the view plus one each side) at a
 * power-of-two resolution, so small pans and zooms are drawn from what is already here and only
 * a change of resolution or leaving the window refetches (Perfetto's rule).
 */
import { fetchStates } from './api.js';
import type { Runs } from './runs.js';
import { quantizedResolution } from './time.js';
import type { Range } from './view.js';

interface Entry {
  runs: Runs;
  begin: number;
  end: number;
  res: number;
}

const BATCH = 200;

export class StateCache {
  private readonly rows = new Map<number, Entry>();
  private readonly inFlight = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wanted: { ids: number[]; view: Range; width: number } | undefined;
  /** Called when data arrived (redraw). */
  onData: () => void = () => {};
  onError: (e: Error) => void = () => {};

  constructor(
    readonly table: 'threads' | 'cpus' | 'irqs',
    private readonly trace: () => Range,
  ) {}

  get(id: number): Runs | undefined {
    return this.rows.get(id)?.runs;
  }

  clear(): void {
    this.rows.clear();
  }

  /** Asks for `ids` over `view` drawn `width` pixels wide; fetches after a short pause. */
  want(ids: number[], view: Range, width: number): void {
    this.wanted = { ids, view, width };
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fetchMissing(), 40);
  }

  private fetchMissing(): void {
    this.timer = undefined;
    const w = this.wanted;
    if (!w) return;
    const res = quantizedResolution((w.view.end - w.view.begin) / Math.max(1, w.width));
    const t = this.trace();
    const vb = Math.max(t.begin, w.view.begin);
    const ve = Math.min(t.end, w.view.end);
    const missing = w.ids.filter((id) => {
      if (this.inFlight.has(id)) return false;
      const e = this.rows.get(id);
      return !e || e.res > res || e.begin > vb || e.end < ve;
    });
    if (missing.length === 0) return;
    const span = w.view.end - w.view.begin;
    const begin = Math.max(t.begin, w.view.begin - span);
    const end = Math.min(t.end, w.view.end + span);
    // (The server's limit of 16384 pixels may make the answer coarser than `res`: fine.)
    const px = Math.min(16384, Math.max(1, Math.ceil((end - begin) / res)));
    for (let i = 0; i < missing.length; i += BATCH) {
      const ids = missing.slice(i, i + BATCH);
      for (const id of ids) this.inFlight.add(id);
      fetchStates(this.table, ids, begin, end, px)
        .then((rows) => {
          for (const r of rows) this.rows.set(r.id, { runs: r.runs, begin, end, res });
          this.onData();
        })
        .catch((e: unknown) => this.onError(e instanceof Error ? e : new Error(String(e))))
        .finally(() => {
          for (const id of ids) this.inFlight.delete(id);
        });
    }
  }
}
