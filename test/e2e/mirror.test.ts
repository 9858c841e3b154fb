/**
 * The mirror page end to end in Chromium, with Chromium's fake camera playing the
 * WolfgangLanger clip (converted to Y4M by Debian's ffmpeg): the page shows the face box, the
 * landmarks on their toggle, the 7 bars with the dominant emotion, the valence/arousal dot and
 * the frame rate; Record / Stop gives a meeting of site `camera` with about one record per
 * second in the report's CSV; a camera that stops while recording ends the recording and keeps
 * it; a refused permission and a machine without a camera each give their message.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { launchWithExtension, type ExtensionBrowser } from '../../scripts/lib/browser.ts';
import { downloadByClicks, ROOT, VIDEOS_DIR } from '../../scripts/lib/call-session.ts';
import { fakeCameraArgs, fakeCameraFile, noFfmpegReason } from '../../scripts/lib/fake-camera.ts';
import { ensureBuilt, noBrowserReason, noVideosReason, scenario, TEST_OUTPUT } from './helpers.ts';

const skip = noBrowserReason() || noVideosReason() || noFfmpegReason();
const out = join(TEST_OUTPUT, 'e2e-mirror');

/** Pixels of the overlay canvas that are drawn on (alpha > 0). */
function drawnPixels(page: Page): Promise<number> {
  return page.getByTestId('overlay').evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
}

/** The page's `<body>` data attributes. */
function bodyData(page: Page): Promise<Record<string, string | undefined>> {
  return page.evaluate(() => ({ ...document.body.dataset }));
}

/** Opens the mirror page in `eb`. */
async function openMirror(eb: ExtensionBrowser): Promise<Page> {
  const page = await eb.context.newPage();
  await page.setViewportSize({ width: 1200, height: 720 });
  await page.goto(`chrome-extension://${eb.extensionId}/mirror.html`);
  return page;
}

describe('the mirror (mirror.html) on a fake camera', { skip }, () => {
  const { step, check } = scenario();
  let eb: ExtensionBrowser;
  let page: Page;
  let meetingId = '';

  after(async () => {
    await eb?.close();
  });

  step('Chromium opens with the extension and a fake camera playing the WolfgangLanger clip', async () => {
    await ensureBuilt();
    const y4m = await fakeCameraFile(join(VIDEOS_DIR, 'WolfgangLanger_Pexels.webm'), out);
    eb = await launchWithExtension({ extensionDir: join(ROOT, 'dist/chrome'), args: fakeCameraArgs(y4m) });
    page = await openMirror(eb);
  });

  step('the camera starts and a face is found', async () => {
    await page.waitForFunction(() => document.body.dataset.camera === 'on' && document.body.dataset.face === 'true' && document.querySelector('[data-testid="emotion"][data-emotion]'), null, { timeout: 90_000 });
  });

  check('the face box, the bars, the emoji with its confidence, the valence/arousal dot and the frame rate are shown', async () => {
    assert.ok((await drawnPixels(page)) > 500, 'the face box is drawn on the overlay');
    const bars = await page.getByTestId('bar').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-value'))));
    assert.equal(bars.length, 7);
    assert.ok(Math.abs(bars.reduce((a, b) => a + b, 0) - 1) < 0.02, `bars sum to 1: ${bars.join(' ')}`);
    assert.match(await page.getByTestId('emotion').innerText(), /(angry|disgust|fear|happy|sad|surprise|neutral) \d+%/);
    assert.match((await page.getByTestId('affect-dot').getAttribute('data-valence')) ?? '', /^-?\d\.\d{3}$/);
    const body = await bodyData(page);
    assert.ok(Number(body.fps) > 1, `analysed ${body.fps} frames/s`);
    assert.ok(body.backend, 'the backend is shown');
    assert.match(await page.getByTestId('stats').innerText(), /frames\/s analysed/);
    await page.screenshot({ path: join(out, 'mirror.png') });
  });

  check('the landmarks toggle draws the face mesh', async () => {
    const before = await drawnPixels(page);
    await page.getByTestId('toggle-landmarks').check();
    await page.waitForTimeout(500);
    const withMesh = await drawnPixels(page);
    assert.ok(withMesh > before * 1.5, `drawn pixels ${before} without landmarks, ${withMesh} with`);
    await page.getByTestId('toggle-landmarks').uncheck();
  });

  step('Record, then Stop after about 6 s, keeps a recording', async () => {
    await page.getByTestId('record').click();
    await page.waitForFunction(() => document.body.dataset.recording === 'true', null, { timeout: 10_000 });
    await page.waitForTimeout(6_000);
    await page.getByTestId('record-stop').click();
    await page.waitForFunction(() => document.body.dataset.recording === 'false' && document.body.dataset.meetingId, null, { timeout: 10_000 });
    meetingId = (await bodyData(page)).meetingId!;
    assert.match(await page.getByTestId('saved').innerText(), /Recording kept: 0:0[5-7]/);
  });

  check('the recording is a meeting of site camera with about one record per second, in the report and its exports', async () => {
    const report = await eb.context.newPage();
    try {
      await report.goto(`chrome-extension://${eb.extensionId}/report.html?meeting=${encodeURIComponent(meetingId)}`);
      await report.waitForFunction(() => ['ready', 'empty', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });
      assert.equal(await report.evaluate(() => document.body.dataset.state), 'ready');
      const files = await downloadByClicks(eb, report, join(out, 'recording'), [
        ['export-json', 'summary.json', /\.json$/],
        ['export-csv', 'timeline.csv', /\.csv$/],
      ]);
      const summary = JSON.parse(await readFile(files['summary.json']!, 'utf8'));
      assert.equal(summary.meeting.site, 'camera');
      assert.ok(summary.meeting.endedAt, 'the meeting has an end time');
      const rows = Papa.parse<Record<string, string>>(await readFile(files['timeline.csv']!, 'utf8'), { header: true, skipEmptyLines: true }).data;
      const mine = rows.filter((r) => r.participant_id === 'camera');
      const seconds = new Set(mine.map((r) => r.second));
      assert.ok(seconds.size >= 5 && seconds.size <= 8, `${seconds.size} seconds recorded over about 6 s`);
      assert.equal(seconds.size, mine.length, 'one record per second');
      assert.ok(mine.filter((r) => r.dominant).length >= 4, 'most seconds have an emotion');
    } finally {
      await report.close();
    }
  });

  check('a camera that stops while recording ends the recording, keeps it and says so; Try again brings the camera back', async () => {
    await page.getByTestId('record').click();
    await page.waitForFunction(() => document.body.dataset.recording === 'true', null, { timeout: 10_000 });
    await page.waitForTimeout(3_000);
    // What the browser fires when a camera is unplugged or taken by the system.
    await page.getByTestId('camera-video').evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream).getVideoTracks()[0]!.dispatchEvent(new Event('ended')));
    await page.waitForFunction(() => document.body.dataset.cameraError === 'lost', null, { timeout: 10_000 });
    assert.match(await page.getByTestId('camera-error').innerText(), /camera stopped.*recording so far is kept/s);
    const kept = (await bodyData(page)).meetingId;
    assert.ok(kept && kept !== meetingId, 'a second recording was kept');
    const meetings = await eb.context.newPage();
    await meetings.goto(`chrome-extension://${eb.extensionId}/meetings.html`);
    await meetings.waitForFunction(() => document.querySelectorAll('[data-testid="meeting-row"]').length >= 2, null, { timeout: 20_000 });
    const running = await meetings.locator('[data-testid="meeting-row"]').evaluateAll((els) => els.filter((el) => /running/i.test(el.textContent ?? '')).length);
    assert.equal(running, 0, 'no meeting left without an end time');
    await meetings.close();
    await page.getByTestId('retry').click();
    await page.waitForFunction(() => document.body.dataset.camera === 'on' && document.body.dataset.face === 'true', null, { timeout: 30_000 });
  });

  check('a refused camera permission and a machine without a camera each give a clear message', async () => {
    for (const [args, problem, text] of [
      [fakeCameraArgs(null, false), 'denied', /Camera access was denied/],
      [[], 'none', /No camera was found/],
    ] as const) {
      const other = await launchWithExtension({ extensionDir: join(ROOT, 'dist/chrome'), args: [...args] });
      try {
        const p = await openMirror(other);
        await p.waitForFunction(() => document.body.dataset.camera === 'error', null, { timeout: 30_000 });
        assert.equal((await bodyData(p)).cameraError, problem);
        assert.match(await p.getByTestId('camera-error').innerText(), text);
        assert.equal(await p.getByTestId('record').isDisabled(), true, 'nothing to record');
      } finally {
        await other.close();
      }
    }
  });
});
