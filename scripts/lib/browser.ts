/**
 * Launches Debian's Chromium with the built extension and connects playwright-core to it
 * over CDP (so a browser-level CDP session is available: Target.*, Extensions.*).
 * Used by the demo, the end-to-end tests and the benchmarks. Never downloads a browser.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';

/** Path of the Chromium binary: env CHROME_PATH, else Debian's /usr/bin/chromium. */
export function chromePath(): string {
  return process.env.CHROME_PATH ?? '/usr/bin/chromium';
}

/**
 * @throws Error with install instructions when Chromium is missing.
 */
export function assertChromium(): string {
  const path = chromePath();
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}. Install Debian's package: sudo apt-get update && sudo apt-get install -y chromium ` +
        '(or set CHROME_PATH to a Chromium/Chrome binary).',
    );
  }
  return path;
}

export interface LaunchOptions {
  /** Unpacked extension folder (dist/chrome). */
  extensionDir: string;
  headless?: boolean;
  /** Extra Chromium flags. */
  args?: string[];
}

/** A running browser with the extension loaded. */
export interface ExtensionBrowser {
  browser: Browser;
  context: BrowserContext;
  /** Browser-level CDP session. */
  cdp: CDPSession;
  extensionId: string;
  /** The browser's CDP WebSocket endpoint (for extra raw CDP clients). */
  wsEndpoint: string;
  process: ChildProcess;
  close(): Promise<void>;
}

/**
 * The DevTools WebSocket address a Chromium started with `--remote-debugging-port=0` prints on
 * stderr (`child` spawned with stderr piped); the rest of its stderr is drained.
 * @throws Error when it exits first or prints none within 30 s (with the tail of what it printed).
 */
export async function devToolsEndpoint(child: ChildProcess): Promise<string> {
  const stderr = child.stderr!;
  const ws = await new Promise<string>((ok, fail) => {
    let buf = '';
    const timer = setTimeout(() => fail(new Error(`Chromium did not start in 30 s: ${buf.slice(-2000)}`)), 30_000);
    stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`Chromium exited with ${code}: ${buf.slice(-2000)}`));
    });
  });
  stderr.resume();
  return ws;
}

/** Starts Chromium with the extension; resolves once the extension's service worker is up. */
export async function launchWithExtension(opts: LaunchOptions): Promise<ExtensionBrowser> {
  const exe = assertChromium();
  const work = await mkdtemp(join(tmpdir(), 'callmood-chromium-'));
  const profile = join(work, 'profile');
  const args = [
    `--user-data-dir=${profile}`,
    '--remote-debugging-port=0',
    '--no-sandbox',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-features=MediaRouter,OptimizationHints,Translate',
    '--disable-default-apps',
    '--password-store=basic',
    '--autoplay-policy=no-user-gesture-required',
    '--enable-unsafe-extension-debugging',
    `--disable-extensions-except=${opts.extensionDir}`,
    `--load-extension=${opts.extensionDir}`,
    ...(opts.headless === false ? [] : ['--headless']),
    ...(opts.args ?? []),
    'about:blank',
  ];
  const child = spawn(exe, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: work } });
  const wsEndpoint = await devToolsEndpoint(child);
  const browser = await chromium.connectOverCDP(wsEndpoint);
  const context = browser.contexts()[0]!;
  const cdp = await browser.newBrowserCDPSession();
  let worker = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
  worker ??= await context.waitForEvent('serviceworker', { timeout: 20_000 });
  const extensionId = new URL(worker.url()).host;
  return {
    browser,
    context,
    cdp,
    extensionId,
    wsEndpoint,
    process: child,
    async close() {
      await browser.close().catch(() => {});
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((ok) => setTimeout(ok, 300));
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(work, { recursive: true, force: true }).catch(() => {});
    },
  };
}

/**
 * Acts as a click on the extension's toolbar button for `page`'s tab (CDP
 * Extensions.triggerAction; needs --enable-unsafe-extension-debugging). This is the user
 * gesture that lets the extension capture the tab.
 */
export async function triggerToolbarAction(eb: ExtensionBrowser, page: Page): Promise<void> {
  const { targetInfos } = (await eb.cdp.send('Target.getTargets', { filter: [{ type: 'tab' }] })) as unknown as {
    targetInfos: { targetId: string; url: string; type: string }[];
  };
  const url = page.url();
  const tab = targetInfos.find((t) => t.url === url);
  if (!tab) throw new Error(`no tab target for ${url} among ${targetInfos.map((t) => t.url).join(', ')}`);
  await eb.cdp.send('Extensions.triggerAction' as never, { id: eb.extensionId, targetId: tab.targetId } as never);
}
