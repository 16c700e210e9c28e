/**
 * perf traces converted with `perf data convert --to-ctf` (Trace Compass `PerfEventLayout`):
 *
 * - event names carry the subsystem: `sched:sched_switch`, `irq:softirq_entry`,
 *   `timer:hrtimer_expire_entry`, `raw_syscalls:sys_enter` / `sys_exit` (syscall number in `id`),
 *   or per-syscall `syscalls:sys_enter_<name>` / `syscalls:sys_exit_<name>`;
 * - thread ids are named `pid` (`prev_pid`, `next_pid`, `parent_pid`, `child_pid`): perf's "pid" is
 *   the kernel's task id, i.e. the thread id;
 * - every event carries the current thread and process (`perf_tid`, `perf_pid`) and, in
 *   single-stream conversions, the CPU (`perf_cpu`); per-CPU streams have `cpu_id` instead;
 * - priorities are the kernel's (120 = nice 0); they are shifted by -100 to LTTng's convention;
 * - syscall numbers are named with the x86-64 table when env `machine` says x86_64.
 */
import type { EventClass, StreamClass, TraceClass } from '../ctf/model.js';
import { StringTable } from '../store/growable.js';
import { Kind, SCHED_TRACEPOINTS } from './canonical.js';
import { argNum, binding, commFromFilename, declaredNames, hasField, IGNORED, namedSyscallEntry, NOTHING, num, numField, reads, str, syscallEntryOnly, withCommon, type Binding, type Extractor, type KernelLayout, type SkipKind } from './layout.js';
import { perfPrevStateEncoding, PrevStateDecoder } from './prev-state.js';
import { x86_64SyscallName } from './syscalls-x86_64.js';

const FIXED: Record<string, number> = {
  ...Object.fromEntries(Object.entries(SCHED_TRACEPOINTS).map(([name, kind]) => [`sched:${name}`, kind])),
  'raw_syscalls:sys_enter': Kind.SYSCALL_ENTRY,
  'raw_syscalls:sys_exit': Kind.SYSCALL_EXIT,
  'irq:irq_handler_entry': Kind.IRQ_ENTRY,
  'irq:irq_handler_exit': Kind.IRQ_EXIT,
  'irq:softirq_raise': Kind.SOFTIRQ_RAISE,
  'irq:softirq_entry': Kind.SOFTIRQ_ENTRY,
  'irq:softirq_exit': Kind.SOFTIRQ_EXIT,
  'timer:hrtimer_expire_entry': Kind.HRTIMER_ENTRY,
  'timer:hrtimer_expire_exit': Kind.HRTIMER_EXIT,
};

/** The CPU and current thread of an event, for events read only for them (one function each, not a chain of readers). */
const commonFromPayload: Extractor = reads(['perf_cpu', 'perf_tid', 'perf_pid'], (rec, ev) => {
  const p = rec.pl;
  ev.cpu = num(p['perf_cpu']);
  ev.ctxTid = num(p['perf_tid']);
  ev.ctxPid = num(p['perf_pid']);
});
const commonWithPacketCpu: Extractor = reads(['perf_tid', 'perf_pid'], (rec, ev) => {
  const p = rec.pl;
  ev.cpu = num(rec.pc['cpu_id']);
  ev.ctxTid = num(p['perf_tid']);
  ev.ctxPid = num(p['perf_pid']);
});

/** Kernel priorities (0–139) → LTTng's (prio - MAX_RT_PRIO). */
const PRIO_SHIFT = 100;

export class PerfKernelLayout implements KernelLayout {
  readonly tracer = 'perf' as const;
  readonly name: string;
  readonly syscalls = new StringTable();
  readonly hasWakeups: boolean;
  readonly hasWaking: boolean;
  readonly prevState: PrevStateDecoder;
  private readonly x86_64: boolean;
  /** Syscall number → id in `syscalls` (-1: not interned yet). */
  private readonly byNumber: number[] = [];

  constructor(cls: TraceClass) {
    const release = cls.env.get('release');
    this.prevState = new PrevStateDecoder(perfPrevStateEncoding(typeof release === 'string' ? release : undefined));
    this.x86_64 = cls.env.get('machine') === 'x86_64';
    const names = declaredNames(cls.streams.values());
    this.hasWaking = names.has('sched:sched_waking');
    this.hasWakeups = this.hasWaking || names.has('sched:sched_wakeup');
    const machine = cls.env.get('machine');
    this.name = `perf (${typeof machine === 'string' ? machine : 'unknown machine'}, kernel ${typeof release === 'string' ? release : '?'}; prev_state ${this.prevState.encoding})`;
  }

  /** Interned id of syscall number `n`. */
  syscallId(n: number): number {
    let id = this.byNumber[n];
    if (id === undefined) {
      id = this.syscalls.intern(this.x86_64 ? x86_64SyscallName(n) : `syscall_${n}`);
      if (n >= 0 && n < 4096) this.byNumber[n] = id;
    }
    return id;
  }

  bind(_sc: StreamClass, ec: EventClass, skip?: SkipKind, syscallDetails = true): Binding {
    const name = ec.name;
    let kind: number | undefined = FIXED[name];
    let syscall = -1;
    if (kind === undefined && name.startsWith('syscalls:sys_enter_')) {
      kind = Kind.SYSCALL_ENTRY;
      syscall = this.syscalls.intern(name.slice('syscalls:sys_enter_'.length));
    } else if (kind === undefined && name.startsWith('syscalls:sys_exit_')) {
      kind = Kind.SYSCALL_EXIT;
      syscall = this.syscalls.intern(name.slice('syscalls:sys_exit_'.length));
    }
    const pl = ec.payload;
    const cpu = hasField(pl, 'perf_cpu') ? numField('pl', 'perf_cpu') : numField('pc', 'cpu_id');
    const tid = hasField(pl, 'perf_tid') ? numField('pl', 'perf_tid') : undefined;
    const pid = hasField(pl, 'perf_pid') ? numField('pl', 'perf_pid') : undefined;
    const perfCtx = tid !== undefined && pid !== undefined;
    const cpuInPayload = hasField(pl, 'perf_cpu');
    // perf's current thread (perf_tid) is a payload field: events that tell it are decoded.
    if (kind === undefined || skip?.(kind)) {
      if (perfCtx) return binding(Kind.OTHER, cpuInPayload ? commonFromPayload : commonWithPacketCpu);
      return tid ? binding(Kind.OTHER, withCommon(NOTHING, cpu, tid, pid)) : IGNORED;
    }
    // raw_syscalls (most events of a busy trace): one function reads the common fields too.
    if (perfCtx && syscall < 0 && (kind === Kind.SYSCALL_EXIT || (kind === Kind.SYSCALL_ENTRY && hasField(pl, 'args')))) {
      if (kind === Kind.SYSCALL_EXIT) return binding(kind, this.rawSysExit(cpuInPayload, syscallDetails && hasField(pl, 'ret')));
      return binding(kind, syscallDetails ? this.rawSysEnter(cpuInPayload) : this.rawSysEnterIdOnly(cpuInPayload));
    }
    return binding(kind, withCommon(this.extractor(kind, ec, syscall, syscallDetails), cpu, tid, pid));
  }

  /** `raw_syscalls:sys_enter` without its arguments: the six u64 of `args` are not decoded. */
  private rawSysEnterIdOnly(cpuInPayload: boolean): Extractor {
    return reads([...(cpuInPayload ? ['perf_cpu'] : []), 'perf_tid', 'perf_pid', 'id'], (rec, ev) => {
      const p = rec.pl;
      ev.cpu = num(cpuInPayload ? p['perf_cpu'] : rec.pc['cpu_id']);
      ev.ctxTid = num(p['perf_tid']);
      ev.ctxPid = num(p['perf_pid']);
      ev.syscall = this.syscallId(num(p['id']));
      ev.arg0 = Number.NaN;
      ev.arg1 = Number.NaN;
    });
  }

  private rawSysEnter(cpuInPayload: boolean): Extractor {
    return reads([...(cpuInPayload ? ['perf_cpu'] : []), 'perf_tid', 'perf_pid', 'id', 'args'], (rec, ev) => {
      const p = rec.pl;
      ev.cpu = num(cpuInPayload ? p['perf_cpu'] : rec.pc['cpu_id']);
      ev.ctxTid = num(p['perf_tid']);
      ev.ctxPid = num(p['perf_pid']);
      ev.syscall = this.syscallId(num(p['id']));
      const args = p['args'] as unknown[];
      ev.arg0 = argNum(args[0]);
      ev.arg1 = argNum(args[1]);
    });
  }

  private rawSysExit(cpuInPayload: boolean, hasRet: boolean): Extractor {
    return reads([...(cpuInPayload ? ['perf_cpu'] : []), 'perf_tid', 'perf_pid', 'id', ...(hasRet ? ['ret'] : [])], (rec, ev) => {
      const p = rec.pl;
      ev.cpu = num(cpuInPayload ? p['perf_cpu'] : rec.pc['cpu_id']);
      ev.ctxTid = num(p['perf_tid']);
      ev.ctxPid = num(p['perf_pid']);
      ev.syscall = this.syscallId(num(p['id']));
      ev.ret = hasRet ? num(p['ret']) : 0;
    });
  }

  private extractor(kind: number, ec: EventClass, syscall: number, syscallDetails: boolean): Extractor {
    const has = (f: string) => hasField(ec.payload, f);
    switch (kind) {
      case Kind.SCHED_SWITCH: {
        const ps = this.prevState;
        return reads(['prev_pid', 'prev_comm', 'prev_prio', 'prev_state', 'next_pid', 'next_comm', 'next_prio'], (rec, ev) => {
          const p = rec.pl;
          ev.prevTid = num(p['prev_pid']);
          ev.prevComm = str(p['prev_comm']);
          ev.prevPrio = num(p['prev_prio']) - PRIO_SHIFT;
          const raw = num(p['prev_state']);
          ev.rawPrevState = raw;
          ev.prevState = ps.decode(raw);
          ev.nextTid = num(p['next_pid']);
          ev.nextComm = str(p['next_comm']);
          ev.nextPrio = num(p['next_prio']) - PRIO_SHIFT;
        });
      }
      case Kind.SCHED_WAKEUP:
      case Kind.SCHED_WAKING:
      case Kind.SCHED_WAKEUP_NEW: {
        const target = has('target_cpu');
        return reads(['pid', 'comm', 'prio', 'target_cpu'], (rec, ev) => {
          const p = rec.pl;
          ev.tid = num(p['pid']);
          ev.comm = str(p['comm']);
          ev.prio = num(p['prio']) - PRIO_SHIFT;
          ev.targetCpu = target ? num(p['target_cpu']) : -1;
        });
      }
      case Kind.SCHED_MIGRATE:
        return reads(['pid', 'comm', 'prio', 'orig_cpu', 'dest_cpu'], (rec, ev) => {
          const p = rec.pl;
          ev.tid = num(p['pid']);
          ev.comm = str(p['comm']);
          ev.prio = num(p['prio']) - PRIO_SHIFT;
          ev.origCpu = num(p['orig_cpu']);
          ev.targetCpu = num(p['dest_cpu']);
        });
      case Kind.PROCESS_FORK:
        // perf's fork event has no thread-group id: the child's pid is learnt from its perf_pid.
        return reads(['parent_pid', 'child_pid', 'child_comm'], (rec, ev) => {
          const p = rec.pl;
          ev.parentTid = num(p['parent_pid']);
          ev.tid = num(p['child_pid']);
          ev.pid = -1;
          ev.comm = str(p['child_comm']);
        });
      case Kind.PROCESS_EXEC:
        return reads(['pid', 'filename'], (rec, ev) => {
          const p = rec.pl;
          ev.tid = num(p['pid']);
          ev.comm = commFromFilename(str(p['filename']));
        });
      case Kind.PROCESS_EXIT:
      case Kind.PROCESS_FREE:
        return reads(['pid'], (rec, ev) => {
          ev.tid = num(rec.pl['pid']);
        });
      case Kind.PI_SETPRIO:
        return reads(['pid', 'newprio'], (rec, ev) => {
          const p = rec.pl;
          ev.tid = num(p['pid']);
          ev.prio = num(p['newprio']) - PRIO_SHIFT;
        });
      case Kind.SYSCALL_ENTRY:
      case Kind.SYSCALL_EXIT: {
        const hasRet = kind === Kind.SYSCALL_EXIT && syscallDetails && has('ret');
        if (kind === Kind.SYSCALL_ENTRY && syscall >= 0) {
          if (!syscallDetails) return syscallEntryOnly(syscall);
          // `syscalls:sys_enter_<name>`: the syscall's own fields after perf's and ftrace's common ones.
          return namedSyscallEntry(syscall, ec.payload, (n) => !n.startsWith('perf_') && !n.startsWith('common_') && n !== '__syscall_nr');
        }
        if (kind === Kind.SYSCALL_ENTRY && has('args') && !syscallDetails) {
          return reads(['id'], (rec, ev) => {
            ev.syscall = this.syscallId(num(rec.pl['id']));
            ev.arg0 = Number.NaN;
            ev.arg1 = Number.NaN;
          });
        }
        if (kind === Kind.SYSCALL_ENTRY && has('args')) {
          // `raw_syscalls:sys_enter`: the number in `id`, the six arguments in `args`.
          return reads(['id', 'args'], (rec, ev) => {
            const p = rec.pl;
            ev.syscall = this.syscallId(num(p['id']));
            const args = p['args'] as unknown[];
            ev.arg0 = argNum(args[0]);
            ev.arg1 = argNum(args[1]);
          });
        }
        if (syscall >= 0) {
          return reads(hasRet ? ['ret'] : [], (rec, ev) => {
            ev.syscall = syscall;
            ev.ret = hasRet ? num(rec.pl['ret']) : 0;
          });
        }
        return reads(hasRet ? ['id', 'ret'] : ['id'], (rec, ev) => {
          const p = rec.pl;
          ev.syscall = this.syscallId(num(p['id']));
          ev.ret = hasRet ? num(p['ret']) : 0;
        });
      }
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
      case Kind.SOFTIRQ_RAISE:
      case Kind.SOFTIRQ_ENTRY:
      case Kind.SOFTIRQ_EXIT:
        return reads(['vec'], (rec, ev) => {
          ev.vec = num(rec.pl['vec']);
        });
      default:
        return NOTHING;
    }
  }
}
