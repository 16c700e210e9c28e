/**
 * Which thread emitted each user-space event: LTTng-UST's `vpid` / `vtid` / `procname` contexts
 * (any of them may be missing: a trace recorded without contexts is one unknown thread).
 *
 * Threads are interned: `ThreadTable.of(reader)` returns the same `UstThread` object for every
 * event of a thread, and counts the thread's events as it goes. A thread's name is the last
 * `procname` seen (it changes with `pthread_setname_np`); a program can also name its threads
 * with an event `PROVIDER:thread_role { name }` (calcjob does), which then labels the thread.
 */
import type { StreamReader } from '../../ctf/stream-reader.js';

export interface UstThread {
  /** Index in `ThreadTable.threads`. */
  id: number;
  /** Process and thread IDs in the traced process's PID namespace; -1 when not recorded. */
  vpid: number;
  vtid: number;
  /** Last `procname` seen ('' when not recorded), and all of them in order of appearance. */
  procname: string;
  procnames: string[];
  /** Name from a `*:thread_role { name }` event, if the program emits one. */
  role?: string;
  /** Times (ns from the trace set's origin) of its first and last event. */
  first: number;
  last: number;
  events: number;
  /** Events per event name. */
  counts: Map<string, number>;
}

function intField(r: StreamReader, a: string, b: string): number {
  const { sc, ec } = r.records;
  const v = sc[a] ?? ec[a] ?? sc[b] ?? ec[b];
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : -1;
}

export class ThreadTable {
  readonly threads: UstThread[] = [];
  private readonly byKey = new Map<number, UstThread>();

  /** The thread of the current event of `r`, counting the event. */
  of(r: StreamReader): UstThread {
    const vpid = intField(r, 'vpid', 'pid');
    const vtid = intField(r, 'vtid', 'tid');
    // pid_max ≤ 2^22 on Linux: both fit one exact number.
    const key = (vpid + 1) * 8_388_608 + (vtid + 1);
    let t = this.byKey.get(key);
    const time = r.time;
    if (!t) {
      t = { id: this.threads.length, vpid, vtid, procname: '', procnames: [], first: time, last: time, events: 0, counts: new Map() };
      this.threads.push(t);
      this.byKey.set(key, t);
    }
    const p = r.records.sc['procname'] ?? r.records.ec['procname'];
    if (typeof p === 'string' && p !== t.procname) {
      t.procname = p;
      if (!t.procnames.includes(p)) t.procnames.push(p);
    }
    t.last = time;
    t.events++;
    const name = r.eventClass.cls.name;
    t.counts.set(name, (t.counts.get(name) ?? 0) + 1);
    if (name.endsWith(':thread_role') && typeof r.records.pl['name'] === 'string') t.role = r.records.pl['name'];
    return t;
  }

  /** The threads of one process. */
  ofProcess(vpid: number): UstThread[] {
    return this.threads.filter((t) => t.vpid === vpid);
  }
}

/**
 * How people read a thread: `calcjob-w0 31625` (the role a program gave it, else its procname,
 * then its vtid), `pid 31620` without vtid, `?` when nothing was recorded. The role goes first
 * because lttng-ust keeps the procname a thread had at its first event: a worker renamed after
 * it started still reports its creator's name.
 */
export function threadLabel(t: UstThread): string {
  const id = t.vtid >= 0 ? String(t.vtid) : t.vpid >= 0 ? `pid ${t.vpid}` : '?';
  const name = t.role ?? t.procname;
  return name ? `${name} ${id}` : id;
}
