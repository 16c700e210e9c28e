/**
 * Critical paths of small kernel models (the fixture DSL of ../fixture.ts): the execution graph
 * built from the model's tables, edge types from what ended each wait, hand-offs to wakers down
 * nested waits, forks, clipping to a range, and the wait tree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelOf } from '../fixture.js';
import type { KernelModel } from '../kernel/model.js';
import { rowsOfTid } from '../kernel/queries.js';
import { chainText } from './graph-fixture.js';
import { EdgeType } from './graph.js';
import { criticalPath, threadGraphOf, type CriticalPathResult, type WaitTreeNode } from './index.js';
import { irqEdgeType } from './model-graph.js';

function pathOf(model: KernelModel, tid: number, t1 = model.start, t2 = model.end): CriticalPathResult {
  return criticalPath(model, rowsOfTid(model, tid)[0]!, t1, t2);
}

/** Segments as "start-end name type[ detail]". */
function segs(r: CriticalPathResult): string[] {
  return r.segments.map((s) => `${s.start}-${s.end} ${s.thread.name} ${s.type}${s.detail ? ` ${s.detail}` : ''}`);
}

test('Trace Compass sched_only.xml (LttngExecutionGraphTest): the execution graph of four switches', () => {
  const m = modelOf(`
    10 cpu0 sched_switch prev=1:one(R) next=2:two
    20 cpu0 sched_switch prev=2:two(3) next=1:one
    30 cpu0 sched_switch prev=1:one(R) next=2:two
    40 cpu0 sched_switch prev=2:two(R) next=1:one
  `);
  const g = threadGraphOf(m).graph;
  assert.equal(chainText(g, rowsOfTid(m, 1)[0]!), '10 -P- 20 -R- 30 -P- 40');
  assert.equal(chainText(g, rowsOfTid(m, 2)[0]!), '10 -R- 20 -B- 30 -R- 40');
  assert.equal(g.verticalCount, 0);
});

// A reads (blocked 10-30) until B wakes it; a timer IRQ interrupts A at 3.
const WOKEN_BY_THREAD = `
   0 cpu0 sched_switch prev=0 next=10:A
   0 cpu1 sched_switch prev=0 next=20:B
   3 cpu0 irq_entry irq=27 name=arch_timer
   4 cpu0 irq_exit irq=27
   5 cpu0 syscall_entry read
  10 cpu0 sched_switch prev=10:A(S) next=0
  30 cpu1 sched_waking tid=10 target=0
  32 cpu0 sched_switch prev=0 next=10:A
  35 cpu0 syscall_exit ret=1
  40 cpu0 sched_switch prev=10:A(S) next=0
  50 cpu1 sched_switch prev=20:B(R) next=0
`;

test('a wait ended by a thread is replaced by what that thread did meanwhile', () => {
  const r = pathOf(modelOf(WOKEN_BY_THREAD), 10);
  assert.deepEqual(segs(r), [
    '0-3 A running',
    '3-4 A irq interrupted by IRQ 27 arch_timer',
    '4-10 A running',
    '10-30 B running',
    '30-32 A preempted',
    '32-40 A running',
    '40-50 A blocked',
  ]);
  assert.deepEqual(
    r.handoffs.map((h) => `${h.fromTime} ${h.from.name}>${h.to.name}`),
    ['10 A>B', '30 B>A'],
  );
  assert.equal(r.summary.total, 50);
  assert.deepEqual(
    r.summary.byThread.map((t) => [t.name, t.duration]),
    [
      ['A', 30],
      ['B', 20],
    ],
  );
  assert.deepEqual(r.summary.byType[0], { type: 'running', duration: 37, pct: 74 });
});

test('the graph: a vertex at each change of edge type and at each wakeup, a vertical edge waker → wakee', () => {
  const m = modelOf(WOKEN_BY_THREAD);
  const g = threadGraphOf(m).graph;
  const a = rowsOfTid(m, 10)[0]!;
  const b = rowsOfTid(m, 20)[0]!;
  assert.equal(chainText(g, a), '0 -R- 3 -I- 4 -R- 10 -B- 30 -P- 32 -R- 40 -B- 50');
  assert.equal(chainText(g, b), '0 -R- 30 -R- 50');
  assert.equal(g.verticalCount, 1);
  const [from, to] = [g.eFrom[0]!, g.eTo[0]!];
  assert.deepEqual([g.vWorker[from], g.vTime[from], g.vWorker[to], g.vTime[to]], [b, 30, a, 30]);
});

test('--begin/--end: the path of the range, segments clipped to it', () => {
  const r = pathOf(modelOf(WOKEN_BY_THREAD), 10, 15, 34);
  assert.deepEqual(segs(r), ['15-30 B running', '30-32 A preempted', '32-34 A running']);
  assert.equal(r.tree.total, 19);
});

test('waits ended by interrupts: network, block device, timer, IRQ, by the syscall they were in', () => {
  const m = modelOf(`
     0 cpu0 sched_switch prev=0 next=11:net
     1 cpu0 syscall_entry recvfrom
     2 cpu0 sched_switch prev=11:net(S) next=12:disk
     3 cpu0 syscall_entry read
     4 cpu0 sched_switch prev=12:disk(D) next=13:sleeper
     5 cpu0 syscall_entry nanosleep
     6 cpu0 sched_switch prev=13:sleeper(S) next=14:dev
     7 cpu0 syscall_entry ioctl
     8 cpu0 sched_switch prev=14:dev(S) next=0
    10 cpu1 irq_entry irq=30 name=eth0
    11 cpu1 softirq_raise vec=3
    12 cpu1 irq_exit irq=30
    12 cpu1 softirq_entry vec=3
    13 cpu1 sched_waking tid=11 target=0
    14 cpu1 softirq_exit vec=3
    20 cpu1 softirq_entry vec=4
    21 cpu1 sched_waking tid=12 target=0
    22 cpu1 softirq_exit vec=4
    30 cpu1 hrtimer_entry
    31 cpu1 sched_waking tid=13 target=0
    32 cpu1 hrtimer_exit
    40 cpu1 irq_entry irq=99 name=gpu
    41 cpu1 sched_waking tid=14 target=0
    42 cpu1 irq_exit irq=99
    50 cpu0 sched_switch prev=0 next=11:net
  `);
  assert.deepEqual(segs(pathOf(m, 11)), ['0-2 net running', '2-13 net network recvfrom, woken by NET_RX softirq', '13-50 net preempted']);
  assert.deepEqual(segs(pathOf(m, 12)), ['2-4 disk running', '4-21 disk block_device read, woken by BLOCK softirq', '21-50 disk preempted']);
  assert.deepEqual(segs(pathOf(m, 13)), ['4-6 sleeper running', '6-31 sleeper timer nanosleep, woken by hrtimer', '31-50 sleeper preempted']);
  assert.deepEqual(segs(pathOf(m, 14)), ['6-8 dev running', '8-41 dev irq ioctl, woken by IRQ 99 gpu', '41-50 dev preempted']);
});

test('IRQ handlers are recognised by name (timer, network card, disk controller)', () => {
  assert.equal(irqEdgeType(0, ''), EdgeType.TIMER);
  assert.equal(irqEdgeType(27, 'arch_timer'), EdgeType.TIMER);
  assert.equal(irqEdgeType(30, 'eth0'), EdgeType.NETWORK);
  assert.equal(irqEdgeType(31, 'enp0s3'), EdgeType.NETWORK);
  assert.equal(irqEdgeType(19, 'virtio0-input.0'), EdgeType.NETWORK);
  assert.equal(irqEdgeType(45, 'iwlwifi'), EdgeType.NETWORK);
  assert.equal(irqEdgeType(16, 'ahci[0000:00:1f.2]'), EdgeType.BLOCK_DEVICE);
  assert.equal(irqEdgeType(46, 'nvme0q1'), EdgeType.BLOCK_DEVICE);
  assert.equal(irqEdgeType(20, 'virtio1-req.0'), EdgeType.BLOCK_DEVICE);
  assert.equal(irqEdgeType(300, 'rcar-du-r8a7790'), EdgeType.IRQ);
  assert.equal(irqEdgeType(151, 'RGX'), EdgeType.IRQ);
});

// A waits for B (woken at 60); B was itself blocked until C woke it at 40, then waited for
// CPU 1 where D ran.
const NESTED = `
   0 cpu0 sched_switch prev=0 next=1:A
   0 cpu1 sched_switch prev=0 next=2:B
   0 cpu2 sched_switch prev=0 next=3:C
   5 cpu1 sched_switch prev=2:B(S) next=4:D
  10 cpu0 sched_switch prev=1:A(S) next=0
  40 cpu2 sched_waking tid=2 target=1
  50 cpu1 sched_switch prev=4:D(R) next=2:B
  60 cpu1 sched_waking tid=1 target=0
  61 cpu0 sched_switch prev=0 next=1:A
  70 cpu0 sched_switch prev=1:A(S) next=0
`;

test('nested waits: the waker was itself woken by another thread within the window', () => {
  const r = pathOf(modelOf(NESTED), 1, 0, 70);
  assert.deepEqual(segs(r), ['0-10 A running', '10-40 C running', '40-50 B preempted', '50-60 B running', '60-61 A preempted', '61-70 A running']);
  assert.deepEqual(
    r.segments[2]!.preemptedBy?.map((p) => [p.name, p.tid, p.duration]),
    [['D', 4, 10]],
  );
});

test('the wait tree: A waited for B, B for C and was preempted by D', () => {
  const tree = pathOf(modelOf(NESTED), 1, 0, 70).tree;
  const show = (n: WaitTreeNode): unknown => ({ name: n.thread.name, total: n.total, waits: n.waits, own: n.own, children: n.children.map(show) });
  assert.deepEqual(show(tree), {
    name: 'A',
    total: 70,
    waits: 1,
    own: { running: 19, preempted: 1 },
    children: [{ name: 'B', total: 50, waits: 1, own: { preempted: 10, running: 10 }, children: [{ name: 'C', total: 30, waits: 1, own: { running: 30 }, children: [] }] }],
  });
  assert.deepEqual(
    tree.children[0]!.preemptedBy.map((p) => p.name),
    ['D'],
  );
});

test('repeated waits on one thread are merged in the tree', () => {
  const m = modelOf(`
     0 cpu0 sched_switch prev=0 next=1:A
     0 cpu1 sched_switch prev=0 next=2:B
    10 cpu0 sched_switch prev=1:A(S) next=0
    20 cpu1 sched_waking tid=1 target=0
    21 cpu0 sched_switch prev=0 next=1:A
    30 cpu0 sched_switch prev=1:A(S) next=0
    45 cpu1 sched_waking tid=1 target=0
    46 cpu0 sched_switch prev=0 next=1:A
    50 cpu0 sched_switch prev=1:A(S) next=0
  `);
  const tree = pathOf(m, 1).tree;
  assert.equal(tree.children.length, 1);
  assert.deepEqual([tree.children[0]!.thread.name, tree.children[0]!.waits, tree.children[0]!.total], ['B', 2, 25]);
});

test('a fork is a hand-off from the parent to the child', () => {
  // P waits (wait4) from 10; Q forks C at 20; C runs from 25 and wakes P at 40.
  const m = modelOf(`
     0 cpu0 sched_switch prev=0 next=1:P
     0 cpu1 sched_switch prev=0 next=2:Q
     5 cpu0 syscall_entry wait4
    10 cpu0 sched_switch prev=1:P(S) next=0
    20 cpu1 sched_process_fork parent=2 child=3 pid=3 comm=C
    21 cpu1 sched_wakeup_new tid=3 target=1
    25 cpu1 sched_switch prev=2:Q(S) next=3:C
    40 cpu1 sched_waking tid=1 target=0
    41 cpu0 sched_switch prev=0 next=1:P
    45 cpu0 sched_switch prev=1:P(S) next=0
  `);
  const r = pathOf(m, 1);
  assert.deepEqual(segs(r), ['0-10 P running', '10-21 Q running', '21-25 C preempted', '25-40 C running', '40-41 P preempted', '41-45 P running']);
  assert.deepEqual(
    r.handoffs.map((h) => `${h.fromTime} ${h.from.name}>${h.to.name}`),
    ['10 P>Q', '21 Q>C', '40 C>P'],
  );
  assert.deepEqual(
    r.segments[2]!.preemptedBy?.map((p) => p.name),
    ['Q'],
  );
});

test('a wakeup from the idle thread outside any traced interrupt leaves the wait unexplained', () => {
  const m = modelOf(`
     0 cpu0 sched_switch prev=0 next=1:A
     5 cpu0 sched_switch prev=1:A(S) next=0
     9 cpu0 sched_waking tid=1 target=0
    10 cpu0 sched_switch prev=0 next=1:A
    12 cpu0 sched_switch prev=1:A(S) next=0
  `);
  assert.deepEqual(segs(pathOf(m, 1)), ['0-5 A running', '5-9 A blocked woken by the idle thread (interrupt not traced)', '9-10 A preempted', '10-12 A running']);
});

test('a spurious second wakeup does not split or relabel the wait (TC CAVEAT)', () => {
  const m = modelOf(`
     0 cpu0 sched_switch prev=0 next=1:A
     0 cpu1 sched_switch prev=0 next=2:B
     5 cpu0 sched_switch prev=1:A(S) next=0
    20 cpu1 sched_waking tid=1 target=0
    25 cpu1 hrtimer_entry
    26 cpu1 sched_waking tid=1 target=0
    27 cpu1 hrtimer_exit
    30 cpu0 sched_switch prev=0 next=1:A
  `);
  assert.deepEqual(segs(pathOf(m, 1)), ['0-5 A running', '5-20 B running', '20-30 A preempted']);
});

test('a thread not alive in the range has an empty path; the graph is built once per model', () => {
  const m = modelOf(WOKEN_BY_THREAD);
  const r = pathOf(m, 10, 50, 50);
  assert.equal(r.segments.length, 0);
  assert.equal(threadGraphOf(m), threadGraphOf(m));
});
