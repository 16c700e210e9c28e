/**
 * `tracelane events` options, checked against babeltrace2: the time range (which also exercises
 * seeking through LTTng packet indexes), event-name / CPU / thread filters, and JSON output.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusTest, haveCorpus, tracePath } from '../src/testing/corpus.js';
import { babeltrace2, firstDifference, tracelane } from '../src/testing/run.js';
import { TraceSet } from '../src/ctf/trace-set.js';

const kernel = () => tracePath('tracevizlab/cat-kern-ust/cat-kernel');

if (!haveCorpus()) test('events options', corpusTest(), () => {});
else {
  test('--begin/--end print what babeltrace2 --begin/--end prints (indexed trace, seeking)', async () => {
    const range = ['--begin', '20:56:25.050000000', '--end', '20:56:25.060000000'];
    const [bt, ours] = await Promise.all([
      babeltrace2([`--begin=${range[1]}`, `--end=${range[3]}`, kernel()]),
      tracelane(['events', ...range, kernel()]),
    ]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.ok(bt.stdout.split('\n').length > 1000);
    assert.equal(firstDifference(bt.stdout, ours.stdout), undefined);
  });

  test('--begin as an offset from the trace start and as ns since the epoch agree', async () => {
    const full = await tracelane(['events', kernel()]);
    const lines = full.stdout.trimEnd().split('\n');
    const json = await tracelane(['events', '--output', 'json', kernel()]);
    const first = JSON.parse(json.stdout.split('\n')[0]!.replace(/"timestamp":(\d+)/, '"timestamp":"$1"')) as { timestamp: string };
    const start = BigInt(first.timestamp);
    const a = await tracelane(['events', '--begin', '+0.1s', kernel()]);
    const b = await tracelane(['events', '--begin', String(start + 100_000_000n), kernel()]);
    assert.equal(a.stdout, b.stdout);
    const kept = a.stdout.trimEnd().split('\n').length;
    assert.ok(kept > 0 && kept < lines.length);
  });

  test('--event, --cpu and --tid select the lines babeltrace2 prints for them', async () => {
    const bt = await babeltrace2([kernel()]);
    const all = bt.stdout.trimEnd().split('\n');
    const strip = (l: string) => l.replace(/ \(\+[\d.?]+\)/, '');
    const sched = await tracelane(['events', '--event', 'sched_*', kernel()]);
    assert.deepEqual(sched.stdout.trimEnd().split('\n').map(strip), all.filter((l) => / sched_\w+: /.test(l)).map(strip));
    const cpu2 = await tracelane(['events', '--cpu', '2', kernel()]);
    assert.deepEqual(cpu2.stdout.trimEnd().split('\n').map(strip), all.filter((l) => l.includes(': { cpu_id = 2 }')).map(strip));
    const ust = tracePath('tracevizlab/ls-ust');
    const btUst = (await babeltrace2([ust])).stdout.trimEnd().split('\n');
    const tid = await tracelane(['events', '--tid', '5036', ust]);
    const expected = btUst.filter((l) => l.includes(' vtid = 5036 ') || l.includes(' vtid = 5036,') || l.includes('vtid = 5036 }'));
    assert.ok(expected.length > 0);
    assert.deepEqual(tid.stdout.trimEnd().split('\n').map(strip), expected.map(strip));
  });

  test('--output json: one object per event with every scope', async () => {
    const trace = tracePath('babeltrace/ctf-traces/succeed/multi-domains/kernel');
    const [text, json] = await Promise.all([tracelane(['events', trace]), tracelane(['events', '--output', 'json', trace])]);
    const lines = json.stdout.trimEnd().split('\n');
    assert.equal(lines.length, text.stdout.trimEnd().split('\n').length);
    const ev = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const key of ['name', 'timestamp', 'cycles', 'cpu', 'stream', 'packet_context', 'event_header', 'stream_context', 'event_context', 'payload']) {
      assert.ok(key in ev, `has ${key}`);
    }
    const firstText = text.stdout.split('\n')[0]!;
    assert.ok(firstText.includes(` ${ev['name'] as string}: `));
    assert.equal(ev['cpu'], Number(/cpu_id = (\d+)/.exec(firstText)![1]));
  });

  test('seeking skips the packets that the LTTng index places before the start time', () => {
    const set = TraceSet.open([tracePath('tracecompass/many-threads')]);
    const count = (seekTo?: number) => {
      const readers = set.createReaders();
      let events = 0;
      let packets = 0;
      for (const r of readers) {
        if (seekTo !== undefined) r.seek(seekTo);
        while (r.next()) if (seekTo === undefined || r.time >= seekTo) events++;
        packets += r.packetsRead;
      }
      return { events, packets };
    };
    const all = count();
    const times: number[] = [];
    for (const r of set.createReaders()) while (r.next()) times.push(r.time);
    times.sort((a, b) => a - b);
    const at = times[Math.floor(times.length * 0.8)]!;
    const late = count(at);
    const lateByFiltering = times.filter((t) => t >= at).length;
    assert.equal(late.events, lateByFiltering);
    assert.ok(late.packets < all.packets, `${late.packets} packets read instead of ${all.packets}`);
  });

  test('--output none decodes and counts every event', async () => {
    const r = await tracelane(['events', '--output', 'none', kernel()]);
    assert.equal(r.stdout, '100420 events\n');
  });
}
