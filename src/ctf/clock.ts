/**
 * Clock cycles → nanoseconds from the clock's origin, computed the way babeltrace2 does (so that
 * printed timestamps match to the nanosecond):
 *
 *   offset normalised: offset_s += floor(offset / freq), offset %= freq
 *   ns = offset_s * 1e9 + cyc_to_ns(offset) + cyc_to_ns(value)
 *   cyc_to_ns(v) = v                              when freq = 1 GHz
 *                = trunc(1e9 * double(v) / freq)  otherwise (double precision, as babeltrace)
 *
 * Inside the reader, times are `number` nanoseconds relative to the trace set's origin (a bigint
 * chosen near the first timestamp), exact as long as the trace spans less than 104 days.
 */
import type { ClockClass } from './model.js';

const NS_PER_S = 1_000_000_000n;
const TWO_32 = 4294967296;

export function cyclesToNsBig(freq: bigint, cycles: bigint): bigint {
  if (freq === NS_PER_S) return cycles;
  const d = (1e9 * Number(cycles)) / Number(freq);
  return BigInt(Math.trunc(d));
}

/** ns from origin of cycle 0 of this clock (babeltrace's normalisation). */
export function clockBaseNs(clock: ClockClass): bigint {
  let seconds = clock.offsetSeconds;
  let cycles = clock.offsetCycles;
  const freq = clock.frequency;
  if (cycles >= freq || cycles < 0n) {
    const whole = cycles >= 0n ? cycles / freq : -((-cycles + freq - 1n) / freq);
    seconds += whole;
    cycles -= whole * freq;
  }
  return seconds * NS_PER_S + cyclesToNsBig(freq, cycles);
}

/** Converts a stream's clock value (two uint32 halves) to ns relative to the trace set origin. */
export class ClockConverter {
  readonly baseNs: bigint;
  private readonly fastPath: boolean;
  private readonly freq: number;
  /** The reference cycle value (halves) and its time relative to the origin. */
  private refHi = 0;
  private refLo = 0;
  private refRel = 0;
  /** For the slow path: base - origin. */
  private baseRel = 0;

  constructor(readonly clock: ClockClass) {
    this.baseNs = clockBaseNs(clock);
    this.fastPath = clock.frequency === NS_PER_S;
    this.freq = Number(clock.frequency);
  }

  /** Absolute ns from origin of a raw cycle value. */
  absoluteNs(cycles: bigint): bigint {
    return this.baseNs + cyclesToNsBig(this.clock.frequency, cycles);
  }

  /**
   * Fixes the origin that relative times are measured from, and a reference cycle value near
   * the data (so that the subtraction below stays exact even with huge raw cycle counts).
   */
  setOrigin(origin: bigint, referenceCycles: bigint): void {
    this.refHi = Number(referenceCycles >> 32n);
    this.refLo = Number(referenceCycles & 0xffffffffn);
    this.refRel = Number(this.absoluteNs(referenceCycles) - origin);
    this.baseRel = Number(this.baseNs - origin);
  }

  /** ns relative to the origin. */
  toRel(hi: number, lo: number): number {
    if (this.fastPath) return (hi - this.refHi) * TWO_32 + (lo - this.refLo) + this.refRel;
    const v = hi * TWO_32 + lo;
    return this.baseRel + Math.trunc((1e9 * v) / this.freq);
  }
}
