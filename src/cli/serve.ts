/**
 * `tracelane serve <trace…>`: the web UI. Starts the local HTTP server (src/server), prints its
 * URL, shows the analysis progress on the terminal, optionally opens the browser, and runs until
 * interrupted (Ctrl-C). `serve --compare BEFORE AFTER`: two traces side by side, with the
 * comparison of `tracelane compare` on top.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { startServer } from '../server/server.js';
import { UsageError } from '../util/errors.js';
import { intOption } from './analysis-options.js';

interface ServeCliOptions {
  port?: string;
  host: string;
  open?: boolean;
  cache: boolean;
  compare?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('analyse traces once and browse them in a web page (timeline, resources, events, flame chart…)')
    .argument('<trace...>', 'trace folders (kernel and user-space traces of one session appear as one timeline)')
    .option('-p, --port <port>', 'port to listen on (default: any free port)')
    .option('--host <host>', 'address to bind (the default serves this machine only)', '127.0.0.1')
    .option('--open', 'open the page in the browser')
    .option('--no-cache', 'do not read or write the analysis cache (~/.cache/tracelane)')
    .option('--compare', 'two traces side by side: <before> <after>, on one relative time axis, with what tracelane compare says on top')
    .action(async (paths: string[], raw: ServeCliOptions) => {
      process.exitCode = await runServe(paths, raw);
    });
}

function say(line: string): void {
  process.stderr.write(`tracelane: ${line}\n`);
}

async function runServe(paths: string[], o: ServeCliOptions): Promise<number> {
  const port = intOption(o.port, '--port') ?? 0;
  if (port > 65535) throw new UsageError(`--port must be between 0 and 65535, not ${port}`);
  if (o.compare && paths.length !== 2) throw new UsageError(`--compare takes two traces, before and after (not ${paths.length})`);
  const tty = process.stderr.isTTY === true;
  let lastPhase = '';
  let lastPct = -1;
  const server = await startServer({
    paths,
    host: o.host,
    port,
    cache: o.cache,
    ...(o.compare ? { compare: true } : {}),
    warn: (l) => process.stderr.write(`${l}\n`),
    log: (phase, fraction) => {
      const pct = Math.floor(fraction * 100);
      if (phase === lastPhase && (pct === lastPct || !tty)) return;
      if (tty) process.stderr.write(`\r\x1b[Ktracelane: ${phase} ${pct} %`);
      else if (phase !== lastPhase) say(`${phase}…`);
      lastPhase = phase;
      lastPct = pct;
    },
  }).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} is already in use (--port 0 picks a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on --host ${o.host}`);
    throw e;
  });
  say(o.compare ? `comparing ${paths[0]} (before) with ${paths[1]} (after) at ${server.url}` : `serving ${paths.join(' ')} at ${server.url}`);
  if (o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') say(`warning: listening on ${o.host}: anyone who can reach this address can read the trace`);
  if (o.open) openBrowser(server.url);
  let failed = false;
  server.ready.then(
    () => {
      const s = server.status();
      if (tty) process.stderr.write('\r\x1b[K');
      say(`${s.fromCache ? 'loaded from the cache' : 'analysed'} in ${(s.elapsedMs / 1000).toFixed(1)} s; press Ctrl-C to stop`);
    },
    () => {
      if (tty) process.stderr.write('\r\x1b[K');
      say(`error: ${server.status().error}`);
      failed = true;
      void server.close();
    },
  );
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    server.ready.catch(() => stop());
  });
  return failed ? 1 : 0;
}

function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const found = process.platform === 'darwin' || spawnSync('sh', ['-c', `command -v ${opener}`], { stdio: 'ignore' }).status === 0;
  if (!found) {
    say(`--open: ${opener} not found; open ${url} in your browser`);
    return;
  }
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => say(`--open: could not run ${opener}; open ${url} in your browser`));
  child.unref();
}
