/**
 * Drives Debian's Firefox ESR over WebDriver BiDi, which Firefox speaks natively: no driver
 * binary (geckodriver is not packaged in Debian) and no downloaded browser. Launches
 * `firefox-esr --headless --remote-debugging-port=0` on a fresh profile, reads the BiDi
 * endpoint from its stderr and talks to it with the `ws` package. Used by the Firefox
 * end-to-end test (test/e2e/firefox.test.ts).
 *
 * `--remote-allow-system-access` lets BiDi evaluate in the browser's own (chrome) window,
 * which the test needs for one thing a user does by hand: clicking the toolbar button
 * (`triggerToolbarAction`), which grants the extension the tab (activeTab).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { messageText } from './ws-text.ts';

/** Path of the Firefox binary: env FIREFOX_PATH, else Debian's /usr/bin/firefox-esr. */
export function firefoxPath(): string {
  return process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
}

/** Why Firefox tests cannot run here, or false. */
export function noFirefoxReason(): string | false {
  return existsSync(firefoxPath()) ? false : `Firefox not found at ${firefoxPath()} (apt-get install firefox-esr, or set FIREFOX_PATH)`;
}

/** A BiDi remote value as Firefox serialises it (only the shapes the tests read). */
type RemoteValue = { type: string; value?: unknown };

/** Turns a BiDi remote value into plain JSON-like data (objects, arrays, primitives). */
export function fromRemote(v: RemoteValue): unknown {
  switch (v.type) {
    case 'undefined':
    case 'null':
      return null;
    case 'string':
    case 'boolean':
      return v.value;
    case 'number':
      return typeof v.value === 'number' ? v.value : Number(v.value);
    case 'array':
      return (v.value as RemoteValue[]).map(fromRemote);
    case 'object':
      return Object.fromEntries((v.value as [string | RemoteValue, RemoteValue][]).map(([k, val]) => [typeof k === 'string' ? k : String(fromRemote(k)), fromRemote(val)]));
    default:
      return `[${v.type}]`;
  }
}

/**
 * Preferences of the test profile: no first-run pages, updates, telemetry or other network
 * traffic Firefox starts by itself on a machine without internet; media plays without a gesture.
 */
const PREFS: Record<string, string | number | boolean> = {
  'app.update.disabledForTesting': true,
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'browser.newtabpage.enabled': false,
  'browser.aboutwelcome.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.update.enabled': false,
  'browser.search.update': false,
  'browser.topsites.contile.enabled': false,
  'browser.newtabpage.activity-stream.feeds.system.topstories': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.server': 'http://127.0.0.1:9/',
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.blocklist.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'services.settings.server': 'http://127.0.0.1:9/',
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
};

/** A running Firefox with a BiDi session. */
export class FirefoxBidi {
  private nextId = 0;
  private readonly pending = new Map<number, { ok(v: any): void; fail(e: Error): void }>();
  private readonly listeners = new Set<(event: { method: string; params: any }) => void>();

  private constructor(
    private readonly proc: ChildProcess,
    private readonly ws: WebSocket,
    private readonly profile: string,
    /** Everything Firefox wrote to stdout and stderr (for failure messages). */
    readonly log: string[],
  ) {
    ws.on('message', (data) => {
      const msg = JSON.parse(messageText(data));
      if (typeof msg.id === 'number' && this.pending.has(msg.id)) {
        const p = this.pending.get(msg.id)!;
        this.pending.delete(msg.id);
        if (msg.type === 'error') p.fail(new Error(`${msg.error}: ${msg.message}`));
        else p.ok(msg.result);
      } else if (msg.type === 'event') {
        for (const l of this.listeners) l(msg);
      }
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.fail(new Error('BiDi connection closed'));
      this.pending.clear();
    });
  }

  /**
   * Launches Firefox headless on a fresh profile with `prefs` added to PREFS and opens a
   * BiDi session.
   * @throws Error when Firefox does not print its BiDi endpoint within `timeoutMs`.
   */
  static async launch({ prefs = {}, timeoutMs = 60_000 }: { prefs?: Record<string, string | number | boolean>; timeoutMs?: number } = {}): Promise<FirefoxBidi> {
    const profile = await mkdtemp(join(tmpdir(), 'callmood-firefox-'));
    const all = { ...PREFS, ...prefs };
    await writeFile(join(profile, 'user.js'), Object.entries(all).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join(''));
    const proc = spawn(
      firefoxPath(),
      ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port=0', '--remote-allow-system-access', '--width=1280', '--height=800', 'about:blank'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1', TMPDIR: profile } },
    );
    const log: string[] = [];
    const endpoint = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`Firefox printed no BiDi endpoint in ${timeoutMs} ms:\n${log.join('')}`)), timeoutMs);
      const onData = (d: Buffer) => {
        log.push(String(d));
        const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(log.join(''));
        if (m) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.on('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`Firefox exited (${code}) before BiDi was ready:\n${log.join('')}`));
      });
    });
    const ws = new WebSocket(`${endpoint}/session`);
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    const ff = new FirefoxBidi(proc, ws, profile, log);
    await ff.send('session.new', { capabilities: { alwaysMatch: { acceptInsecureCerts: false } } });
    return ff;
  }

  /** Sends a BiDi command and resolves with its result. @throws Error with the BiDi error. */
  send(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = ++this.nextId;
    return new Promise((ok, fail) => {
      this.pending.set(id, { ok, fail });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Calls `listener` for every BiDi event; returns a function that removes it. */
  onEvent(listener: (event: { method: string; params: any }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Installs the unpacked extension in `dir` temporarily (as about:debugging does); returns its id. */
  async installTemporary(dir: string): Promise<string> {
    const { extension } = await this.send('webExtension.install', { extensionData: { type: 'path', path: dir } });
    return extension as string;
  }

  /** The top-level content browsing contexts (tabs), in order. */
  async tabs(): Promise<{ context: string; url: string }[]> {
    const { contexts } = await this.send('browsingContext.getTree', { maxDepth: 0 });
    return contexts;
  }

  /** Opens a new tab (in the background unless `focus`) and returns its context id. */
  async newTab(url: string, focus = false): Promise<string> {
    const { context } = await this.send('browsingContext.create', { type: 'tab', background: !focus });
    await this.send('browsingContext.navigate', { context, url, wait: 'complete' });
    return context;
  }

  /**
   * Evaluates `expression` (awaiting a promise it returns) in a content context and returns
   * the result as plain data. @throws Error with the page's exception text.
   */
  async evaluate(context: string, expression: string): Promise<unknown> {
    const r = await this.send('script.evaluate', { expression, target: { context }, awaitPromise: true, resultOwnership: 'none' });
    if (r.type === 'exception') throw new Error(`evaluate failed: ${r.exceptionDetails?.text ?? JSON.stringify(r.exceptionDetails)}`);
    return fromRemote(r.result);
  }

  /** Evaluates `expression` in the browser window's privileged (chrome) scope. */
  async evaluateInChrome(expression: string): Promise<unknown> {
    const { contexts } = await this.send('browsingContext.getTree', { maxDepth: 0, 'moz:scope': 'chrome' });
    const win = (contexts as { context: string; url: string }[]).find((c) => c.url === 'chrome://browser/content/browser.xhtml');
    if (!win) throw new Error('no browser window in chrome scope (is --remote-allow-system-access honoured?)');
    return this.evaluate(win.context, expression);
  }

  /**
   * Clicks the extension's toolbar button for the tab of `context` as a user does (its
   * `action`: the popup opens and the extension is granted the tab, activeTab), through
   * Firefox's own action code in the chrome scope. Returns the extension's tab id of that tab.
   */
  async triggerToolbarAction(extensionId: string, context: string): Promise<number> {
    await this.send('browsingContext.activate', { context });
    const result = await this.evaluateInChrome(`(async () => {
      const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
      const extension = WebExtensionPolicy.getByID(${JSON.stringify(extensionId)}).extension;
      const global = ExtensionParent.apiManager.global;
      const tab = gBrowser.selectedTab;
      const action = global.browserActionFor(extension);
      if (!action) throw new Error('the extension has no toolbar action');
      await action.triggerAction(window);
      return { tabId: global.tabTracker.getId(tab), granted: extension.tabManager.hasActiveTabPermission(tab) };
    })()`);
    const { tabId, granted } = result as { tabId: number; granted: boolean };
    if (!granted) throw new Error('the toolbar action did not grant the extension the tab (activeTab)');
    return tabId;
  }

  /** The moz-extension:// base URL of the installed extension `extensionId` (ends in '/'). */
  async extensionBaseUrl(extensionId: string): Promise<string> {
    return String(await this.evaluateInChrome(`WebExtensionPolicy.getByID(${JSON.stringify(extensionId)}).getURL('')`));
  }

  /** Ends the session, stops Firefox and removes its profile. */
  async close(): Promise<void> {
    await this.send('session.end').catch(() => {});
    this.ws.close();
    if (this.proc.exitCode === null) {
      const exited = new Promise<void>((ok) => this.proc.once('exit', () => ok()));
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.profile, { recursive: true, force: true }).catch(() => {});
  }
}
