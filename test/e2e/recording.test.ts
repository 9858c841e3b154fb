/**
 * A recording with several people in one picture (a canvas showing two clips side by side on
 * an ordinary page): the generic adapter takes the page's only video as a multi-person tile,
 * and each face becomes a participant of its own, named "<caption> · person N", each with
 * its own emotion, and no row stands for the whole picture.
 */
import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { CallSession } from '../../scripts/lib/call-session.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { ensureBuilt, noBrowserReason, noVideosReason, scenario } from './helpers.ts';

const skip = noBrowserReason() || noVideosReason();
const CLIPS = ['WolfgangLanger_Pexels.webm', 'single_face.webm'];
const EMOTION_TEXT = new RegExp(`^(${EMOTIONS.join('|')}) \\d+%$`);

describe('several people in one video (real clips)', { skip }, () => {
  const { step, check } = scenario();
  let session: CallSession;
  let rows: { id: string; name: string; dominant: string }[] = [];

  after(async () => {
    await session?.close();
  });

  step('the recording page opens in Chromium with the extension loaded', async () => {
    await ensureBuilt();
    session = await CallSession.open({ clips: CLIPS, page: { path: '/fixtures/recording/' } });
  });

  step('each face of a recording is a participant of its own, with its own emotion', async () => {
    const caption: string = await session.page.evaluate(() => (window as any).siteCall.caption());
    await session.start();
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      rows = await session.popup.$$eval('[data-testid="participant-row"]', (els) =>
        els.map((el) => ({
          id: (el as HTMLElement).dataset.participantId ?? '',
          name: (el as HTMLElement).dataset.participantName ?? '',
          dominant: el.querySelector('[data-testid="dominant"]')?.textContent?.trim() ?? '',
        })),
      );
      if (rows.length === CLIPS.length && rows.every((r) => EMOTION_TEXT.test(r.dominant))) break;
      await new Promise((ok) => setTimeout(ok, 300));
    }
    assert.equal(rows.length, CLIPS.length, `one row per person in the picture: ${JSON.stringify(rows)}`);
    for (const r of rows) {
      assert.match(r.name, new RegExp(`^${caption.replace(/[()]/g, '\\$&')} · person \\d+$`));
      assert.match(r.id, /^tile-1#\d+$/);
      assert.match(r.dominant, EMOTION_TEXT, `${r.name} has an emotion`);
    }
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'distinct people');
  });

  check('overlays turned on show one box on each face', async () => {
    await session.setOverlays(true);
    const end = Date.now() + 15_000;
    let boxes: Record<string, string> = {};
    while (Date.now() < end && Object.keys(boxes).length < CLIPS.length) {
      boxes = await session.overlays();
      await new Promise((ok) => setTimeout(ok, 300));
    }
    assert.deepEqual(Object.keys(boxes).sort(), rows.map((r) => r.id).sort(), 'an overlay box on each face');
    await session.stop();
  });
});
