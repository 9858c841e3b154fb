/**
 * End to end on the demo call page with the real clips, in Debian's Chromium, WASM backend:
 * toolbar action -> Start in the popup -> named live bars, "no face" for the faceless
 * participant, overlays on and off, export with about one row per second, and zero network
 * requests from the extension outside chrome-extension://.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Papa from 'papaparse';
import { CallSession, type PopupRow } from '../../scripts/lib/call-session.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { ensureBuilt, noBrowserReason, noVideosReason, TEST_OUTPUT } from './helpers.ts';

const skip = noBrowserReason() || noVideosReason();
const EMOTION_TEXT = new RegExp(`^(${EMOTIONS.join('|')}) \\d+%$`);
/** Seconds analysed after the clips restart: covers the Wolfgang clip's 12-19 s. */
const RUN_SECONDS = 24;

describe('CallMood on the demo call (real clips)', { skip }, () => {
  let session: CallSession;
  let participants: { id: string; name: string }[];
  const polls: { at: number; rows: PopupRow[] }[] = [];
  let restartAt = 0;
  let firstAllNamedMs = Infinity;
  let overlaysOn: Record<string, string> = {};
  const overlaySamples: Record<string, string>[] = [];
  let overlaysOff: { root: boolean; boxes: number } = { root: true, boxes: -1 };
  let summary: any;
  let timeline: Record<string, string>[] = [];
  const out = join(TEST_OUTPUT, 'e2e-call');

  before(async () => {
    await ensureBuilt();
    session = await CallSession.open({ headless: true });
    participants = await session.page.evaluate(() => (window as any).demoCall.participants());
    const t0 = Date.now();
    await session.start();
    restartAt = await session.restartClips();
    // Poll the popup the way a user glances at it, twice a second.
    const end = Date.now() + RUN_SECONDS * 1000;
    while (Date.now() < end) {
      const rows = await session.rows();
      polls.push({ at: Date.now(), rows });
      const named = participants.every((p) => rows.some((r) => r.id === p.id && r.name === p.name));
      if (named && firstAllNamedMs === Infinity) firstAllNamedMs = Date.now() - t0;
      if (polls.length === 20) {
        await session.setOverlays(true);
        await session.page.waitForFunction(() => document.getElementById('callmood-overlay-root') !== null, null, { timeout: 10_000 });
        await new Promise((ok) => setTimeout(ok, 1000));
        // Read the overlays a few times, as a person looking at the call would.
        for (let k = 0; k < 6; k++) {
          overlaySamples.push(await session.overlays());
          await new Promise((ok) => setTimeout(ok, 300));
        }
        overlaysOn = overlaySamples.at(-1)!;
        await session.page.screenshot({ path: join(out, 'overlays-on.png') }).catch(() => {});
        await session.setOverlays(false);
        await new Promise((ok) => setTimeout(ok, 1000));
        overlaysOff = await session.page.evaluate(() => ({
          root: document.getElementById('callmood-overlay-root') !== null,
          boxes: document.querySelectorAll('[data-callmood-overlay]').length,
        }));
      }
      await new Promise((ok) => setTimeout(ok, 500));
    }
    await session.popup.screenshot({ path: join(out, 'popup.png'), fullPage: true }).catch(() => {});
    await session.stop();
    const files = await session.exportTo(out);
    summary = JSON.parse(await readFile(files.summary, 'utf8'));
    timeline = Papa.parse<Record<string, string>>(await readFile(files.timeline, 'utf8'), { header: true, skipEmptyLines: true }).data;
  });

  after(async () => {
    await session?.close();
  });

  test('within 30 s the popup lists every participant by the name in the DOM, with live bars', () => {
    assert.ok(firstAllNamedMs < 30_000, `all participants named after ${firstAllNamedMs} ms`);
    for (const p of participants.filter((q) => q.id !== 'no_face')) {
      const withEmotion = polls.filter((poll) => poll.rows.some((r) => r.id === p.id && EMOTION_TEXT.test(r.dominant)));
      assert.ok(withEmotion.length > 0, `${p.name} (${p.id}) never showed an emotion`);
      const bars = withEmotion.map((poll) => poll.rows.find((r) => r.id === p.id)!.bars);
      assert.deepEqual(Object.keys(bars[0]!).sort(), [...EMOTIONS].sort(), 'seven labelled bars');
      const distinct = new Set(bars.map((b) => JSON.stringify(b)));
      assert.ok(distinct.size > 1, `${p.name}'s bars never changed`);
    }
  });

  test('the no_face participant shows "no face" rather than an emotion', () => {
    const texts = polls.map((poll) => poll.rows.find((r) => r.id === 'no_face')?.dominant).filter((t): t is string => t !== undefined);
    assert.ok(texts.length > 10, 'no_face row present');
    const noFace = texts.filter((t) => /no face/i.test(t)).length;
    assert.ok(noFace / texts.length >= 0.9, `"no face" in ${noFace}/${texts.length} polls: ${[...new Set(texts)].join(', ')}`);
  });

  test('overlays appear on the tiles when toggled on and are gone when toggled off', () => {
    for (const p of participants) assert.ok(p.id in overlaysOn, `overlay for ${p.id}: ${JSON.stringify(overlaysOn)}`);
    const texts = (id: string) => overlaySamples.map((o) => o[id] ?? '');
    const noFace = texts('no_face').filter((t) => /no face/i.test(t)).length;
    assert.ok(noFace >= 4, `no_face overlay read "no face" in ${noFace}/6 samples: ${JSON.stringify(texts('no_face'))}`);
    const emotion = new RegExp(`^(${EMOTIONS.join('|')}) \\d+%`);
    const wolf = texts('WolfgangLanger_Pexels').filter((t) => emotion.test(t)).length;
    assert.ok(wolf >= 4, `Wolfgang overlay showed an emotion in ${wolf}/6 samples: ${JSON.stringify(texts('WolfgangLanger_Pexels'))}`);
    assert.deepEqual(overlaysOff, { root: false, boxes: 0 });
  });

  test('the export holds every participant with about one row per second', () => {
    assert.equal(summary.schemaVersion, 1);
    assert.equal(summary.meeting.site, '127.0.0.1');
    assert.ok(summary.meeting.endedAt, 'meeting ended');
    const duration = (Date.parse(summary.meeting.endedAt) - Date.parse(summary.meeting.startedAt)) / 1000;
    for (const p of participants) {
      const entry = summary.participants.find((q: any) => q.id === p.id);
      assert.ok(entry, `summary has ${p.id}`);
      assert.equal(entry.name, p.name);
      const rows = timeline.filter((r) => r.participant_id === p.id);
      assert.equal(rows.length, entry.secondsObserved);
      assert.ok(rows.length >= 0.8 * duration - 2 && rows.length <= duration + 1, `${p.id}: ${rows.length} rows for ${duration.toFixed(1)} s`);
      const seconds = rows.map((r) => Number(r.second));
      assert.equal(new Set(seconds).size, seconds.length, 'one row per second');
    }
    const noFace = summary.participants.find((q: any) => q.id === 'no_face');
    assert.ok(noFace.secondsWithFace <= 0.1 * noFace.secondsObserved, `no_face secondsWithFace ${noFace.secondsWithFace}`);
  });

  test('single_face ends with happy dominant', () => {
    const entry = summary.participants.find((q: any) => q.id === 'single_face');
    const top = Object.entries(entry.dominantShare as Record<string, number>).sort((a, b) => b[1] - a[1])[0]!;
    assert.equal(top[0], 'happy', `dominant shares ${JSON.stringify(entry.dominantShare)}`);
    // The 2.4 s clip loops: neutral for about 0.4 s, then a broad smile to its end. Polls taken
    // in the last second of a loop (clip time 1.4-2.4 s) must mostly read happy.
    const LOOP = 2.4;
    const late = polls
      .filter((poll) => ((poll.at - restartAt) / 1000) % LOOP >= 1.4)
      .map((poll) => poll.rows.find((r) => r.id === 'single_face')?.dominant.split(' ')[0] ?? '')
      .filter((d) => (EMOTIONS as readonly string[]).includes(d));
    assert.ok(late.length >= 5, `${late.length} polls at the end of a loop`);
    const happy = late.filter((d) => d === 'happy').length;
    assert.ok(happy / late.length >= 0.5, `happy in ${happy}/${late.length} end-of-loop polls: ${late.join(', ')}`);
  });

  test("the Wolfgang participant's timeline has happy dominant over clip time 12-19 s", () => {
    const startedAt = Date.parse(summary.meeting.startedAt);
    const offset = (restartAt - startedAt) / 1000; // meeting second at which the clip restarted
    const rows = timeline.filter((r) => {
      const clipTime = Number(r.second) + 0.5 - offset;
      return r.participant_id === 'WolfgangLanger_Pexels' && clipTime >= 12.5 && clipTime <= 19 && r.dominant !== 'none';
    });
    assert.ok(rows.length >= 5, `${rows.length} seconds with a face in 12-19 s`);
    const happy = rows.filter((r) => r.dominant === 'happy').length;
    assert.ok(happy / rows.length >= 0.6, `happy in ${happy}/${rows.length}: ${rows.map((r) => r.dominant).join(', ')}`);
  });

  test('the extension made no network request outside chrome-extension://', () => {
    const own = session.network!.ownFileRequests();
    assert.ok(own.length > 0, 'the monitor saw the extension load its own files (it is watching)');
    assert.deepEqual(session.network!.outsideRequests(), []);
  });
});
