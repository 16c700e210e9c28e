/**
 * Elementary cycles of a small directed graph (a lock-order graph has a few nodes per lock):
 * strongly connected components (Tarjan), then, from each node in increasing order, the simple
 * paths back to it through larger nodes of its component, so each cycle is found once, starting
 * at its smallest node. `limit` caps the number of cycles (a dense graph has exponentially many).
 */
export function simpleCycles(nodes: Iterable<number>, succ: (n: number) => readonly number[], limit = 100): number[][] {
  const comp = components([...nodes], succ);
  const out: number[][] = [];
  const sorted = [...comp.keys()].sort((a, b) => a - b);
  for (const start of sorted) {
    const c = comp.get(start)!;
    const path = [start];
    const onPath = new Set([start]);
    const walk = (n: number): boolean => {
      for (const m of succ(n)) {
        if (comp.get(m) !== c || m < start) continue;
        if (m === start) {
          if (path.length > 1) out.push([...path]);
          if (out.length >= limit) return false;
          continue;
        }
        if (onPath.has(m)) continue;
        path.push(m);
        onPath.add(m);
        const go = walk(m);
        path.pop();
        onPath.delete(m);
        if (!go) return false;
      }
      return true;
    };
    if (!walk(start)) break;
  }
  return out;
}

/** Node → its strongly connected component's id (Tarjan, iterative). */
export function components(nodes: number[], succ: (n: number) => readonly number[]): Map<number, number> {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const comp = new Map<number, number>();
  const stack: number[] = [];
  const onStack = new Set<number>();
  let next = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: [number, number][] = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      const s = succ(v);
      if (i < s.length) {
        top[1]++;
        const w = s[i]!;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const u = work[work.length - 1]![0];
        low.set(u, Math.min(low.get(u)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        for (;;) {
          const w = stack.pop()!;
          onStack.delete(w);
          comp.set(w, v);
          if (w === v) break;
        }
      }
    }
  }
  return comp;
}
