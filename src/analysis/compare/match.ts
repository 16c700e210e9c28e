/**
 * Which thread of one run is which thread of the other. Thread ids differ from run to run, so
 * by default threads are matched by name: threads sharing a name are paired in the order they
 * appeared (the first `worker` of one run with the first `worker` of the other…); `--match tid`
 * pairs equal tids instead (two windows of one trace, or a trace with itself).
 */
import type { ThreadProfile } from './profile.js';

export type MatchMode = 'name' | 'tid';

export interface ThreadPair {
  /** How people read it: `calcjob-w1`, `worker #2` (several share the name), `bash (1234)` by tid. */
  label: string;
  before?: ThreadProfile;
  after?: ThreadProfile;
}

function byAppearance(a: ThreadProfile, b: ThreadProfile): number {
  return a.first - b.first || a.tid - b.tid;
}

/** Pairs in order of appearance in `before`, then the threads only in `after`. */
export function matchThreads(before: readonly ThreadProfile[], after: readonly ThreadProfile[], mode: MatchMode): ThreadPair[] {
  const pairs: ThreadPair[] = [];
  if (mode === 'tid') {
    const rest = new Map(after.map((t) => [t.tid, t]));
    for (const b of [...before].sort(byAppearance)) {
      const a = rest.get(b.tid);
      rest.delete(b.tid);
      pairs.push({ label: `${b.name || '?'} (${b.tid})`, before: b, ...(a ? { after: a } : {}) });
    }
    for (const a of [...rest.values()].sort(byAppearance)) pairs.push({ label: `${a.name || '?'} (${a.tid})`, after: a });
    return pairs;
  }
  const groups = (list: readonly ThreadProfile[]) => {
    const m = new Map<string, ThreadProfile[]>();
    for (const t of [...list].sort(byAppearance)) {
      let g = m.get(t.name);
      if (!g) m.set(t.name, (g = []));
      g.push(t);
    }
    return m;
  };
  const gb = groups(before);
  const ga = groups(after);
  const label = (name: string, i: number) => {
    const n = Math.max(gb.get(name)?.length ?? 0, ga.get(name)?.length ?? 0);
    const shown = name || '?';
    return n > 1 ? `${shown} #${i + 1}` : shown;
  };
  for (const b of [...before].sort(byAppearance)) {
    const i = gb.get(b.name)!.indexOf(b);
    const a = ga.get(b.name)?.[i];
    pairs.push({ label: label(b.name, i), before: b, ...(a ? { after: a } : {}) });
  }
  for (const a of [...after].sort(byAppearance)) {
    const i = ga.get(a.name)!.indexOf(a);
    if ((gb.get(a.name)?.length ?? 0) <= i) pairs.push({ label: label(a.name, i), after: a });
  }
  return pairs;
}
