/**
 * CTF 2 log-level names → the numbers TSDL `loglevel` uses, so both front ends agree.
 *
 * The names are the ones lttng-tools writes in the `lttng.org,2009` attributes
 * (ctf2-trace-class-visitor.cpp: 0 → "emergency" … 13 → "debug:line", 14 → "debug"); the
 * Trace Compass draft traces use the same names under `babeltrace.org,2020`.
 */
const LOG_LEVELS: ReadonlyMap<string, number> = new Map([
  ['emergency', 0],
  ['alert', 1],
  ['critical', 2],
  ['error', 3],
  ['warning', 4],
  ['notice', 5],
  ['info', 6],
  ['debug:system', 7],
  ['debug:program', 8],
  ['debug:process', 9],
  ['debug:module', 10],
  ['debug:unit', 11],
  ['debug:function', 12],
  ['debug:line', 13],
  ['debug', 14],
]);

export function logLevelNumber(name: string): number | undefined {
  return LOG_LEVELS.get(name);
}
