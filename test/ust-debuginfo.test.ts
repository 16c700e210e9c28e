/**
 * Source lines and functions against babeltrace2's debug-info filter: the `ip` context of every
 * event resolved by tracelane (statedump → ELF/DWARF → llvm-symbolizer) must equal what
 * `babeltrace2 --debug-info` prints for it, wherever babeltrace2 prints something (tracelane
 * may say more: a binary missing from this machine still has a name and offset).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TraceSet } from '../src/ctf/trace-set.js';
import { eventDebugInfo } from '../src/symbols/debug-info.js';
import { LlvmSymbolizer } from '../src/symbols/llvm-symbolizer.js';
import { corpusTest, repoRoot, tracePath } from '../src/testing/corpus.js';
import { babeltrace2 } from '../src/testing/run.js';


interface Comparison {
  /** Fields babeltrace2 filled (bin, func, src), all equal to ours. */
  compared: number;
  /** Fields only we filled. */
  extra: number;
}

async function compare(trace: string, opts: { targetPrefix?: string; debugDir?: string } = {}): Promise<Comparison> {
  const args = ['--debug-info'];
  if (opts.targetPrefix) args.push(`--debug-info-target-prefix=${opts.targetPrefix}`);
  if (opts.debugDir) args.push(`--debug-info-dir=${opts.debugDir}`);
  const bt = await babeltrace2([...args, trace]);
  assert.equal(bt.code, 0, bt.stderr);
  const theirs = [...bt.stdout.matchAll(/debug_info = \{ bin = "([^"]*)", func = "([^"]*)", src = "([^"]*)" \}/g)].map((m) => [m[1]!, m[2]!, m[3]!]);
  const { events } = eventDebugInfo(TraceSet.open([trace]), opts);
  assert.equal(events.length, theirs.length, 'events with vpid and ip contexts');
  const out: Comparison = { compared: 0, extra: 0 };
  events.forEach((e, i) => {
    const ours = e.where ? [e.where.bin, e.where.func, e.where.src] : ['', '', ''];
    ['bin', 'func', 'src'].forEach((field, k) => {
      const t = theirs[i]![k]!;
      if (t === '') {
        if (ours[k] !== '') out.extra++;
        return;
      }
      assert.equal(ours[k], t, `event ${e.index} (${e.name}, ip 0x${e.ip.toString(16)}): ${field}`);
      out.compared++;
    });
  });
  return out;
}

const symbolizer = LlvmSymbolizer.find();
function needsSymbolizer(): { skip: string | false } {
  const c = corpusTest();
  if (c.skip) return c;
  if (symbolizer) return { skip: false };
  if (process.env['CI'] === 'true') throw new Error('llvm-symbolizer not found (CI installs the llvm package)');
  return { skip: 'llvm-symbolizer not installed (Debian package llvm)' };
}

const DEBUG_INFO_TRACE = 'babeltrace/ctf-traces/succeed/debug-info';

for (const rel of [
  DEBUG_INFO_TRACE,
  'recorded-here/a-tracepoints',
  'recorded-here/c-libc-wrapper',
  'recorded-here/c-pthread-wrapper',
  'recorded-here/e-combined',
  'tracecompass/debuginfo-synth-buildid-debuglink',
  'tracecompass/debuginfo-synth-exec',
  'tracecompass/debuginfo-synth-two-processes',
  'tracecompass/debuginfo-test-app2',
  'tracecompass/debuginfo-test-app3',
  'tracecompass/debuginfo-test-app4',
]) {
  test(`${rel}: every field babeltrace2 --debug-info resolves is the same`, needsSymbolizer(), async () => {
    const r = await compare(tracePath(rel));
    // What babeltrace2 can resolve depends on the machine (which binaries and -dbg packages are
    // installed); the traces' own binaries are not here, so tracelane names more.
    assert.ok(r.compared + r.extra > 0 || rel.endsWith('app2'), JSON.stringify(r));
  });
}

const DEMO = join(repoRoot, 'examples', 'demo-trace', 'ust');
test('the demo trace (calcjob, C++): every field babeltrace2 --debug-info resolves is the same', { ...needsSymbolizer(), skip: existsSync(DEMO) ? needsSymbolizer().skip : 'no examples/demo-trace' }, async () => {
  // Where examples/calcjob/calcjob is the binary recorded (the machine that recorded the demo),
  // this checks C++ names, offsets and lines of every calcjob tracepoint; elsewhere the build ID
  // differs and only the binary names are compared.
  const r = await compare(DEMO);
  assert.ok(r.compared + r.extra > 0, JSON.stringify(r));
});
