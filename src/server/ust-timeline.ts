/**
 * What the timeline shows of user space, collected in the server's single pass: every UST
 * event (thread, time, event number, name), the begin/end spans of each thread (pairs found as
 * `tracelane spans` finds them, nested per thread), the cyg-profile calls of each thread (a flame
 * chart needs every call in time order, not only the merged tree of `tracelane callstack`), and
 * the code locations of `ip` contexts and called functions, resolved to file:line at the end.
 */
import type { StreamReader } from '../ctf/stream-reader.js';
import { CYG_ENTRY, CYG_EXIT } from '../analysis/ust/callstack.js';
import { compactFunctionName } from '../analysis/ust/names.js';
import type { SpanPair } from '../analysis/ust/spans.js';
import type { UstThread } from '../analysis/ust/threads.js';
import { GrowableF64, GrowableI32 } from '../store/growable.js';
import type { CodeLocation, ProcessMaps } from '../symbols/process-maps.js';
import { toNumber } from '../symbols/process-maps.js';
import type { SymbolResolver } from '../symbols/resolver.js';
import type { WhereAnswer } from './api-types.js';

/** A resolved code location (babeltrace2's strings plus the file and line for the source view). */
export type CodePlace = Omit<WhereAnswer, 'sourceAvailable'>;

/** Per-thread columns, grouped by thread (CSR): thread t's items are offset[t] … offset[t+1]-1. */
export interface UstEvents {
  offset: Int32Array;
  time: Float64Array;
  /** Event number in the events index. */
  index: Float64Array;
  name: Int32Array;
}

export interface UstIntervals {
  offset: Int32Array;
  begin: Float64Array;
  end: Float64Array;
  depth: Int32Array;
  /** Span: index in `spanNames`; call: function id. */
  what: Int32Array;
  /** Calls: index (within the same thread's calls) of the enclosing call, -1 at the top. */
  parent: Int32Array;
}

export interface UstTimelineData {
  /** UST threads in order of first event (ids are `UstThread.id`). */
  threads: { id: number; vpid: number; vtid: number; name: string; first: number; last: number; events: number }[];
  events: UstEvents;
  spans: UstIntervals;
  spanNames: string[];
  calls: UstIntervals;
  /** Function id → code place. */
  functions: CodePlace[];
  /** `vpid:ip` → code place of events with an `ip` context. */
  ips: Record<string, CodePlace>;
}

interface Open {
  begin: number;
  depth: number;
  pair: number;
}

interface OpenCall {
  begin: number;
  fn: number;
  addr: number;
  parentSlot: number;
}

/** Raw items appended in time order, regrouped per thread at the end. */
class Items {
  readonly thread = new GrowableI32(1024);
  readonly begin = new GrowableF64(1024);
  readonly end = new GrowableF64(1024);
  readonly depth = new GrowableI32(1024);
  readonly what = new GrowableI32(1024);
  /** Global item index of the parent (-1 none). */
  readonly parent = new GrowableI32(1024);

  push(thread: number, begin: number, end: number, depth: number, what: number, parent: number): number {
    this.thread.push(thread);
    this.begin.push(begin);
    this.end.push(end);
    this.depth.push(depth);
    this.what.push(what);
    return this.parent.push(parent);
  }

  /** Grouped per thread, each thread's items sorted by begin time. */
  finish(threads: number): UstIntervals {
    const n = this.begin.length;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => this.thread.get(a) - this.thread.get(b) || this.begin.get(a) - this.begin.get(b) || this.depth.get(a) - this.depth.get(b));
    const offset = new Int32Array(threads + 1);
    for (let i = 0; i < n; i++) offset[this.thread.get(i) + 1]!++;
    for (let t = 0; t < threads; t++) offset[t + 1]! += offset[t]!;
    const where = new Int32Array(n);
    order.forEach((g, k) => (where[g] = k));
    const out: UstIntervals = {
      offset,
      begin: new Float64Array(n),
      end: new Float64Array(n),
      depth: new Int32Array(n),
      what: new Int32Array(n),
      parent: new Int32Array(n),
    };
    order.forEach((g, k) => {
      out.begin[k] = this.begin.get(g);
      out.end[k] = this.end.get(g);
      out.depth[k] = this.depth.get(g);
      out.what[k] = this.what.get(g);
      const p = this.parent.get(g);
      // Parent as an index within the thread's own items.
      out.parent[k] = p < 0 ? -1 : where[p]! - offset[this.thread.get(g)]!;
    });
    return out;
  }
}

export class UstTimeline {
  private readonly evThread = new GrowableI32(1 << 14);
  private readonly evTime = new GrowableF64(1 << 14);
  private readonly evIndex = new GrowableF64(1 << 14);
  private readonly evName = new GrowableI32(1 << 14);
  private readonly spans = new Items();
  private readonly calls = new Items();
  private readonly beginOf = new Map<string, number>();
  private readonly endOf = new Map<string, number>();
  private readonly spanNames: string[];
  private readonly openSpans = new Map<number, Open[][]>();
  private readonly openCalls = new Map<number, { stack: OpenCall[]; slots: number[] }>();
  private readonly entries = new Set(CYG_ENTRY);
  private readonly exits = new Set(CYG_EXIT);
  private readonly fnIds = new Map<string, number>();
  private readonly fnLocs: (CodeLocation | undefined)[] = [];
  private readonly fnAddr: number[] = [];
  private readonly ipLocs = new Map<string, CodeLocation | undefined>();
  private readonly lastSeen = new Map<number, number>();

  constructor(pairs: readonly SpanPair[]) {
    pairs.forEach((p, i) => {
      this.beginOf.set(p.begin, i);
      this.endOf.set(p.end, i);
    });
    this.spanNames = pairs.map((p) => spanName(p));
  }

  /** One UST event (`nameId`: its name's id in the events index, `k` its event number). */
  onEvent(r: StreamReader, thread: UstThread, maps: ProcessMaps, k: number, nameId: number): void {
    const t = r.time;
    const th = thread.id;
    this.evThread.push(th);
    this.evTime.push(t);
    this.evIndex.push(k);
    this.evName.push(nameId);
    this.lastSeen.set(th, t);
    const name = r.eventClass.cls.name;
    const ip = r.records.sc['ip'] ?? r.records.ec['ip'];
    if (ip !== undefined) {
      const addr = toNumber(ip);
      const key = `${thread.vpid}:${addr}`;
      if (!this.ipLocs.has(key)) this.ipLocs.set(key, maps.locate(thread.vpid, addr));
    }
    const b = this.beginOf.get(name);
    const e = this.endOf.get(name);
    if (b !== undefined || e !== undefined) this.span(th, t, b, e);
    if (this.entries.has(name)) this.callEntry(th, thread.vpid, t, toNumber(r.records.pl['addr']), maps);
    else if (this.exits.has(name)) this.callExit(th, t, r.records.pl['addr']);
  }

  private span(th: number, t: number, b: number | undefined, e: number | undefined): void {
    let stacks = this.openSpans.get(th);
    if (!stacks) this.openSpans.set(th, (stacks = this.spanNames.map(() => [])));
    const depthNow = () => stacks.reduce((s, x) => s + x.length, 0);
    if (e !== undefined) {
      const open = stacks[e]!.pop();
      if (open) this.spans.push(th, open.begin, t, open.depth, e, -1);
    }
    if (b !== undefined) stacks[b]!.push({ begin: t, depth: depthNow(), pair: b });
  }

  private callEntry(th: number, vpid: number, t: number, addr: number, maps: ProcessMaps): void {
    const key = `${vpid}:${addr}`;
    let fn = this.fnIds.get(key);
    if (fn === undefined) {
      fn = this.fnLocs.length;
      this.fnIds.set(key, fn);
      this.fnLocs.push(maps.locate(vpid, addr));
      this.fnAddr.push(addr);
    }
    let c = this.openCalls.get(th);
    if (!c) this.openCalls.set(th, (c = { stack: [], slots: [] }));
    const parentSlot = c.stack.length > 0 ? c.slots[c.slots.length - 1]! : -1;
    // The call's item is pushed now (end filled at its exit) so parents precede children.
    const slot = this.calls.push(th, t, t, c.stack.length, fn, parentSlot);
    c.stack.push({ begin: t, fn, addr, parentSlot });
    c.slots.push(slot);
  }

  private callExit(th: number, t: number, addrField: unknown): void {
    const c = this.openCalls.get(th);
    if (!c || c.stack.length === 0) return;
    let depth = c.stack.length - 1;
    if (addrField !== undefined) {
      const addr = toNumber(addrField);
      while (depth >= 0 && c.stack[depth]!.addr !== addr) depth--;
      if (depth < 0) return;
    }
    while (c.stack.length > depth) {
      c.stack.pop();
      this.calls.end.set(c.slots.pop()!, t);
    }
  }

  /** Closes what is still open at each thread's last event and groups everything per thread. */
  finish(threads: readonly UstThread[], resolver: SymbolResolver | undefined, unmapped: (addr: number) => CodePlace | undefined): UstTimelineData {
    for (const [th, c] of this.openCalls) {
      const last = this.lastSeen.get(th) ?? 0;
      while (c.stack.length > 0) {
        c.stack.pop();
        this.calls.end.set(c.slots.pop()!, last);
      }
    }
    const n = threads.length;
    const ne = this.evTime.length;
    const offset = new Int32Array(n + 1);
    for (let i = 0; i < ne; i++) offset[this.evThread.get(i) + 1]!++;
    for (let t = 0; t < n; t++) offset[t + 1]! += offset[t]!;
    const cursor = offset.slice(0, n);
    const events: UstEvents = { offset, time: new Float64Array(ne), index: new Float64Array(ne), name: new Int32Array(ne) };
    for (let i = 0; i < ne; i++) {
      const k = cursor[this.evThread.get(i)]!++;
      events.time[k] = this.evTime.get(i);
      events.index[k] = this.evIndex.get(i);
      events.name[k] = this.evName.get(i);
    }
    const locs = [...this.fnLocs, ...this.ipLocs.values()].filter((l): l is CodeLocation => l !== undefined);
    resolver?.resolveAll(locs);
    const place = (loc: CodeLocation | undefined, addr: number): CodePlace => {
      if (loc && resolver) {
        const w = resolver.get(loc);
        return { bin: w.bin, func: w.func, src: w.src, name: w.function ? compactFunctionName(w.function) : w.func || w.bin, file: w.file ?? '', line: w.line ?? 0 };
      }
      return unmapped(addr) ?? { bin: '', func: '', src: '', name: `0x${addr.toString(16)}`, file: '', line: 0 };
    };
    const ips: Record<string, CodePlace> = {};
    for (const [key, loc] of this.ipLocs) ips[key] = place(loc, Number(key.slice(key.indexOf(':') + 1)));
    return {
      threads: threads.map((t) => ({ id: t.id, vpid: t.vpid, vtid: t.vtid, name: t.role ?? t.procname, first: t.first, last: t.last, events: t.events })),
      events,
      spans: this.spans.finish(n),
      spanNames: this.spanNames,
      calls: this.calls.finish(n),
      functions: this.fnLocs.map((l, i) => place(l, this.fnAddr[i]!)),
      ips,
    };
  }
}

/** `calcjob:job_start`/`calcjob:job_end` → `calcjob:job`. */
function spanName(p: SpanPair): string {
  const common = commonPrefix(p.begin, p.end).replace(/_+$/, '');
  return common.length > p.begin.indexOf(':') + 1 ? common : `${p.begin}…${p.end}`;
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}
