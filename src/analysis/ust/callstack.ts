/**
 * Call stacks from `-finstrument-functions` programs run with liblttng-ust-cyg-profile:
 * `lttng_ust_cyg_profile:func_entry {addr, call_site}` / `func_exit {addr, call_site}`, or the
 * `lttng_ust_cyg_profile_fast` variants (`func_exit` has no field: it closes the innermost call).
 *
 * One call tree per thread. A node is a function reached by one path from the thread's root;
 * it sums its calls, inclusive time and self time (inclusive minus callees):
 *
 *   thread 19903 ─┬─ worker_main        calls 1   total 90 ms   self 0.1 ms
 *                 │   ├─ pop_blocking   calls 21  total 3 ms    self 1 ms …
 *                 │   └─ compute_job    calls 20  total 86 ms …
 *
 * Per-function figures are sums over the nodes of that function; a recursive function's
 * inclusive time counts only its outermost calls. Exits that do not match the innermost call
 * (cyg-profile gives their `addr`): when the function is deeper in the stack, the calls above it
 * are closed at the same time (they left without an exit event); otherwise the exit is counted
 * as unmatched, as is an exit on an empty stack (the call began before the trace). Calls still
 * open at the end are closed at their thread's last event and counted as truncated.
 */
import type { StreamReader } from '../../ctf/stream-reader.js';
import { toNumber, type CodeLocation } from '../../symbols/process-maps.js';
import type { ResolvedAddress, SymbolResolver } from '../../symbols/resolver.js';
import type { UstConsumer, UstPass } from './pass.js';
import type { UstThread } from './threads.js';

export const CYG_ENTRY = ['lttng_ust_cyg_profile:func_entry', 'lttng_ust_cyg_profile_fast:func_entry'];
export const CYG_EXIT = ['lttng_ust_cyg_profile:func_exit', 'lttng_ust_cyg_profile_fast:func_exit'];

/** A function of a process: its entry address, placed in a binary when the statedump allows. */
export interface FunctionRef {
  vpid: number;
  addr: number;
  location?: CodeLocation;
  /** Filled by `CallstackAnalysis.resolve`. */
  where?: ResolvedAddress;
}

export interface CallNode {
  fn: FunctionRef | undefined; // undefined for a thread's root
  parent: CallNode | undefined;
  children: Map<FunctionRef, CallNode>;
  calls: number;
  /** Inclusive and self time, ns. */
  total: number;
  self: number;
  /** Longest single call, ns. */
  max: number;
}

export interface ThreadCalls {
  thread: UstThread;
  root: CallNode;
  /** Exits without a matching call, calls closed at the trace's end, calls closed by an outer exit. */
  unmatchedExits: number;
  truncated: number;
  unwound: number;
}

export interface FunctionStats {
  fn: FunctionRef;
  calls: number;
  /** Inclusive time of the outermost calls (recursion counted once), ns. */
  total: number;
  self: number;
  max: number;
}

interface Frame {
  node: CallNode;
  start: number;
  childTime: number;
}

interface ThreadState extends ThreadCalls {
  stack: Frame[];
}

function newNode(fn: FunctionRef | undefined, parent: CallNode | undefined): CallNode {
  return { fn, parent, children: new Map(), calls: 0, total: 0, self: 0, max: 0 };
}

export interface CallstackOptions {
  /** Only this thread (its `vtid`). */
  tid?: number;
}

export class CallstackAnalysis implements UstConsumer {
  private readonly entries = new Set(CYG_ENTRY);
  private readonly exits = new Set(CYG_EXIT);
  private readonly threads = new Map<UstThread, ThreadState>();
  /** Functions by process, then address. */
  private readonly functions = new Map<number, Map<number, FunctionRef>>();

  constructor(private readonly opts: CallstackOptions = {}) {}

  wants(name: string): boolean {
    return this.entries.has(name) || this.exits.has(name);
  }

  onEvent(r: StreamReader, thread: UstThread, pass: UstPass): void {
    if (this.opts.tid !== undefined && thread.vtid !== this.opts.tid) return;
    let ts = this.threads.get(thread);
    if (!ts) {
      ts = { thread, root: newNode(undefined, undefined), unmatchedExits: 0, truncated: 0, unwound: 0, stack: [] };
      this.threads.set(thread, ts);
    }
    const t = r.time;
    const addrField = r.records.pl['addr'];
    if (this.entries.has(r.eventClass.cls.name)) {
      const fn = this.fn(thread.vpid, toNumber(addrField), pass);
      const top = ts.stack[ts.stack.length - 1];
      const parent = top ? top.node : ts.root;
      let node = parent.children.get(fn);
      if (!node) parent.children.set(fn, (node = newNode(fn, parent)));
      node.calls++;
      ts.stack.push({ node, start: t, childTime: 0 });
      return;
    }
    const stack = ts.stack;
    if (stack.length === 0) {
      ts.unmatchedExits++;
      return;
    }
    let depth = stack.length - 1;
    if (addrField !== undefined) {
      const addr = toNumber(addrField);
      while (depth >= 0 && stack[depth]!.node.fn!.addr !== addr) depth--;
      if (depth < 0) {
        ts.unmatchedExits++;
        return;
      }
      ts.unwound += stack.length - 1 - depth;
    }
    while (stack.length > depth) close(stack, t);
  }

  finish(): void {
    for (const ts of this.threads.values()) {
      ts.truncated += ts.stack.length;
      while (ts.stack.length > 0) close(ts.stack, ts.thread.last);
      // The root's total: everything its top-level calls covered.
      for (const c of ts.root.children.values()) ts.root.total += c.total;
    }
  }

  private fn(vpid: number, addr: number, pass: UstPass): FunctionRef {
    let m = this.functions.get(vpid);
    if (!m) this.functions.set(vpid, (m = new Map()));
    let f = m.get(addr);
    if (!f) {
      f = { vpid, addr };
      const loc = pass.maps.locate(vpid, addr);
      if (loc) f.location = loc;
      m.set(addr, f);
    }
    return f;
  }

  /** The functions on a thread's stack now, innermost first (at most `depth`). */
  currentStack(thread: UstThread, depth: number): FunctionRef[] {
    const st = this.threads.get(thread)?.stack;
    if (!st) return [];
    const out: FunctionRef[] = [];
    for (let i = st.length - 1; i >= 0 && out.length < depth; i--) out.push(st[i]!.node.fn!);
    return out;
  }

  /** Per-thread call trees, threads in order of first appearance. */
  threadCalls(): ThreadCalls[] {
    return [...this.threads.values()].map((t) => ({ thread: t.thread, root: t.root, unmatchedExits: t.unmatchedExits, truncated: t.truncated, unwound: t.unwound }));
  }

  /** Per-function statistics over all threads, most self time first. */
  functionStats(): FunctionStats[] {
    const out = new Map<FunctionRef, FunctionStats>();
    const onPath = new Map<FunctionRef, number>();
    const visit = (node: CallNode) => {
      const fn = node.fn!;
      let s = out.get(fn);
      if (!s) out.set(fn, (s = { fn, calls: 0, total: 0, self: 0, max: 0 }));
      s.calls += node.calls;
      s.self += node.self;
      if (node.max > s.max) s.max = node.max;
      const depth = onPath.get(fn) ?? 0;
      if (depth === 0) s.total += node.total;
      onPath.set(fn, depth + 1);
      for (const c of node.children.values()) visit(c);
      onPath.set(fn, depth);
    };
    for (const ts of this.threads.values()) for (const c of ts.root.children.values()) visit(c);
    return [...out.values()].sort((a, b) => b.self - a.self || b.total - a.total);
  }

  /** Every function seen (for symbol resolution). */
  allFunctions(): FunctionRef[] {
    return [...this.functions.values()].flatMap((m) => [...m.values()]);
  }

  /** Names every function (one symbolizer batch per binary). */
  resolve(resolver: SymbolResolver): void {
    const fns = this.allFunctions();
    resolver.resolveAll(fns.flatMap((f) => (f.location ? [f.location] : [])));
    for (const f of fns) {
      if (f.location) f.where = resolver.get(f.location);
      else {
        const u = resolver.unmapped(f.addr);
        if (u.func !== '') f.where = u;
      }
    }
  }
}

function close(stack: Frame[], t: number): void {
  const f = stack.pop()!;
  const d = t - f.start;
  f.node.total += d;
  f.node.self += d - f.childTime;
  if (d > f.node.max) f.node.max = d;
  const parent = stack[stack.length - 1];
  if (parent) parent.childTime += d;
}
