/**
 * The kernel model's thread states (../kernel/model.ts: one IntervalTable row per thread
 * lifetime) seen through the seam of kernel-states.ts: per tid, its state intervals. A tid
 * reused by several threads over the trace has several rows; their intervals do not overlap in
 * time and are joined in time order.
 */
import { THREAD_STATE_NAMES } from '../kernel/states.js';
import type { KernelModel } from '../kernel/model.js';
import type { KernelThreadStates, ThreadStateTable } from './kernel-states.js';

export function kernelThreadStates(model: KernelModel): KernelThreadStates {
  const rowsByTid = new Map<number, number[]>();
  for (const t of model.threads) {
    if (t.idleCpu >= 0) continue;
    let rows = rowsByTid.get(t.tid);
    if (!rows) rowsByTid.set(t.tid, (rows = []));
    rows.push(t.row);
  }
  const tab = model.threadStates;
  const cache = new Map<number, ThreadStateTable | undefined>();
  return {
    stateNames: THREAD_STATE_NAMES,
    forTid(tid: number): ThreadStateTable | undefined {
      if (cache.has(tid)) return cache.get(tid);
      const rows = rowsByTid.get(tid);
      let out: ThreadStateTable | undefined;
      if (rows && rows.length === 1) {
        const lo = tab.rowOffset[rows[0]!]!;
        const hi = tab.rowOffset[rows[0]! + 1]!;
        out = { start: tab.start.subarray(lo, hi), end: tab.end.subarray(lo, hi), state: tab.state.subarray(lo, hi), length: hi - lo };
      } else if (rows) {
        const idx: number[] = [];
        for (const r of rows) for (let i = tab.rowOffset[r]!; i < tab.rowOffset[r + 1]!; i++) idx.push(i);
        idx.sort((a, b) => tab.start[a]! - tab.start[b]!);
        out = {
          start: Float64Array.from(idx, (i) => tab.start[i]!),
          end: Float64Array.from(idx, (i) => tab.end[i]!),
          state: Uint8Array.from(idx, (i) => tab.state[i]!),
          length: idx.length,
        };
      }
      cache.set(tid, out);
      return out;
    },
  };
}
