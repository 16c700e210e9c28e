/**
 * The thread list (`/api/threads`) as columns: the data worker parses the JSON (1.7 MB for
 * 8,592 threads: ~25–35 ms of JSON.parse on the loaded CI machine) and hands over typed arrays
 * and one string, which cross to the page without a structured clone of thousands of objects
 * (which costs about as much as the parse); the page then makes the `ThreadInfo` objects in one
 * loop (~25 % less main-thread time than the parse, cold).
 */
import type { ThreadInfo } from './api.js';

export interface ThreadColumns {
  n: number;
  /** id, tid, pid, ppid, idleCpu, ustEvents, names per thread. */
  ints: Int32Array;
  /** begin, end, cpuTime per thread. */
  times: Float64Array;
  /** bit 0: ust, bit 1: hasCalls. */
  flags: Uint8Array;
  /** All strings, one after the other: per thread its name, then its names. */
  text: string;
  /** End of each string in `text`. */
  textEnd: Int32Array;
}

const INTS = 7;
const TIMES = 3;

/** In the worker. */
export function toColumns(threads: ThreadInfo[]): ThreadColumns {
  const n = threads.length;
  const ints = new Int32Array(n * INTS);
  const times = new Float64Array(n * TIMES);
  const flags = new Uint8Array(n);
  const parts: string[] = [];
  const ends: number[] = [];
  let pos = 0;
  const add = (s: string): void => {
    parts.push(s);
    pos += s.length;
    ends.push(pos);
  };
  threads.forEach((t, i) => {
    ints.set([t.id, t.tid, t.pid, t.ppid, t.idleCpu, t.ustEvents, t.names.length], i * INTS);
    times.set([t.begin, t.end, t.cpuTime], i * TIMES);
    flags[i] = (t.ust ? 1 : 0) | (t.hasCalls ? 2 : 0);
    add(t.name);
    for (const s of t.names) add(s);
  });
  return { n, ints, times, flags, text: parts.join(''), textEnd: Int32Array.from(ends) };
}

/** In the page: one tight loop (it runs once, mostly before the JIT has warmed up). */
export function fromColumns(c: ThreadColumns): ThreadInfo[] {
  const { n, ints, times, flags, text, textEnd } = c;
  const out = new Array<ThreadInfo>(n);
  let s = 0;
  let from = 0;
  for (let i = 0; i < n; i++) {
    const k = i * INTS;
    let to = textEnd[s++]!;
    const name = text.slice(from, to);
    from = to;
    const count = ints[k + 6]!;
    const names = new Array<string>(count);
    for (let j = 0; j < count; j++) {
      to = textEnd[s++]!;
      names[j] = text.slice(from, to);
      from = to;
    }
    const f = flags[i]!;
    const m = i * TIMES;
    out[i] = {
      id: ints[k]!,
      tid: ints[k + 1]!,
      pid: ints[k + 2]!,
      ppid: ints[k + 3]!,
      name,
      names,
      begin: times[m]!,
      end: times[m + 1]!,
      cpuTime: times[m + 2]!,
      idleCpu: ints[k + 4]!,
      ust: (f & 1) !== 0,
      ustEvents: ints[k + 5]!,
      hasCalls: (f & 2) !== 0,
    };
  }
  return out;
}
