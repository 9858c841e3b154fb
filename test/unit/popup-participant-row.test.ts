/**
 * Proves that a participant row says why it shows no emotion: every gap reason has its own
 * words, a face too poor to read says "Can't tell — <why>" and never an emotion, a face shows
 * the dominant emotion, a stale view shows "not updating" and no bars, and a participant
 * analysed less than once a second shows its update rate; the rendered row carries
 * `data-gap`, `data-update-hz` and empty bars exactly when nothing is live, marks who speaks
 * (`data-speaking`, the titled marker), who does not attend, the "can't tell" state
 * (`data-uncertain`), and shows valence and arousal as signed numbers under the bars.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Window } from 'happy-dom';
import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { affectText, attentionText, cantTellText, dominantText, gapText, nameTitle, ParticipantRow, signed, speakingTitle, updateRateText, baselineText } from '../../src/popup/participant-row.tsx';
import { valenceArousal } from '../../src/shared/affect.ts';
import { toProbabilities } from '../../src/shared/emotions.ts';
import { GAP_REASONS } from '../../src/shared/timeline-records.ts';
import type { ParticipantLive } from '../../src/shared/types.ts';

const HAPPY = toProbabilities([0.02, 0.01, 0.01, 0.82, 0.04, 0.04, 0.06]);

/** A participant with a face showing happy 82 %, analysed at 5 Hz, with `patch` over it. */
function participant(patch: Partial<ParticipantLive> = {}): ParticipantLive {
  return {
    id: 'p1',
    name: 'Ada',
    isSelf: false,
    analysed: true,
    faceVisible: true,
    probabilities: HAPPY,
    dominant: 'happy',
    confidence: HAPPY.happy,
    faceBox: { x: 10, y: 10, width: 80, height: 80 },
    frameTime: 1_700_000_000_000,
    gap: null,
    updateHz: 5,
    qualityLimit: null,
    ...valenceArousal(HAPPY),
    attending: true,
    speaking: false,
    speakingSource: 'site',
    quality: 0.9,
    baseline: null,
    ...patch,
  };
}

/** `participant(patch)` without a face, as the background sends a gap. */
function faceless(patch: Partial<ParticipantLive>): ParticipantLive {
  return participant({ faceVisible: false, probabilities: null, dominant: null, confidence: null, faceBox: null, valence: null, arousal: null, quality: null, ...patch });
}

/** `participant(patch)` with a face too poor to read (gap `low-quality`), limited by `limit`. */
function uncertain(limit: ParticipantLive['qualityLimit'], patch: Partial<ParticipantLive> = {}): ParticipantLive {
  return participant({ probabilities: null, dominant: null, confidence: null, valence: null, arousal: null, gap: 'low-quality', qualityLimit: limit, quality: 0.2, attending: null, ...patch });
}

test('gapText gives every gap reason its own words', () => {
  const expected = {
    'no-face': 'no face',
    'face-too-small': 'face too small',
    'tile-too-small': 'tile too small',
    frozen: 'frozen video',
    black: 'black video',
    paused: 'paused',
    overloaded: 'overloaded',
    'not-recording': 'not recording',
    'low-quality': "can't tell",
    'camera-off': 'camera off',
  };
  assert.deepEqual(Object.fromEntries(GAP_REASONS.map((g) => [g, gapText(g)])), expected);
});

test('dominantText: the emotion with a face, the gap reason without, "not analysed" for a hidden or excluded tile', () => {
  assert.equal(dominantText(participant()), 'happy 82%');
  for (const gap of GAP_REASONS) if (gap !== 'low-quality') assert.equal(dominantText(faceless({ gap })), gapText(gap), gap);
  assert.equal(dominantText(faceless({ gap: 'tile-too-small', analysed: false })), 'tile too small', 'a gap wins over "not analysed"');
  assert.equal(dominantText(faceless({ analysed: false, gap: null })), 'not analysed', 'hidden tile or only me');
  assert.equal(dominantText(faceless({ gap: null })), 'no face', 'analysed, no face, no reason given');
});

test('dominantText says "not updating" for any participant while the live view is stale', () => {
  assert.equal(dominantText(participant(), true), 'not updating');
  assert.equal(dominantText(faceless({ gap: 'frozen' }), true), 'not updating');
  assert.equal(dominantText(faceless({ analysed: false, gap: null }), true), 'not updating');
});

test('the update rate shows only for an analysed participant updated less than once a second', () => {
  assert.equal(updateRateText(participant({ updateHz: 0.7 })), '0.7 updates/s');
  assert.equal(updateRateText(participant({ updateHz: 0.74 })), '0.7 updates/s');
  assert.equal(updateRateText(participant({ updateHz: 0.05 })), '0.05 updates/s');
  assert.equal(updateRateText(participant({ updateHz: 1 })), null);
  assert.equal(updateRateText(participant({ updateHz: 12.5 })), null);
  assert.equal(updateRateText(participant({ updateHz: 0 })), null, 'no rate before two analyses');
  assert.equal(updateRateText(participant({ updateHz: 0.5, analysed: false })), null);
});

// Rendered rows: the attributes the end-to-end tests and the measurements read.
const windows: Window[] = [];
afterEach(async () => {
  await Promise.all(windows.splice(0).map((w) => w.happyDOM.close()));
});

/** Renders one row into a fresh happy-dom document and returns its `<li>`. */
function renderRow(p: ParticipantLive, stale = false): Element {
  const win = new Window();
  windows.push(win);
  const list = win.document.createElement('ul') as unknown as Element;
  win.document.body.append(list as never);
  void act(() => render(h(ParticipantRow, { participant: p, stale }), list));
  const row = list.querySelector('[data-testid="participant-row"]');
  assert.ok(row, 'the row is rendered');
  return row;
}

const bars = (row: Element) => [...row.querySelectorAll('[data-testid="bar"]')];
const text = (row: Element, id: string) => row.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;

test('a row with a face: no data-gap, the rate to 2 decimals, full bars and no rate line at 5/s', () => {
  const row = renderRow(participant());
  assert.equal(row.hasAttribute('data-gap'), false);
  assert.equal(row.getAttribute('data-update-hz'), '5.00');
  assert.equal(row.hasAttribute('data-stale'), false);
  assert.equal(text(row, 'dominant'), 'happy 82%');
  assert.equal(text(row, 'update-rate'), null);
  assert.equal(bars(row).length, 7);
  assert.equal(bars(row).filter((b) => b.hasAttribute('data-empty')).length, 0);
  assert.equal(row.querySelector('[data-emotion="happy"]')?.getAttribute('data-value'), HAPPY.happy.toFixed(3));
});

test('a row with a gap: data-gap, the reason in words, empty bars', () => {
  const row = renderRow(faceless({ gap: 'frozen', updateHz: 0.333 }));
  assert.equal(row.getAttribute('data-gap'), 'frozen');
  assert.equal(row.getAttribute('data-update-hz'), '0.33');
  assert.equal(text(row, 'dominant'), 'frozen video');
  assert.equal(text(row, 'update-rate'), '0.3 updates/s');
  assert.ok(bars(row).every((b) => b.getAttribute('data-empty') === 'true' && b.getAttribute('data-value') === '0.000'));
});

test('a stale row shows no figures even when the last view had a face', () => {
  const row = renderRow(participant({ updateHz: 0.5 }), true);
  assert.equal(row.getAttribute('data-stale'), 'true');
  assert.equal(text(row, 'dominant'), 'not updating');
  assert.equal(text(row, 'update-rate'), null, 'a stale rate is not shown either');
  assert.ok(bars(row).every((b) => b.getAttribute('data-empty') === 'true'));
});

test(`a face too poor to read: "Can't tell — <why>", never an emotion`, () => {
  assert.equal(dominantText(uncertain('size')), "Can't tell — face too small");
  assert.equal(dominantText(uncertain('pose')), "Can't tell — turned away");
  assert.equal(dominantText(uncertain('light')), "Can't tell — too dark or washed out");
  assert.equal(dominantText(uncertain('blur')), "Can't tell — blurred");
  assert.equal(dominantText(uncertain(null)), "Can't tell");
  assert.equal(cantTellText('pose'), "Can't tell — turned away");
  assert.equal(dominantText(uncertain('pose', { probabilities: HAPPY, dominant: 'happy', confidence: 0.82 })), "Can't tell — turned away", 'the gap wins over stray figures');
  assert.equal(dominantText(uncertain('blur'), true), 'not updating');

  const row = renderRow(uncertain('light'));
  assert.equal(row.getAttribute('data-uncertain'), 'true');
  assert.equal(row.getAttribute('data-quality-limit'), 'light');
  assert.equal(row.getAttribute('data-gap'), 'low-quality');
  assert.equal(text(row, 'dominant'), "Can't tell — too dark or washed out");
  assert.ok(bars(row).every((b) => b.getAttribute('data-empty') === 'true'), 'no bars');
  assert.equal(text(row, 'affect'), null, 'no valence or arousal');
  assert.equal(renderRow(participant()).hasAttribute('data-uncertain'), false);
  assert.equal(renderRow(uncertain('size'), true).hasAttribute('data-uncertain'), false, 'a stale row claims nothing');
});

test('speaking: data-speaking on the row, a marker titled after its source; nothing while stale or unknown', () => {
  assert.equal(speakingTitle(participant({ speaking: true, speakingSource: 'site' }), false), 'speaking (site)');
  assert.equal(speakingTitle(participant({ speaking: true, speakingSource: 'face' }), false), 'speaking (face)');
  assert.equal(speakingTitle(participant({ speaking: true }), true), null);
  assert.equal(speakingTitle(participant({ speaking: false }), false), null);

  const row = renderRow(participant({ speaking: true, speakingSource: 'face' }));
  assert.equal(row.getAttribute('data-speaking'), 'true');
  assert.equal(row.getAttribute('data-speaking-source'), 'face');
  const marker = row.querySelector('[data-testid="speaking"]');
  assert.equal(marker?.getAttribute('aria-label'), 'speaking (face)');
  assert.equal(marker?.getAttribute('title'), 'speaking (face)');
  assert.ok(row.classList.contains('participant--speaking'));

  const quiet = renderRow(participant({ speaking: false }));
  assert.equal(quiet.getAttribute('data-speaking'), 'false');
  assert.equal(quiet.querySelector('[data-testid="speaking"]'), null);
  const unknown = renderRow(participant({ speaking: null, speakingSource: null }));
  assert.equal(unknown.hasAttribute('data-speaking'), false);
  assert.equal(renderRow(participant({ speaking: true }), true).querySelector('[data-testid="speaking"]'), null);
});

test('attention: "not attending" only when attending is false; nothing when unknown', () => {
  assert.equal(attentionText(participant({ attending: false }), false), 'not attending');
  assert.equal(attentionText(participant({ attending: true }), false), null);
  assert.equal(attentionText(participant({ attending: null }), false), null);
  assert.equal(attentionText(participant({ attending: false }), true), null, 'not while stale');
  const away = renderRow(participant({ attending: false }));
  assert.equal(text(away, 'attention'), 'not attending');
  assert.equal(away.getAttribute('data-attending'), 'false');
  assert.equal(text(renderRow(participant({ attending: null })), 'attention'), null);
  assert.equal(renderRow(participant({ attending: null })).hasAttribute('data-attending'), false);
});

test('valence and arousal: signed, 2 decimals, under the bars while figures are shown', () => {
  assert.equal(signed(0.421), '+0.42');
  assert.equal(signed(-0.305), '−0.30');
  assert.equal(signed(-0.001), '+0.00', 'no minus zero');
  assert.equal(signed(0), '+0.00');
  assert.equal(affectText(participant({ valence: 0.42, arousal: -0.31 }), false), 'valence +0.42 · arousal −0.31');
  assert.equal(affectText(participant(), true), null);
  assert.equal(affectText(faceless({ gap: 'no-face' }), false), null);
  const row = renderRow(participant());
  const { valence, arousal } = valenceArousal(HAPPY);
  const affect = row.querySelector('[data-testid="affect"]');
  assert.equal(affect?.textContent, `valence ${signed(valence)} · arousal ${signed(arousal)}`);
  assert.equal(affect?.getAttribute('data-valence'), valence.toFixed(3));
  assert.equal(affect?.getAttribute('data-arousal'), arousal.toFixed(3));
});

test('the personal baseline reads as the valence change and the two classes that moved most, only when there is one', () => {
  const change = { angry: 0, disgust: 0, fear: 0, happy: 0.241, sad: -0.12, surprise: 0.01, neutral: -0.131 };
  assert.equal(baselineText(participant({ baseline: { valence: 0.312, change } }), false), 'vs. own first minute: valence +0.31, happy +24 %, neutral −13 %');
  assert.equal(baselineText(participant(), false), null, 'option off or first minute not complete');
  assert.equal(baselineText(participant({ baseline: { valence: 0.3, change } }), true), null, 'stale');
});

test("the name's tooltip and data-name-from say where the name comes from; nothing is claimed where no call page names the participant", () => {
  const row = renderRow(participant({ name: 'Alice', nameFrom: 'caption' }));
  assert.equal(row.getAttribute('data-name-from'), 'caption');
  assert.equal(row.querySelector('.participant__name')?.getAttribute('title'), "Alice — name from the caption or heading of the tile's panel");
  assert.equal(nameTitle(participant({ name: 'Tile 2', nameFrom: 'fallback' })), 'Tile 2 — the page shows no name for this tile: rename it with ✎');
  assert.equal(nameTitle(participant({ name: 'Ada L.', nameFrom: 'hand' })), 'Ada L. — named by you');
  const mirror = renderRow(participant({ name: 'You' }));
  assert.equal(mirror.hasAttribute('data-name-from'), false);
  assert.equal(mirror.querySelector('.participant__name')?.getAttribute('title'), 'You');
});
