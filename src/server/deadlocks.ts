/**
 * `/api/deadlocks`: wait-for cycles, hung threads and the wait-for graph at the end of the trace,
 * made on first request (one more pass over the user-space streams, as `tracelane deadlocks`
 * does) and kept: the analysis cache stays as it is, and traces without lock events cost nothing.
 */
import type { TraceSet } from '../ctf/trace-set.js';
import { deadlocks, hungKernelThreads, hungLockWaits, LockTimeline, resolveSites, shareLockNames, threadsOfProcesses, waitForGraphAt, type LockRef } from '../analysis/deadlock/index.js';
import { eventFields, hexFields } from '../analysis/ust/event-names.js';
import { detectSchemes } from '../analysis/ust/locks.js';
import { UstPass } from '../analysis/ust/pass.js';
import type { UstThread } from '../analysis/ust/threads.js';
import { hexAddr } from '../analysis/ust/names.js';
import { SymbolResolver } from '../symbols/resolver.js';
import type { ServerAnalysis } from './analysis.js';

import type { DeadlocksAnswer, RowRef } from './api-types.js';

export type { DeadlockLink, DeadlocksAnswer, RowRef } from './api-types.js';

/** `account_a in lockorder (0x55…)`, a name, or the address (as `tracelane deadlocks` labels it). */
function lockLabel(l: LockRef): string {
  const v = l.hex || (typeof l.value === 'number' && l.value > 0xffff) ? hexAddr(l.value as number) : String(l.value);
  const name = l.name ?? l.homeName;
  return name !== undefined && name !== v ? `${name} (${v})` : v;
}

export function deadlocksOf(set: TraceSet, a: ServerAnalysis): DeadlocksAnswer {
  const schemes = detectSchemes(eventFields(set));
  const out: DeadlocksAnswer = { deadlocks: [], hung: [], waitFor: [] };
  // The server's UST threads by (pid, tid): the pass below numbers its own threads.
  const rowByKey = new Map<string, number>();
  a.ust.threads.forEach((u) => rowByKey.set(`${u.vpid}:${u.vtid}`, a.ustRow[u.id]!));
  const ref = (t: UstThread): RowRef => {
    const row = rowByKey.get(`${t.vpid}:${t.vtid}`) ?? -1;
    return { row, tid: t.vtid, name: a.threads[row]?.name || t.role || t.procname };
  };
  const procs = new Set<number>();
  if (schemes.length > 0) {
    const tl = new LockTimeline(schemes, { hexFields: hexFields(set) });
    const pass = new UstPass(set).run([tl], { onNotice: () => {}, onWarning: () => {} });
    shareLockNames(tl);
    const found = deadlocks(tl);
    // Names static locks (`account_a in lockorder`) from the binaries' symbols, as the CLI does.
    resolveSites(found.flatMap((d) => d.cycle.links.flatMap((l) => [l.wait.site, l.hold.site])), tl.locks, new SymbolResolver());
    for (const t of pass.threads.threads) if (t.vpid >= 0) procs.add(t.vpid);
    for (const d of found) {
      const c = d.cycle;
      out.deadlocks.push({
        formedAt: c.formed,
        endedAt: c.resolved ? c.resolved.time : null,
        links: c.links.map((l) => ({ waiter: ref(l.thread), lock: { label: lockLabel(l.lock) }, since: l.wait.begin, holder: ref(l.holder) })),
      });
    }
    for (const h of hungLockWaits(tl)) {
      const by = h.holder ? ` held by ${ref(h.holder.thread).name || h.holder.thread.vtid}` : '';
      out.hung.push({ ...ref(h.wait.thread), since: h.wait.begin, what: `waits for ${lockLabel(h.wait.lock)}${by}` });
    }
    for (const e of waitForGraphAt(tl, Infinity).edges) {
      out.waitFor.push({ waiter: ref(e.wait.thread), lock: { label: lockLabel(e.wait.lock) }, since: e.wait.begin, holder: e.hold ? ref(e.hold.thread) : null });
    }
  }
  // Kernel: threads blocked when the trace ended (of the traced programs, when there are some).
  const model = a.kernel;
  if (model) {
    const already = new Set(out.hung.map((h) => h.row));
    const usts = new Set(a.ust.threads.map((u) => u.vpid).filter((p) => p >= 0));
    for (const p of procs) usts.add(p);
    for (const h of hungKernelThreads(model, usts.size > 0 ? threadsOfProcesses(usts) : undefined)) {
      const row = h.thread.row;
      if (already.has(row)) continue;
      const what = h.syscall ? `blocked in ${h.syscall.name}` : 'blocked';
      out.hung.push({ row, tid: h.thread.tid, name: a.threads[row]?.name ?? h.thread.name, since: h.since, what });
    }
  }
  return out;
}
