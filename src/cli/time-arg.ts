/**
 * Time arguments (`--begin`, `--end`, `--at`): absolute nanoseconds since the epoch
 * (`1539809784960232612`), a time of day in the trace's first day (`hh:mm:ss[.nnnnnnnnn]`,
 * local time like the text output), or an offset from the trace start (`+1.5s`, `+200ms`,
 * `+35us`, `+10ns`, `+2` = seconds).
 */
import { UsageError } from '../util/errors.js';

const UNITS: Record<string, bigint> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n, ns: 1n, '': 1_000_000_000n };

/** Parses a decimal like "1.5" times a unit in ns, exactly. */
function decimalTimes(text: string, unit: bigint): bigint {
  const [whole, frac = ''] = text.split('.') as [string, string?];
  const scale = 10n ** BigInt(frac.length);
  return (BigInt(whole || '0') * scale + BigInt(frac || '0')) * unit / scale;
}

/** Absolute ns since the epoch for a time argument; `start` is the trace's first timestamp. */
export function parseTimeArg(text: string, start: bigint, option: string): bigint {
  const t = text.trim();
  let m = /^\+(\d+(?:\.\d+)?)(s|ms|us|ns)?$/.exec(t);
  if (m) return start + decimalTimes(m[1]!, UNITS[m[2] ?? '']!);
  m = /^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(t);
  if (m) {
    const day = new Date(Number(start / 1_000_000n));
    day.setHours(Number(m[1]), Number(m[2]), Number(m[3]), 0);
    const frac = BigInt((m[4] ?? '').padEnd(9, '0') || '0');
    return BigInt(day.getTime()) * 1_000_000n + frac;
  }
  if (/^-?\d+$/.test(t)) return BigInt(t);
  throw new UsageError(
    `${option}: cannot read time "${text}" (use ns since the epoch, hh:mm:ss.nnnnnnnnn, or +1.5s from the trace start)`,
  );
}
