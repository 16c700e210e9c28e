/** Running commands from tests: the tracelane CLI and babeltrace2, with UTC times. */
import { spawn } from 'node:child_process';
import { cliPath } from './corpus.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, TZ: 'UTC', LC_ALL: 'C', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolvePromise({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

export function tracelane(args: string[]): Promise<RunResult> {
  return run(process.execPath, [cliPath, ...args]);
}

export function babeltrace2(args: string[]): Promise<RunResult> {
  return run('babeltrace2', args);
}

/** Where two texts first differ, with a little context, for assertion messages. */
export function firstDifference(expected: string, actual: string): string | undefined {
  if (expected === actual) return undefined;
  const a = expected.split('\n');
  const b = actual.split('\n');
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      return `line ${i + 1} of ${a.length} (ours: ${b.length} lines)\n  expected: ${(a[i] ?? '<end>').slice(0, 400)}\n  actual:   ${(b[i] ?? '<end>').slice(0, 400)}`;
    }
  }
  return 'texts differ';
}
