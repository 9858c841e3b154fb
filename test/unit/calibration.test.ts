import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitTemperature, meanNll } from '../../bench/lib/calibration.ts';
import { applyTemperature } from '../../src/shared/emotions.ts';
import { EMOTIONS, toProbabilities, type Emotion, type Probabilities } from '../../src/shared/emotions.ts';

const p = (hot: Emotion, mass: number) => toProbabilities(EMOTIONS.map((e) => (e === hot ? mass : (1 - mass) / 6)));
/** A scored image: its true label and what the model said. */
const scored = (label: Emotion, probabilities: Probabilities) => ({ label, probabilities });

test('temperature 1 changes nothing; T > 1 softens, T < 1 sharpens', () => {
  const x = p('happy', 0.7);
  const same = applyTemperature(x, 1);
  for (const e of EMOTIONS) assert.ok(Math.abs(same[e] - x[e]) < 1e-12);
  assert.ok(applyTemperature(x, 2).happy < 0.7);
  assert.ok(applyTemperature(x, 0.5).happy > 0.7);
  assert.throws(() => applyTemperature(x, 0), RangeError);
});

test('an overconfident model gets T > 1 and a lower NLL; a calibrated one keeps T near 1', () => {
  // Says 0.99 but is right 70 % of the time: over-confident.
  const over = Array.from({ length: 100 }, (_, i) => scored(i % 10 < 7 ? 'happy' : 'sad', p('happy', 0.99)));
  const fit = fitTemperature(over);
  assert.ok(fit.temperature > 1.5, String(fit.temperature));
  assert.ok(fit.nllAfter < fit.nllBefore);
  // The fitted T makes the predicted confidence match the 70 % accuracy.
  assert.ok(Math.abs(applyTemperature(p('happy', 0.99), fit.temperature).happy - 0.7) < 0.01);
  // Says 0.7 and is right 70 % of the time (wrong answers spread evenly): calibrated.
  const wrong = EMOTIONS.filter((e) => e !== 'happy');
  const calibrated = Array.from({ length: 600 }, (_, i) => scored(i % 20 < 14 ? 'happy' : wrong[i % 6]!, p('happy', 0.7)));
  assert.ok(Math.abs(fitTemperature(calibrated).temperature - 1) < 0.1);
  assert.ok(Number.isFinite(meanNll(calibrated, 1)));
});
