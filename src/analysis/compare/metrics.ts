/**
 * The figures `tracelane compare` puts side by side: every one has a stable id (for
 * `--fail-if-worse` and the JSON), a unit and which way is better. The program-wide ones are
 * listed in PROGRAM_METRICS; per thread, waker, system call, lock and span type the ids are
 * `FAMILY.<name>.<figure>` with the figures of FAMILY_METRICS.
 */

export type Unit = 'ns' | 'count' | 'pct';
/** Which way is an improvement; `none`: neither (e.g. how many jobs ran). */
export type Better = 'lower' | 'higher' | 'none';

export interface MetricDef {
  id: string;
  label: string;
  unit: Unit;
  better: Better;
  /** What it needs in both traces. */
  needs: 'kernel' | 'syscalls' | 'locks' | 'spans' | 'wall';
  doc: string;
}

export const PROGRAM_METRICS: readonly MetricDef[] = [
  { id: 'wall', label: 'wall time', unit: 'ns', better: 'lower', needs: 'wall', doc: "the program's run: its first thread's fork to its last thread's exit (kernel), else its first to last user-space event" },
  { id: 'cpu', label: 'CPU usage', unit: 'pct', better: 'higher', needs: 'kernel', doc: 'CPU time ÷ wall time, in % of one CPU (200 % = two CPUs busy on average): the work is spread over more CPUs' },
  { id: 'cpu.time', label: 'CPU time', unit: 'ns', better: 'lower', needs: 'kernel', doc: "the program's threads' time on a CPU (lttng-cputop's count)" },
  { id: 'running', label: 'running', unit: 'ns', better: 'lower', needs: 'kernel', doc: 'time in the running states (user mode, system call, interrupted)' },
  { id: 'wait_cpu', label: 'waiting for a CPU', unit: 'ns', better: 'lower', needs: 'kernel', doc: 'time runnable but not running (preempted, or woken and not yet scheduled)' },
  { id: 'blocked', label: 'blocked', unit: 'ns', better: 'lower', needs: 'kernel', doc: 'time blocked (sleeping until woken)' },
  { id: 'migrations', label: 'migrations', unit: 'count', better: 'lower', needs: 'kernel', doc: 'sched_migrate_task events of the threads' },
  { id: 'sched.count', label: 'wakeups', unit: 'count', better: 'none', needs: 'kernel', doc: 'wakeups followed by a switch-in' },
  { id: 'sched.p50', label: 'scheduling latency p50', unit: 'ns', better: 'lower', needs: 'kernel', doc: 'wakeup to switch-in, median' },
  { id: 'sched.p99', label: 'scheduling latency p99', unit: 'ns', better: 'lower', needs: 'kernel', doc: 'wakeup to switch-in, 99th percentile' },
  { id: 'syscalls', label: 'system calls', unit: 'count', better: 'lower', needs: 'syscalls', doc: 'completed system calls' },
  { id: 'syscalls.time', label: 'time in system calls', unit: 'ns', better: 'lower', needs: 'syscalls', doc: 'entry to exit, all together' },
  { id: 'syscalls.p99', label: 'system call latency p99', unit: 'ns', better: 'lower', needs: 'syscalls', doc: 'entry to exit, 99th percentile' },
  { id: 'lock.acquisitions', label: 'lock acquisitions', unit: 'count', better: 'none', needs: 'locks', doc: 'acquisitions of all locks' },
  { id: 'lock.contended', label: 'contended acquisitions', unit: 'count', better: 'lower', needs: 'locks', doc: 'waits during which another thread released the lock' },
  { id: 'lock.wait', label: 'lock wait', unit: 'ns', better: 'lower', needs: 'locks', doc: 'request to acquisition, all locks' },
  { id: 'lock.hold', label: 'lock hold', unit: 'ns', better: 'lower', needs: 'locks', doc: 'acquisition to release, all locks' },
];

export interface FamilyDef {
  family: string;
  /** What `<name>` is. */
  name: string;
  figures: { id: string; label: string; unit: Unit; better: Better }[];
}

export const FAMILY_METRICS: readonly FamilyDef[] = [
  {
    family: 'thread',
    name: 'thread (`calcjob-w1`, `worker#2` when several share a name)',
    figures: [
      { id: 'cpu', label: 'CPU time', unit: 'ns', better: 'none' },
      { id: 'usage', label: 'CPU usage', unit: 'pct', better: 'none' },
      { id: 'wait_cpu', label: 'waiting for a CPU', unit: 'ns', better: 'lower' },
      { id: 'blocked', label: 'blocked', unit: 'ns', better: 'lower' },
      { id: 'migrations', label: 'migrations', unit: 'count', better: 'lower' },
      { id: 'lock.wait', label: 'lock wait', unit: 'ns', better: 'lower' },
    ],
  },
  {
    family: 'waker',
    name: 'what woke the blocked threads (`calcjob-mgr`, `timer`, `IRQ_16_eth0`)',
    figures: [
      { id: 'blocked', label: 'blocked', unit: 'ns', better: 'lower' },
      { id: 'count', label: 'wakeups', unit: 'count', better: 'none' },
    ],
  },
  {
    family: 'syscall',
    name: 'system call (`futex`)',
    figures: [
      { id: 'count', label: 'calls', unit: 'count', better: 'lower' },
      { id: 'mean', label: 'mean', unit: 'ns', better: 'lower' },
      { id: 'p99', label: 'p99', unit: 'ns', better: 'lower' },
    ],
  },
  {
    family: 'lock',
    name: 'lock (`job_queue`, or where it was waited for)',
    figures: [
      { id: 'wait', label: 'wait', unit: 'ns', better: 'lower' },
      { id: 'wait.p99', label: 'wait p99', unit: 'ns', better: 'lower' },
      { id: 'hold', label: 'hold', unit: 'ns', better: 'lower' },
      { id: 'contended', label: 'contended', unit: 'count', better: 'lower' },
      { id: 'acquisitions', label: 'acquisitions', unit: 'count', better: 'none' },
    ],
  },
  {
    family: 'span',
    name: 'span type (`calcjob:job` for `job_start`/`job_end`)',
    figures: [
      { id: 'count', label: 'count', unit: 'count', better: 'none' },
      { id: 'mean', label: 'mean', unit: 'ns', better: 'lower' },
      { id: 'p99', label: 'p99', unit: 'ns', better: 'lower' },
      { id: 'total', label: 'total', unit: 'ns', better: 'lower' },
    ],
  },
];

export function programMetric(id: string): MetricDef {
  const m = PROGRAM_METRICS.find((d) => d.id === id);
  if (!m) throw new Error(`no program metric ${id}`);
  return m;
}

export function familyFigures(family: string): FamilyDef['figures'] {
  const f = FAMILY_METRICS.find((d) => d.family === family);
  if (!f) throw new Error(`no metric family ${family}`);
  return f.figures;
}

/** A name as it goes into an id: `calcjob-ust #2` → `calcjob-ust#2`, other blanks → `_`. */
export function idPart(name: string): string {
  return name.replace(/ #/g, '#').replace(/\s+/g, '_');
}

/** Whether `id` (or glob) is a documented metric id, whatever the traces hold. */
export function isDocumentedMetric(pattern: string): boolean {
  if (PROGRAM_METRICS.some((m) => m.id === pattern)) return true;
  for (const f of FAMILY_METRICS) {
    if (!pattern.startsWith(`${f.family}.`)) continue;
    const rest = pattern.slice(f.family.length + 1);
    if (f.figures.some((x) => rest.endsWith(`.${x.id}`) && rest.length > x.id.length + 1)) return true;
  }
  return false;
}
