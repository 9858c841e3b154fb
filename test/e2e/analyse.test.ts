/**
 * The "Analyse a recording" page end to end in Chromium, driven as a user drives it (the file
 * input) through the same code as `npm run analyse`: the WolfgangLanger clip gives one person
 * with about one record per second of video, negative emotions early and happy after about
 * 10 s, and a report; the single_face clip (one man, 2.4 s) gives exactly one person, with no
 * second one even in passing; the no_face clip gives no person and says so; a text file named `.mp4`
 * and an empty file give a clear error and leave no meeting without an end time. Mid-way:
 * Cancel returns the page to idle and leaves no meeting behind; Stop keeps an ended meeting
 * that records only up to where it stopped; a video whose frame size changes part-way (made
 * here with ffmpeg, skipped without it) is analysed to the end and finds its person; an
 * hour-long video (the single_face clip looped by ffmpeg) shows its length and the time left,
 * and Stop or Cancel a few seconds in keep one ended meeting or none.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { analyseInPage, chooseFile, type PageResult } from '../../scripts/lib/analyse-file.ts';
import { launchWithExtension, type ExtensionBrowser } from '../../scripts/lib/browser.ts';
import { downloadByClicks, ROOT, VIDEOS_DIR } from '../../scripts/lib/call-session.ts';
import { ensureBuilt, noBrowserReason, noVideosReason, scenario, TEST_OUTPUT } from './helpers.ts';

const skip = noBrowserReason() || noVideosReason();
const NEGATIVE = ['angry', 'disgust', 'fear', 'sad'];
/** ffmpeg, to make the video whose frame size changes: env FFMPEG_PATH, else Debian's. */
const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';

/** Why the tests that make a video with ffmpeg cannot run here, or false. */
function noFfmpegReason(): string | false {
  return existsSync(FFMPEG) ? false : `ffmpeg not found at ${FFMPEG} (apt-get install ffmpeg, or set FFMPEG_PATH)`;
}

/** The ids of the meetings the Meetings page lists (its `meeting-row`s), and which of them are running. */
async function meetingRows(eb: ExtensionBrowser): Promise<{ ids: string[]; running: string[] }> {
  const page = await eb.context.newPage();
  try {
    await page.goto(`chrome-extension://${eb.extensionId}/meetings.html`);
    await page.waitForFunction(() => document.querySelector('[data-testid="meetings"], [data-testid="meetings-empty"], [data-testid="meetings-error"]'), null, { timeout: 20_000 });
    return await page.locator('[data-testid="meeting-row"]').evaluateAll((els) => ({
      ids: els.map((el) => el.getAttribute('data-meeting-id') ?? ''),
      running: els.filter((el) => el.querySelector('[data-testid="meeting-duration"]')?.textContent?.trim() === 'running').map((el) => el.getAttribute('data-meeting-id') ?? ''),
    }));
  } finally {
    await page.close();
  }
}

/**
 * Opens analyse.html, gives it `file` through its file input and waits until the progress bar
 * passes `seconds` of video.
 * @returns the page, still analysing.
 */
async function analyseUntil(eb: ExtensionBrowser, file: string, seconds: number): Promise<Page> {
  const page = await eb.context.newPage();
  await page.goto(`chrome-extension://${eb.extensionId}/analyse.html`);
  await page.getByTestId('file').waitFor();
  await chooseFile(page, '[data-testid="file"]', file);
  await page.waitForFunction((s) => Number(document.querySelector<HTMLProgressElement>('[data-testid="progress"]')?.value ?? 0) >= s, seconds, { timeout: 120_000, polling: 50 });
  return page;
}

/** The progress bar's value now: video seconds analysed. */
function progressNow(page: Page): Promise<number> {
  return page.getByTestId('progress').evaluate((el) => (el as HTMLProgressElement).value);
}

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

  check("played through, the analysed frames keep the video's own seconds: records span 0 to 19 s of the 19.7 s clip", () => {
    const st = wolf.stepping;
    assert.ok(st, 'the page reports its stepping');
    assert.equal(st.asked, 'play');
    assert.equal(st.fallback, null, 'playing never stalled');
    assert.ok(st.played >= 150 && st.sought <= 3, `${st.played} frames played, ${st.sought} sought`);
    assert.ok(st.spacing.medianS >= 0.05 && st.spacing.medianS <= 0.15, `frames ${st.spacing.medianS} s apart (median)`);
    const seconds = rows.filter((r) => r.participant_id === 'file#1').map((r) => Number(r.second));
    assert.equal(Math.min(...seconds), 0, 'from second 0');
    assert.equal(Math.max(...seconds), 19, 'to second 19, the last (partial) second of the video');
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

  check('the single_face clip gives exactly one person and no second one, even in passing', async () => {
    // The whole picture is one tile searched in square windows: the man's face is found whole
    // in one window and cut by the edge of the next, and both must count as one face.
    const r = await analyseInPage(eb, join(VIDEOS_DIR, 'single_face.webm'), join(out, 'single'));
    assert.equal(r.state, 'done', r.message);
    assert.equal(r.people, 1, r.message);
    assert.doesNotMatch(r.message, /seen for under/, 'no brief second person either');
    const summary = JSON.parse(await readFile(r.files['summary.json']!, 'utf8'));
    const seen = summary.participants.filter((p: any) => p.id !== 'file' && p.secondsWithFace > 0);
    assert.deepEqual(seen.map((p: any) => p.name), ['single_face.webm · person 1'], JSON.stringify(summary.participants.map((p: any) => [p.id, p.secondsWithFace])));
    const single = Papa.parse<Record<string, string>>(await readFile(r.files['timeline.csv']!, 'utf8'), { header: true, skipEmptyLines: true }).data;
    assert.deepEqual(new Set(single.filter((row) => row.participant_id !== 'file').map((row) => row.participant_id)), new Set([seen[0].id]), 'no record of anyone else');
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
  check('Cancel mid-way returns the page to idle and leaves no meeting behind', async () => {
    const before = await meetingRows(eb);
    const page = await analyseUntil(eb, join(VIDEOS_DIR, 'WolfgangLanger_Pexels.webm'), 3);
    try {
      const during = await meetingRows(eb);
      assert.equal(during.running.length, 1, 'the analysis writes a running meeting while it goes');
      await page.getByTestId('cancel').click();
      await page.waitForFunction(() => document.body.dataset.state === 'idle', null, { timeout: 30_000 });
      assert.equal(await page.getByTestId('running').count(), 0, 'no progress shown any more');
      assert.equal(await page.getByTestId('done').count(), 0, 'no result shown');
      assert.equal(await page.getByTestId('file').isEnabled(), true, 'a new file can be chosen');
    } finally {
      await page.close();
    }
    const after = await meetingRows(eb);
    assert.deepEqual([...after.ids].sort(), [...before.ids].sort(), 'the Meetings page lists exactly the meetings it listed before');
    assert.deepEqual(after.running, []);
  });

  check('Stop mid-way keeps an ended meeting that records only up to where it stopped', async () => {
    const page = await analyseUntil(eb, join(VIDEOS_DIR, 'WolfgangLanger_Pexels.webm'), 3);
    let meetingId: string;
    let stoppedAt: number;
    try {
      stoppedAt = await progressNow(page);
      await page.getByTestId('stop').click();
      await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 30_000 });
      const result = (await page.getByTestId('result').innerText()).trim();
      assert.match(result, /^Stopped: /, result);
      assert.match(result, /1 person found/, result);
      meetingId = (await page.evaluate(() => document.body.dataset.meetingId)) ?? '';
      assert.ok(meetingId, 'the page names the kept meeting');
    } finally {
      await page.close();
    }
    const rows = await meetingRows(eb);
    assert.ok(rows.ids.includes(meetingId), 'the Meetings page lists the kept meeting');
    assert.ok(!rows.running.includes(meetingId), 'and it is not running');
    const report = await eb.context.newPage();
    let files: Record<string, string>;
    try {
      await report.goto(`chrome-extension://${eb.extensionId}/report.html?meeting=${encodeURIComponent(meetingId)}`);
      await report.waitForFunction(() => ['ready', 'empty', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000 });
      files = await downloadByClicks(eb, report, join(out, 'stopped'), [
        ['export-json', 'summary.json', /\.json$/],
        ['export-csv', 'timeline.csv', /\.csv$/],
      ]);
    } finally {
      await report.close();
    }
    const summary = JSON.parse(await readFile(files['summary.json']!, 'utf8'));
    assert.ok(summary.meeting.endedAt, 'the meeting has an end time');
    const endS = (Date.parse(summary.meeting.endedAt) - Date.parse(summary.meeting.startedAt)) / 1000;
    // The loop stops after the frame in hand when the click arrives: a few frames past what the bar showed.
    assert.ok(endS >= stoppedAt && endS <= stoppedAt + 3, `ended at ${endS} s of video, stopped at ${stoppedAt} s`);
    const stoppedRows = Papa.parse<Record<string, string>>(await readFile(files['timeline.csv']!, 'utf8'), { header: true, skipEmptyLines: true }).data;
    const last = Math.max(...stoppedRows.map((r) => Number(r.second)));
    assert.ok(stoppedRows.length > 0 && last <= Math.ceil(endS), `seconds recorded up to ${last}, the meeting ends at ${endS} s`);
  });

  check('a video whose frame size changes part-way is analysed to the end and finds its person', async (t) => {
    const noFfmpeg = noFfmpegReason();
    if (noFfmpeg) {
      t.skip(noFfmpeg);
      return;
    }
    // The WolfgangLanger clip's 10-13 s at 640x360, then its 13-16 s at 320x240 (another
    // aspect ratio too), each encoded to VP8 and joined without re-encoding, so the frame size
    // really changes in the middle of one stream, with the same face on both sides.
    const dir = join(out, 'resize');
    await mkdir(dir, { recursive: true });
    const parts = [
      [10, '640:360', join(dir, 'a.webm')],
      [13, '320:240', join(dir, 'b.webm')],
    ] as const;
    for (const [from, size, path] of parts) {
      execFileSync(FFMPEG, ['-v', 'error', '-y', '-ss', String(from), '-t', '3', '-i', join(VIDEOS_DIR, 'WolfgangLanger_Pexels.webm'), '-vf', `scale=${size},setsar=1`, '-an', '-c:v', 'libvpx', '-b:v', '1M', path]);
    }
    const list = join(dir, 'list.txt');
    await writeFile(list, parts.map(([, , path]) => `file '${path}'\n`).join(''));
    const video = join(dir, 'wolfgang-640x360-then-320x240.webm');
    execFileSync(FFMPEG, ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', video]);

    const probe = await eb.context.newPage();
    try {
      await probe.goto(`chrome-extension://${eb.extensionId}/analyse.html`);
      await probe.evaluate(() => document.body.append(Object.assign(document.createElement('input'), { type: 'file', id: 'probe' })));
      await probe.locator('#probe').setInputFiles(video);
      const sizes = await probe.evaluate(async () => {
        const v = document.createElement('video');
        v.muted = true;
        v.src = URL.createObjectURL((document.getElementById('probe') as HTMLInputElement).files![0]!);
        await new Promise((ok) => v.addEventListener('loadeddata', ok, { once: true }));
        const seen: string[] = [];
        for (const at of [1, 4.5]) {
          const seeked = new Promise((ok) => v.addEventListener('seeked', ok, { once: true }));
          v.currentTime = at;
          await seeked;
          seen.push(`${v.videoWidth}x${v.videoHeight}`);
        }
        return seen;
      });
      assert.deepEqual(sizes, ['640x360', '320x240'], 'the browser sees the frame size change');
    } finally {
      await probe.close();
    }

    const r = await analyseInPage(eb, video, join(dir, 'exports'), 120_000);
    assert.equal(r.state, 'done', r.message);
    assert.match(r.message, /^0:06 of /, `the whole 6 s analysed: ${r.message}`);
    assert.equal(r.people, 1, r.message);
    const csv = Papa.parse<Record<string, string>>(await readFile(r.files['timeline.csv']!, 'utf8'), { header: true, skipEmptyLines: true }).data;
    const withFace = csv.filter((row) => row.participant_id === 'file#1' && row.face_visible === '1').map((row) => Number(row.second));
    for (const second of [1, 2, 4, 5]) assert.ok(withFace.includes(second), `person 1 seen in second ${second} (seen in ${withFace.join(', ')})`);
    assert.deepEqual((await meetingRows(eb)).running, [], 'no meeting left without an end time');
  });

  check('a one-hour video of 86 MB: the page shows its length and the time left; Stop a few seconds in keeps an ended meeting of those seconds, Cancel keeps nothing', async (t) => {
    const noFfmpeg = noFfmpegReason();
    if (noFfmpeg) {
      t.skip(noFfmpeg);
      return;
    }
    // The 2.4 s single_face clip looped 1,500 times without re-encoding: an hour of video in
    // 86 MB (over the 50 MB a browser driven over CDP can be sent as bytes: the page is given
    // the file's path, as `npm run analyse` gives it), made in about a second, removed at the end.
    const dir = join(out, 'long');
    await mkdir(dir, { recursive: true });
    const video = join(dir, 'one-hour.webm');
    execFileSync(FFMPEG, ['-v', 'error', '-y', '-stream_loop', '1499', '-i', join(VIDEOS_DIR, 'single_face.webm'), '-c', 'copy', video]);
    try {
      const before = await meetingRows(eb);
      let page = await analyseUntil(eb, video, 3);
      let kept: string;
      try {
        const status = (await page.getByTestId('running').innerText()).replace(/\s+/g, ' ');
        assert.match(status, / of 1:00:00 /, `the hour is the length shown: ${status}`);
        const left = /about (?:(\d+):)?(\d+):(\d+) left/.exec(status);
        assert.ok(left, `a time left is shown: ${status}`);
        const leftS = Number(left[1] ?? 0) * 3600 + Number(left[2]) * 60 + Number(left[3]);
        assert.ok(leftS >= 600, `the time left is that of the hour still to analyse: ${status}`);
        const stoppedAt = await progressNow(page);
        await page.getByTestId('stop').click();
        await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 30_000 });
        const result = (await page.getByTestId('result').innerText()).trim();
        assert.match(result, /^Stopped: 0:0\d of one-hour\.webm/, result);
        kept = (await page.evaluate(() => document.body.dataset.meetingId)) ?? '';
        assert.ok(kept, 'the page names the kept meeting');
        t.diagnostic(`stopped at ${stoppedAt.toFixed(1)} s of 3600: ${result}`);
      } finally {
        await page.close();
      }
      const afterStop = await meetingRows(eb);
      assert.deepEqual(afterStop.ids.filter((id) => !before.ids.includes(id)), [kept], 'Stop keeps one meeting');
      assert.deepEqual(afterStop.running, [], 'and it has an end time');

      page = await analyseUntil(eb, video, 3);
      try {
        await page.getByTestId('cancel').click();
        await page.waitForFunction(() => document.body.dataset.state === 'idle', null, { timeout: 30_000 });
      } finally {
        await page.close();
      }
      const afterCancel = await meetingRows(eb);
      assert.deepEqual([...afterCancel.ids].sort(), [...afterStop.ids].sort(), 'Cancel keeps no meeting');
      assert.deepEqual(afterCancel.running, []);
    } finally {
      await rm(video, { force: true });
    }
  });
});
