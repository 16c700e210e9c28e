/**
 * What the tests that record real traces share: whether this machine can record (the lttng
 * tools, a compiler, the LTTng-UST headers or a helper library), and the rule that in CI a
 * missing tool is a failure, elsewhere a one-line notice and a skip.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { findExecutable } from '../record/system.js';

const UST_HEADERS = ['/usr/include/lttng/tracepoint.h', '/usr/include/x86_64-linux-gnu/lttng/tracepoint.h', '/usr/include/aarch64-linux-gnu/lttng/tracepoint.h'];

/**
 * Why a program cannot be built and recorded here (undefined: it can): the lttng client and
 * session daemon, `compiler` and make, and `files` (any one of each list) with their package.
 */
export function missingRecordingTools(compiler: 'gcc' | 'g++', files: { anyOf: string[]; what: string }[] = [{ anyOf: UST_HEADERS, what: 'LTTng-UST headers' }]): string | undefined {
  for (const [bin, pkg] of [
    ['lttng', 'lttng-tools'],
    ['lttng-sessiond', 'lttng-tools'],
    [compiler, compiler],
    ['make', 'make'],
  ] as const) {
    if (!findExecutable(bin)) return `${bin} not installed (Debian package ${pkg})`;
  }
  for (const f of files) if (!f.anyOf.some((p) => existsSync(p))) return `${f.what} not installed (Debian package liblttng-ust-dev)`;
  return undefined;
}

/**
 * Registers the CI failure for a missing tool and prints the notice elsewhere; returns the
 * `skip` option for the suite (false: run it).
 */
export function recordingSkip(missing: string | undefined, what: string): string | false {
  if (!missing) return false;
  if (process.env['CI'] === 'true') test(`${what}: the tools are installed (required in CI)`, () => assert.fail(missing));
  process.stderr.write(`notice: ${what} skipped: ${missing}\n`);
  return `cannot run here: ${missing}`;
}
