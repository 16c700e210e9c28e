/**
 * `sched_switch.prev_state` → what happened to the thread leaving the CPU. The number's meaning
 * depends on the kernel and on the tracer:
 *
 * - raw `p->state` (kernels before 4.14, and lttng-modules before the fix of 2019 on 4.14+):
 *   S=1 D=2 T=4 t=8, EXIT_DEAD=16 EXIT_ZOMBIE=32, TASK_DEAD=64 (128 from 4.14), TASK_PARKED=512
 *   (64 from 4.14), TASK_NOLOAD=1024 (TASK_IDLE = 1026); a preempted task is reported as
 *   TASK_RUNNING | TASK_STATE_MAX (1024, 2048 or 4096 depending on the kernel).
 * - the kernel's "report" encoding (kernels 4.14+ through perf, lttng-modules 2.9.15, 2.10.12,
 *   2.11.0 final and 2.12+): one bit per state, R=0 S=1 D=2 T=4 t=8 X=16 Z=32 P=64 I=128,
 *   preempted = TASK_REPORT_MAX (256).
 *
 * Trace Compass masks with 1023 and tests 3 then 64 (OSL/.../ProcessStatus.java), which is right
 * for raw states before 4.14 but turns 4.14+ TASK_DEAD (128) into "wait" and TASK_PARKED (64)
 * into "dead", and reads the report encoding's idle kworkers (I=128) as "wait". We decode by
 * encoding instead. lttng-modules 2.11.0 was also the version number of its release candidates,
 * which still wrote raw states: for it the encoding is decided by the first value only one
 * encoding can produce (≥ 1024: raw; 16, 32, 256: report).
 */
import { PrevState } from './canonical.js';

export type PrevStateEncoding = 'raw' | 'raw-4.14' | 'report' | 'auto-4.14';

/** "4.18.14-arch1-1-ARCH" → [4, 18]; undefined when unreadable. */
export function kernelVersion(release: string | undefined): [number, number] | undefined {
  const m = release ? /^(\d+)\.(\d+)/.exec(release) : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function atLeast(v: [number, number] | undefined, major: number, minor: number): boolean {
  return v !== undefined && (v[0] > major || (v[0] === major && v[1] >= minor));
}

/** The encoding of an LTTng kernel trace, from its `kernel_release` and lttng-modules version. */
export function lttngPrevStateEncoding(kernelRelease: string | undefined, tracer: [number, number, number]): PrevStateEncoding {
  const k = kernelVersion(kernelRelease);
  if (k === undefined) return 'auto-4.14';
  if (!atLeast(k, 4, 14)) return 'raw';
  const [maj, min, patch] = tracer;
  if (maj > 2 || (maj === 2 && min >= 12)) return 'report';
  if (maj === 2 && min === 11) return patch >= 1 ? 'report' : 'auto-4.14';
  if (maj === 2 && min === 10) return patch >= 12 ? 'report' : 'raw-4.14';
  if (maj === 2 && min === 9) return patch >= 15 ? 'report' : 'raw-4.14';
  return 'raw-4.14';
}

/** perf writes what the kernel's tracepoint records. */
export function perfPrevStateEncoding(kernelRelease: string | undefined): PrevStateEncoding {
  const k = kernelVersion(kernelRelease);
  if (k === undefined) return 'auto-4.14';
  return atLeast(k, 4, 14) ? 'report' : 'raw';
}

function decodeRaw(v: number, dead: number, parked: number): number {
  const low = v & 1023;
  if (low & 3) return PrevState.BLOCKED;
  if (low & dead) return PrevState.DEAD;
  if (low & (16 | 32)) return PrevState.DEAD;
  if (low & parked) return PrevState.BLOCKED;
  if (low & (4 | 8)) return PrevState.OTHER;
  return low === 0 ? PrevState.RUNNABLE : PrevState.OTHER;
}

function decodeReport(v: number): number {
  if (v === 0 || v & 256) return PrevState.RUNNABLE;
  if (v & (1 | 2 | 64 | 128)) return PrevState.BLOCKED;
  if (v & (16 | 32)) return PrevState.DEAD;
  return PrevState.OTHER;
}

export class PrevStateDecoder {
  constructor(public encoding: PrevStateEncoding) {}

  decode(v: number): number {
    switch (this.encoding) {
      case 'raw':
        return decodeRaw(v, 64, 512);
      case 'raw-4.14':
        return decodeRaw(v, 128, 64);
      case 'report':
        return decodeReport(v);
      case 'auto-4.14':
        if (v >= 1024) this.encoding = 'raw-4.14';
        else if (v === 16 || v === 32 || v === 256) this.encoding = 'report';
        else if (v === 128) return PrevState.BLOCKED; // TASK_DEAD (raw) or idle (report): not decided yet
        else return decodeReport(v); // 0, 1, 2, 4, 8, 64 mean the same in both (from 4.14)
        return this.decode(v);
    }
  }
}

/** Parses the fixture notation: a letter (R S D T t X Z P I, R+ = preempted) or a raw number. */
export function prevStateFromLetter(s: string): number | undefined {
  switch (s) {
    case 'R':
    case 'R+':
      return PrevState.RUNNABLE;
    case 'S':
    case 'D':
    case 'I':
    case 'P':
      return PrevState.BLOCKED;
    case 'X':
    case 'Z':
      return PrevState.DEAD;
    case 'T':
    case 't':
      return PrevState.OTHER;
    default:
      return undefined;
  }
}
