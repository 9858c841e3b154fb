/**
 * Opens a saved HTML file the way a user double-clicks it, but provably offline: a fresh
 * Chromium (new empty profile, no extension) with the network emulated off, every request the
 * page makes recorded. Used to check the report export opens from disk on its own.
 */
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { assertChromium } from '../../scripts/lib/browser.ts';

/** The opened file and what it requested. */
export interface OfflineFile {
  browser: Browser;
  page: Page;
  /** URLs the page requested other than the file itself and in-memory `data:` URLs. */
  requests: string[];
}

/** Opens `path` in a fresh offline Chromium; the caller closes `browser`. */
export async function openOffline(path: string): Promise<OfflineFile> {
  const browser = await chromium.launch({ executablePath: assertChromium(), headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  const context = await browser.newContext({ offline: true, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const url = pathToFileURL(path).href;
  const requests: string[] = [];
  page.on('request', (r) => {
    if (r.url() !== url && !r.url().startsWith('data:')) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { browser, page, requests };
}
