/**
 * npm run analyse -- FILE [--out DIR] [--no-build]
 *
 * Analyses a local video file with the extension's own "Analyse a recording" page
 * (analyse.html) in headless Debian Chromium, exactly as a user would (the page's file input),
 * and writes the meeting's `summary.json`, `timeline.csv` and `report.html` into DIR (default
 * `analyse-output/<file name>/`). Prints the people found and the speed as a multiple of real
 * time. Exits 1 with the page's message when the file cannot be analysed (not a video, empty,
 * no video track). Installs Debian's Chromium first when it is missing and this runs as root.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from './build.ts';
import { ensureBrowsers } from './ensure-browsers.ts';
import { analyseInPage } from './lib/analyse-file.ts';
import { launchWithExtension } from './lib/browser.ts';
import { ROOT } from './lib/call-session.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, 'no-build': { type: 'boolean', default: false } } });

async function main(): Promise<void> {
  const file = positionals[0];
  if (!file) throw new Error('usage: npm run analyse -- FILE [--out DIR]');
  const path = resolve(file);
  if (!existsSync(path)) throw new Error(`no such file: ${path}`);
  const out = resolve(values.out ?? join(ROOT, 'analyse-output', basename(path)));
  ensureBrowsers(['chromium']);
  if (!values['no-build']) await build();
  const eb = await launchWithExtension({ extensionDir: join(ROOT, 'dist/chrome') });
  try {
    console.log(`Analysing ${basename(path)} in the extension's analyse page …`);
    const result = await analyseInPage(eb, path, out);
    if (result.state === 'error') {
      console.error(result.message);
      process.exitCode = 1;
      return;
    }
    console.log(result.message);
    console.log(`Speed: ${result.speed.toFixed(2)}x real time`);
    console.log(`Wrote ${Object.values(result.files).join(', ')}`);
  } finally {
    await eb.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
