/**
 * The multi-core part of `npm run bench`: decoding every event of a multi-stream trace in time
 * order, in process, single-thread (`Muxer`) against stream groups decoded in 1 and 2 worker
 * threads and merged on the main thread (`parallelScan`). Best of N each, alternately.
 */
import { availableParallelism } from 'node:os';
import { parallelScan } from '../src/ctf/parallel.js';
import { TraceSet } from '../src/ctf/trace-set.js';
import { printTable } from './table.js';

async function seconds(f: () => unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

export async function parallelBench(traces: { name: string; path: string }[], rounds: number): Promise<void> {
  const rows: string[][] = [];
  for (const { name, path } of traces) {
    let events = 0;
    let single = Infinity;
    let one = Infinity;
    let two = Infinity;
    const streams = TraceSet.open([path]).createReaders().length;
    for (let i = 0; i < rounds; i++) {
      single = Math.min(
        single,
        await seconds(() => {
          const m = TraceSet.open([path]).muxer();
          let n = 0;
          while (m.next()) n++;
          events = n;
        }),
      );
      one = Math.min(one, await seconds(() => parallelScan([path], 1)));
      two = Math.min(two, await seconds(() => parallelScan([path], 2)));
    }
    const rate = (s: number) => `${(events / s / 1e6).toFixed(2)} M/s`;
    rows.push([name, String(streams), String(events), rate(single), rate(one), rate(two), `${(single / two).toFixed(2)}x`, `${(one / two).toFixed(2)}x`]);
  }
  console.log('');
  printTable(['trace (all events, time order)', 'streams', 'events', 'main thread', '1 worker', '2 workers', '2 workers / main', '2 / 1 worker'], rows);
  console.log(`\n(in process, open + decode + merge, best of ${rounds}; ${availableParallelism()} cores, shared with whatever else runs)`);
}
