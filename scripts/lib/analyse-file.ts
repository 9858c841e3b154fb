/**
 * Drives the extension's "Analyse a recording" page (analyse.html) in Chromium: gives it a
 * file as a user would (the file input), waits for the result, and saves the meeting's
 * `summary.json`, `timeline.csv` and `report.html` through the report page's own export
 * buttons. Shared by `npm run analyse` and the end-to-end test.
 */
import { basename, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { FileStepping, SteppingReport } from '../../src/analyse/file-analysis.ts';
import type { ExtensionBrowser } from './browser.ts';
import { downloadByClicks } from './call-session.ts';

/** What the page said about one file. */
export interface PageResult {
  /** 'done' or 'error' (the page's `body[data-state]`). */
  state: 'done' | 'error';
  /** The page's result line or error message. */
  message: string;
  meetingId: string | null;
  people: number;
  /** Video seconds analysed per wall-clock second. */
  speed: number;
  /** Files saved by `exportTo` (summary.json, timeline.csv, report.html), by name. */
  files: Record<string, string>;
  /** How the frames were reached (file-analysis.ts `SteppingReport`), or null when the analysis did not finish. */
  stepping: SteppingReport | null;
}

/**
 * Gives the file input `selector` of `page` the local file `file`, as a user choosing it does.
 * Through the DevTools protocol's `DOM.setFileInputFiles` with the file's path: the browser
 * runs on this machine and reads the file itself, so any size works. (Playwright's
 * `setInputFiles` treats a browser it connected to over CDP as remote and sends the bytes in
 * the protocol's messages: 50 MB at most, and 14 MB took about 60 s here.)
 * @throws Error when the page has no element `selector`.
 */
export async function chooseFile(page: Page, selector: string, file: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { result } = await cdp.send('Runtime.evaluate', { expression: `document.querySelector(${JSON.stringify(selector)})` });
    if (!result.objectId) throw new Error(`no element ${selector} on ${page.url()}`);
    await cdp.send('DOM.setFileInputFiles', { files: [resolve(file)], objectId: result.objectId });
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/**
 * Opens analyse.html in `eb`, analyses `file` and, when it finishes, saves its exports into
 * `outDir` (when given).
 * @param timeoutMs longest wait for the analysis, ms.
 * @param stepping 'play' (the page's default) or 'seek' (`analyse.html?stepping=seek`).
 * @throws Error when the page neither finishes nor reports an error in time.
 */
export async function analyseInPage(eb: ExtensionBrowser, file: string, outDir: string | null, timeoutMs = 600_000, stepping: FileStepping = 'play'): Promise<PageResult> {
  const page: Page = await eb.context.newPage();
  try {
    await page.goto(`chrome-extension://${eb.extensionId}/analyse.html${stepping === 'seek' ? '?stepping=seek' : ''}`);
    await page.getByTestId('file').waitFor();
    await chooseFile(page, '[data-testid="file"]', file);
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: timeoutMs, polling: 250 });
    const body = await page.evaluate(() => ({ ...document.body.dataset }));
    const state = body.state as 'done' | 'error';
    const message = (await page.getByTestId(state === 'done' ? 'result' : 'error').innerText()).trim();
    const meetingId = state === 'done' ? (body.meetingId ?? null) : null;
    const files: Record<string, string> = {};
    if (meetingId && outDir) {
      const report = await eb.context.newPage();
      try {
        await report.goto(`chrome-extension://${eb.extensionId}/report.html?meeting=${encodeURIComponent(meetingId)}`);
        await report.waitForFunction(() => ['ready', 'empty', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });
        const wanted: [string, string, RegExp][] = [
          ['export-json', 'summary.json', /\.json$/],
          ['export-csv', 'timeline.csv', /\.csv$/],
        ];
        if ((await report.evaluate(() => document.body.dataset.state)) === 'ready') wanted.push(['export-html', 'report.html', /\.html$/]);
        Object.assign(files, await downloadByClicks(eb, report, join(outDir), wanted));
      } finally {
        await report.close();
      }
    }
    return { state, message, meetingId, people: Number(body.people ?? 0), speed: Number(body.speed ?? 0), files, stepping: body.stepping ? (JSON.parse(body.stepping) as SteppingReport) : null };
  } finally {
    await page.close();
  }
}

/** The name the page stores for `file`: its base name only, never its path. */
export function storedName(file: string): string {
  return basename(file);
}
