import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntervalTableBuilder, type IntervalTable } from './interval-table.js';

function rows(t: IntervalTable, row: number): string[] {
  const out: string[] = [];
  for (let i = t.rowOffset[row]!; i < t.rowOffset[row + 1]!; i++) out.push(`${t.start[i]}-${t.end[i]}:${t.state[i]}/${t.arg[i]}/${t.aux[i]}`);
  return out;
}

test('state-system semantics: same value ignored, same timestamp overwrites, last write wins', () => {
  const b = new IntervalTableBuilder();
  const r = b.addRow(0, 0);
  b.set(r, 5, 1, -1, -1);
  b.set(r, 7, 1, -1, -1); // same value: nothing
  b.set(r, 10, 2, -1, -1);
  b.set(r, 10, 3, -1, -1); // same timestamp: overwrites
  b.set(r, 12, 4, 7, 1);
  b.set(r, 12, 3, -1, -1); // back to the previous value at the same time: re-opens [10, …)
  b.set(r, 20, 5, -1, -1);
  const t = b.finish(30);
  assert.deepEqual(rows(t, r), ['0-5:0/-1/-1', '5-10:1/-1/-1', '10-20:3/-1/-1', '20-30:5/-1/-1']);
});

test('rows are grouped, open intervals closed at the end, a last zero-length interval kept', () => {
  const b = new IntervalTableBuilder();
  const a = b.addRow(0, 1);
  const c = b.addRow(0, 0);
  b.set(c, 3, 2, 0, 0);
  b.set(a, 4, 2, 0, 0);
  b.set(c, 6, 1, 0, 0);
  b.set(a, 10, 3, 0, 0);
  const t = b.finish(10);
  assert.equal(t.rowCount, 2);
  assert.deepEqual(rows(t, a), ['0-4:1/-1/-1', '4-10:2/0/0', '10-10:3/0/0']);
  assert.deepEqual(rows(t, c), ['0-3:0/-1/-1', '3-6:2/0/0', '6-10:1/0/0']);
  assert.equal(t.indexAt(a, 10), t.rowOffset[a]! + 2, 'the end instant belongs to the last interval');
  assert.equal(t.indexAt(a, 3.5), t.rowOffset[a]!);
  assert.equal(t.indexAt(c, 6), t.rowOffset[c]! + 2);
  assert.equal(t.indexAt(c, 11), -1);
  assert.deepEqual([...t.indexesAt(4)], [t.rowOffset[a]! + 1, t.rowOffset[c]! + 1]);
  const seen: string[] = [];
  t.forEachIn(c, 2, 7, (i, from, to) => seen.push(`${t.state[i]}:${from}-${to}`));
  assert.deepEqual(seen, ['0:2-3', '2:3-6', '1:6-7']);
});

test('query at a resolution: long intervals exact, short ones summarised per pixel bucket', () => {
  const b = new IntervalTableBuilder();
  const r = b.addRow(0, 1);
  // 0–100 state 1; then 100 alternations of 1 ns between states 2 and 3; then 3 until 1000.
  for (let t = 100; t < 200; t++) b.set(r, t, t % 2 === 0 ? 2 : 3, -1, -1);
  b.set(r, 200, 4, -1, -1);
  const table = b.finish(1000);
  const exact = table.query(r, 0, 1000, 1);
  assert.equal(exact.length, 102);
  assert.ok([...exact.count].every((c) => c === 1));
  const coarse = table.query(r, 0, 1000, 50);
  // 0–100 exact; the 100–200 flicker summarised into ≤ 2 runs; 200–1000 exact.
  assert.ok(coarse.length <= 4, `${coarse.length} runs`);
  assert.equal(coarse.start[0], 0);
  assert.equal(coarse.end[0], 100);
  assert.equal(coarse.state[coarse.length - 1], 4);
  assert.equal(coarse.end[coarse.length - 1], 1000);
  let covered = 0;
  for (let i = 0; i < coarse.length; i++) covered += coarse.end[i]! - coarse.start[i]!;
  assert.equal(covered, 1000);
  assert.equal([...coarse.count].reduce((s, c) => s + c, 0), 102);
  // A window in the middle is clipped to it.
  const mid = table.query(r, 50, 150, 1);
  assert.equal(mid.start[0], 50);
  assert.equal(mid.end[mid.length - 1], 150);
});

/** The state-system semantics written the plain way: one object per interval. */
class ReferenceTable {
  rows: { start: number; end: number; state: number; arg: number; aux: number }[][] = [];
  open: { start: number; state: number; arg: number; aux: number }[] = [];
  ended: boolean[] = [];

  addRow(start: number, state: number): number {
    this.rows.push([]);
    this.open.push({ start, state, arg: -1, aux: -1 });
    this.ended.push(false);
    return this.rows.length - 1;
  }

  set(r: number, t: number, state: number, arg: number, aux: number): void {
    const o = this.open[r]!;
    if (this.ended[r] || (o.state === state && o.arg === arg && o.aux === aux)) return;
    const closed = this.rows[r]!;
    if (t <= o.start) {
      const p = closed[closed.length - 1];
      if (p && p.state === state && p.arg === arg && p.aux === aux) {
        closed.pop();
        o.start = p.start;
      }
    } else {
      closed.push({ ...o, end: t });
      o.start = t;
    }
    Object.assign(o, { state, arg, aux });
  }

  endRow(r: number, t: number): void {
    if (this.ended[r]) return;
    const o = this.open[r]!;
    this.rows[r]!.push({ ...o, end: Math.max(t, o.start) });
    this.ended[r] = true;
  }

  finish(end: number): string[][] {
    return this.rows.map((closed, r) => {
      const all = this.ended[r] ? closed : [...closed, { ...this.open[r]!, end: Math.max(this.open[r]!.start, end) }];
      return all.map((i) => `${i.start}-${i.end}:${i.state}/${i.arg}/${i.aux}`);
    });
  }
}

test('many rows over segment and page boundaries: same intervals as the plain model', () => {
  // A deterministic pseudo-random sequence (no dependency on Math.random).
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const b = new IntervalTableBuilder();
  const ref = new ReferenceTable();
  const ids: number[] = [];
  let t = 0;
  for (let step = 0; step < 300_000; step++) {
    while (ids.length < 3 || rand(1000) === 0) {
      const r = b.addRow(t, 0);
      assert.equal(ref.addRow(t, 0), r);
      ids.push(r);
    }
    // A few busy rows take most changes (as CPUs and running threads do), the others some.
    const r = rand(4) === 0 ? ids[rand(ids.length)]! : ids[rand(3)]!;
    if (rand(500) === 0) {
      b.endRow(r, t);
      ref.endRow(r, t);
      continue;
    }
    // Same timestamp now and then (overwrites and re-opens), otherwise time moves on.
    if (rand(3) !== 0) t += 1 + rand(5);
    const state = rand(4);
    const arg = rand(3) - 1;
    const aux = rand(2) - 1;
    b.set(r, t, state, arg, aux);
    ref.set(r, t, state, arg, aux);
  }
  const table = b.finish(t + 10);
  const expected = ref.finish(t + 10);
  assert.equal(table.rowCount, expected.length);
  for (let r = 0; r < expected.length; r++) assert.deepEqual(rows(table, r), expected[r], `row ${r}`);
  assert.throws(() => b.finish(t + 20), /twice/);
});
