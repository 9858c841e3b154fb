/**
 * npm run bench:report [-- --runs 5 --no-build]
 *
 * How fast the report page opens and how large its HTML export is, on generated meetings
 * written through the extension's real timeline store (bench/lib/meeting-writer.ts) in headless
 * Debian Chromium with dist/chrome:
 * - a 3-hour meeting with 9 participants (97,200 participant-seconds), and, as the baseline in
 *   the same run, a 10-minute meeting with the same 9 participants (5,400);
 * - per meeting: the time from navigation to the first frame after the report is drawn
 *   (`body[data-ready-ms]`: reading IndexedDB, building the report, drawing every chart),
 *   median and spread of `--runs` fresh loads; the HTML export's size and the JSON and CSV
 *   exports' sizes (real downloads); the bytes the store holds for it.
 * Prints the figures and writes bench/results/report.json. No pass/fail on time.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.ts';
import { launchWithExtension } from '../scripts/lib/browser.ts';
import { downloadByClicks, ROOT } from '../scripts/lib/call-session.ts';
import { writeGeneratedMeeting } from './lib/meeting-writer-script.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'no-build': { type: 'boolean', default: false } } });
const runs = Math.max(1, Number(values.runs));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  if (!values['no-build']) await build();
  const eb = await launchWithExtension({ extensionDir: join(ROOT, 'dist/chrome'), headless: true });
  const downloads = await mkdtemp(join(tmpdir(), 'callmood-bench-report-'));
  try {
    const page = await eb.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    const base = `chrome-extension://${eb.extensionId}/report.html`;
    await page.goto(base);
    const meetings = [
      { name: '3 h, 9 participants', id: 'bench-3h-9', seconds: 10_800, participants: 9 },
      { name: '10 min, 9 participants (baseline)', id: 'bench-10min-9', seconds: 600, participants: 9 },
    ];
    const results = [];
    for (const m of meetings) {
      const t0 = Date.now();
      const written = await writeGeneratedMeeting(page, { id: m.id, startedAt: Date.UTC(2026, 10, 30, 9), participants: m.participants, seconds: m.seconds, seed: 7 });
      const writeMs = Date.now() - t0;
      const openMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        await page.goto(`${base}?meeting=${encodeURIComponent(m.id)}&run=${i}`);
        await page.waitForFunction(() => document.body.dataset.readyMs !== undefined && document.body.dataset.state === 'ready', null, { timeout: 60_000 });
        openMs.push(Number(await page.evaluate(() => document.body.dataset.readyMs)));
      }
      const charts = await page.locator('[data-testid="chart"] canvas').count();
      const files = await downloadByClicks(eb, page, join(downloads, m.id), [
        ['export-html', 'report.html', /\.html$/],
        ['export-json', 'summary.json', /\.json$/],
        ['export-csv', 'timeline.csv', /\.csv$/],
      ]);
      const size = async (f: string) => (await stat(f)).size;
      const storeBytes = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
      results.push({
        meeting: m.name,
        participantSeconds: written,
        writeMs,
        openMs: { median: median(openMs), min: Math.min(...openMs), max: Math.max(...openMs), runs: openMs },
        charts,
        htmlBytes: await size(files['report.html']!),
        jsonBytes: await size(files['summary.json']!),
        csvBytes: await size(files['timeline.csv']!),
        browserStorageBytes: storeBytes,
      });
    }
    const out = { date: new Date().toISOString(), cores: cpus().length, loadavg: loadavg(), runs, results };
    for (const r of results) {
      console.log(`${r.meeting}: ${r.participantSeconds} participant-seconds; report drawn in ${r.openMs.median} ms median (${r.openMs.min}–${r.openMs.max}, ${runs} runs), ${r.charts} charts; HTML export ${(r.htmlBytes / 1e6).toFixed(2)} MB, JSON ${(r.jsonBytes / 1e3).toFixed(1)} kB, CSV ${(r.csvBytes / 1e6).toFixed(2)} MB`);
    }
    const [long, short] = results;
    console.log(`3 h / 10 min open time: ${(long!.openMs.median / short!.openMs.median).toFixed(2)}x for ${(long!.participantSeconds / short!.participantSeconds).toFixed(0)}x the seconds; load average ${loadavg()[0]!.toFixed(2)}`);
    await mkdir(join(ROOT, 'bench/results'), { recursive: true });
    await writeFile(join(ROOT, 'bench/results/report.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log('wrote bench/results/report.json');
  } finally {
    await eb.close();
    await rm(downloads, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
