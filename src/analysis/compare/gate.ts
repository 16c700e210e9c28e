/**
 * `--fail-if-worse METRIC:PCT`: a pipeline gate. It fails when a metric got worse by more than
 * PCT % (in its bad direction: up for times and counts, down for CPU usage). METRIC is a metric
 * id or a glob over ids (`thread.*.blocked`); a figure that was 0 before and is not now is worse
 * by an unbounded amount. Metrics without a direction cannot be gated.
 */
import { UsageError } from '../../util/errors.js';
import type { Comparison, MetricRow } from './compare.js';
import { isDocumentedMetric } from './metrics.js';

export interface Gate {
  metric: string;
  pct: number;
  /** As given. */
  text: string;
}

export interface GateResult {
  gate: Gate;
  /** Metrics of the comparison it names (some may be in one trace only). */
  matched: number;
  /** The metrics it applies to (with a direction, present in both traces). */
  checked: MetricRow[];
  /** Those worse than allowed. */
  failed: MetricRow[];
}

/** `lock.wait:10`, `wall:5%`, `span.calcjob:job.p99:20` (the last colon separates the %). */
export function parseGate(text: string): Gate {
  const at = text.lastIndexOf(':');
  const metric = at > 0 ? text.slice(0, at) : '';
  const pct = at > 0 ? text.slice(at + 1).replace(/\s*%$/, '') : '';
  if (!metric || !/^\d+(\.\d+)?$/.test(pct)) {
    throw new UsageError(`--fail-if-worse takes METRIC:PCT (e.g. wall:5 or lock.wait:20), not "${text}"`);
  }
  return { metric, pct: Number(pct), text };
}

function globRe(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** Whether the change of `r` is worse than `pct` %. */
export function worseThan(r: MetricRow, pct: number): boolean {
  if (r.change === undefined || r.better === 'none') return false;
  return r.better === 'lower' ? r.change > pct : r.change < -pct;
}

/**
 * Checks the gates against a comparison. A gate naming no metric of the comparison is a usage
 * error unless it is a documented metric these traces do not have (then it checks nothing, and
 * `checked` is empty: the caller says so). Metrics present in one trace only are not checked.
 */
export function evaluateGates(gates: readonly Gate[], c: Comparison): GateResult[] {
  const rows = c.sections.flatMap((s) => s.groups.flatMap((g) => g.rows));
  return gates.map((gate) => {
    const re = globRe(gate.metric);
    const matched = rows.filter((r) => re.test(r.id));
    if (matched.length === 0 && !isDocumentedMetric(gate.metric)) {
      throw new UsageError(`--fail-if-worse: no metric "${gate.metric}" (metrics: wall, cpu, cpu.time, blocked, wait_cpu, sched.p99, lock.wait, … see tracelane compare --help)`);
    }
    const directed = matched.filter((r) => r.better !== 'none');
    if (matched.length > 0 && directed.length === 0) {
      throw new UsageError(`--fail-if-worse: "${gate.metric}" has no better or worse direction`);
    }
    const checked = directed.filter((r) => r.change !== undefined);
    return { gate, matched: matched.length, checked, failed: checked.filter((r) => worseThan(r, gate.pct)) };
  });
}
