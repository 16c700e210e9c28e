/**
 * Partial payload decoding (`Binding.payloadFields`): the reader decodes only the payload members
 * a binding declares and jumps over the others, which keep stale values. Two checks on corpus
 * traces of every layout and tracer version:
 *
 * - each extractor reads no payload member it did not declare (a proxy records every read);
 * - the canonical event stream is the same, field by field, with partial and whole decoding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventRecords } from '../ctf/codegen.js';
import { TraceSet } from '../ctf/trace-set.js';
import { corpusTest, tracePath } from '../testing/corpus.js';
import { Kind, KernelEvent } from './canonical.js';
import { kernelLayoutFor } from './index.js';
import { payloadFieldsOf, reads, withCommon, numField, type Binding } from './layout.js';
import { kernelTraceOf, readKernelEvents, type ReadOptions } from './source.js';

const TRACES = [
  'tracecompass/bug446190', // lttng-modules 2.5: sys_*/exit_syscall
  'tracecompass/flipping-endianness', // 2.5, big-endian payloads
  'tracecompass/many-threads', // 2.8
  'tracevizlab/wget-k-20180802-115043/kernel', // 2.10
  'tracevizlab/cat-kern-ust/cat-kernel', // 2.11
  'tracecompass/perf-taskset2', // perf
];

/** Events checked per event class with the recording proxy (the proxy is slow). */
const PER_CLASS = 50;

test('withCommon declares the payload fields of its parts, or none when one part is undeclared', () => {
  const f = reads(['ret'], () => {});
  const both = withCommon(f, numField('pl', 'perf_cpu'), numField('pl', 'perf_tid'), numField('sc', 'pid'));
  assert.deepEqual(payloadFieldsOf(both), ['ret', 'perf_cpu', 'perf_tid']);
  assert.equal(payloadFieldsOf(withCommon(() => {}, numField('pc', 'cpu_id'), undefined, undefined)), undefined);
});

for (const rel of TRACES) {
  test(`${rel}: extractors read only the payload fields they declare`, corpusTest(), () => {
    const set = TraceSet.open([tracePath(rel)]);
    const k = kernelTraceOf(set);
    const readers = set.createReaders().filter((r) => r.trace === k.trace.compiled);
    const layout = kernelLayoutFor(k.trace.cls)!;
    const ev = new KernelEvent();
    const seen = new Map<string, number>();
    let checked = 0;
    for (const r of readers) {
      const bindings: Binding[] = [];
      while (r.next()) {
        const ec = r.eventClass;
        const b = (bindings[ec.index] ??= layout.bind(r.streamClass.cls, ec.cls));
        if (b.kind === Kind.IGNORE) continue;
        const key = ec.cls.name;
        const n = seen.get(key) ?? 0;
        if (n >= PER_CLASS) continue;
        seen.set(key, n + 1);
        const declared = new Set(b.readsPayload === false ? [] : (b.payloadFields ?? []));
        assert.ok(b.readsPayload === false || b.payloadFields !== undefined, `${key}: a binding that reads the payload declares its fields`);
        const read = new Set<string>();
        const pl = new Proxy(r.records.pl, {
          get(target, prop, receiver) {
            if (typeof prop === 'string') read.add(prop);
            return Reflect.get(target, prop, receiver) as unknown;
          },
        });
        const rec: EventRecords = { ...r.records, pl };
        b.extract(rec, ev);
        for (const f of read) assert.ok(declared.has(f), `${key}: reads payload field "${f}" without declaring it (declared: ${[...declared].join(', ')})`);
        checked++;
      }
    }
    assert.ok(checked > 0);
  });

  test(`${rel}: the same canonical events with partial and whole payload decoding`, corpusTest(), () => {
    for (const syscalls of [true, false]) {
      const whole = canonicalEvents(rel, { partialDecoding: false, syscalls });
      const partial = canonicalEvents(rel, { syscalls });
      assert.ok(whole.length > 0);
      assert.equal(partial.length, whole.length);
      for (let i = 0; i < whole.length; i++) {
        if (partial[i] !== whole[i]) assert.fail(`event ${i} (syscalls: ${syscalls}) differs:\n  whole:   ${whole[i]}\n  partial: ${partial[i]}`);
      }
    }
  });
}

/** Every field of every canonical event, one line per event. */
function canonicalEvents(rel: string, opts: ReadOptions): string[] {
  const k = kernelTraceOf(TraceSet.open([tracePath(rel)]));
  const out: string[] = [];
  readKernelEvents(k, {
    begin() {},
    handle(ev) {
      out.push(Object.values(ev).map(String).join(' '));
    },
  }, opts);
  return out;
}
