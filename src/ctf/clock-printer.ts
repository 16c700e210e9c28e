/**
 * Wall-clock times as babeltrace2 prints them (`hh:mm:ss.nnnnnnnnn`, local time). Apart from the
 * event text formatter so that commands printing a few times do not load it.
 */
import { writeAscii, writePad9 } from './text-writer.js';

export const NS = 1_000_000_000;
/** The last second a JavaScript Date can represent (year 275760). */
export const MAX_DATE_SECONDS = 8.64e12;

/**
 * Wall-clock times as babeltrace2 prints them, with its handling of negative times: the first
 * one falls back to `-S.nnnnnnnnn` (with a warning on stderr); later ones print the clock time of
 * their absolute value (a babeltrace2 quirk, kept for identical output).
 */
export class ClockPrinter {
  private negativeSeen = false;
  private beyondWarned = false;
  private cachedSec = Number.NaN;
  private cachedHms = '';
  /** `cachedHms` (8 ASCII bytes) as two little-endian words, for `writeTime`. */
  private readonly hmsWords = new Uint32Array(2);

  constructor(private readonly warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {}

  /** `sec` and `ns` as floor division of the absolute ns time. */
  format(sec: number, ns: number): string {
    if (sec > MAX_DATE_SECONDS) return this.beyondCalendar(BigInt(sec), ns);
    if (sec >= 0) return `${this.hms(sec)}.${pad9(ns)}`;
    // C truncating division: |time| split into seconds and ns.
    let absSec = -sec;
    let absNs = ns;
    if (absNs > 0) {
      absSec -= 1;
      absNs = NS - absNs;
    }
    if (!this.negativeSeen) {
      this.negativeSeen = true;
      this.warn('[warning] Fallback to [sec.ns] to print negative time value. Use --clock-seconds.');
      return `-${absSec}.${pad9(absNs)}`;
    }
    return `${this.hms(absSec)}.${pad9(absNs)}`;
  }

  /** `format` written as bytes at `p` (a few dozen at most); returns the position after it. */
  writeTime(d: DataView, p: number, sec: number, ns: number): number {
    if (sec < 0 || sec > MAX_DATE_SECONDS) return writeAscii(d, p, this.format(sec, ns));
    if (sec !== this.cachedSec) this.hms(sec);
    d.setUint32(p, this.hmsWords[0]!, true);
    d.setUint32(p + 4, this.hmsWords[1]!, true);
    d.setUint8(p + 8, 46); // .
    return writePad9(d, p + 9, ns);
  }

  formatBig(t: bigint): string {
    let sec = t / 1_000_000_000n;
    let rem = t % 1_000_000_000n;
    if (rem < 0n) {
      rem += 1_000_000_000n;
      sec -= 1n;
    }
    if (sec > BigInt(MAX_DATE_SECONDS)) return this.beyondCalendar(sec, Number(rem));
    return this.format(Number(sec), Number(rem));
  }

  /**
   * Times past what a calendar can show (babeltrace2 refuses such traces: `funky_trace`'s clock
   * offset is 1.35e18 s) are printed as seconds since the origin, with a warning once.
   */
  private beyondCalendar(sec: bigint, ns: number): string {
    if (!this.beyondWarned) {
      this.beyondWarned = true;
      this.warn('tracelane: warning: timestamps are beyond any calendar date (huge clock offset); printed as seconds since the clock origin');
    }
    return `${sec}.${pad9(ns)}`;
  }

  private hms(sec: number): string {
    if (sec !== this.cachedSec) {
      const d = new Date(sec * 1000);
      this.cachedSec = sec;
      this.cachedHms = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
      const bytes = Buffer.from(this.cachedHms, 'latin1');
      this.hmsWords[0] = bytes.readUInt32LE(0);
      this.hmsWords[1] = bytes.readUInt32LE(4);
    }
    return this.cachedHms;
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad9(n: number): string {
  const s = String(n);
  return s.length >= 9 ? s : '000000000'.slice(s.length) + s;
}
