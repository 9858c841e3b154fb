/**
 * Proves that a participant row says why it shows no emotion: every gap reason has its own
 * words, a face shows the dominant emotion, a stale view shows "not updating" and no bars, and
 * a participant analysed less than once a second shows its update rate; the rendered row
 * carries `data-gap`, `data-update-hz` and empty bars exactly when nothing is live.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Window } from 'happy-dom';
import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { dominantText, gapText, ParticipantRow, updateRateText } from '../../src/popup/participant-row.tsx';
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
    ...patch,
  };
}

/** `participant(patch)` without a face, as the background sends a gap. */
function faceless(patch: Partial<ParticipantLive>): ParticipantLive {
  return participant({ faceVisible: false, probabilities: null, dominant: null, confidence: null, faceBox: null, ...patch });
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
  };
  assert.deepEqual(Object.fromEntries(GAP_REASONS.map((g) => [g, gapText(g)])), expected);
});

test('dominantText: the emotion with a face, the gap reason without, "not analysed" for a hidden or excluded tile', () => {
  assert.equal(dominantText(participant()), 'happy 82%');
  for (const gap of GAP_REASONS) assert.equal(dominantText(faceless({ gap })), gapText(gap), gap);
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
