/**
 * User-space events from text, for the analyses' unit tests (no trace files needed):
 *
 *   <time ns> <vpid>/<vtid> <event name> [field=value …] [.context=value …]
 *   100 7/12 lttng_ust_pthread:pthread_mutex_lock_req mutex=0x10 .ip=0x401000
 *
 * Values: integers (decimal or 0x…), `"strings"` or bare words (strings). Fields starting with
 * a dot go to the stream context, next to vpid and vtid. `#` starts a comment line.
 */
import type { StreamReader } from '../../ctf/stream-reader.js';

function value(text: string): string | number {
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  if (text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1);
  return text;
}

/** The events of the text, as stream-reader-like objects (one object per event). */
export function fakeEvents(text: string): StreamReader[] {
  const classes = new Map<string, { cls: { name: string } }>();
  const out: StreamReader[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const tokens = line.match(/"[^"]*"|\S+/g) ?? [];
    const [time, ids, name, ...fields] = tokens;
    if (time === undefined || ids === undefined || name === undefined) throw new Error(`bad event line: ${line}`);
    const [vpid, vtid] = ids.split('/').map(Number);
    const sc: Record<string, unknown> = { vpid, vtid };
    const pl: Record<string, unknown> = {};
    for (const f of fields) {
      const eq = f.indexOf('=');
      if (eq <= 0) throw new Error(`bad field "${f}" in: ${line}`);
      const k = f.slice(0, eq);
      const v = value(f.slice(eq + 1));
      if (k.startsWith('.')) sc[k.slice(1)] = v;
      else pl[k] = v;
    }
    let ec = classes.get(name);
    if (!ec) classes.set(name, (ec = { cls: { name } }));
    out.push({ eventClass: ec, time: Number(time), records: { ph: {}, pc: {}, eh: {}, sc, ec: {}, pl } } as unknown as StreamReader);
  }
  return out;
}
