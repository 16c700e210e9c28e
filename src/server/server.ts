/**
 * `tracelane serve`'s HTTP server (node:http, no framework): the JSON API under /api/ (see
 * api.ts and the README) and the web page's static files from dist/web. The trace set is opened
 * before listening (a bad path is an error of the command); the analysis then runs in the
 * background — or is loaded from the cache — while /api/status reports its progress.
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
import { TraceFormatError } from '../util/errors.js';
import { analyzeForServer, type ServerAnalysis } from './analysis.js';
import { ROUTES, Loaded, RawJson } from './api.js';
import { cacheFileFor, readCache, writeCache } from './cache.js';
import { HttpError, Params } from './params.js';

export interface ServeOptions {
  paths: string[];
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

export interface ServerStatus {
  state: 'loading' | 'ready' | 'failed';
  phase: string;
  progress: number;
  fromCache: boolean;
  message: string;
  error: string | null;
  elapsedMs: number;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  /** Resolves when the analysis is ready (rejects when it failed). */
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
  // This file is dist/src/server/server.js; the page is built into dist/web.
  return fileURLToPath(new URL('../../web/', import.meta.url));
}

const NO_PAGE = `<!doctype html><meta charset="utf-8"><title>tracelane</title>
<p>The tracelane web page is not built. Run <code>npm run build:web</code> in the tracelane checkout, then reload.
<p>The JSON API is available under <a href="/api/status">/api/</a>.`;

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const set = TraceSet.open(opts.paths);
  const paths = opts.paths.map((p) => resolve(p));
  const webRoot = resolve(opts.webRoot ?? defaultWebRoot());
  const started = Date.now();
  const status: ServerStatus = { state: 'loading', phase: 'opening', progress: 0, fromCache: false, message: 'opening the trace', error: null, elapsedMs: 0 };
  let loaded: Loaded | undefined;

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
    if (path === '/api/status') return sendJson(req, res, 200, { ...status, elapsedMs: Date.now() - started });
    if (path.startsWith('/api/') || path === '/api') {
      const route = ROUTES[path];
      if (!route) throw new HttpError(404, `no API endpoint ${path}`);
      if (!loaded) {
        if (status.state === 'failed') throw new HttpError(500, `the analysis failed: ${status.error}`);
        return sendJson(req, res, 503, { error: 'the trace is still being analysed', status: { ...status, elapsedMs: Date.now() - started } });
      }
      const body = await route(loaded, new Params(url.searchParams));
      return sendJson(req, res, 200, body);
    }
    return sendStatic(req, res, path);
  }

  function sendStatic(req: IncomingMessage, res: ServerResponse, path: string): void {
    const rel = path === '/' ? 'index.html' : path.slice(1);
    const file = resolve(webRoot, rel);
    if (file !== webRoot && !file.startsWith(webRoot.endsWith(sep) ? webRoot : webRoot + sep)) throw new HttpError(403, 'path outside the web page');
    let st;
    try {
      st = statSync(file);
    } catch {
      st = undefined;
    }
    if (!st || !st.isFile()) {
      if (rel === 'index.html') return send(req, res, 200, 'text/html; charset=utf-8', Buffer.from(NO_PAGE));
      throw new HttpError(404, `not found: ${path}`);
    }
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    send(req, res, 200, type, readFileSync(file), rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  }

  function sendJson(req: IncomingMessage, res: ServerResponse, code: number, body: unknown): void {
    send(req, res, code, 'application/json', Buffer.from(body instanceof RawJson ? body.text : JSON.stringify(body)), 'no-store');
  }

  function send(req: IncomingMessage, res: ServerResponse, code: number, type: string, data: Buffer, cache = 'no-store'): void {
    const headers: Record<string, string | number> = { 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff' };
    let body = data;
    if (data.length > 1024 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && !type.startsWith('image/png')) {
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

  const progress = (phase: string, fraction: number) => {
    status.phase = phase;
    status.progress = fraction;
    status.message = `${phase} (${Math.round(fraction * 100)} %)`;
    opts.log?.(phase, fraction);
  };

  const ready = (async () => {
    // Let the caller print the URL before the first progress line.
    await new Promise((next) => setImmediate(next));
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
    loaded = new Loaded(set, analysis, paths, status.fromCache);
    status.state = 'ready';
    status.phase = 'ready';
    status.progress = 1;
    status.message = status.fromCache ? 'loaded from the cache' : 'analysed';
  })().catch((e: unknown) => {
    status.state = 'failed';
    status.error = e instanceof TraceFormatError ? e.describe() : ((e as Error)?.message ?? String(e));
    status.message = 'the analysis failed';
    throw e;
  });
  // The caller may not await `ready`: a failure is reported through the status, not unhandled.
  ready.catch(() => {});

  return {
    url: `http://${shownHost}:${addr.port}/`,
    port: addr.port,
    host,
    ready,
    status: () => ({ ...status, elapsedMs: Date.now() - started }),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
