/**
 * npm run demo [-- --seconds N] [--out DIR] [--headed]
 *
 * Installs Debian's Chromium when it is missing and this runs as root (else says how; see
 * scripts/ensure-browsers.ts), builds dist/chrome, serves the demo call page on 127.0.0.1
 * (one Meet-like tile per clip in ../shared/data/videos, or still faces when that folder is
 * absent), launches Debian's Chromium with the extension, starts analysis the way the
 * toolbar button does, prints each participant's live dominant emotion (and whether they speak
 * or look away) about once a second,
 * and writes into DIR the export (summary.json, timeline.csv, and the report as report.html),
 * a screenshot of the call page with overlays on (call-page.png), one of the popup (popup.png)
 * and one of the meeting's report page (report.png).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from './build.ts';
import { ensureBrowsers } from './ensure-browsers.ts';
import { CallSession, listClips, VIDEOS_DIR } from './lib/call-session.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    out: { type: 'string', default: 'demo-output' },
    headed: { type: 'boolean', default: false },
    headless: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error(`--seconds must be a positive number, got ${values.seconds}`);
  process.exit(2);
}
const outDir = resolve(values.out);
const headless = values.headless || (!values.headed && !process.env.DISPLAY);

async function main(): Promise<void> {
  ensureBrowsers(['chromium']);
  console.log('Building dist/chrome …');
  await build();
  const clips = listClips();
  if (clips.length) console.log(`Demo call: ${clips.length} participants from ${VIDEOS_DIR}: ${clips.join(', ')}`);
  else console.log(`No clips in ${VIDEOS_DIR}: the demo call shows still faces cut from the npm package @vladmandic/human (assets/screenshot-facematch.jpg).`);
  console.log(`Launching Chromium (${headless ? 'headless' : 'headed'}) …`);
  const session = await CallSession.open({ headless, clips });
  try {
    console.log(`Demo call page: ${session.server.origin}/   extension id: ${session.eb.extensionId}`);
    console.log('Starting analysis (toolbar button, then Start in the popup) …');
    await session.start();
    await session.restartClips();
    console.log(`Backend: ${await session.popup.evaluate(() => document.querySelector('[data-testid="stats"]')?.getAttribute('title') ?? '')}`);
    await session.setOverlays(true);
    console.log(`Analysing for ${seconds} s:`);
    const t0 = Date.now();
    for (let tick = 1; tick <= Math.floor(seconds); tick++) {
      // Ticks on the wall clock, so reading the popup does not stretch the interval.
      await new Promise((ok) => setTimeout(ok, Math.max(0, t0 + tick * 1000 - Date.now())));
      const rows = await session.rows();
      const line = rows.map((r) => `${r.name}: ${r.dominant || '…'}${r.speaking ? ', speaking' : ''}${r.attending === false ? ', not attending' : ''}`).join(' | ');
      console.log(`[${String(tick).padStart(3)} s] ${line || 'waiting for participants…'}   (${(await session.statsText()).replace(/\s+/g, ' ').trim()})`);
    }
    await mkdir(outDir, { recursive: true });
    await session.page.screenshot({ path: join(outDir, 'call-page.png') });
    await session.popup.screenshot({ path: join(outDir, 'popup.png'), fullPage: true });
    await session.stop();
    const files = await session.exportTo(outDir);
    const meeting = (JSON.parse(await readFile(files.summary, 'utf8')) as { meeting: { id: string } }).meeting.id;
    const report = await session.openReport(meeting, outDir);
    await report.page.close();
    console.log(`Wrote ${files.summary}, ${files.timeline}, ${report.html}, ${report.png}, ${join(outDir, 'call-page.png')}, ${join(outDir, 'popup.png')}`);
    const outside = session.network?.outsideRequests() ?? [];
    console.log(`Network requests from extension contexts outside chrome-extension://: ${outside.length}`);
  } finally {
    await session.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
