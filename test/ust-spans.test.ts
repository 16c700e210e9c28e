/**
 * `tracelane spans` against durations recomputed from babeltrace2's text output: pairs
 * `*_begin/*_end`, `*_start/*_end`, `*_entry/*_exit` found among the event names, begins and
 * ends matched per thread innermost first (or by a key field), nearest-rank p99.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, tracePath } from '../src/testing/corpus.js';
import { nearestRank, parseBt2Text, type Bt2Event } from '../src/testing/bt2-text.js';
import { babeltrace2, tracelane } from '../src/testing/run.js';

interface Expect {
  durations: number[];
  byGroup: Map<string, number[]>;
  open: number;
  unmatchedEnds: number;
}

function pairsOf(names: Set<string>): [string, string][] {
  const out: [string, string][] = [];
  const usedEnds = new Set<string>();
  for (const [b, e] of [
    ['_begin', '_end'],
    ['_start', '_end'],
    ['_entry', '_exit'],
  ] as const) {
    for (const n of [...names].sort()) {
      if (!n.includes(':') || !n.endsWith(b)) continue;
      const end = n.slice(0, -b.length) + e;
      if (names.has(end) && !usedEnds.has(end)) {
        out.push([n, end]);
        usedEnds.add(end);
      }
    }
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function recompute(events: Bt2Event[], begin: string, end: string, key?: string): Expect {
  const stacks = new Map<string, { t: number; group: string }[]>();
  const x: Expect = { durations: [], byGroup: new Map(), open: 0, unmatchedEnds: 0 };
  for (const e of events) {
    if (e.name !== begin && e.name !== end) continue;
    const tid = String(e.fields.get('vtid'));
    const match = key === undefined ? tid : `${e.fields.get('vpid')}/${e.fields.get(key)}`;
    const group = key === undefined ? tid : String(e.fields.get(key));
    let st = stacks.get(match);
    if (!st) stacks.set(match, (st = []));
    if (e.name === begin) st.push({ t: e.time, group });
    else {
      const b = st.pop();
      if (!b) x.unmatchedEnds++;
      else {
        const d = e.time - b.t;
        x.durations.push(d);
        x.byGroup.set(b.group, [...(x.byGroup.get(b.group) ?? []), d]);
      }
    }
  }
  for (const st of stacks.values()) x.open += st.length;
  return x;
}

interface OurPair {
  begin_event: string;
  end_event: string;
  count: number;
  total_ns: number;
  min_ns: number;
  mean_ns: number;
  p99_ns: number;
  max_ns: number;
  open_at_end: number;
  ends_without_begin: number;
  groups: { thread?: { vtid: number }; key?: number; count: number; total_ns: number; max_ns: number }[];
  worst: { duration_ns: number }[];
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

function check(p: OurPair, x: Expect): void {
  const what = `${p.begin_event} → ${p.end_event}`;
  const d = x.durations;
  assert.equal(p.count, d.length, `${what} count`);
  assert.equal(p.total_ns, sum(d), `${what} total`);
  assert.equal(p.min_ns, Math.min(...d), `${what} min`);
  assert.equal(p.max_ns, Math.max(...d), `${what} max`);
  assert.equal(p.p99_ns, nearestRank(d, 99), `${what} p99`);
  assert.equal(p.mean_ns, Math.round(sum(d) / d.length), `${what} mean`);
  assert.equal(p.open_at_end, x.open, `${what} open`);
  assert.equal(p.ends_without_begin, x.unmatchedEnds, `${what} unmatched ends`);
  const groups = new Map(p.groups.map((g) => [String(g.thread ? g.thread.vtid : g.key), [g.count, g.total_ns, g.max_ns]]));
  const expected = new Map([...x.byGroup].map(([k, v]) => [k, [v.length, sum(v), Math.max(...v)]]));
  assert.deepEqual(groups, expected, `${what} groups`);
  const worst = [...d].sort((a, b) => b - a).slice(0, p.worst.length);
  assert.deepEqual(
    p.worst.map((w) => w.duration_ns),
    worst,
    `${what} worst`,
  );
}

for (const rel of ['recorded-here/b-cyg-profile', 'tracecompass/cyg-profile/glxgears-cyg-profile', 'tracecompass/cyg-profile/glxgears-cyg-profile-fast']) {
  test(`spans of ${rel} equal those recomputed from babeltrace2`, corpusTest(), async () => {
    const trace = tracePath(rel);
    const [bt, ours] = await Promise.all([babeltrace2(['--clock-seconds', trace]), tracelane(['spans', trace, '--json', '--top', '3'])]);
    assert.equal(bt.code, 0, bt.stderr);
    assert.equal(ours.code, 0, ours.stderr);
    const events = parseBt2Text(bt.stdout);
    const pairs = pairsOf(new Set(events.map((e) => e.name)));
    const doc = JSON.parse(ours.stdout) as { pairs: OurPair[] };
    assert.deepEqual(
      doc.pairs.map((p) => [p.begin_event, p.end_event]),
      pairs,
    );
    for (const p of doc.pairs) check(p, recompute(events, p.begin_event, p.end_event));
    if (rel === 'recorded-here/b-cyg-profile') {
      const jobs = doc.pairs.find((p) => p.begin_event === 'calcjob:job_start')!;
      assert.equal(jobs.count, 40);
    }
  });
}

test('spans --key matches across threads: job_enqueue (manager) → job_end (worker) by job_id', corpusTest(), async () => {
  const trace = tracePath('recorded-here/b-cyg-profile');
  const [bt, ours] = await Promise.all([
    babeltrace2(['--clock-seconds', trace]),
    tracelane(['spans', trace, '--json', '--begin-event', 'job_enqueue', '--end-event', 'calcjob:job_end', '--key', 'job_id']),
  ]);
  const doc = JSON.parse(ours.stdout) as { pairs: OurPair[] };
  assert.equal(doc.pairs.length, 1);
  const x = recompute(parseBt2Text(bt.stdout), 'calcjob:job_enqueue', 'calcjob:job_end', 'job_id');
  assert.equal(x.durations.length, 40);
  check(doc.pairs[0]!, x);
});

test('spans: usage errors', corpusTest(), async () => {
  const trace = tracePath('recorded-here/b-cyg-profile');
  for (const args of [
    ['--begin-event', 'job_start'],
    ['--begin-event', 'nope', '--end-event', 'job_end'],
    ['--key', 'no_such_field'],
  ]) {
    const r = await tracelane(['spans', trace, ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^tracelane: /);
  }
  const human = await tracelane(['spans', trace, '--begin-event', 'job_start', '--end-event', 'job_end']);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /calcjob:job_start → calcjob:job_end {2}\(matched by thread\)/);
  assert.match(human.stdout, /^ {2}all +40 /m);
});
