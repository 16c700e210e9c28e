/**
 * A small text format for kernel event sequences in unit tests (the "fixture DSL"): one event per
 * line, `TIME cpuN EVENT key=value…`, turned into canonical events.
 *
 *   10 cpu0 sched_switch prev=12:bash(S) next=13:cat      prev state: R S D I P T X Z, or a raw
 *   11 cpu1 sched_waking tid=12 target=0                     number (pre-4.14 encoding: 1, 64, 2048)
 *   12 cpu0 syscall_entry open [arg0=N] [arg1=N]             (also: sys_open; arg0=0x10 works)
 *   13 cpu0 syscall_exit ret=3                               (also: exit_syscall)
 *   14 cpu0 irq_entry irq=16 name=eth0 · irq_exit irq=16
 *   15 cpu0 softirq_raise vec=3 · softirq_entry vec=3 · softirq_exit vec=3
 *   16 cpu0 hrtimer_entry · hrtimer_exit · ipi_entry vector=253 name=reschedule · ipi_exit vector=253
 *   17 cpu0 sched_process_fork parent=12 child=14 [pid=14] [comm=x]
 *   18 cpu0 sched_process_exec [tid=14] file=/bin/ls · sched_process_exit tid=14 · sched_process_free tid=14
 *   19 cpu0 sched_migrate_task tid=14 [from=0] to=1 · sched_pi_setprio tid=14 prio=-2
 *   20 cpu0 statedump tid=11 [pid=10] [ppid=1] status=5 [name=x] [cpu=0]
 *   any event: ctx=TID (the current thread from a context), ctxpid=PID
 *
 * Blank lines and `#` comments are ignored.
 */
import { Kind, KernelEvent, PrevState, SCHED_TRACEPOINTS } from '../layouts/canonical.js';
import { commFromFilename } from '../layouts/layout.js';
import { PrevStateDecoder, prevStateFromLetter } from '../layouts/prev-state.js';
import { StringTable } from '../store/growable.js';
import { KernelModelBuilder, type KernelModel, type ModelOptions } from './kernel/model.js';

const NAMES: Record<string, number> = {
  ...SCHED_TRACEPOINTS,
  statedump: Kind.STATEDUMP_PROCESS,
  syscall_entry: Kind.SYSCALL_ENTRY,
  syscall_exit: Kind.SYSCALL_EXIT,
  exit_syscall: Kind.SYSCALL_EXIT,
  irq_entry: Kind.IRQ_ENTRY,
  irq_exit: Kind.IRQ_EXIT,
  softirq_raise: Kind.SOFTIRQ_RAISE,
  softirq_entry: Kind.SOFTIRQ_ENTRY,
  softirq_exit: Kind.SOFTIRQ_EXIT,
  hrtimer_entry: Kind.HRTIMER_ENTRY,
  hrtimer_exit: Kind.HRTIMER_EXIT,
  ipi_entry: Kind.IPI_ENTRY,
  ipi_exit: Kind.IPI_EXIT,
};

export interface Fixture {
  events: KernelEvent[];
  syscalls: StringTable;
}

const raw = new PrevStateDecoder('raw');

function parseThread(spec: string, line: string): { tid: number; comm: string; state?: string } {
  const m = /^(\d+)(?::([^()]+))?(?:\(([^)]+)\))?$/.exec(spec);
  if (!m) throw new Error(`fixture: bad thread "${spec}" in: ${line}`);
  return { tid: Number(m[1]), comm: m[2] ?? '', state: m[3] };
}

export function parseFixture(text: string): Fixture {
  const syscalls = new StringTable();
  const events: KernelEvent[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*/, '').trim();
    if (!line) continue;
    const [time, cpu, name, ...rest] = line.split(/\s+/);
    const cm = /^cpu(\d+)$/.exec(cpu ?? '');
    if (!time || !/^\d+(\.\d+)?$/.test(time) || !cm || !name) throw new Error(`fixture: expected "TIME cpuN EVENT …": ${line}`);
    const ev = new KernelEvent();
    ev.time = Number(time);
    ev.cpu = Number(cm[1]);
    const kv = new Map<string, string>();
    const words: string[] = [];
    for (const w of rest) {
      const eq = w.indexOf('=');
      if (eq > 0) kv.set(w.slice(0, eq), w.slice(eq + 1));
      else words.push(w);
    }
    const int = (k: string, dflt = -1) => (kv.has(k) ? Number(kv.get(k)) : dflt);
    let kind = NAMES[name];
    if (kind === undefined && name.startsWith('sys_')) {
      kind = Kind.SYSCALL_ENTRY;
      words.unshift(name.slice(4));
    }
    if (kind === undefined) throw new Error(`fixture: unknown event "${name}": ${line}`);
    ev.kind = kind;
    ev.ctxTid = int('ctx');
    ev.ctxPid = int('ctxpid');
    ev.tid = int('tid');
    ev.comm = kv.get('comm') ?? kv.get('name') ?? '';
    ev.prio = int('prio', 20);
    ev.targetCpu = int('target', int('to', int('cpu')));
    switch (kind) {
      case Kind.SCHED_SWITCH: {
        const p = parseThread(kv.get('prev') ?? '', line);
        const n = parseThread(kv.get('next') ?? '', line);
        ev.prevTid = p.tid;
        ev.prevComm = p.comm;
        ev.nextTid = n.tid;
        ev.nextComm = n.comm;
        ev.prevPrio = int('prev_prio', 20);
        ev.nextPrio = int('next_prio', 20);
        const s = p.state ?? 'R';
        const letter = prevStateFromLetter(s);
        ev.rawPrevState = /^\d+$/.test(s) ? Number(s) : 0;
        ev.prevState = letter ?? (/^\d+$/.test(s) ? raw.decode(Number(s)) : PrevState.OTHER);
        break;
      }
      case Kind.SCHED_MIGRATE:
        ev.origCpu = int('from');
        break;
      case Kind.PROCESS_FORK:
        ev.parentTid = int('parent');
        ev.tid = int('child');
        ev.pid = int('pid');
        break;
      case Kind.PROCESS_EXEC:
        ev.comm = commFromFilename(kv.get('file') ?? '');
        break;
      case Kind.STATEDUMP_PROCESS:
        ev.pid = int('pid');
        ev.ppid = int('ppid');
        ev.status = int('status', 5);
        ev.targetCpu = int('cpu');
        break;
      case Kind.SYSCALL_ENTRY:
        ev.syscall = syscalls.intern(words[0] ?? kv.get('name') ?? 'unknown');
        ev.arg0 = kv.has('arg0') ? Number(kv.get('arg0')) : Number.NaN;
        ev.arg1 = kv.has('arg1') ? Number(kv.get('arg1')) : Number.NaN;
        break;
      case Kind.SYSCALL_EXIT:
        ev.syscall = -1;
        ev.ret = int('ret', 0);
        break;
      case Kind.IRQ_ENTRY:
      case Kind.IRQ_EXIT:
        ev.irq = int('irq');
        break;
      case Kind.IPI_ENTRY:
      case Kind.IPI_EXIT:
        ev.irq = int('vector');
        break;
      case Kind.SOFTIRQ_RAISE:
      case Kind.SOFTIRQ_ENTRY:
      case Kind.SOFTIRQ_EXIT:
        ev.vec = int('vec');
        break;
      default:
        break;
    }
    events.push(ev);
  }
  return { events, syscalls };
}

/** Builds the kernel model of a fixture (the first event's time is the trace start). */
export function modelOf(text: string, options: Omit<ModelOptions, 'syscallNames'> = {}): KernelModel {
  const f = parseFixture(text);
  const b = new KernelModelBuilder({ ...options, syscallNames: f.syscalls });
  if (f.events.length) b.begin(f.events[0]!.time);
  for (const ev of f.events) b.handle(ev);
  return b.finish();
}
