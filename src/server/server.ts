/**
 * `tracelane serve`'s HTTP server (node:http, no framework): the JSON API under /api/ (see
 * api.ts and the README) and the web page's static files from dist/web. The trace set is opened
 * before listening (a bad path is an error of the command); the analysis then runs in the
 * background — or is loaded from the cache — while /api/status reports its progress.
 *
 * Side by side (`serve --compare BEFORE AFTER`), two trace sets: each one's page and API under
 * its own prefix, /before/ and /after/ (the page only fetches relative URLs, so it works there
 * unchanged), and at the root the compare page (compare.html), /api/status of both and
 * /api/compare (compare.ts, made in a worker once both sides are analysed).
 *
 * Safety: binds 127.0.0.1 unless told otherwise; serves only the page's own files (no path
 * outside dist/web) and the source files the trace's debug info names; every bad request gets a
 * 4xx JSON `{ "error": "one line" }` and the server goes on.
 */
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { TraceSet } from '../ctf/trace-set.js';
import { TraceFormatError, UsageError } from '../util/errors.js';
import { analyzeForServer, type ServerAnalysis } from './analysis.js';
import { ROUTES, Loaded, RawBinary, RawJson } from './api.js';
import { cacheFileFor, readCache, writeCache } from './cache.js';
import { CompareAnswer } from './compare.js';
import { HttpError, Params } from './params.js';
import type { StatusAnswer } from './api-types.js';

export interface ServeOptions {
  paths: string[];
  /**
   * Two traces side by side: `paths` is [before, after], each served under its own prefix
   * (/before/, /after/), the compare page at /.
   */
  compare?: boolean;
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** Read and write the analysis cache (default true). */
  cache?: boolean;
  /** Where the cache files go (default: cache.ts `cacheDir()`). */
  cacheDir?: string;
  /** The built page (default dist/web of this package). */
  webRoot?: string;
  /** Progress and notes for the terminal. */
  log?: (phase: string, fraction: number) => void;
  warn?: (line: string) => void;
}

/** `/api/status` (its answer type is in api-types.ts). */
export type ServerStatus = StatusAnswer;

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  /** Resolves when the analysis is ready, side by side with the comparison made or known impossible (rejects when an analysis failed). */
  ready: Promise<void>;
  status(): ServerStatus;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

function defaultWebRoot(): string {
  // TRACELANE_WEB_DIR serves a page built elsewhere (`vite build web --outDir DIR`), e.g. while
  // developing the page beside a running build.
  if (process.env['TRACELANE_WEB_DIR']) return process.env['TRACELANE_WEB_DIR'];
  // This file is dist/src/server/server.js; the page is built into dist/web.
  return fileURLToPath(new URL('../../web/', import.meta.url));
}

/** One trace set and its analysis, served at `prefix` ('/' alone; '/before/', '/after/' side by side). */
interface Site {
  /** 'before' / 'after' side by side, '' alone. */
  name: string;
  set: TraceSet;
  paths: string[];
  status: ServerStatus;
  loaded?: Loaded;
}

export const COMPARE_SIDES = ['before', 'after'] as const;

const NO_PAGE = `<!doctype html><meta charset="utf-8"><title>tracelane</title>
<p>The tracelane web page is not built. Run <code>npm run build:web</code> in the tracelane checkout, then reload.
<p>The JSON API is available under <a href="/api/status">/api/</a>.`;

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  if (opts.compare && opts.paths.length !== 2) throw new UsageError(`--compare takes two traces (before and after), not ${opts.paths.length}`);
  const groups = opts.compare ? COMPARE_SIDES.map((name, i) => ({ name, paths: [opts.paths[i]!] })) : [{ name: '', paths: opts.paths }];
  const sites: Site[] = groups.map((g) => ({
    name: g.name,
    set: TraceSet.open(g.paths),
    paths: g.paths.map((p) => resolve(p)),
    status: { state: 'loading', phase: 'opening', progress: 0, fromCache: false, message: 'opening the trace', error: null, elapsedMs: 0 },
  }));
  const comparison = opts.compare ? new CompareAnswer(opts.paths[0]!, opts.paths[1]!, opts.warn) : undefined;
  const webRoot = resolve(opts.webRoot ?? defaultWebRoot());
  const started = Date.now();

  /**
   * The status of every trace set together (the one still loading, or that failed, speaks); side
   * by side, then phase "comparing" until the comparison is made.
   */
  function overallStatus(): ServerStatus {
    const all = sites.map((s) => s.status);
    const failed = sites.find((s) => s.status.state === 'failed');
    const loading = sites.find((s) => s.status.state === 'loading');
    const speaker = failed ?? loading ?? sites[0]!;
    const st = speaker.status;
    const steps = all.reduce((a, x) => a + x.progress, 0) + (comparison?.settled ? 1 : 0);
    const progress = steps / (all.length + (comparison ? 1 : 0));
    if (!failed && !loading && comparison && !comparison.settled) {
      return { ...st, state: 'loading', phase: 'comparing', progress, message: 'comparing the two traces', error: null, elapsedMs: Date.now() - started };
    }
    return {
      ...st,
      state: failed ? 'failed' : loading ? 'loading' : 'ready',
      progress,
      fromCache: all.every((x) => x.fromCache),
      message: speaker.name && (failed || loading) ? `${speaker.name}: ${st.message}` : st.message,
      error: st.error === null ? null : speaker.name ? `${speaker.name}: ${st.error}` : st.error,
      elapsedMs: Date.now() - started,
    };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => sendError(res, e));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"malformed HTTP request"}');
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `method ${req.method} not allowed (GET only)`);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, 'malformed URL');
    }
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      throw new HttpError(400, 'malformed URL encoding');
    }
    if (path.includes('\0')) throw new HttpError(400, 'malformed URL');
    if (!comparison) return handleSite(req, res, sites[0]!, path, url);
    // Side by side: /before/… and /after/… are each trace's page and API, / the compare page.
    const side = /^\/([^/]+)(\/.*)?$/.exec(path);
    const at = side ? COMPARE_SIDES.indexOf(side[1] as (typeof COMPARE_SIDES)[number]) : -1;
    if (side && at >= 0) {
      // The page's relative URLs need the trailing slash.
      if (side[2] === undefined) return redirect(res, `/${side[1]}/${url.search}`);
      return handleSite(req, res, sites[at]!, side[2], url);
    }
    if (path === '/api/status') return sendJson(req, res, 200, overallStatus());
    if (path === '/api/compare') {
      const st = overallStatus();
      if (st.state === 'failed') throw new HttpError(500, `the analysis failed: ${st.error}`);
      const answer = comparison.get();
      if (st.state !== 'ready' || !answer) return sendJson(req, res, 503, { error: st.phase === 'comparing' ? 'the traces are still being compared' : 'the traces are still being analysed', status: st });
      return sendJson(req, res, 200, answer);
    }
    if (path.startsWith('/api/') || path === '/api') throw new HttpError(404, `no API endpoint ${path} here: each trace's API is under /before/api/ and /after/api/`);
    if (side && /^\/api(\/|$)/.test(side[2] ?? '')) throw new HttpError(404, `no trace set "${side[1]}" (this comparison serves /before/ and /after/)`);
    return sendStatic(req, res, path === '/' ? 'compare.html' : path.slice(1), path);
  }

  /** A trace set's API and page, `path` being the part after its prefix. */
  async function handleSite(req: IncomingMessage, res: ServerResponse, site: Site, path: string, url: URL): Promise<void> {
    const status = site.status;
    if (path === '/api/status') return sendJson(req, res, 200, { ...status, elapsedMs: Date.now() - started });
    if (path.startsWith('/api/') || path === '/api') {
      const route = ROUTES[path];
      if (!route) throw new HttpError(404, `no API endpoint ${path}`);
      if (!site.loaded) {
        if (status.state === 'failed') throw new HttpError(500, `the analysis failed: ${status.error}`);
        return sendJson(req, res, 503, { error: 'the trace is still being analysed', status: { ...status, elapsedMs: Date.now() - started } });
      }
      const body = await route(site.loaded, new Params(url.searchParams));
      return sendJson(req, res, 200, body);
    }
    return sendStatic(req, res, path === '/' ? 'index.html' : path.slice(1), path);
  }

  function redirect(res: ServerResponse, location: string): void {
    res.writeHead(301, { location, 'content-length': 0, 'cache-control': 'no-store' });
    res.end();
  }

  /** `rel`: the file under the page's folder; `path`: what was asked (for the error). */
  function sendStatic(req: IncomingMessage, res: ServerResponse, rel: string, path: string): void {
    const file = resolve(webRoot, rel);
    if (file !== webRoot && !file.startsWith(webRoot.endsWith(sep) ? webRoot : webRoot + sep)) throw new HttpError(403, 'path outside the web page');
    let st;
    try {
      st = statSync(file);
    } catch {
      st = undefined;
    }
    if (!st || !st.isFile()) {
      if (rel === 'index.html' || rel === 'compare.html') return send(req, res, 200, 'text/html; charset=utf-8', Buffer.from(NO_PAGE));
      throw new HttpError(404, `not found: ${path}`);
    }
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    send(req, res, 200, type, readFileSync(file), rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  }

  function sendJson(req: IncomingMessage, res: ServerResponse, code: number, body: unknown): void {
    if (body instanceof RawBinary) return send(req, res, code, 'application/octet-stream', body.data, 'no-store');
    send(req, res, code, 'application/json', Buffer.from(body instanceof RawJson ? body.text : JSON.stringify(body)), 'no-store');
  }

  function send(req: IncomingMessage, res: ServerResponse, code: number, type: string, data: Buffer, cache = 'no-store'): void {
    const headers: Record<string, string | number> = { 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff' };
    let body = data;
    // Binary viewport answers to a browser on this machine go as they are: gzip would cost as
    // much as the query (20–50 ms for a dense 100-row answer) to save nothing on loopback.
    const loopbackBinary = type === 'application/octet-stream' && /^(127\.|::1$|::ffff:127\.)/.test(req.socket.remoteAddress ?? '');
    if (data.length > 1024 && !loopbackBinary && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && !type.startsWith('image/png')) {
      body = gzipSync(data, { level: 1 });
      headers['content-encoding'] = 'gzip';
      headers['vary'] = 'accept-encoding';
    }
    headers['content-length'] = body.length;
    res.writeHead(code, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function sendError(res: ServerResponse, e: unknown): void {
    const code = e instanceof HttpError ? e.status : 500;
    const message = e instanceof HttpError ? e.message : e instanceof TraceFormatError ? e.describe() : `internal error: ${(e as Error)?.message ?? String(e)}`;
    if (code >= 500 && !(e instanceof HttpError)) opts.warn?.(`tracelane: ${message}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = Buffer.from(JSON.stringify({ error: message.split('\n')[0] }));
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(body);
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  async function analyse(site: Site): Promise<void> {
    const { set, paths, status } = site;
    const progress = (phase: string, fraction: number) => {
      status.phase = phase;
      status.progress = fraction;
      status.message = `${phase} (${Math.round(fraction * 100)} %)`;
      opts.log?.(site.name ? `${site.name}: ${phase}` : phase, fraction);
    };
    const useCache = opts.cache !== false;
    let analysis: ServerAnalysis | undefined;
    const file = useCache ? cacheFileFor(set, opts.cacheDir) : undefined;
    if (file) {
      progress('cache', 0);
      analysis = readCache(file);
      status.fromCache = analysis !== undefined;
    }
    if (!analysis) {
      analysis = await analyzeForServer(set, progress);
      if (file) {
        progress('cache', 0);
        try {
          writeCache(file, analysis);
        } catch (e) {
          opts.warn?.(`tracelane: warning: cannot write the cache ${file}: ${(e as Error).message}`);
        }
      }
    }
    site.loaded = new Loaded(set, analysis, paths, status.fromCache);
    status.state = 'ready';
    status.phase = 'ready';
    status.progress = 1;
    status.message = status.fromCache ? 'loaded from the cache' : 'analysed';
  }

  const ready = (async () => {
    // Let the caller print the URL before the first progress line.
    await new Promise((next) => setImmediate(next));
    // One after the other: the first side's page works while the second is analysed.
    for (const site of sites) {
      await analyse(site).catch((e: unknown) => {
        const status = site.status;
        status.state = 'failed';
        status.error = e instanceof TraceFormatError ? e.describe() : ((e as Error)?.message ?? String(e));
        status.message = 'the analysis failed';
        throw e;
      });
    }
    // Side by side, once both are analysed (not before: it reads both traces again).
    if (comparison) {
      opts.log?.('comparing', 0);
      await comparison.compute();
    }
  })();
  // The caller may not await `ready`: a failure is reported through the status, not unhandled.
  ready.catch(() => {});

  return {
    url: `http://${shownHost}:${addr.port}/`,
    port: addr.port,
    host,
    ready,
    status: overallStatus,
    close: async () => {
      await comparison?.stop();
      await new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      });
    },
  };
}
