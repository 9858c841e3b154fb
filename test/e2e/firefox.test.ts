/**
 * End to end in Debian's Firefox ESR, driven over WebDriver BiDi (no driver binary, no
 * downloaded browser): dist/firefox installed temporarily (as about:debugging does), the
 * demo call page with the real clips, the toolbar button clicked (Firefox's own action code,
 * which grants the tab), "Start analysis" pressed in the popup, and then the popup lists
 * every participant by the name in the DOM with live emotions computed in the background
 * event page from tile pixels the content script read. A tile whose video comes from another
 * origin without CORS is named in a "cannot read this tile's pixels in Firefox" notice.
 * Each stage is a test of its own, in order; a failed step skips the rest and says which.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { listClips, ROOT, VIDEOS_DIR } from '../../scripts/lib/call-session.ts';
import { FirefoxBidi, noFirefoxReason } from '../../scripts/lib/firefox.ts';
import { serveStatic, type StaticServer } from '../../scripts/lib/serve.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { ensureBuilt, noVideosReason, scenario } from './helpers.ts';

const skip = noFirefoxReason() || noVideosReason();
const EMOTION_TEXT = new RegExp(`^(${EMOTIONS.join('|')}) \\d+%$`);
/** Seconds the popup is read once every participant is named. */
const RUN_SECONDS = 20;

interface Row {
  id: string;
  name: string;
  dominant: string;
  bars: number;
}

interface PopupState {
  state: string;
  stats: string;
  /** Every notice and error text the popup shows. */
  notices: string;
  rows: Row[];
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Reads the popup as a user does (its test ids, as in the Chrome tests). */
const READ_POPUP = `JSON.stringify({
  state: document.querySelector('[data-testid="state"]')?.dataset.state ?? '',
  stats: document.querySelector('[data-testid="stats"]')?.textContent ?? '',
  notices: [...document.querySelectorAll('[role="alert"], [data-testid="message"], .note, .message')].map((e) => e.textContent.trim()).join(' | '),
  rows: [...document.querySelectorAll('[data-testid="participant-row"]')].map((r) => ({
    id: r.dataset.participantId ?? '',
    name: r.dataset.participantName ?? '',
    dominant: r.querySelector('[data-testid="dominant"]')?.textContent.trim() ?? '',
    bars: r.querySelectorAll('[data-testid="bar"]').length,
  })),
})`;

describe('CallMood in Firefox ESR on the demo call (real clips)', { skip }, () => {
  const { step, check } = scenario();
  let ff: FirefoxBidi;
  let server: StaticServer;
  let extensionId = '';
  let base = '';
  let page = '';
  let participants: { id: string; name: string }[] = [];
  const polls: PopupState[] = [];
  let startedAt = 0;
  let popup = '';

  const readPopup = async (): Promise<PopupState> => JSON.parse(String(await ff.evaluate(popup, READ_POPUP))) as PopupState;
  const firefoxLog = () => `Firefox log tail: ${ff.log.join('').slice(-1500)}`;

  after(async () => {
    await ff?.close();
    await server?.close();
  });

  step('Firefox ESR starts and installs dist/firefox as a temporary add-on', async () => {
    await ensureBuilt();
    server = await serveStatic({ '/videos/': VIDEOS_DIR, '/': join(ROOT, 'test/fixtures/demo-call') });
    ff = await FirefoxBidi.launch();
    extensionId = await ff.installTemporary(join(ROOT, 'dist/firefox'));
    base = await ff.extensionBaseUrl(extensionId);
  });

  step('the demo call opens with its participants', async () => {
    page = (await ff.tabs())[0]!.context;
    await ff.send('browsingContext.setViewport', { context: page, viewport: { width: 1280, height: 720 } });
    const clips = listClips().map(encodeURIComponent).join(',');
    await ff.send('browsingContext.navigate', { context: page, url: `${server.origin}/?clips=${clips}`, wait: 'complete' });
    for (let i = 0; i < 60 && (await ff.evaluate(page, `document.body.dataset.ready === '1'`)) !== true; i++) await sleep(500);
    participants = JSON.parse(String(await ff.evaluate(page, 'JSON.stringify(demoCall.participants())')));
    assert.ok(participants.length > 0, 'the demo call has participants');
  });

  step('the toolbar button and Start in the popup run the analysis in the background page', async () => {
    // The user's path: the toolbar button on the call tab, then "Start analysis" in the popup.
    const tabId = await ff.triggerToolbarAction(extensionId, page);
    popup = await ff.newTab(`${base}popup.html?tabId=${tabId}`);
    const enabled = `(() => { const b = document.querySelector('[data-testid="start-stop"]'); return !!b && !b.disabled && /start/i.test(b.textContent); })()`;
    for (let i = 0; i < 60 && (await ff.evaluate(popup, enabled)) !== true; i++) await sleep(500);
    startedAt = Date.now();
    await ff.evaluate(popup, `document.querySelector('[data-testid="start-stop"]').click()`);
    const states: string[] = [];
    for (let i = 0; i < 60; i++) {
      const s = await readPopup();
      polls.push(s);
      states.push(s.state);
      if (s.state === 'running') return;
      await sleep(500);
    }
    assert.fail(`popup states: ${[...new Set(states)].join(', ')}; notices: ${polls.at(-1)?.notices}; ${firefoxLog()}`);
  });

  step('within 90 s of Start the popup lists every participant by the name in the DOM', async () => {
    // 90 s: model loading on 2 shared cores.
    while (Date.now() < startedAt + 90_000) {
      const s = await readPopup();
      polls.push(s);
      if (participants.every((p) => s.rows.some((r) => r.id === p.id && r.name === p.name))) return;
      await sleep(500);
    }
    assert.fail(`after 90 s the popup shows ${JSON.stringify(polls.at(-1)?.rows.map((r) => [r.id, r.name]))} (state ${polls.at(-1)?.state}); the page has ${JSON.stringify(participants)}; ${firefoxLog()}`);
  });

  step(`the popup is read twice a second for ${RUN_SECONDS} s`, async () => {
    const end = Date.now() + RUN_SECONDS * 1000;
    while (Date.now() < end) {
      polls.push(await readPopup());
      await sleep(500);
    }
  });

  check('the popup names the inference backend', () => {
    assert.match(polls.at(-1)!.stats, /backend (wasm|webgl|webgpu|cpu)/);
  });

  check('every participant with a face shows a dominant emotion with seven bars', () => {
    for (const p of participants.filter((q) => q.id !== 'no_face')) {
      const shown = polls.flatMap((poll) => poll.rows.filter((r) => r.id === p.id && EMOTION_TEXT.test(r.dominant)));
      assert.ok(shown.length > 0, `${p.name} (${p.id}) never showed an emotion: ${[...new Set(polls.flatMap((q) => q.rows.filter((r) => r.id === p.id).map((r) => r.dominant)))].join(', ')}`);
      assert.equal(shown[0]!.bars, EMOTIONS.length, 'seven labelled bars');
    }
  });

  check('the no_face participant shows "no face" rather than an emotion', (t) => {
    if (!participants.some((p) => p.id === 'no_face')) return t.skip('the demo call has no no_face participant (no no_face clip)');
    const texts = polls.map((poll) => poll.rows.find((r) => r.id === 'no_face')?.dominant).filter((x): x is string => x !== undefined);
    assert.ok(texts.length > 10, 'no_face row present');
    const noFace = texts.filter((x) => /no face/i.test(x)).length;
    assert.ok(noFace > texts.length / 2, `"no face" in ${noFace}/${texts.length} polls: ${[...new Set(texts)].join(', ')}`);
  });

  check('a cross-origin tile without CORS is named in a "cannot read this tile\'s pixels in Firefox" notice', async () => {
    // A tile whose video comes from another origin (localhost vs 127.0.0.1) without CORS:
    // Firefox forbids reading its pixels, and the popup must say so by name.
    const port = new URL(server.origin).port;
    const clip = listClips()[0]!;
    const played = await ff.evaluate(
      page,
      `(() => {
        const tile = document.querySelector('.tile:not([data-self-name])').cloneNode(true);
        for (const a of ['participantId', 'requestedParticipantId', 'initialParticipantId']) tile.dataset[a] = 'cross_origin';
        tile.querySelector('span.notranslate').textContent = 'Cora Origin';
        const video = tile.querySelector('video');
        video.srcObject = null;
        video.muted = true;
        video.loop = true;
        video.src = 'http://localhost:${port}/videos/${encodeURIComponent(clip)}';
        document.getElementById('grid').append(tile);
        return video.play().then(() => true, (e) => String(e));
      })()`,
    );
    let last: PopupState | undefined;
    const end = Date.now() + 20_000;
    while (Date.now() < end) {
      last = await readPopup();
      if (/cannot read this tile's pixels in Firefox/i.test(last.notices) && last.notices.includes('Cora Origin')) break;
      await sleep(500);
    }
    assert.ok(last, 'popup read after adding the tile');
    assert.match(last.notices, /cannot read this tile's pixels in Firefox/i, `notices: ${last.notices}; the video's play(): ${String(played)}`);
    assert.ok(last.notices.includes('Cora Origin'), `notices: ${last.notices}`);
    assert.ok(last.rows.some((r) => r.id === 'cross_origin' && r.name === 'Cora Origin'), 'the tile is still listed');
  });
});
