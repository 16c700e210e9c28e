/**
 * Flame graphs: folded stacks (`a;b;c 1234`, Brendan Gregg's format, one line per stack with
 * its self time) and a self-contained SVG, drawn here from the call tree.
 *
 *   ┌──────────┐┌─────┐        y: depth (root at the bottom)
 *   │ sum_primes││ lock│        x: inclusive time; siblings sorted by name, as flamegraph.pl
 *   ├──────────┴┴─────┴──┐     width ∝ time; frames under 0.1 px are left out; every frame
 *   │ worker_main         │     has a tooltip (<title>) with its time, share and calls
 *   ├─────────────────────┤
 *   │ all                 │
 *   └─────────────────────┘
 */

/** A frame of the tree to draw: `total` includes the children, `self` does not. */
export interface FlameNode {
  name: string;
  total: number;
  self: number;
  calls: number;
  children: FlameNode[];
}

/** Folded-stack lines, one per path with self time > 0 (frames joined by `;`). */
export function foldedStacks(roots: FlameNode[]): string[] {
  const out: string[] = [];
  const path: string[] = [];
  const visit = (n: FlameNode) => {
    path.push(n.name.replace(/[;\n]/g, ':'));
    if (n.self > 0) out.push(`${path.join(';')} ${Math.round(n.self)}`);
    for (const c of n.children) visit(c);
    path.pop();
  };
  for (const r of roots) visit(r);
  return out;
}

export interface FlameSvgOptions {
  title?: string;
  /** Width of the image in px (default 1200). */
  width?: number;
  /** Formats a time for tooltips (default: ns). */
  formatTime?: (ns: number) => string;
}

const FRAME_H = 16;
/** Average advance of a 12 px Verdana/DejaVu Sans character, to decide what text fits. */
const CHAR_W = 7;
const PAD_X = 10;
const TITLE_H = 36;
const MIN_WIDTH = 0.1;

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** flamegraph.pl's "hot" palette, made stable per name (a hash instead of random numbers). */
function colour(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  const v1 = ((h >>> 0) % 1000) / 1000;
  const v2 = ((h >>> 10) % 1000) / 1000;
  const v3 = ((h >>> 20) % 1000) / 1000;
  return `rgb(${205 + Math.round(50 * v3)},${Math.round(230 * v1)},${Math.round(55 * v2)})`;
}

function depthOf(n: FlameNode): number {
  let d = 0;
  for (const c of n.children) d = Math.max(d, depthOf(c));
  return d + 1;
}

/** The SVG document of a flame graph over `root` (its total is the full width). */
export function flameGraphSvg(root: FlameNode, opts: FlameSvgOptions = {}): string {
  const width = opts.width ?? 1200;
  const fmt = opts.formatTime ?? ((ns: number) => `${Math.round(ns)} ns`);
  const depth = depthOf(root);
  const height = TITLE_H + depth * FRAME_H + 2 * PAD_X;
  const scale = root.total > 0 ? (width - 2 * PAD_X) / root.total : 0;
  const out: string[] = [];
  out.push(
    '<?xml version="1.0" standalone="no"?>',
    `<svg version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`,
    '<style>text { font-family: Verdana, "DejaVu Sans", sans-serif; font-size: 12px; fill: #000; } .title { font-size: 17px; } rect:hover { stroke: #000; stroke-width: 0.5; }</style>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#f8f8f8"/>`,
    `<text class="title" x="${width / 2}" y="24" text-anchor="middle">${escapeXml(opts.title ?? 'Flame graph')}</text>`,
  );
  const draw = (n: FlameNode, x: number, level: number) => {
    const w = n.total * scale;
    if (w < MIN_WIDTH) return;
    const y = height - PAD_X - (level + 1) * FRAME_H;
    const share = root.total > 0 ? ((100 * n.total) / root.total).toFixed(2) : '0.00';
    const tip = `${n.name} — ${fmt(n.total)} (${share} %), self ${fmt(n.self)}, ${n.calls} call${n.calls === 1 ? '' : 's'}`;
    out.push(`<g><title>${escapeXml(tip)}</title>`);
    out.push(`<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${FRAME_H - 1}" rx="2" fill="${colour(n.name)}"/>`);
    const fit = Math.floor((w - 6) / CHAR_W);
    if (fit >= 3) {
      const text = n.name.length <= fit ? n.name : `${n.name.slice(0, fit - 2)}..`;
      out.push(`<text x="${(x + 3).toFixed(2)}" y="${y + FRAME_H - 4}">${escapeXml(text)}</text>`);
    }
    out.push('</g>');
    let cx = x;
    for (const c of [...n.children].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      draw(c, cx, level + 1);
      cx += c.total * scale;
    }
  };
  draw(root, PAD_X, 0);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
