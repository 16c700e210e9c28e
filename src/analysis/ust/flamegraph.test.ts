import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flameGraphSvg, type FlameNode } from './flamegraph.js';

const leaf = (name: string, total: number): FlameNode => ({ name, total, self: total, calls: 1, children: [] });

test('the SVG has one frame per node wider than 0.1 px, widths proportional to time', () => {
  const root: FlameNode = {
    name: 'all',
    total: 1000,
    self: 0,
    calls: 0,
    children: [{ name: 'main <&>', total: 1000, self: 100, calls: 1, children: [leaf('b', 600), leaf('a', 300), leaf('tiny', 0.01)] }],
  };
  const svg = flameGraphSvg(root, { width: 1020, title: 'T' });
  const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="(\d+)" width="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
  // Background is the first rect (no x attr match for it: it has x="0").
  const frames = rects.filter((r) => r[1]! < 1000 && r[2]! < 1020);
  assert.equal(frames.length, 4);
  const [all, main, a, b] = frames;
  assert.deepEqual(all, [10, all![1], 1000]);
  assert.equal(main![2], 1000);
  // Children sorted by name: a (300) then b (600), stacked one level up.
  assert.deepEqual([a![0], a![2]], [10, 300]);
  assert.deepEqual([b![0], b![2]], [310, 600]);
  assert.equal(a![1], main![1] - 16);
  assert.ok(svg.includes('main &lt;&amp;&gt;'));
  assert.ok(!svg.includes('tiny'));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
});
