/**
 * The `tracelane` command: parses arguments, runs one command, and turns errors into one line on
 * stderr with an exit code (0 ok, 1 trace or runtime error, 2 usage error). Stack traces only with
 * `--debug`.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerCommands } from './commands.js';
import { PipeClosed } from './output.js';
import { TraceFormatError, UsageError } from '../util/errors.js';

async function program(argv: string[]): Promise<Command> {
  const p = new Command('tracelane')
    .description('Read and analyse LTTng / CTF traces.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'show stack traces on errors')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  // `tracelane --version` needs no command: loading them all would take most of its run time.
  if (!isVersionRequest(argv)) await registerCommands(p, argv);

  return p;
}

function isVersionRequest(argv: string[]): boolean {
  return argv.some((a) => a === '--version' || a === '-V') && argv.every((a) => a.startsWith('-'));
}

/** The version in package.json (two folders up from src/cli, whether run from src or dist/src). */
function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tracelane' && pkg.version) return pkg.version;
    } catch {
      // Not this folder: try the next one.
    }
  }
  return 'unknown';
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const p = await program(argv);
    process.exitCode = 0;
    await p.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return report(e, debug);
  }
}

function report(e: unknown, debug: boolean): number {
  if (e instanceof CommanderError) {
    // Commander already printed its message; help and version are not errors.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2;
  }
  if (e instanceof PipeClosed) return 0;
  if (debug && e instanceof Error) process.stderr.write(`${e.stack ?? e.message}\n`);
  if (e instanceof UsageError) {
    process.stderr.write(`tracelane: ${e.message}\n`);
    return 2;
  }
  if (e instanceof TraceFormatError) {
    process.stderr.write(`tracelane: error: ${e.describe()}\n`);
    return 1;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`tracelane: internal error: ${msg}${debug ? '' : ' (run with --debug for details)'}\n`);
  return 1;
}
