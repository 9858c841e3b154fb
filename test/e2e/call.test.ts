/**
 * End to end on the demo call page with the real clips, in Debian's Chromium, WASM backend,
 * step by step as a user goes: toolbar action -> Start in the popup -> every participant
 * listed by name with live bars, "no face" for the faceless participant, overlays on and
 * off, Stop and export with about one row per second, the meeting's report page (an arc per
 * participant, key moments that highlight the charts) and its HTML export opened offline from
 * disk with the same charts and numbers, and zero network requests from the extension outside
 * chrome-extension://. What the model says about each face is measured by
 * `npm run eval` and the benchmarks, not here.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import Papa from 'papaparse';
import { CallSession, type PopupRow } from '../../scripts/lib/call-session.ts';
import { valenceArousal } from '../../src/shared/affect.ts';
import { EMOTIONS, type Probabilities } from '../../src/shared/emotions.ts';
import { meetingSummarySchema } from '../../src/shared/summary-schema.ts';
import { ensureBuilt, noBrowserReason, noVideosReason, scenario, TEST_OUTPUT } from './helpers.ts';
import { openOffline } from './offline-file.ts';

const skip = noBrowserReason() || noVideosReason();
const EMOTION_TEXT = new RegExp(`^(${EMOTIONS.join('|')}) \\d+%$`);
/** How long after Start the popup may take to name every participant (model load included), ms. */
const NAMED_MS = 30_000;
/** Seconds the popup is read, twice a second, once every participant is named. */
const READ_SECONDS = 12;
/** The demo call's participant whose clip never shows a face. */
const NO_FACE = 'no_face';
/** The name given by hand to the NO_FACE participant. */
const HAND_NAME = 'Named By Hand';

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe('CallMood on the demo call (real clips)', { skip }, () => {
  const { step, check } = scenario();
  const out = join(TEST_OUTPUT, 'e2e-call');
  let session: CallSession;
  let participants: { id: string; name: string }[] = [];
  let startedAt = 0;
  const polls: PopupRow[][] = [];
  const overlaySamples: Record<string, string>[] = [];
  let summary: any;
  let timeline: Record<string, string>[] = [];
  let reportHtml = '';

  after(async () => {
    await session?.close();
  });

  step('the demo call opens in Chromium with the extension loaded', async () => {
    await ensureBuilt();
    session = await CallSession.open({ headless: true });
    participants = await session.page.evaluate(() => (window as any).demoCall.participants());
    assert.ok(participants.some((p) => p.id === NO_FACE), `the demo call has the ${NO_FACE} participant: ${JSON.stringify(participants)}`);
  });

  step('the toolbar button and Start in the popup start the analysis', async () => {
    startedAt = Date.now();
    await session.start();
  });

  step(`within ${NAMED_MS / 1000} s of Start the popup lists every participant by the name in the DOM`, async () => {
    let rows: PopupRow[] = [];
    while (Date.now() < startedAt + NAMED_MS) {
      rows = await session.rows();
      if (participants.every((p) => rows.some((r) => r.id === p.id && r.name === p.name))) return;
      await sleep(250);
    }
    assert.fail(`after ${NAMED_MS} ms the popup shows ${JSON.stringify(rows.map((r) => [r.id, r.name]))}; the page has ${JSON.stringify(participants)}`);
  });

  step(`the popup is read twice a second for ${READ_SECONDS} s`, async () => {
    const end = Date.now() + READ_SECONDS * 1000;
    while (Date.now() < end) {
      polls.push(await session.rows());
      await sleep(500);
    }
    await session.popup.screenshot({ path: join(out, 'popup.png'), fullPage: true }).catch(() => {});
  });

  check('every participant with a face shows a dominant emotion and seven labelled bars that move', () => {
    for (const p of participants.filter((q) => q.id !== NO_FACE)) {
      const shown = polls.map((rows) => rows.find((r) => r.id === p.id)).filter((r): r is PopupRow => r !== undefined && EMOTION_TEXT.test(r.dominant));
      const seen = [...new Set(polls.map((rows) => rows.find((r) => r.id === p.id)?.dominant))];
      assert.ok(shown.length > 0, `${p.name} (${p.id}) never showed an emotion; it read ${JSON.stringify(seen)}`);
      assert.deepEqual(Object.keys(shown[0]!.bars).sort(), [...EMOTIONS].sort(), 'seven labelled bars');
      assert.ok(new Set(shown.map((r) => JSON.stringify(r.bars))).size > 1, `${p.name}'s bars never changed`);
    }
  });

  check(`the ${NO_FACE} participant reads "no face" rather than an emotion`, () => {
    const texts = polls.map((rows) => rows.find((r) => r.id === NO_FACE)?.dominant).filter((t): t is string => t !== undefined);
    assert.equal(texts.length, polls.length, `the ${NO_FACE} row is listed at every read`);
    const noFace = texts.filter((t) => /no face/i.test(t)).length;
    assert.ok(noFace > texts.length / 2, `"no face" in ${noFace}/${texts.length} reads: ${[...new Set(texts)].join(', ')}`);
  });

  check('overlays turned on in the popup show a box on every tile, with an emotion or "no face"', async () => {
    await session.setOverlays(true);
    await session.page.waitForFunction(() => document.getElementById('callmood-overlay-root') !== null, null, { timeout: 10_000 });
    await sleep(1000);
    // Read the overlays a few times, as a person looking at the call would.
    for (let k = 0; k < 6; k++) {
      overlaySamples.push(await session.overlays());
      await sleep(300);
    }
    await session.page.screenshot({ path: join(out, 'overlays-on.png') }).catch(() => {});
    const last = overlaySamples.at(-1)!;
    for (const p of participants) assert.ok(p.id in last, `overlay for ${p.id}: ${JSON.stringify(last)}`);
    const texts = (id: string) => overlaySamples.map((o) => o[id] ?? '');
    const noFace = texts(NO_FACE).filter((t) => /no face/i.test(t)).length;
    assert.ok(noFace > overlaySamples.length / 2, `the ${NO_FACE} overlay read "no face" in ${noFace}/${overlaySamples.length} samples: ${JSON.stringify(texts(NO_FACE))}`);
    // Participants whose popup row showed an emotion at nearly every read have a face on screen
    // all along: their overlays must show an emotion too.
    const steady = participants.filter((p) => polls.filter((rows) => rows.some((r) => r.id === p.id && EMOTION_TEXT.test(r.dominant))).length >= 0.8 * polls.length);
    assert.ok(steady.length > 0, 'some participant showed an emotion at nearly every read of the popup');
    const emotion = new RegExp(`^(${EMOTIONS.join('|')}) \\d+%`);
    for (const p of steady) assert.ok(texts(p.id).some((t) => emotion.test(t)), `${p.id}'s overlay never showed an emotion: ${JSON.stringify(texts(p.id))}`);
  });

  check('overlays turned off leave nothing of CallMood on the call page', async () => {
    await session.setOverlays(false);
    await session.page.waitForFunction(() => document.getElementById('callmood-overlay-root') === null, null, { timeout: 10_000 }).catch(() => {});
    const left = await session.page.evaluate(() => ({
      root: document.getElementById('callmood-overlay-root') !== null,
      boxes: document.querySelectorAll('[data-callmood-overlay]').length,
    }));
    assert.deepEqual(left, { root: false, boxes: 0 });
  });

  step('while the analysis runs, the report shows the meeting up to the last second written', async () => {
    const meetingId = await session.popup.getByTestId('export').getAttribute('data-meeting-id');
    assert.ok(meetingId, 'the popup names the meeting being analysed');
    const page = await session.eb.context.newPage();
    await page.goto(`chrome-extension://${session.eb.extensionId}/report.html?meeting=${encodeURIComponent(meetingId)}`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
    assert.match(await page.getByTestId('notice').first().innerText(), /still being analysed: shown up to \d+:\d\d/);
    await page.close();
  });

  step(`✎ on the ${NO_FACE} row names that participant by hand: the popup shows the name given`, async () => {
    const row = session.popup.locator(`[data-testid="participant-row"][data-participant-id="${NO_FACE}"]`);
    await row.getByTestId('rename').click();
    await row.getByTestId('rename-input').fill(HAND_NAME);
    await row.getByTestId('rename-save').click();
    await session.popup.waitForFunction(([id, name]) => document.querySelector(`[data-testid="participant-row"][data-participant-id="${id}"]`)?.getAttribute('data-participant-name') === name, [NO_FACE, HAND_NAME] as const, { timeout: 10_000 });
    // Seconds recorded under the new name reach the store; from here on it is their name.
    await sleep(2_500);
    participants = participants.map((p) => (p.id === NO_FACE ? { ...p, name: HAND_NAME } : p));
  });

  step('Stop, then the two export buttons download summary.json and timeline.csv', async () => {
    await session.stop();
    const files = await session.exportTo(out);
    summary = JSON.parse(await readFile(files.summary, 'utf8'));
    timeline = Papa.parse<Record<string, string>>(await readFile(files.timeline, 'utf8'), { header: true, skipEmptyLines: true }).data;
  });

  check('the export holds every participant by name with about one row per second', () => {
    assert.equal(summary.schemaVersion, 3);
    assert.equal(summary.meeting.site, '127.0.0.1');
    assert.ok(summary.meeting.endedAt, 'meeting ended');
    const duration = (Date.parse(summary.meeting.endedAt) - Date.parse(summary.meeting.startedAt)) / 1000;
    for (const p of participants) {
      const entry = summary.participants.find((q: any) => q.id === p.id);
      assert.ok(entry, `summary has ${p.id}`);
      assert.equal(entry.name, p.name);
      const rows = timeline.filter((r) => r.participant_id === p.id);
      assert.ok(rows.length >= entry.secondsObserved, `${p.id}: ${rows.length} rows, ${entry.secondsObserved} seconds observed`);
      const seconds = rows.map((r) => Number(r.second));
      // From the first analysed frame (the models load first) to Stop, about one row a second.
      const analysed = duration - Math.min(...seconds);
      assert.ok(rows.length >= 0.8 * analysed - 2 && rows.length <= duration + 1, `${p.id}: ${rows.length} rows for ${analysed.toFixed(1)} s of analysis`);
      assert.equal(new Set(seconds).size, seconds.length, 'one row per second');
    }
    const noFace = summary.participants.find((q: any) => q.id === NO_FACE);
    assert.ok(noFace.secondsWithFace < noFace.secondsObserved / 2, `${NO_FACE}: ${noFace.secondsWithFace} of ${noFace.secondsObserved} seconds with a face`);
  });

  check('the export carries valence, arousal, attention, speaking and face quality, and "no face" gives no attention or speaking', () => {
    const parsed = meetingSummarySchema.safeParse(summary);
    assert.ok(parsed.success, `summary.json matches its schema: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))}`);
    for (const field of ['valence', 'arousal', 'attending', 'speaking', 'speaking_source', 'quality', 'uncertain']) assert.ok(field in timeline[0]!, `timeline.csv has a ${field} column`);
    const withFace = timeline.filter((r) => r.gap === '');
    assert.ok(withFace.length > 0, 'some seconds have a face');
    for (const r of withFace) {
      // Valence and arousal are the circumplex mapping of the row's own probabilities.
      const p = Object.fromEntries(EMOTIONS.map((e) => [e, Number(r[e])])) as Probabilities;
      const { valence, arousal } = valenceArousal(p);
      assert.ok(Math.abs(Number(r.valence) - valence) < 2e-3 && Math.abs(Number(r.arousal) - arousal) < 2e-3, `${r.participant_id} second ${r.second}: valence ${r.valence}, arousal ${r.arousal}; expected ${valence.toFixed(4)}, ${arousal.toFixed(4)}`);
      assert.notEqual(r.quality, '', `${r.participant_id} second ${r.second} has a face quality`);
      assert.ok(Number(r.quality) >= 0 && Number(r.quality) <= 1);
    }
    const judged = withFace.filter((r) => r.attending !== '');
    assert.ok(judged.length >= 0.8 * withFace.length, `attention judged in ${judged.length} of ${withFace.length} seconds with a face`);
    assert.ok(judged.some((r) => Number(r.attending) > 0.5), 'someone faces the screen');
    const noFaceRows = timeline.filter((r) => r.participant_id === NO_FACE && r.gap === 'no-face');
    assert.ok(noFaceRows.length > 0, `${NO_FACE} has seconds without a face`);
    for (const r of noFaceRows) {
      assert.ok(r.speaking !== '1', `${NO_FACE} second ${r.second} speaks`);
      assert.ok(r.attending === '' || Number(r.attending) === 0, `${NO_FACE} second ${r.second} attends: ${r.attending}`);
      assert.equal(r.valence, '');
    }
    const noFace = summary.participants.find((q: any) => q.id === NO_FACE);
    assert.equal(noFace.talkSeconds, 0);
    assert.ok(noFace.attendingShare === null || noFace.attendingShare < 0.2, `${NO_FACE} attending share ${noFace.attendingShare}`);
    assert.deepEqual(
      summary.talkTime.map((t: any) => t.participantId),
      summary.participants.map((q: any) => q.id),
      'talk time lists every participant',
    );
  });

  step('the Meetings page lists the meeting with its site, participants and duration, and Open leads to its report', async () => {
    const page = await session.eb.context.newPage();
    await page.goto(`chrome-extension://${session.eb.extensionId}/meetings.html`);
    const row = page.locator(`[data-testid="meeting-row"][data-meeting-id="${summary.meeting.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    assert.equal(await row.getByTestId('meeting-site').innerText(), '127.0.0.1');
    const names = await row.getByTestId('meeting-participants').innerText();
    for (const p of participants) assert.ok(names.includes(p.name), `the row names ${p.name}: ${names}`);
    const duration = (Date.parse(summary.meeting.endedAt) - Date.parse(summary.meeting.startedAt)) / 1000;
    const shown = await row.getByTestId('meeting-duration').innerText();
    const [, m = '0', s = ''] = /^(?:(\d+) min )?(\d+) s$/.exec(shown) ?? [];
    assert.ok(s !== '' && Math.abs(Number(m) * 60 + Number(s) - duration) <= 1, `duration "${shown}" for ${duration.toFixed(1)} s`);
    await row.getByTestId('meeting-open').click();
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
    assert.ok(page.url().includes(`report.html?meeting=${encodeURIComponent(summary.meeting.id)}`), page.url());
    await page.close();
  });

  step('the report page shows one arc per participant with a face, the whole meeting and the key moments', async () => {
    const report = await session.openReport(summary.meeting.id, out);
    reportHtml = report.html;
    const page = report.page;
    assert.equal(report.state, 'ready', 'the report page drew the meeting');
    const sections = await page.getByTestId('participant').evaluateAll((els) => els.map((el) => ({ id: (el as HTMLElement).dataset.participantId, name: el.querySelector('[data-testid="participant-name"]')?.textContent ?? '', chart: !!el.querySelector('[data-testid="chart"] canvas'), noFace: !!el.querySelector('[data-testid="no-face"]') })));
    assert.deepEqual(sections.map((s) => s.id).sort(), participants.map((p) => p.id).sort(), 'one section per participant');
    for (const p of participants) assert.ok(sections.find((s) => s.id === p.id)!.name.startsWith(p.name), `${p.id} is named ${p.name}`);
    for (const s of sections) assert.ok(s.chart !== s.noFace, `${s.id}: either an arc or "no face seen"`);
    const faced = summary.participants.filter((q: any) => q.secondsWithFace > 0).length;
    assert.equal(sections.filter((s) => s.chart).length, faced, 'an arc for every participant with a face');
    assert.equal(await page.locator('[data-testid="chart"] canvas').count(), faced + 1, 'and one for the whole meeting');
    assert.match(await page.getByTestId('meeting-line').innerText(), new RegExp(`127\\.0\\.0\\.1 · \\d+:\\d\\d · ${participants.length} participants`));
    const moments = page.getByTestId('key-moment');
    assert.ok((await moments.count()) >= 1, 'at least one key moment (the single_face clip ends happy)');
    await moments.first().click();
    assert.equal(await moments.first().getAttribute('aria-pressed'), 'true');
    const highlighted = await page.locator('.u-select').evaluateAll((els) => els.filter((el) => (el as HTMLElement).offsetWidth > 0).length);
    const charts = await page.locator('.uplot').count();
    assert.ok(charts >= faced + 1, `${charts} charts`);
    assert.equal(highlighted, charts, 'choosing a moment highlights it in every chart');
    await page.close();
  });

  step('a corrupt record of the meeting is skipped and counted in a notice, the rest still drawn', async () => {
    const page = await session.eb.context.newPage();
    const url = `chrome-extension://${session.eb.extensionId}/report.html?meeting=${encodeURIComponent(summary.meeting.id)}`;
    await page.goto(url);
    await page.evaluate(
      (meetingId) =>
        new Promise<void>((ok, fail) => {
          const open = indexedDB.open('callmood');
          open.onerror = () => fail(new Error(String(open.error)));
          open.onsuccess = () => {
            const tx = open.result.transaction('chunks', 'readwrite');
            tx.objectStore('chunks').put({ meetingId, participant: 0, start: 6000, present: 'not bytes' });
            tx.oncomplete = () => (open.result.close(), ok());
            tx.onerror = () => fail(new Error(String(tx.error)));
          };
        }),
      summary.meeting.id,
    );
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
    assert.match(await page.getByTestId('notice').first().innerText(), /\d+ corrupt records? (was|were) skipped/);
    assert.ok((await page.locator('[data-testid="chart"] canvas').count()) > 0, 'the charts are still drawn');
    await page.close();
  });

  step('the exported report opens from disk offline in a fresh profile with the same charts, names and numbers, making no request', async () => {
    const file = await openOffline(reportHtml);
    try {
      const { page } = file;
      const faced = summary.participants.filter((q: any) => q.secondsWithFace > 0);
      const images = await page.locator('figure[data-chart] img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
      assert.equal(images.length, 2 * faced.length + 1, 'an arc and a valence line per participant with a face, and the mood of the meeting');
      assert.ok(images.every((w) => w > 100), `every chart image decoded: widths ${images.join(', ')}`);
      assert.match(await page.locator('figcaption').first().innerText(), /time axis: clock time/);
      const text = await page.locator('body').innerText();
      for (const p of participants) assert.ok(text.includes(p.name), `the file names ${p.name}`);
      for (const q of faced) {
        const cells = await page.locator(`section[data-participant-id="${q.id}"] td[data-emotion]`).evaluateAll((tds) => Object.fromEntries(tds.map((td) => [(td as HTMLElement).dataset.emotion, Number((td as HTMLElement).dataset.value)])));
        assert.deepEqual(cells, q.dominantShare, `${q.id}: the file's shares are summary.json's`);
      }
      assert.equal(await page.locator('script').count(), 0, 'the file has no script');
      assert.deepEqual(file.requests, [], 'the file made no request');
    } finally {
      await file.browser.close();
    }
  });

  check('the extension made no network request outside chrome-extension://', () => {
    const own = session.network!.ownFileRequests();
    assert.ok(own.length > 0, 'the monitor saw the extension load its own files (it is watching)');
    assert.deepEqual(session.network!.outsideRequests(), []);
  });
});
