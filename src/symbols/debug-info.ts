/**
 * babeltrace2's `--debug-info` for a whole trace set: the `ip` context of every event resolved
 * to `{ bin, func, src }` through the process maps at that point of the trace. Used to check our
 * symbolization against babeltrace2 and by anything that prints per-event code locations.
 */
import type { TraceSet } from '../ctf/trace-set.js';
import { isMapEvent, ProcessMaps, toNumber, type CodeLocation } from './process-maps.js';
import { SymbolResolver, type ResolvedAddress, type SymbolOptions } from './resolver.js';

export interface EventDebugInfo {
  /** Index of the event in the merged order. */
  index: number;
  name: string;
  vpid: number;
  ip: number;
  /** Undefined when no mapping held the address at that time. */
  where: ResolvedAddress | undefined;
}

/** Every event having `vpid` and `ip` contexts (babeltrace2 needs both), in time order. */
export function eventDebugInfo(set: TraceSet, opts: SymbolOptions = {}): { events: EventDebugInfo[]; resolver: SymbolResolver } {
  const maps = new ProcessMaps();
  const resolver = new SymbolResolver(opts);
  const pending: { e: EventDebugInfo; loc: CodeLocation | undefined }[] = [];
  const muxer = set.muxer();
  let index = 0;
  while (muxer.next()) {
    const r = muxer.current!;
    const name = r.eventClass.cls.name;
    const sc = r.records.sc;
    const vpid = sc['vpid'];
    const ip = sc['ip'];
    // As babeltrace2: a statedump event updates the maps first, then is decorated itself.
    if (isMapEvent(name)) maps.apply(name, typeof vpid === 'number' ? vpid : -1, r.records.pl);
    if (typeof vpid === 'number' && ip !== undefined) {
      const addr = toNumber(ip);
      pending.push({ e: { index, name, vpid, ip: addr, where: undefined }, loc: maps.locate(vpid, addr) });
    }
    index++;
  }
  resolver.resolveAll(pending.flatMap((p) => (p.loc ? [p.loc] : [])));
  for (const p of pending) p.e.where = p.loc ? resolver.get(p.loc) : undefined;
  return { events: pending.map((p) => p.e), resolver };
}
