/**
 * Proves the personal baseline: nothing until a minute of readable faces is collected, then the
 * per-class medians of that minute, and the change of a later reading from them; the live view
 * shows it only with the option on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASELINE_WINDOW_MS, PersonalBaseline } from '../../src/engine/baseline.ts';
import { Participant } from '../../src/engine/participant.ts';
import { DEFAULT_CONFIG } from '../../src/inference/config.ts';
import { unmeasuredQuality } from '../../src/inference/face-quality.ts';
import { toProbabilities } from '../../src/shared/emotions.ts';

// A resting face that reads a little sad, and the same person smiling.
const REST = toProbabilities([0.05, 0, 0.05, 0.05, 0.3, 0, 0.55]);
const REST_ODD = toProbabilities([0.6, 0, 0, 0, 0.1, 0, 0.3]);
const SMILE = toProbabilities([0, 0, 0, 0.7, 0.05, 0.05, 0.2]);

test('the baseline is the per-class median of the first minute, and the change is measured from it', () => {
  const b = new PersonalBaseline();
  for (let t = 0; t <= BASELINE_WINDOW_MS; t += 500) {
    // One odd frame in ten does not move a median.
    b.add(t, t % 5000 === 0 ? REST_ODD : REST);
    if (t < BASELINE_WINDOW_MS) assert.equal(b.value, null, `no baseline at ${t} ms`);
  }
  assert.ok(b.value, 'complete after a minute');
  for (const e of ['sad', 'neutral'] as const) assert.ok(Math.abs(b.value[e] - REST[e]) < 1e-9, `${e} is the resting value`);
  const change = b.changeOf(SMILE)!;
  assert.ok(Math.abs(change.change.happy - (SMILE.happy - REST.happy)) < 1e-9);
  assert.ok(change.valence > 0.5, `smiling is well above the resting valence: ${change.valence}`);
  assert.ok(Math.abs(b.changeOf(REST)!.valence) < 1e-9, 'the resting face is no change');
});

test('the live view carries the change only with the option on and once the baseline is complete', () => {
  const p = new Participant('a', 'a', 'Ann', false, { ...DEFAULT_CONFIG.live, minFaceFrames: 1 }, DEFAULT_CONFIG.signals);
  p.analysed = true;
  const face = (probabilities = REST) => ({ status: 'analysed' as const, stillMs: 0, smallFace: false, face: { box: { x: 0, y: 0, width: 120, height: 120 }, score: 1, meshScore: 1, probabilities, signals: null, landmarks: null, quality: unmeasuredQuality(120) } });
  for (let t = 0; t < BASELINE_WINDOW_MS; t += 1000) p.apply(face(), t);
  assert.equal(p.view(true).baseline, null, 'still collecting');
  p.apply(face(), BASELINE_WINDOW_MS);
  for (let t = BASELINE_WINDOW_MS + 100; t < BASELINE_WINDOW_MS + 5000; t += 100) p.apply(face(SMILE), t);
  assert.equal(p.view(false).baseline, null, 'option off');
  const shown = p.view(true).baseline;
  assert.ok(shown && shown.valence > 0.3 && shown.change.happy > 0.3, JSON.stringify(shown));
});
