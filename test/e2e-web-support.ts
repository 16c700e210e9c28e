/**
 * Support for the web UI's end-to-end tests: start the real `tracelane serve` on a trace, drive
 * Debian's Chromium with playwright-core (never a downloaded browser), collect console errors,
 * take screenshots into a temporary folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { cliPath, repoRoot } from '../src/testing/corpus.js';

// Browser globals inside page.evaluate / waitForFunction callbacks (the tests' tsconfig has no DOM lib).
declare const window: unknown;
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  documentElement: { dataset: Record<string, string | undefined> };
  querySelector(s: string): { textContent: string | null } | null;
};

export const CHROMIUM = process.env['TRACELANE_CHROMIUM'] ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here (undefined: they can). In CI that is a failure. */
export function browserMissing(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not installed (Debian package chromium)`;
  if (!existsSync(join(repoRoot, 'dist', 'web', 'index.html'))) return 'the page is not built (npm run build:web)';
  return undefined;
}

export interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `tracelane serve TRACE` on a free port and waits until it prints its URL. */
export function startServer(trace: string[], extra: string[] = []): Promise<Server> {
  // A cache of its own: tests never write to the user's ~/.cache/tracelane.
  const cache = mkdtempSync(join(tmpdir(), 'tracelane-e2e-cache-'));
  const child = spawn(process.execPath, [cliPath, 'serve', ...trace, '--port', '0', '--host', '127.0.0.1', ...extra], {
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C', TRACELANE_CACHE_DIR: cache },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tracelane serve printed no URL in 30 s\n${out}`)), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(cache, { recursive: true, force: true });
      reject(new Error(`tracelane serve exited with ${code}: ${out.trim()}`));
    });
    // It says where it listens on stderr: "tracelane: serving TRACE at http://127.0.0.1:PORT/".
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = / at (http:\/\/[^\s/]+\/)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({
        url: m[1]!,
        child,
        stop: () =>
          new Promise<void>((done) => {
            const finish = (): void => {
              rmSync(cache, { recursive: true, force: true });
              done();
            };
            if (child.exitCode !== null) return finish();
            child.once('exit', finish);
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
  shots: string;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** The flags that work on this kind of machine (no sandbox as root, no background networking). */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tracelane-e2e-profile-'));
  const shots = process.env['TRACELANE_E2E_SHOTS'] ?? mkdtempSync(join(tmpdir(), 'tracelane-e2e-shots-'));
  mkdirSync(shots, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1500, height: 950 },
  });
  // Main-thread tasks over 50 ms, as the browser reports them (the page must never block longer).
  await context.addInitScript(() => {
    const w = globalThis as unknown as { __longTasks: number[]; PerformanceObserver: new (cb: (l: { getEntries(): { duration: number }[] }) => void) => { observe(o: object): void } };
    w.__longTasks = [];
    new w.PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context,
    page,
    errors,
    shots,
    async screenshot(name: string): Promise<string> {
      const file = join(shots, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close(): Promise<void> {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What the page exposes for tests (window.tracelane, see web/src/main.ts). */
export interface PageHooks {
  rowLabels(): string[];
  state(): { view: { begin: number; end: number }; selection?: { begin: number; end: number }; selectedTid?: number; cursor?: number };
  eventRows(): { time: string; name: string }[];
  flameFrames(): number;
  criticalSegments(): number;
}

export async function hook<K extends keyof PageHooks>(page: Page, name: K): Promise<ReturnType<PageHooks[K]>> {
  return (await page.evaluate((n) => (window as unknown as { tracelane: Record<string, () => unknown> }).tracelane[n]!(), name)) as ReturnType<PageHooks[K]>;
}

/** Waits until the page says it is ready (or failed). */
export async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset['ready'] !== undefined, undefined, { timeout: 60_000 });
  const r = await page.evaluate(() => document.body.dataset['ready']);
  if (r !== 'ready' && r !== 'true') throw new Error(`the page failed to load: ${await page.textContent('#status')}`);
}

/**
 * `tracelane serve TRACE…` and a browser on its page, loaded: how every page suite starts. A
 * browser that fails to open does not leave the server running.
 */
export async function openServedPage(trace: string[], extra: string[] = []): Promise<{ server: Server; b: Browser }> {
  const server = await startServer(trace, extra);
  try {
    const b = await openBrowser();
    await b.page.goto(server.url);
    await waitReady(b.page);
    return { server, b };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** URL query parameters of the page now. */
export function urlParams(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

/** Durations (ms) of the main-thread tasks over 50 ms seen since the page loaded. */
export async function longTasks(page: Page): Promise<number[]> {
  return page.evaluate(() => (globalThis as unknown as { __longTasks: number[] }).__longTasks.slice());
}

/**
 * Frame intervals (ms) while `action` runs: what a user would feel as smooth or not. Measured,
 * printed, never asserted (no timing thresholds in tests).
 */
export async function frameIntervals(page: Page, action: () => Promise<void>): Promise<number[]> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __frames: number[]; __recording: boolean; requestAnimationFrame(f: (t: number) => void): void };
    w.__frames = [];
    w.__recording = true;
    const tick = (t: number): void => {
      w.__frames.push(t);
      if (w.__recording) w.requestAnimationFrame(tick);
    };
    w.requestAnimationFrame(tick);
  });
  await action();
  const frames = await page.evaluate(() => {
    const w = globalThis as unknown as { __frames: number[]; __recording: boolean };
    w.__recording = false;
    return w.__frames;
  });
  return frames.slice(1).map((t, i) => t - frames[i]!);
}

export function describeIntervals(ms: number[]): string {
  if (ms.length === 0) return 'no frames';
  const sorted = [...ms].sort((a, b) => a - b);
  const p = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const total = ms.reduce((a, b) => a + b, 0);
  return `${ms.length} frames, ${((1000 * ms.length) / total).toFixed(1)} fps, median ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
}
