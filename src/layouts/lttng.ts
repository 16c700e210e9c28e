/**
 * LTTng kernel traces (lttng-modules 2.0 → 2.13+), as Trace Compass tells them apart
 * (LK/lttng2/kernel/core/trace/LttngKernelTrace.java, `getTracerFromEnv`; see
 * ../shared/reference/tracecompass-kernel-model.md §1.1):
 *
 * | lttng-modules | syscalls | softirq / hrtimer | other |
 * |---|---|---|---|
 * | 2.0–2.5 | `sys_<name>`, `compat_sys_<name>`, one `exit_syscall` | `softirq_*`, `hrtimer_*` | wakeup prio off by 100 (< 2.7.1) |
 * | 2.6 | `syscall_entry_<name>` / `syscall_exit_<name>` (+ `compat_`) | same | |
 * | 2.7+ | same | `irq_softirq_*`, `timer_hrtimer_*` | `x86_irq_vectors_*_entry/exit` |
 * | 2.8+ | | | `sched_waking` |
 * | 2.10+ | | | statedump `cpu` |
 *
 * Event names never collide across versions, so both spellings of the softirq and hrtimer events
 * are accepted whatever the version says (a trace with a wrong or missing env still works); the
 * syscall prefixes follow the version, both when it is unknown. The CPU is the packet context's
 * `cpu_id`; a `tid`/`pid` context (when recorded) gives the current thread of every event.
 */
import type { EventClass, StreamClass, TraceClass } from '../ctf/model.js';
import { StringTable } from '../store/growable.js';
import { Kind, SCHED_TRACEPOINTS } from './canonical.js';
import { argNum, binding, commFromFilename, declaredNames, hasField, IGNORED, namedSyscallEntry, NOTHING, num, numField, reads, str, syscallEntryOnly, tracerVersion, withCommon, type Binding, type Extractor, type KernelLayout, type SkipKind } from './layout.js';
import { lttngPrevStateEncoding, PrevStateDecoder } from './prev-state.js';

const SOFTIRQ: Record<string, number> = {
  softirq_raise: Kind.SOFTIRQ_RAISE,
  softirq_entry: Kind.SOFTIRQ_ENTRY,
  softirq_exit: Kind.SOFTIRQ_EXIT,
  irq_softirq_raise: Kind.SOFTIRQ_RAISE,
  irq_softirq_entry: Kind.SOFTIRQ_ENTRY,
  irq_softirq_exit: Kind.SOFTIRQ_EXIT,
  hrtimer_expire_entry: Kind.HRTIMER_ENTRY,
  hrtimer_expire_exit: Kind.HRTIMER_EXIT,
  timer_hrtimer_expire_entry: Kind.HRTIMER_ENTRY,
  timer_hrtimer_expire_exit: Kind.HRTIMER_EXIT,
};

const FIXED: Record<string, number> = {
  ...SCHED_TRACEPOINTS,
  lttng_statedump_process_state: Kind.STATEDUMP_PROCESS,
  lttng_statedump_interrupt: Kind.STATEDUMP_INTERRUPT,
  irq_handler_entry: Kind.IRQ_ENTRY,
  irq_handler_exit: Kind.IRQ_EXIT,
  ...SOFTIRQ,
};

interface SyscallNaming {
  entry: string[];
  exit: string[];
  /** The single exit event of lttng-modules < 2.6. */
  exitEvent?: string;
}

const OLD_SYSCALLS: SyscallNaming = { entry: ['compat_sys_', 'sys_'], exit: [], exitEvent: 'exit_syscall' };
const NEW_SYSCALLS: SyscallNaming = { entry: ['compat_syscall_entry_', 'syscall_entry_'], exit: ['compat_syscall_exit_', 'syscall_exit_'] };
const ANY_SYSCALLS: SyscallNaming = { entry: [...NEW_SYSCALLS.entry, ...OLD_SYSCALLS.entry], exit: NEW_SYSCALLS.exit, exitEvent: 'exit_syscall' };

export class LttngKernelLayout implements KernelLayout {
  readonly tracer = 'lttng' as const;
  readonly name: string;
  readonly syscalls = new StringTable();
  readonly hasWakeups: boolean;
  readonly hasWaking: boolean;
  readonly prevState: PrevStateDecoder;
  private readonly naming: SyscallNaming;
  /** lttng-modules before 2.7.1 wrote the wakeup events' prio without subtracting 100. */
  private readonly wakeupPrioOffset: number;

  constructor(cls: TraceClass) {
    const v = tracerVersion(cls.env);
    const [maj, min, patch] = v;
    const known = maj > 0;
    const atLeast = (a: number, b: number, c = 0) => maj > a || (maj === a && (min > b || (min === b && patch >= c)));
    this.naming = !known ? ANY_SYSCALLS : atLeast(2, 6) ? NEW_SYSCALLS : OLD_SYSCALLS;
    this.wakeupPrioOffset = known && !atLeast(2, 7, 1) ? 100 : 0;
    const names = declaredNames(cls.streams.values());
    this.hasWaking = names.has('sched_waking');
    this.hasWakeups = this.hasWaking || names.has('sched_wakeup');
    const release = cls.env.get('kernel_release');
    this.prevState = new PrevStateDecoder(lttngPrevStateEncoding(typeof release === 'string' ? release : undefined, v));
    const version = known ? `${maj}.${min}.${patch}` : 'unknown version';
    const family = !known
      ? 'any naming'
      : atLeast(2, 7)
        ? 'syscall_entry_*, irq_softirq_*'
        : atLeast(2, 6)
          ? 'syscall_entry_*, softirq_*'
          : 'sys_*/exit_syscall, softirq_*';
    this.name = `lttng-modules ${version} (${family}; prev_state ${this.prevState.encoding})`;
  }

  bind(sc: StreamClass, ec: EventClass, skip?: SkipKind, syscallDetails = true): Binding {
    const name = ec.name;
    let kind: number | undefined = FIXED[name];
    let syscall = -1;
    if (kind === undefined) {
      const s = this.syscallOf(name);
      if (s) {
        kind = s.kind;
        syscall = s.name === undefined ? -1 : this.syscalls.intern(s.name);
      } else if (name.startsWith('x86_irq_vectors_') && (name.endsWith('_entry') || name.endsWith('_exit'))) {
        kind = name.endsWith('_entry') ? Kind.IPI_ENTRY : Kind.IPI_EXIT;
      }
    }
    const tidCtx = hasField(sc.eventContext, 'tid') ? numField('sc', 'tid') : hasField(ec.context, 'tid') ? numField('ec', 'tid') : undefined;
    const pidCtx = hasField(sc.eventContext, 'pid') ? numField('sc', 'pid') : hasField(ec.context, 'pid') ? numField('ec', 'pid') : undefined;
    if (kind !== undefined && skip?.(kind)) {
      // A skipped kind still places its CPU (and its thread, from the context): the payload is not read.
      return { kind: Kind.OTHER, extract: withCommon(() => {}, cpuOf, tidCtx, pidCtx), readsPayload: false };
    }
    if (kind === undefined) {
      // Other events still tell the current thread when contexts are recorded (contexts and the
      // CPU are outside the payload, which is not read).
      return tidCtx ? { kind: Kind.OTHER, extract: withCommon(() => {}, cpuOf, tidCtx, pidCtx), readsPayload: false } : IGNORED;
    }
    return binding(kind, withCommon(this.extractor(kind, ec, name, syscall, syscallDetails), cpuOf, tidCtx, pidCtx));
  }

  /** Syscall entry/exit by name: the kind, and the syscall name (undefined: given by `id`). */
  private syscallOf(name: string): { kind: number; name: string | undefined } | undefined {
    const n = this.naming;
    if (name === n.exitEvent) return { kind: Kind.SYSCALL_EXIT, name: undefined };
    // Exit prefixes are tested first, as Trace Compass does (KernelStateProvider).
    for (const p of n.exit) if (name.startsWith(p)) return { kind: Kind.SYSCALL_EXIT, name: stripped(name, p) };
    for (const p of n.entry) if (name.startsWith(p)) return { kind: Kind.SYSCALL_ENTRY, name: stripped(name, p) };
    return undefined;
  }

  private extractor(kind: number, ec: EventClass, name: string, syscall: number, syscallDetails: boolean): Extractor {
    const has = (f: string) => hasField(ec.payload, f);
    switch (kind) {
      case Kind.SCHED_SWITCH: {
        const ps = this.prevState;
        return reads(['prev_tid', 'prev_comm', 'prev_prio', 'prev_state', 'next_tid', 'next_comm', 'next_prio'], (rec, ev) => {
          const p = rec.pl;
          ev.prevTid = num(p['prev_tid']);
          ev.prevComm = str(p['prev_comm']);
          ev.prevPrio = num(p['prev_prio']);
          const raw = num(p['prev_state']);
          ev.rawPrevState = raw;
          ev.prevState = ps.decode(raw);
          ev.nextTid = num(p['next_tid']);
          ev.nextComm = str(p['next_comm']);
          ev.nextPrio = num(p['next_prio']);
        });
      }
      case Kind.SCHED_WAKEUP:
      case Kind.SCHED_WAKING:
      case Kind.SCHED_WAKEUP_NEW: {
        const off = this.wakeupPrioOffset;
        const target = has('target_cpu');
        return reads(['tid', 'comm', 'prio', 'target_cpu'], (rec, ev) => {
          const p = rec.pl;
          ev.tid = num(p['tid']);
          ev.comm = str(p['comm']);
          ev.prio = num(p['prio']) - off;
          ev.targetCpu = target ? num(p['target_cpu']) : -1;
        });
      }
      case Kind.SCHED_MIGRATE:
        return reads(['tid', 'comm', 'prio', 'orig_cpu', 'dest_cpu'], (rec, ev) => {
          const p = rec.pl;
          ev.tid = num(p['tid']);
          ev.comm = str(p['comm']);
          ev.prio = num(p['prio']);
          ev.origCpu = num(p['orig_cpu']);
          ev.targetCpu = num(p['dest_cpu']);
        });
      case Kind.PROCESS_FORK: {
        const childPid = has('child_pid');
        return reads(['parent_tid', 'child_tid', 'child_pid', 'child_comm'], (rec, ev) => {
          const p = rec.pl;
          ev.parentTid = num(p['parent_tid']);
          ev.tid = num(p['child_tid']);
          ev.pid = childPid ? num(p['child_pid']) : -1;
          ev.comm = str(p['child_comm']);
        });
      }
      case Kind.PROCESS_EXEC: {
        const tid = has('tid');
        return reads(['tid', 'filename'], (rec, ev) => {
          const p = rec.pl;
          ev.tid = tid ? num(p['tid']) : -1;
          ev.comm = commFromFilename(str(p['filename']));
        });
      }
      case Kind.PROCESS_EXIT:
      case Kind.PROCESS_FREE:
        return reads(['tid'], (rec, ev) => {
          ev.tid = num(rec.pl['tid']);
        });
      case Kind.PI_SETPRIO:
        return reads(['tid', 'newprio'], (rec, ev) => {
          const p = rec.pl;
          ev.tid = num(p['tid']);
          ev.prio = num(p['newprio']);
        });
      case Kind.STATEDUMP_PROCESS: {
        const cpu = has('cpu');
        return reads(['tid', 'pid', 'ppid', 'name', 'status', 'cpu'], (rec, ev) => {
          const p = rec.pl;
          ev.tid = num(p['tid']);
          ev.pid = num(p['pid']);
          ev.ppid = num(p['ppid']);
          ev.comm = str(p['name']);
          ev.status = num(p['status']);
          ev.targetCpu = cpu ? num(p['cpu']) : -1;
        });
      }
      case Kind.STATEDUMP_INTERRUPT:
      case Kind.IRQ_ENTRY:
        return reads(['irq', 'name'], (rec, ev) => {
          const p = rec.pl;
          ev.irq = num(p['irq']);
          ev.comm = str(p['name']);
        });
      case Kind.IRQ_EXIT:
        return reads(['irq', 'ret'], (rec, ev) => {
          const p = rec.pl;
          ev.irq = num(p['irq']);
          ev.ret = num(p['ret']);
        });
      case Kind.SYSCALL_ENTRY:
      case Kind.SYSCALL_EXIT: {
        if (syscall < 0 && has('id') && kind === Kind.SYSCALL_ENTRY) {
          // `sys_unknown` / `syscall_entry_unknown`: the number is in `id`, the arguments in `args`.
          const table = this.syscalls;
          if (!syscallDetails) {
            return reads(['id'], (rec, ev) => {
              ev.syscall = table.intern(`syscall_${num(rec.pl['id'])}`);
              ev.arg0 = Number.NaN;
              ev.arg1 = Number.NaN;
            });
          }
          return reads(['id', 'args'], (rec, ev) => {
            ev.syscall = table.intern(`syscall_${num(rec.pl['id'])}`);
            const args = rec.pl['args'];
            ev.arg0 = Array.isArray(args) ? argNum(args[0]) : Number.NaN;
            ev.arg1 = Array.isArray(args) ? argNum(args[1]) : Number.NaN;
          });
        }
        if (kind === Kind.SYSCALL_ENTRY) {
          // The payload's fields are the syscall's arguments in order (`uaddr`, `op`, … for futex).
          return syscallDetails ? namedSyscallEntry(syscall, ec.payload) : syscallEntryOnly(syscall);
        }
        if (kind === Kind.SYSCALL_EXIT && syscallDetails && has('ret')) {
          return reads(['ret'], (rec, ev) => {
            ev.syscall = syscall;
            ev.ret = num(rec.pl['ret']);
          });
        }
        return reads([], (_rec, ev) => {
          ev.syscall = syscall;
          ev.ret = 0;
        });
      }
      case Kind.SOFTIRQ_RAISE:
      case Kind.SOFTIRQ_ENTRY:
      case Kind.SOFTIRQ_EXIT:
        return reads(['vec'], (rec, ev) => {
          ev.vec = num(rec.pl['vec']);
        });
      case Kind.IPI_ENTRY:
      case Kind.IPI_EXIT: {
        const vectorName = name.slice('x86_irq_vectors_'.length).replace(/_(entry|exit)$/, '');
        const hasVector = has('vector');
        return reads(['vector'], (rec, ev) => {
          ev.irq = hasVector ? num(rec.pl['vector']) : -1;
          ev.comm = vectorName;
        });
      }
      default:
        return NOTHING;
    }
  }
}

const cpuOf = numField('pc', 'cpu_id');

function stripped(name: string, prefix: string): string {
  return name.slice(prefix.length);
}
