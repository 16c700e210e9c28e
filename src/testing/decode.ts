/** Decoding whole traces in-process, for tests: every event of every stream, every field. */
import { TraceSet } from '../ctf/trace-set.js';
import type { StreamNotice } from '../ctf/stream-reader.js';

export interface DecodeSummary {
  events: number;
  notices: StreamNotice[];
  set: TraceSet;
}

/** Opens and decodes everything; throws the first problem (as the CLI would report it). */
export function decodeAll(paths: string[]): DecodeSummary {
  const set = TraceSet.open(paths);
  const notices: StreamNotice[] = [];
  const muxer = set.muxer({ onNotice: (n) => notices.push(n) });
  let events = 0;
  while (muxer.next()) events++;
  const problem = set.problems[0];
  if (problem) throw problem.error;
  return { events, notices, set };
}
