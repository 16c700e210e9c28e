/**
 * Layouts: prev_state decoding per kernel and tracer, the choice of layout from the env, and the
 * mapping of event names of each tracer version onto canonical kinds (on the corpus metadata).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceSet } from '../ctf/trace-set.js';
import { corpusTest, tracePath } from '../testing/corpus.js';
import { Kind, PrevState } from './canonical.js';
import { kernelLayoutFor } from './index.js';
import { lttngPrevStateEncoding, perfPrevStateEncoding, PrevStateDecoder } from './prev-state.js';

test('prev_state: raw states before 4.14 (Trace Compass test values)', () => {
  const d = new PrevStateDecoder('raw');
  assert.equal(d.decode(0), PrevState.RUNNABLE);
  assert.equal(d.decode(2048), PrevState.RUNNABLE, 'TASK_RUNNING | TASK_STATE_MAX (4.4)');
  assert.equal(d.decode(1024), PrevState.RUNNABLE, 'TASK_RUNNING | TASK_STATE_MAX (3.10)');
  assert.equal(d.decode(1), PrevState.BLOCKED);
  assert.equal(d.decode(130), PrevState.BLOCKED, 'TASK_KILLABLE');
  assert.equal(d.decode(1026), PrevState.BLOCKED, 'TASK_IDLE');
  assert.equal(d.decode(64), PrevState.DEAD, 'TASK_DEAD before 4.14');
  assert.equal(d.decode(4), PrevState.OTHER);
});

test('prev_state: raw 4.14+ and the report encoding', () => {
  const raw = new PrevStateDecoder('raw-4.14');
  assert.equal(raw.decode(4096), PrevState.RUNNABLE);
  assert.equal(raw.decode(128), PrevState.DEAD, 'TASK_DEAD from 4.14');
  assert.equal(raw.decode(64), PrevState.BLOCKED, 'TASK_PARKED from 4.14');
  const rep = new PrevStateDecoder('report');
  assert.equal(rep.decode(256), PrevState.RUNNABLE, 'TASK_REPORT_MAX: preempted');
  assert.equal(rep.decode(128), PrevState.BLOCKED, 'I: idle kworker');
  assert.equal(rep.decode(32), PrevState.DEAD, 'Z');
  assert.equal(rep.decode(16), PrevState.DEAD, 'X');
  const auto = new PrevStateDecoder('auto-4.14');
  assert.equal(auto.decode(128), PrevState.BLOCKED, 'undecided: blocked');
  assert.equal(auto.decode(4096), PrevState.RUNNABLE);
  assert.equal(auto.encoding, 'raw-4.14');
  assert.equal(auto.decode(128), PrevState.DEAD);
});

test('prev_state encoding from kernel and tracer versions', () => {
  assert.equal(lttngPrevStateEncoding('3.10.31-ltsi', [2, 5, 0]), 'raw');
  assert.equal(lttngPrevStateEncoding('4.15.0-29-generic', [2, 10, 6]), 'raw-4.14');
  assert.equal(lttngPrevStateEncoding('4.18.14-arch1-1-ARCH', [2, 11, 0]), 'auto-4.14');
  assert.equal(lttngPrevStateEncoding('5.15.0', [2, 13, 4]), 'report');
  assert.equal(perfPrevStateEncoding('6.18.44-fc-v669'), 'report');
  assert.equal(perfPrevStateEncoding('3.10.92-stih418_family+'), 'raw');
});

/** Kinds of some event names of a trace, through its chosen layout. */
function kinds(rel: string, names: string[]): Record<string, number> {
  const set = TraceSet.open([tracePath(rel)]);
  const t = set.traces[0]!;
  const layout = kernelLayoutFor(t.cls)!;
  const out: Record<string, number> = {};
  for (const sc of t.cls.streams.values()) {
    for (const ec of sc.events.values()) if (names.includes(ec.name)) out[ec.name] = layout.bind(sc, ec).kind;
  }
  return out;
}

test('LTTng 2.5: sys_*/exit_syscall, softirq_*, hrtimer_*', corpusTest(), () => {
  assert.deepEqual(kinds('tracecompass/bug446190', ['sys_open', 'exit_syscall', 'softirq_entry', 'hrtimer_expire_entry', 'sched_switch', 'kmem_kfree']), {
    sys_open: Kind.SYSCALL_ENTRY,
    exit_syscall: Kind.SYSCALL_EXIT,
    softirq_entry: Kind.SOFTIRQ_ENTRY,
    hrtimer_expire_entry: Kind.HRTIMER_ENTRY,
    sched_switch: Kind.SCHED_SWITCH,
    kmem_kfree: Kind.IGNORE,
  });
});

test('LTTng 2.8: syscall_entry_*/syscall_exit_* (compat too), irq_softirq_*, sched_waking', corpusTest(), () => {
  assert.deepEqual(
    kinds('tracecompass/many-threads', ['syscall_entry_open', 'syscall_exit_open', 'compat_syscall_entry_read', 'compat_syscall_exit_read', 'irq_softirq_raise', 'sched_waking']),
    {
      syscall_entry_open: Kind.SYSCALL_ENTRY,
      syscall_exit_open: Kind.SYSCALL_EXIT,
      compat_syscall_entry_read: Kind.SYSCALL_ENTRY,
      compat_syscall_exit_read: Kind.SYSCALL_EXIT,
      irq_softirq_raise: Kind.SOFTIRQ_RAISE,
      sched_waking: Kind.SCHED_WAKING,
    },
  );
  const set = TraceSet.open([tracePath('tracecompass/many-threads')]);
  const layout = kernelLayoutFor(set.traces[0]!.cls)!;
  // Compat syscalls keep their name without the prefix (Trace Compass's latency analysis cut it
  // with the length of the non-compat prefix).
  const t = set.traces[0]!;
  for (const sc of t.cls.streams.values()) for (const ec of sc.events.values()) if (ec.name === 'compat_syscall_entry_read') layout.bind(sc, ec);
  assert.ok(layout.syscalls.idOf('read') !== undefined);
  assert.equal(layout.syscalls.idOf('at_syscall_entry_read'), undefined);
  assert.equal(layout.hasWaking, true);
});

test('perf: sched:*, raw_syscalls:*, perf_tid context on other events; UST: no layout', corpusTest(), () => {
  assert.deepEqual(kinds('tracecompass/perf-taskset2', ['sched:sched_switch', 'sched:sched_wakeup', 'sched:sched_migrate_task', 'sched:sched_stat_runtime']), {
    'sched:sched_switch': Kind.SCHED_SWITCH,
    'sched:sched_wakeup': Kind.SCHED_WAKEUP,
    'sched:sched_migrate_task': Kind.SCHED_MIGRATE,
    'sched:sched_stat_runtime': Kind.OTHER,
  });
  const ust = TraceSet.open([tracePath('tracevizlab/ls-ust')]);
  assert.equal(kernelLayoutFor(ust.traces[0]!.cls), undefined);
});

test('a skipped kind is bound for its CPU only, its payload not read', corpusTest(), () => {
  const set = TraceSet.open([tracePath('tracecompass/bug446190')]);
  const t = set.traces[0]!;
  const layout = kernelLayoutFor(t.cls)!;
  const skip = (kind: number) => kind === Kind.SYSCALL_ENTRY || kind === Kind.SYSCALL_EXIT;
  let checked = 0;
  for (const sc of t.cls.streams.values()) {
    for (const ec of sc.events.values()) {
      const full = layout.bind(sc, ec);
      const lean = layout.bind(sc, ec, skip);
      if (skip(full.kind)) {
        assert.equal(lean.kind, Kind.OTHER, ec.name);
        assert.equal(lean.readsPayload, false, ec.name);
        checked++;
      } else assert.equal(lean.kind, full.kind, ec.name);
    }
  }
  assert.ok(checked > 100, `${checked} syscall classes`);
});
