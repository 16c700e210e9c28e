import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntervalTableBuilder, type IntervalTable } from './interval-table.js';
import { LodTable, RunSink, type LodRuns } from './lod.js';

/** A deterministic pseudo-random generator (tests must not depend on Math.random). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Rows of intervals whose lengths spread from 1 ns to ~1 ms (log-uniform), 5 states. */
function randomTable(seed: number, rowCount: number, perRow: number): IntervalTable {
  const rand = rng(seed);
  const b = new IntervalTableBuilder();
  let end = 0;
  const rows: number[] = [];
  for (let r = 0; r < rowCount; r++) rows.push(b.addRow(Math.floor(rand() * 1000), 0));
  for (const r of rows) {
    let t = b.openStart(r);
    for (let k = 0; k < perRow; k++) {
      t += Math.max(1, Math.floor(Math.exp(rand() * Math.log(1e6))));
      b.set(r, t, Math.floor(rand() * 5), Math.floor(rand() * 3), -1);
    }
    end = Math.max(end, t + 10);
  }
  return b.finish(end);
}

/** Brute force: the state covering most of [a, b) in `row` (lowest state on ties), or -1. */
function dominant(t: IntervalTable, row: number, a: number, b: number): number {
  const time = new Map<number, number>();
  for (let i = t.rowOffset[row]!; i < t.rowOffset[row + 1]!; i++) {
    const len = Math.min(t.end[i]!, b) - Math.max(t.start[i]!, a);
    if (len > 0) time.set(t.state[i]!, (time.get(t.state[i]!) ?? 0) + len);
  }
  let best = -1;
  for (const [s, v] of time) if (best < 0 || v > time.get(best)! || (v === time.get(best) && s < best)) best = s;
  return best;
}

function runAt(runs: LodRuns, t: number): number {
  for (let k = 0; k < runs.length; k++) if (runs.start[k]! <= t && t < runs.end[k]!) return k;
  return -1;
}

/** Checks every pixel of [t1, t1 + px·res) whose middle lies in the row against brute force. */
function checkPixels(t: IntervalTable, lod: LodTable, row: number, t1: number, res: number, px: number): number {
  const runs = lod.queryAt(row, t1, t1 + px * res, res);
  const rowStart = t.start[t.rowOffset[row]!]!;
  const rowEnd = t.end[t.rowOffset[row + 1]! - 1]!;
  let checked = 0;
  for (let p = 0; p < px; p++) {
    const a = Math.max(t1 + p * res, rowStart);
    const b = Math.min(t1 + (p + 1) * res, rowEnd);
    if (b <= a) continue;
    const k = runAt(runs, (a + b) / 2);
    assert.ok(k >= 0, `pixel ${p} of row ${row} at res ${res} is covered`);
    assert.equal(runs.state[k], dominant(t, row, a, b), `pixel ${p} of row ${row} at res ${res} (t1 ${t1})`);
    checked++;
  }
  return checked;
}

test('dominant state per pixel equals brute force on aligned grids when every level is kept', () => {
  const t = randomTable(7, 6, 3000);
  const lod = LodTable.build(t, { shrink: 0 });
  assert.ok(lod.levels.length >= 5);
  const rand = rng(99);
  let checked = 0;
  for (const level of lod.levels) {
    const res = level.width;
    for (let row = 0; row < t.rowCount; row++) {
      const span = t.end[t.rowOffset[row + 1]! - 1]!;
      const t1 = Math.floor((rand() * span) / res) * res;
      checked += checkPixels(t, lod, row, t1, res, 200);
    }
  }
  assert.ok(checked > 1000, `${checked} pixels checked`);
});

test('below the finest level the raw intervals answer: exact on any grid', () => {
  const t = randomTable(3, 3, 2000);
  const lod = LodTable.build(t);
  const rand = rng(5);
  for (let row = 0; row < t.rowCount; row++) {
    const t1 = rand() * 1e7;
    assert.ok(checkPixels(t, lod, row, t1, 7.3, 300) > 0);
  }
});

test('a query returns about one run per pixel, contiguous, covering the window; pure runs are the intervals', () => {
  const t = randomTable(11, 4, 20000);
  const lod = LodTable.build(t);
  // The default shrink bounds all levels together to twice the raw table.
  assert.ok(lod.storedRuns <= 2 * t.length, `${lod.storedRuns} runs stored for ${t.length} intervals`);
  const rand = rng(1);
  for (let q = 0; q < 40; q++) {
    const row = q % t.rowCount;
    const rowStart = t.start[t.rowOffset[row]!]!;
    const rowEnd = t.end[t.rowOffset[row + 1]! - 1]!;
    const t1 = rowStart + rand() * (rowEnd - rowStart) * 0.5;
    const t2 = t1 + rand() * (rowEnd - t1);
    const px = 50 + Math.floor(rand() * 1500);
    const runs = lod.query(row, t1, t2, px);
    assert.ok(runs.length <= px + 2, `${runs.length} runs for ${px} pixels`);
    assert.equal(runs.start[0], Math.max(t1, rowStart));
    assert.equal(runs.end[runs.length - 1], Math.min(t2, rowEnd));
    for (let k = 0; k < runs.length; k++) {
      assert.ok(runs.end[k]! >= runs.start[k]!);
      if (k > 0) assert.equal(runs.start[k], runs.end[k - 1], 'contiguous');
      if (runs.mixed[k] === 0 && runs.end[k]! > runs.start[k]!) {
        const i = t.indexAt(row, (runs.start[k]! + runs.end[k]!) / 2);
        assert.equal(runs.state[k], t.state[i]);
        assert.equal(runs.arg[k], t.arg[i]);
      }
    }
  }
});

test('one interval per row and an empty window', () => {
  const b = new IntervalTableBuilder();
  const r = b.addRow(0, 3, 5, 6);
  const t = b.finish(1000);
  const lod = LodTable.build(t);
  const runs = lod.query(r, 100, 200, 10);
  assert.deepEqual([...runs.start, ...runs.end, ...runs.state, ...runs.arg, ...runs.aux, ...runs.mixed], [100, 200, 3, 5, 6, 0]);
  assert.equal(lod.query(r, 2000, 3000, 10).length, 0);
});

test('queryInto: several rows into one sink give each row its own runs (no merge across rows)', () => {
  // Rows that end and start at the same time in the same state: a run must not merge into the
  // previous row's last run, neither in the summaries nor in a query.
  // Row k lives over [k·100 000, (k+1)·100 000) (a thread ended, the next one started then).
  const b = new IntervalTableBuilder();
  const rows = [0, 1, 2].map((k) => b.addRow(k * 100_000, 2, 1, 1));
  for (const r of rows) {
    const base = r * 100_000;
    for (let t = 100; t < 90_000; t += 100 + r) b.set(r, base + t, Math.floor(t / 100) % 3, 1, 1);
    b.set(r, base + 90_000, 2, 1, 1);
    if (r < 2) b.endRow(r, base + 100_000);
  }
  const t = b.finish(300_000);
  const lod = LodTable.build(t, { shrink: 0, minLevel: 2 });
  for (const level of lod.levels) {
    for (let r = 0; r < t.rowCount; r++) {
      const lo = level.rowOffset[r]!;
      const hi = level.rowOffset[r + 1]!;
      assert.ok(hi > lo, `level ${level.width}: row ${r} has runs`);
      assert.equal(level.start[lo], r * 100_000, `level ${level.width}: row ${r} starts when it began`);
      assert.equal(level.end[hi - 1], (r + 1) * 100_000, `level ${level.width}: row ${r} ends when it ended`);
    }
  }
  const sink = new RunSink(t, 4);
  const rand = rng(17);
  for (let q = 0; q < 20; q++) {
    const t1 = rand() * 250_000;
    const t2 = t1 + rand() * (300_000 - t1);
    const res = 1 + rand() * 2000;
    sink.reset();
    const counts: number[] = [];
    for (const r of rows) {
      const before = sink.length;
      lod.queryInto(sink, r, t1, t2, res);
      counts.push(sink.length - before);
    }
    let o = 0;
    rows.forEach((r, k) => {
      const one = lod.queryAt(r, t1, t2, res);
      assert.equal(counts[k], one.length, `row ${r}`);
      for (let j = 0; j < one.length; j++) {
        assert.equal(sink.start[o + j], one.start[j]);
        assert.equal(sink.end[o + j], one.end[j]);
        assert.equal(sink.state[o + j], one.state[j]);
        assert.equal(t.arg[sink.rep[o + j]!], one.arg[j]);
        assert.equal(sink.mixed[o + j], one.mixed[j]);
      }
      o += one.length;
    });
  }
});
