/**
 * One trace (a trace folder or an LTTng session, e.g. what `tracelane record --kernel` makes) →
 * its profile. Which threads are "the program":
 *
 *   --name GLOB                    threads with a matching name (kernel names, UST role/procname)
 *   tracelane-record.json's pid    that process and the processes it started
 *   else, with user-space events   the processes that emitted them
 *   else                           every thread of the kernel trace
 *
 * The kernel trace (if any) goes through the kernel model once; the user-space traces (if any)
 * through one UST pass with the lock and span analyses. Both read the same trace set, so their
 * times share one origin.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Muxer } from '../../ctf/muxer.js';
import type { StreamNotice, StreamReader } from '../../ctf/stream-reader.js';
import { TraceSet } from '../../ctf/trace-set.js';
import { kernelLayoutFor } from '../../layouts/index.js';
import { SymbolResolver } from '../../symbols/resolver.js';
import { UsageError } from '../../util/errors.js';
import { analyzeKernel } from '../kernel/index.js';
import { eventFields, isUserSpaceTrace } from '../ust/event-names.js';
import { detectSchemes, LockAnalysis } from '../ust/locks.js';
import { UstPass, type TimeWindow, type UstConsumer } from '../ust/pass.js';
import { detectPairs, SpanAnalysis } from '../ust/spans.js';
import type { UstThread } from '../ust/threads.js';
import { focusRows, kernelProfile, type FocusSpec, type KernelPart } from './kernel-profile.js';
import type { Profile, ThreadProfile } from './profile.js';
import { ustProfile, type UstPart } from './ust-profile.js';

export interface LoadOptions {
  /** Focus on threads with a name matching this glob. */
  name?: string;
  /** Warnings that do not stop the analysis (one line each). */
  onWarning?: (line: string) => void;
  /**
   * Only this part of the trace (ns from the trace set's origin), given the time of the set's
   * first event (ns from the origin, NaN when none; for `+1.5s`-style arguments) and the origin
   * (ns since the epoch). Default: the whole trace.
   */
  window?: (first: number, origin: bigint) => TimeWindow;
}

interface Manifest {
  pid?: number;
  program?: string;
  command?: string[];
}

/** What `tracelane record` wrote about the recording (nothing when it did not make the trace). */
export function readManifest(path: string): Manifest {
  const file = join(resolve(path), 'tracelane-record.json');
  if (!existsSync(file)) return {};
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const out: Manifest = {};
    if (typeof m['pid'] === 'number' && m['pid'] > 0) out.pid = m['pid'];
    if (typeof m['program'] === 'string' && m['program']) out.program = m['program'];
    if (Array.isArray(m['command']) && m['command'].every((c) => typeof c === 'string')) out.command = m['command'] as string[];
    return out;
  } catch {
    // A damaged manifest only costs the focus.
    return {};
  }
}

function globRe(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** Only the events of the focus threads reach the wrapped analyses. */
class FocusFilter implements UstConsumer {
  constructor(
    private readonly inner: UstConsumer[],
    private readonly keep: (t: UstThread) => boolean,
  ) {}

  wants(name: string): boolean {
    return this.inner.some((c) => c.wants(name));
  }

  onEvent(r: StreamReader, thread: UstThread, pass: UstPass): void {
    if (!this.keep(thread)) return;
    const name = r.eventClass.cls.name;
    for (const c of this.inner) if (c.wants(name)) c.onEvent(r, thread, pass);
  }

  finish(pass: UstPass): void {
    for (const c of this.inner) c.finish?.(pass);
  }
}

function runUst(set: TraceSet, keep: (t: UstThread) => boolean, onNotice: (n: StreamNotice) => void, window: TimeWindow): UstPart | undefined {
  const ust = new Set(set.traces.filter((t) => isUserSpaceTrace(t) && !kernelLayoutFor(t.cls)).map((t) => t.compiled));
  if (ust.size === 0) return undefined;
  const fields = eventFields(set, true);
  const schemes = detectSchemes(fields);
  const pairs = detectPairs(fields.keys());
  const locks = schemes.length > 0 ? new LockAnalysis(schemes) : undefined;
  const spans = pairs.length > 0 ? new SpanAnalysis(pairs) : undefined;
  const pass = new UstPass(set);
  pass.window = window;
  const muxer = new Muxer(set.createReaders({ onNotice }).filter((r) => ust.has(r.trace)));
  function* events(): Iterable<StreamReader> {
    while (muxer.next()) yield muxer.current!;
  }
  pass.replay(events(), [new FocusFilter([...(locks ? [locks] : []), ...(spans ? [spans] : [])], keep)]);
  const threads = pass.threads.threads.filter((t) => t.events > 0 && keep(t));
  if (threads.length === 0 && pass.events === 0) return undefined;
  const lockResults = locks?.results();
  // Locks the program did not name are known by their variable or their wait site: resolve them.
  if (lockResults?.some((l) => l.name === undefined)) LockAnalysis.resolve(lockResults, new SymbolResolver());
  return ustProfile({ threads, ...(lockResults ? { locks: lockResults } : {}), ...(spans ? { spans: spans.results() } : {}) });
}

export interface Loaded {
  profile: Profile;
  set: TraceSet;
}

/** Time of the trace set's first event (ns from the origin; NaN when it has none). */
function firstEventTime(set: TraceSet): number {
  const muxer = set.muxer({ onNotice: () => {}, onWarning: () => {} });
  return muxer.next() ? muxer.current!.time : Number.NaN;
}

const WHOLE: TimeWindow = { begin: -Infinity, end: Infinity };

export function loadProfile(path: string, opts: LoadOptions = {}): Loaded {
  const manifest = readManifest(path);
  const set = TraceSet.open([path]);
  let lost = 0;
  const onNotice = (n: StreamNotice) => {
    lost += n.count ?? 1;
  };
  const first = opts.window ? firstEventTime(set) : Number.NaN;
  const window = opts.window ? opts.window(first, set.origin) : WHOLE;
  const kernels = set.traces.filter((t) => kernelLayoutFor(t.cls));
  if (kernels.length > 1) throw new UsageError(`${path}: ${kernels.length} kernel traces; compare reads one machine per side`);
  const model =
    kernels.length === 1 ? analyzeKernel(set, { onNotice, ...(opts.onWarning ? { onWarning: opts.onWarning } : {}), ...(window.end < Infinity ? { end: window.end } : {}) }).model : undefined;
  if (model && (window.begin > model.end || window.end < model.start)) throw new UsageError(`${path}: the range asked for is outside the trace`);

  const nameRe = opts.name !== undefined ? globRe(opts.name) : undefined;
  let spec: FocusSpec;
  let focus: string;
  let kernelPart: KernelPart | undefined;
  let ustPart: UstPart | undefined;
  if (nameRe) {
    spec = { kind: 'name', glob: opts.name! };
    focus = `threads named ${opts.name}`;
    ustPart = runUst(set, (t) => [t.role ?? '', ...t.procnames].some((n) => nameRe.test(n)), onNotice, window);
  } else if (manifest.pid !== undefined) {
    spec = { kind: 'pids', pids: new Set([manifest.pid]) };
    focus = `process ${manifest.pid}${manifest.program ? ` (${manifest.program})` : ''} and its children, from tracelane-record.json`;
    const rows = model ? focusRows(model, spec) : new Set<number>();
    const pids = new Set([manifest.pid, ...[...rows].map((r) => model!.threads[r]!.pid)]);
    ustPart = runUst(set, (t) => pids.has(t.vpid), onNotice, window);
  } else {
    ustPart = runUst(set, () => true, onNotice, window);
    const pids = new Set((ustPart?.threads ?? []).map((t) => t.pid).filter((p) => p >= 0));
    if (pids.size > 0) {
      spec = { kind: 'pids', pids };
      focus = `the processes with user-space events (${[...pids].sort((a, b) => a - b).join(', ')})`;
    } else {
      spec = { kind: 'all' };
      focus = 'every thread of the trace';
    }
  }
  if (model) kernelPart = kernelProfile(model, focusRows(model, spec), spec.kind === 'all', window);
  if (!model && !ustPart) throw new UsageError(`${path}: no kernel trace and no user-space events${opts.window ? ' in the range asked for' : ''}: nothing to compare`);
  if (nameRe && (kernelPart?.threads.length ?? 0) === 0 && (ustPart?.threads.length ?? 0) === 0) {
    throw new UsageError(`--name ${opts.name}: no thread of ${path} has that name`);
  }

  const profile: Profile = {
    path,
    focus,
    ...(manifest.program ? { program: manifest.program } : {}),
    ...(manifest.command ? { command: manifest.command } : {}),
    ...(kernelPart ? { kernel: kernelPart.profile } : {}),
    ...(ustPart ? { ust: ustPart.profile } : {}),
    threads: mergeThreads(kernelPart?.threads ?? [], ustPart?.threads ?? []),
    lost,
    origin: set.origin,
    ...(opts.window ? { range: { begin: window.begin, end: window.end, first, origin: set.origin } } : {}),
  };
  return { profile, set };
}

/**
 * One list of threads from the kernel's and the user-space traces' (the same thread when its
 * tid is the vtid). A thread's name is the one its program gave it (`thread_role`), else the
 * kernel's last name; its appearance is the kernel's when there is a kernel trace.
 */
export function mergeThreads(kernel: ThreadProfile[], ust: (ThreadProfile & { role?: string })[]): ThreadProfile[] {
  const byTid = new Map(kernel.map((t) => [t.tid, { ...t }]));
  const out = [...byTid.values()];
  for (const u of ust) {
    const k = u.tid >= 0 ? byTid.get(u.tid) : undefined;
    const { role, ...thread } = u;
    if (!k) {
      out.push(thread);
      continue;
    }
    if (role) k.name = role;
    if (u.lockWait !== undefined) k.lockWait = u.lockWait;
  }
  return out;
}
