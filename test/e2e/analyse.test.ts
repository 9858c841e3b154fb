/**
 * The "Analyse a recording" page end to end in Chromium, driven as a user drives it (the file
 * input) through the same code as `npm run analyse`: the WolfgangLanger clip gives one person
 * with about one record per second of video, negative emotions early and happy after about
 * 10 s, and a report; the no_face clip gives no person and says so; a text file named `.mp4`
 * and an empty file give a clear error and leave no meeting without an end time.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import Papa from 'papaparse';
import { analyseInPage, type PageResult } from '../../scripts/lib/analyse-file.ts';
import { launchWithExtension, type ExtensionBrowser } from '../../scripts/lib/browser.ts';
import { ROOT, VIDEOS_DIR } from '../../scripts/lib/call-session.ts';
import { ensureBuilt, noBrowserReason, noVideosReason, scenario, TEST_OUTPUT } from './helpers.ts';

const skip = noBrowserReason() || noVideosReason();
const NEGATIVE = ['angry', 'disgust', 'fear', 'sad'];

describe('analysing a recording (analyse.html)', { skip }, () => {
  const { step, check } = scenario();
  const out = join(TEST_OUTPUT, 'e2e-analyse');
  let eb: ExtensionBrowser;
  let wolf: PageResult;
  let rows: Record<string, string>[] = [];

  after(async () => {
    await eb?.close();
  });

  step('Chromium opens with the extension loaded', async () => {
    await ensureBuilt();
    eb = await launchWithExtension({ extensionDir: join(ROOT, 'dist/chrome') });
  });

  step('the WolfgangLanger clip is analysed and exported', async () => {
    wolf = await analyseInPage(eb, join(VIDEOS_DIR, 'WolfgangLanger_Pexels.webm'), join(out, 'wolf'));
    assert.equal(wolf.state, 'done', wolf.message);
    rows = Papa.parse<Record<string, string>>(await readFile(wolf.files['timeline.csv']!, 'utf8'), { header: true, skipEmptyLines: true }).data;
  });

  check('one person, about one record per second of the 19.7 s video, faster than nothing', async () => {
    assert.equal(wolf.people, 1, wolf.message);
    const summary = JSON.parse(await readFile(wolf.files['summary.json']!, 'utf8'));
    assert.equal(summary.meeting.site, 'file');
    const people = summary.participants.filter((p: any) => p.secondsWithFace >= 1);
    assert.equal(people.length, 1, JSON.stringify(summary.participants.map((p: any) => [p.id, p.name])));
    assert.equal(people[0].name, 'WolfgangLanger_Pexels.webm · person 1', 'named after the file, never its path');
    const seconds = new Set(rows.filter((r) => r.participant_id === people[0].id).map((r) => Number(r.second)));
    assert.ok(seconds.size >= 17 && seconds.size <= 20, `${seconds.size} seconds recorded`);
    assert.ok(wolf.speed > 0, `speed ${wolf.speed}`);
  });

  check('negative emotions dominate early, happy after about 10 s', () => {
    const person = rows.filter((r) => (r.participant_id ?? '').endsWith('#1') && r.gap === '');
    const share = (from: number, to: number, emotions: string[]) => {
      const span = person.filter((r) => Number(r.second) >= from && Number(r.second) < to);
      return span.filter((r) => emotions.includes(r.dominant ?? '')).length / Math.max(1, span.length);
    };
    assert.ok(share(2, 9, NEGATIVE) > 0.5, `negative in ${share(2, 9, NEGATIVE)} of seconds 2-9`);
    assert.ok(share(11, 20, ['happy']) > 0.5, `happy in ${share(11, 20, ['happy'])} of seconds 11-19`);
  });

  check('the no_face clip finds no person and says so', async () => {
    const r = await analyseInPage(eb, join(VIDEOS_DIR, 'no_face.webm'), null);
    assert.equal(r.state, 'done', r.message);
    assert.equal(r.people, 0);
    assert.match(r.message, /No face found in this video/);
  });

  check('a text file named .mp4 and an empty file give a clear error, and every stored meeting has an end time', async () => {
    await mkdir(out, { recursive: true });
    const text = join(out, 'notes.mp4');
    const empty = join(out, 'empty.webm');
    await writeFile(text, 'this is not a video\n');
    await writeFile(empty, '');
    const bad = await analyseInPage(eb, text, null);
    assert.equal(bad.state, 'error');
    assert.match(bad.message, /not a video this browser can play/);
    const none = await analyseInPage(eb, empty, null);
    assert.equal(none.state, 'error');
    assert.match(none.message, /empty \(0 bytes\)/);
    const page = await eb.context.newPage();
    await page.goto(`chrome-extension://${eb.extensionId}/meetings.html`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="meeting-row"]').length > 0, null, { timeout: 20_000 });
    const running = await page.locator('[data-testid="meeting-row"]').evaluateAll((els) => els.filter((el) => /running/i.test(el.textContent ?? '')).length);
    assert.equal(running, 0, 'no meeting left without an end time');
    await page.close();
  });
});
