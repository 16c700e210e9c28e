/**
 * `tracelane info --json` against traces.json (computed with babeltrace2): event counts, time span,
 * CPUs and discarded events of every trace babeltrace2 reads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusEntries, corpusTest, haveCorpus, tracePath } from '../src/testing/corpus.js';
import { tracelane } from '../src/testing/run.js';

interface InfoJson {
  events: number;
  first_ns: number;
  last_ns: number;
  discarded_events: number;
  traces: { cpus: number[]; event_counts: Record<string, number> }[];
}

/** Our JSON keeps ns exact; read those numbers as bigints. */
function exactField(text: string, key: string): bigint | null {
  const m = new RegExp(`"${key}":(-?\\d+|null)`).exec(text);
  return m && m[1] !== 'null' ? BigInt(m[1]!) : null;
}

if (!haveCorpus()) test('info --json', corpusTest(), () => {});
else {
  for (const e of corpusEntries()) {
    if (e.bt2_cli_rc !== 0) continue;
    test(`info --json agrees with babeltrace2's counts: ${e.path}`, async () => {
      const r = await tracelane(['info', '--json', tracePath(e.path)]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as InfoJson;
      assert.equal(doc.events, e.bt2_cli_lines, 'events');
      if (e.first_ns_exact !== null) {
        assert.equal(exactField(r.stdout, 'first_ns'), e.first_ns_exact, 'first event');
        assert.equal(exactField(r.stdout, 'last_ns'), e.last_ns_exact, 'last event');
      }
      const cpus = new Set(doc.traces.flatMap((t) => t.cpus));
      assert.equal(cpus.size, e.cpus, 'CPUs');
      assert.equal(doc.discarded_events, e.discarded_events, 'discarded events');
      const counts = new Map<string, number>();
      for (const t of doc.traces) for (const [k, v] of Object.entries(t.event_counts)) counts.set(k, (counts.get(k) ?? 0) + v);
      for (const [name, n] of e.top_event_names) assert.equal(counts.get(name), n, `count of ${name}`);
    });
  }
}
