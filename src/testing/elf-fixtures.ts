/**
 * ELF fixtures for the symbol tests, built on the fly from our own small C library:
 *
 *   dwarf-full/libdemo.so   -g, build ID                  (function, offset and line)
 *   elf-only/libdemo.so     no -g, no build ID            (function and offset only)
 *   build-id/libdemo.so     stripped; its DWARF in .build-id/xx/yyyy.debug
 *   debug-link/libdemo.so   stripped; its DWARF in libdemo.so.debug, named by .gnu_debuglink
 *
 * Needs gcc and binutils (installed with the C++ toolchain `.ci/run` installs).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Line numbers below are those of the calls in SOURCE (1-based). */
export const SOURCE = `int counter;

__attribute__((noinline)) int alpha(int x)
{
	counter += x;
	return counter * 3;
}

__attribute__((noinline)) int beta(int y)
{
	int r = alpha(y + 1);
	return r - 7;
}
`;
export const ALPHA_LINE = 5;
export const BETA_CALL_LINE = 11;

export interface ElfFixtures {
  root: string;
  /** Build ID of the library with DWARF (hex). */
  buildId: string;
  /** Offsets of functions in each variant's library (from `nm`), by folder name. */
  symbols: Map<string, Map<string, number>>;
}

function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function buildElfFixtures(): ElfFixtures {
  const root = mkdtempSync(join(tmpdir(), 'tracelane-elf-'));
  const src = join(root, 'libdemo.c');
  writeFileSync(src, SOURCE);
  const dirs = ['dwarf-full', 'elf-only', 'build-id', 'debug-link'].map((d) => join(root, d));
  for (const d of dirs) mkdirSync(d);
  const [full, elfOnly, byId, byLink] = dirs as [string, string, string, string];
  const gcc = (out: string, extra: string[]) => run('gcc', ['-O1', '-fPIC', '-shared', ...extra, '-o', out, src]);
  gcc(join(full, 'libdemo.so'), ['-g', '-Wl,--build-id=sha1']);
  gcc(join(elfOnly, 'libdemo.so'), ['-Wl,--build-id=none']);
  const notes = run('readelf', ['-n', join(full, 'libdemo.so')]);
  const buildId = /Build ID: ([0-9a-f]+)/.exec(notes)?.[1];
  if (!buildId) throw new Error('no build ID in the fixture library');
  // Separate debug file found by build ID.
  gcc(join(byId, 'libdemo.so'), ['-g', '-Wl,--build-id=sha1']);
  const idDir = join(byId, '.build-id', buildId.slice(0, 2));
  mkdirSync(idDir, { recursive: true });
  run('objcopy', ['--only-keep-debug', join(byId, 'libdemo.so'), join(idDir, `${buildId.slice(2)}.debug`)]);
  run('objcopy', ['--strip-debug', join(byId, 'libdemo.so')]);
  // Separate debug file found by debug link.
  gcc(join(byLink, 'libdemo.so'), ['-g', '-Wl,--build-id=none']);
  run('objcopy', ['--only-keep-debug', 'libdemo.so', 'libdemo.so.debug'], byLink);
  run('objcopy', ['--strip-debug', '--add-gnu-debuglink=libdemo.so.debug', 'libdemo.so'], byLink);
  const symbols = new Map<string, Map<string, number>>();
  for (const dir of dirs) {
    const table = new Map<string, number>();
    for (const line of run('nm', ['--defined-only', join(dir, 'libdemo.so')]).split('\n')) {
      const m = /^([0-9a-f]+) [Tt] (\w+)$/.exec(line.trim());
      if (m) table.set(m[2]!, parseInt(m[1]!, 16));
    }
    symbols.set(dir.slice(root.length + 1), table);
  }
  return { root, buildId, symbols };
}

/**
 * The fixtures, or (outside CI, where a compiler may be missing) the reason they could not be
 * built: the tests then skip with that reason.
 */
export function elfFixturesOrSkip(): { fx?: ElfFixtures; skip: string | false } {
  try {
    return { fx: buildElfFixtures(), skip: false };
  } catch (e) {
    if (process.env['CI'] === 'true') throw e;
    const why = `cannot build ELF fixtures (gcc and binutils needed): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    process.stderr.write(`notice: ${why}\n`);
    return { skip: why };
  }
}
