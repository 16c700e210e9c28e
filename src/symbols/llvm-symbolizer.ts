/**
 * Source lines through LLVM's `llvm-symbolizer`: one batch per binary, addresses on stdin,
 * one JSON line per address on stdout (`--output-style=JSON`, LLVM ≥ 13), inlined frames
 * included. Why this tool rather than binutils' `addr2line` or a JavaScript DWARF reader: see
 * the README ("How source lines are resolved").
 *
 *   "0x2349\n0x2448\n" ─► llvm-symbolizer --obj=libhello-so ─► [{Symbol:[inlined…, outermost]}, …]
 *
 * Two name styles are asked for: `short` (DWARF `DW_AT_name`, e.g. `lock`, what babeltrace2
 * prints) and `linkage` demangled (`(anonymous namespace)::TracedMutex::lock()`, for people).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** One frame of a resolved address; frames go from the innermost inlined one outwards. */
export interface SymbolFrame {
  function: string;
  /** Source file as recorded in DWARF (often absolute); '' when unknown. */
  file: string;
  /** 0 when unknown. */
  line: number;
  column: number;
  /** Start address of the function (only for real, not inlined, functions with a low_pc). */
  start?: number;
}

interface JsonFrame {
  FunctionName?: string;
  FileName?: string;
  Line?: number;
  Column?: number;
  StartAddress?: string;
}

export class LlvmSymbolizer {
  /** Problems met (a binary it could not read, a crash): shown once by the CLI. */
  readonly problems: string[] = [];

  constructor(readonly command: string) {}

  /**
   * The `llvm-symbolizer` on PATH (or a versioned `llvm-symbolizer-N`, as Debian's llvm-N
   * packages install it), or `$TRACELANE_LLVM_SYMBOLIZER`; undefined when there is none.
   */
  static find(env: NodeJS.ProcessEnv = process.env): LlvmSymbolizer | undefined {
    const forced = env['TRACELANE_LLVM_SYMBOLIZER'];
    if (forced !== undefined) return forced === '' || !isExecutable(forced) ? undefined : new LlvmSymbolizer(forced);
    const dirs = (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
    const names = ['llvm-symbolizer'];
    for (let v = 30; v >= 10; v--) names.push(`llvm-symbolizer-${v}`);
    for (const name of names) {
      for (const dir of dirs) {
        const p = join(dir, name);
        if (isExecutable(p)) return new LlvmSymbolizer(p);
      }
    }
    return undefined;
  }

  /** Frames for each address of `obj` (file addresses: offsets for PIC objects). */
  symbolize(obj: string, addrs: readonly number[], names: 'short' | 'linkage'): SymbolFrame[][] {
    if (addrs.length === 0) return [];
    const args = ['--output-style=JSON', '--inlines', `--functions=${names}`, names === 'linkage' ? '--demangle' : '--no-demangle', `--obj=${obj}`];
    const res = spawnSync(this.command, args, {
      input: addrs.map((a) => `0x${a.toString(16)}`).join('\n') + '\n',
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      // Never fetch debug files over the network (LLVM's debuginfod client reads this).
      env: { ...process.env, DEBUGINFOD_URLS: '' },
    });
    if (res.error || res.status !== 0) {
      this.problems.push(`${this.command} failed on ${obj}: ${res.error?.message ?? (res.stderr || `exit code ${res.status}`).trim()}`);
      return addrs.map(() => []);
    }
    const lines = res.stdout.split('\n').filter((l) => l.startsWith('{'));
    return addrs.map((_, i) => parseLine(lines[i]));
  }
}

function parseLine(line: string | undefined): SymbolFrame[] {
  if (line === undefined) return [];
  let obj: { Symbol?: JsonFrame[]; Error?: unknown };
  try {
    obj = JSON.parse(line) as { Symbol?: JsonFrame[] };
  } catch {
    return [];
  }
  const frames: SymbolFrame[] = [];
  for (const f of obj.Symbol ?? []) {
    const fn = f.FunctionName ?? '';
    const file = f.FileName ?? '';
    if (fn === '' && file === '') continue;
    const frame: SymbolFrame = { function: fn, file, line: f.Line ?? 0, column: f.Column ?? 0 };
    if (f.StartAddress) frame.start = Number.parseInt(f.StartAddress, 16);
    frames.push(frame);
  }
  return frames;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
