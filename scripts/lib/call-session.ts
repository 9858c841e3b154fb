/**
 * Drives a whole CallMood session the way a user does, for the demo, the end-to-end tests
 * and the benchmarks: serves the demo call page on 127.0.0.1, launches Chromium with the
 * built extension, clicks the toolbar button (CDP Extensions.triggerAction), presses Start
 * in the popup, reads the popup's bars, toggles overlays and exports the meeting.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchWithExtension, triggerToolbarAction, type ExtensionBrowser } from './browser.ts';
import { NetworkMonitor } from './network-monitor.ts';
import { serveStatic, type StaticServer } from './serve.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Folder of the real face clips: env CALLMOOD_VIDEOS, else ../shared/data/videos beside the repo. */
export const VIDEOS_DIR = process.env.CALLMOOD_VIDEOS ?? resolve(ROOT, '../shared/data/videos');

/** The clip files available (empty when the data folder is absent). */
export function listClips(dir = VIDEOS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /\.(webm|mp4)$/i.test(f)).sort();
}

/** One row of the popup as a user reads it. */
export interface PopupRow {
  id: string;
  name: string;
  /** Where the name comes from (`data-name-from`: `site`, a page-label rule, `fallback`, `hand`); '' where no call page names it. */
  nameFrom: string;
  /** Text of the dominant cell: "happy 82%", "no face", ... */
  dominant: string;
  bars: Record<string, number>;
  /** The row's speaking marker: true/false, null when it can't tell. */
  speaking: boolean | null;
  /** Whether the participant attends (faces the screen with open eyes); null when it can't tell. */
  attending: boolean | null;
}

export interface CallSessionOptions {
  headless?: boolean;
  /** Clip file names to use (default: every clip in VIDEOS_DIR; none -> still faces). */
  clips?: string[];
  extensionDir?: string;
  /** Extra Chromium flags. */
  args?: string[];
  /** Watch the network of every target (default true). */
  monitorNetwork?: boolean;
  /** Number of tiles (cycling through the clips; default one per clip). */
  tiles?: number;
  /** The page to open instead of the demo call: see `CallPage`. */
  page?: CallPage;
  /** More folders for the test server to serve: URL prefix (e.g. '/faults/') -> absolute folder. */
  mounts?: Record<string, string>;
}

/**
 * A call page to open: `path` on the test server (`/` the demo call; `/fixtures/<name>/` a
 * fixture under test/fixtures; `/wc/` the Zoom fixture), shown under `host` (a name Chromium
 * maps to 127.0.0.1 through `--host-resolver-rules`, e.g. `app.zoom.us`; default 127.0.0.1),
 * with `query` appended to the clip parameters. The page must set `document.body.dataset.ready
 * = '1'` when its tiles are up.
 */
export interface CallPage {
  path: string;
  host?: string;
  query?: string;
}

/** The Chromium flag that maps each of `hosts` to 127.0.0.1 (for fixtures served under a call site's host name). */
export function hostRulesArg(hosts: readonly string[]): string {
  return `--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`;
}

/** The participant rows of the popup `popup` as a user reads them (name, dominant text, bars, speaking, attending). */
export function readPopupRows(popup: Page): Promise<PopupRow[]> {
  return popup.$$eval('[data-testid="participant-row"]', (rows) =>
    rows.map((row) => {
      const el = row as HTMLElement;
      const bars: Record<string, number> = {};
      el.querySelectorAll<HTMLElement>('[data-testid="bar"]').forEach((b) => (bars[b.dataset.emotion ?? '?'] = Number(b.dataset.value)));
      return {
        id: el.dataset.participantId ?? '',
        name: el.dataset.participantName ?? '',
        nameFrom: el.dataset.nameFrom ?? '',
        dominant: el.querySelector('[data-testid="dominant"]')?.textContent?.trim() ?? '',
        bars,
        speaking: el.dataset.speaking === undefined ? null : el.dataset.speaking === 'true',
        attending: el.dataset.attending === undefined ? null : el.dataset.attending === 'true',
      };
    }),
  );
}

/** A running demo call with the extension loaded. */
export class CallSession {
  private constructor(
    readonly eb: ExtensionBrowser,
    readonly server: StaticServer,
    readonly page: Page,
    readonly popup: Page,
    readonly tabId: number,
    readonly network: NetworkMonitor | null,
    readonly usesStills: boolean,
    private readonly clipQuery: string,
  ) {}

  /** Opens the demo call page and the popup (as a tab bound to the call page's tab). */
  static async open(opts: CallSessionOptions = {}): Promise<CallSession> {
    const clips = opts.clips ?? listClips();
    const server = await serveStatic({
      ...opts.mounts,
      '/videos/': VIDEOS_DIR,
      '/stills/': join(ROOT, 'node_modules/@vladmandic/human/assets'),
      '/fixtures/': join(ROOT, 'test/fixtures'),
      '/wc/': join(ROOT, 'test/fixtures/zoom-call'),
      '/': join(ROOT, 'test/fixtures/demo-call'),
    });
    let eb: ExtensionBrowser | null = null;
    try {
      eb = await launchWithExtension({
        extensionDir: opts.extensionDir ?? join(ROOT, 'dist/chrome'),
        headless: opts.headless ?? true,
        args: opts.args,
      });
      const network = opts.monitorNetwork === false ? null : await NetworkMonitor.start(eb.wsEndpoint);
      const page = eb.context.pages()[0] ?? (await eb.context.newPage());
      const query = (clips.length ? `clips=${clips.map(encodeURIComponent).join(',')}` : 'stills=1') + (opts.tiles ? `&tiles=${opts.tiles}` : '');
      await page.setViewportSize({ width: 1280, height: 720 });
      await gotoCallPage(page, server, query, opts.page ?? { path: '/' });
      const worker = eb.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${eb!.extensionId}/`))!;
      // The call page is the only tab at this point; without the "tabs" permission the
      // extension cannot filter tabs by URL, so take the active one.
      await page.bringToFront();
      const tabId = await worker.evaluate(async () => {
        const tabs = await chrome.tabs.query({ active: true });
        return tabs.length === 1 ? tabs[0]!.id ?? -1 : -1;
      });
      if (tabId < 0) throw new Error('could not find the call page tab');
      const popup = await eb.context.newPage();
      await popup.setViewportSize({ width: 400, height: 760 });
      await popup.goto(`chrome-extension://${eb.extensionId}/popup.html?tabId=${tabId}`);
      await page.bringToFront();
      return new CallSession(eb, server, page, popup, tabId, network, clips.length === 0, query);
    } catch (err) {
      await eb?.close();
      await server.close();
      throw err;
    }
  }

  /**
   * Opens another call page in the same tab (after `stop()`; the popup stays bound to the tab),
   * with the clips this session was opened with. Resolves when the page says it is ready.
   */
  async goto(target: CallPage): Promise<void> {
    await gotoCallPage(this.page, this.server, this.clipQuery, target);
  }

  /**
   * Starts analysis as a user does: the toolbar click (which grants the extension the tab,
   * as Chrome requires for tab capture), then "Start" in the popup. Resolves when the popup
   * shows the analysis running.
   */
  async start(timeoutMs = 60_000): Promise<void> {
    await triggerToolbarAction(this.eb, this.page);
    await this.popup.getByTestId('start-stop').click();
    await this.popup.waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid="state"]')?.dataset.state === 'running',
      null,
      { timeout: timeoutMs },
    );
  }

  /** Presses "Stop" in the popup and waits until analysis is idle. */
  async stop(): Promise<void> {
    const button = this.popup.getByTestId('start-stop');
    if ((await button.textContent())?.toLowerCase().includes('stop')) {
      await button.click();
      await this.popup.waitForFunction(() => document.querySelector('[data-testid="start-stop"]')?.textContent?.toLowerCase().includes('start'));
    }
  }

  /** The popup's participant rows as a user reads them. */
  rows(): Promise<PopupRow[]> {
    return readPopupRows(this.popup);
  }

  /** Text of the popup's stats line (backend, fps, ms). */
  async statsText(): Promise<string> {
    return (await this.popup.getByTestId('stats').textContent()) ?? '';
  }

  /** Sets the overlay toggle in the popup. */
  async setOverlays(on: boolean): Promise<void> {
    const toggle = this.popup.getByTestId('overlay-toggle');
    if ((await toggle.isChecked()) !== on) await toggle.click();
    // The checkbox follows the polled view: wait until it shows the new state.
    await this.popup.waitForFunction(
      (want) => document.querySelector<HTMLInputElement>('[data-testid="overlay-toggle"]')?.checked === want,
      on,
      { timeout: 5000 },
    );
  }

  /** Overlay boxes currently on the call page: participant id -> text shown. */
  async overlays(): Promise<Record<string, string>> {
    return this.page.evaluate(() => {
      const root = document.getElementById('callmood-overlay-root');
      const scope: ParentNode | null = root ? (root.shadowRoot ?? root) : null;
      const out: Record<string, string> = {};
      scope?.querySelectorAll<HTMLElement>('[data-callmood-overlay]').forEach((el) => (out[el.dataset.callmoodOverlay ?? '?'] = el.textContent?.trim() ?? ''));
      return out;
    });
  }

  /** Seeks every clip of the demo call to 0; returns Date.now() in the page at that moment. */
  async restartClips(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { demoCall: { restart(): number } }).demoCall.restart());
  }

  /**
   * Clicks the popup's two export buttons and saves the files into `dir` as summary.json and
   * timeline.csv (real downloads through Chrome's download manager).
   */
  async exportTo(dir: string): Promise<{ summary: string; timeline: string }> {
    const saved = await this.download(this.popup, dir, [
      ['export-json', 'summary.json', /\.json$/],
      ['export-csv', 'timeline.csv', /\.csv$/],
    ]);
    return { summary: saved['summary.json']!, timeline: saved['timeline.csv']! };
  }

  /**
   * Opens the report page of meeting `meetingId` in a new tab (1280 px wide), waits until it
   * has drawn (`body[data-state]` leaves `loading`), saves its HTML export into `dir` as
   * report.html and a full-page screenshot as report.png.
   * @returns the two paths and the open report page (the caller closes it).
   * @throws Error when the page ends in `error` or the download does not arrive.
   */
  async openReport(meetingId: string, dir: string): Promise<{ html: string; png: string; page: Page; state: string }> {
    const page = await this.eb.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`chrome-extension://${this.eb.extensionId}/report.html?meeting=${encodeURIComponent(meetingId)}`);
    await page.waitForFunction(() => ['ready', 'empty', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 30_000 });
    const state = (await page.evaluate(() => document.body.dataset.state)) ?? '';
    if (state === 'error') throw new Error(`the report page failed: ${await page.locator('main').innerText()}`);
    const png = join(dir, 'report.png');
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: png, fullPage: true });
    const saved = state === 'ready' ? await this.download(page, dir, [['export-html', 'report.html', /\.html$/]]) : {};
    return { html: saved['report.html'] ?? '', png, page, state };
  }

  /** Clicks each `[testId, name, pattern]` button of `page` and moves its download into `dir` (see `downloadByClicks`). */
  private download(page: Page, dir: string, wanted: [string, string, RegExp][]): Promise<Record<string, string>> {
    return downloadByClicks(this.eb, page, dir, wanted);
  }

  /** Closes everything. */
  async close(): Promise<void> {
    this.network?.close();
    await this.eb.close();
    await this.server.close();
  }
}

/** Opens `target` in `page` with the clip parameters `clipQuery` and waits for its ready flag. */
async function gotoCallPage(page: Page, server: StaticServer, clipQuery: string, target: CallPage): Promise<void> {
  const origin = target.host ? server.origin.replace('127.0.0.1', target.host) : server.origin;
  await page.goto(`${origin}${target.path}?${clipQuery}${target.query ? `&${target.query}` : ''}`);
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 30_000 });
}

/**
 * Clicks each `[testId, name, pattern]` button of `page` in turn and moves the file it downloads
 * (the first matching `pattern`; real downloads through Chrome's download manager) to `dir/name`.
 * @returns name -> saved path.
 * @throws Error when a download does not arrive within 15 s.
 */
export async function downloadByClicks(eb: ExtensionBrowser, page: Page, dir: string, wanted: [string, string, RegExp][]): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const dl = join(dir, '.downloads');
  await rm(dl, { recursive: true, force: true });
  await mkdir(dl, { recursive: true });
  await eb.cdp.send('Browser.setDownloadBehavior' as never, { behavior: 'allow', downloadPath: dl, eventsEnabled: true } as never);
  const out: Record<string, string> = {};
  for (const [testId, name, pattern] of wanted) {
    await page.getByTestId(testId).click();
    const file = await waitForFile(dl, pattern, 15_000);
    const target = join(dir, name);
    await rename(join(dl, file), target);
    out[name] = target;
  }
  await rm(dl, { recursive: true, force: true });
  return out;
}

async function waitForFile(dir: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const f of await readdir(dir)) {
      if (pattern.test(f) && !f.endsWith('.crdownload')) {
        const s = await stat(join(dir, f));
        if (s.size > 0) return f;
      }
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`no file matching ${pattern} was downloaded into ${dir} within ${timeoutMs} ms`);
}
