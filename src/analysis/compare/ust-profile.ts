/**
 * The user-space half of a profile: from the UST pass's threads and the lock and span analyses'
 * results, the program's lock waits and holds per lock, span durations per span type, time
 * waiting for locks per thread, and its wall time as the user-space events see it.
 */
import type { LockResult } from '../ust/locks.js';
import { codeLabel, hexAddr, sourceLabel } from '../ust/names.js';
import { PAIR_SUFFIXES, type SpanResult } from '../ust/spans.js';
import type { UstThread } from '../ust/threads.js';
import type { LockProfile, SpanProfile, ThreadProfile, UstProfile } from './profile.js';

export interface UstInputs {
  /** The program's threads (those of the focus), with at least one event. */
  threads: UstThread[];
  /** Undefined: the trace has no lock events. */
  locks?: LockResult[];
  /** Undefined: the trace has no begin/end pairs. */
  spans?: SpanResult[];
}

export interface UstPart {
  profile: UstProfile;
  /** With the name the program gave the thread (`thread_role`), if it did. */
  threads: (ThreadProfile & { role?: string })[];
}

export function ustProfile(inputs: UstInputs): UstPart {
  let first = Infinity;
  let last = -Infinity;
  let events = 0;
  const threads = new Map<number, ThreadProfile & { role?: string }>();
  for (const t of inputs.threads) {
    first = Math.min(first, t.first);
    last = Math.max(last, t.last);
    events += t.events;
    threads.set(t.id, { tid: t.vtid, pid: t.vpid, name: t.role ?? t.procname, first: t.first, ...(t.role !== undefined ? { role: t.role } : {}) });
  }
  let locks: LockProfile[] | undefined;
  if (inputs.locks) {
    locks = lockProfiles(inputs.locks);
    for (const l of inputs.locks.filter(countsInTotals(inputs.locks))) {
      for (const w of l.waiters) {
        const t = threads.get(w.thread.id);
        if (t) t.lockWait = (t.lockWait ?? 0) + w.total;
      }
    }
  }
  const profile: UstProfile = {
    wall: events > 0 ? last - first : 0,
    ...(events > 0 ? { run: { begin: first, end: last } } : {}),
    events,
    ...(locks ? { locks } : {}),
    ...(inputs.spans ? { spans: spanProfiles(inputs.spans) } : {}),
  };
  return { profile, threads: [...threads.values()] };
}

/** `calcjob:job` for calcjob:job_start/calcjob:job_end. */
export function spanType(begin: string): string {
  for (const [b] of PAIR_SUFFIXES) if (begin.endsWith(b)) return begin.slice(0, -b.length);
  return begin;
}

function spanProfiles(results: SpanResult[]): SpanProfile[] {
  const types = results.map((s) => spanType(s.pair.begin));
  return results.map((s, i) => {
    // Two pairs of one stem (X_begin/X_end and X_entry/X_exit) keep their full names.
    const type = types.indexOf(types[i]!) === types.lastIndexOf(types[i]!) ? types[i]! : `${s.pair.begin}/${s.pair.end}`;
    const st = s.stats;
    return { type, count: st.count, total: st.total, mean: st.mean, p99: st.p99, max: st.max };
  });
}

/** A mutex seen by the pthread wrapper and by the program's own events counts once, as the program's. */
function countsInTotals(all: LockResult[]): (l: LockResult) => boolean {
  const own = new Set(all.filter((l) => l.scheme !== 'pthread').map((l) => `${l.vpid}\0${l.lock}`));
  return (l) => l.scheme !== 'pthread' || !own.has(`${l.vpid}\0${l.lock}`);
}

/** How a lock is recognised in another run of the program (its address changes). */
export function lockLabel(l: LockResult): string {
  if (l.name !== undefined) return l.name;
  if (l.homeName !== undefined) return l.homeName;
  const site = l.sites[0]?.site;
  if (site?.where) return [codeLabel(site.where, site.ip ?? Number.NaN), sourceLabel(site.where)].filter(Boolean).join(' ');
  return typeof l.lock === 'number' ? hexAddr(l.lock) : String(l.lock);
}

/** One profile per (scheme, label); locks sharing a label (one call site) are added up. */
function lockProfiles(results: LockResult[]): LockProfile[] {
  const inTotals = countsInTotals(results);
  const by = new Map<string, LockProfile>();
  for (const l of results) {
    const label = lockLabel(l);
    const key = `${l.scheme}\0${label}`;
    const e = by.get(key);
    const counted = inTotals(l);
    if (!e) {
      by.set(key, {
        scheme: l.scheme,
        label,
        acquisitions: l.acquisitions,
        contended: l.contended,
        wait: { total: l.wait.total, max: l.wait.max, p99: l.wait.p99 },
        hold: { total: l.hold.total, max: l.hold.max, p99: l.hold.p99 },
        inTotals: counted,
      });
      continue;
    }
    e.acquisitions += l.acquisitions;
    e.contended += l.contended;
    // Merged locks: the largest p99 (their waits are not kept to compute the merged one).
    for (const [to, from] of [
      [e.wait, l.wait],
      [e.hold, l.hold],
    ] as const) {
      to.total += from.total;
      to.max = Math.max(to.max, from.max);
      to.p99 = Math.max(to.p99, from.p99);
    }
    e.inTotals = e.inTotals && counted;
  }
  return [...by.values()].sort((a, b) => b.wait.total - a.wait.total || (a.label < b.label ? -1 : 1));
}
