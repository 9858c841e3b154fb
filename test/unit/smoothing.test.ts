import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMOTIONS, toProbabilities, type Probabilities } from '../../src/shared/emotions.ts';
import { EmotionSmoother } from '../../src/engine/smoothing.ts';

const one = (hot: (typeof EMOTIONS)[number]): Probabilities => toProbabilities(EMOTIONS.map((e) => (e === hot ? 1 : 0)));
const sum = (p: Probabilities) => EMOTIONS.reduce((s, e) => s + p[e], 0);

test('the first sample passes through unchanged', () => {
  const s = new EmotionSmoother(600);
  assert.deepEqual(s.update(one('sad'), 1000), one('sad'));
});

test('a step reaches 1 - 1/e of the way after tau, whatever the sampling rate', () => {
  for (const fps of [2, 5, 30]) {
    const s = new EmotionSmoother(600);
    s.update(one('neutral'), 0);
    let p = s.value!;
    for (let t = 1000 / fps; t <= 600 + 1e-9; t += 1000 / fps) p = s.update(one('happy'), t);
    const steps = Math.floor(600 / (1000 / fps) + 1e-9);
    const expected = 1 - Math.exp(-(steps * (1000 / fps)) / 600);
    assert.ok(Math.abs(p.happy - expected) < 1e-9, `${fps} fps: ${p.happy} vs ${expected}`);
    assert.ok(Math.abs(sum(p) - 1) < 1e-9, 'still a probability vector');
  }
});

test('after three time constants a step is 95 % complete', () => {
  const s = new EmotionSmoother(600, 10_000);
  s.update(one('neutral'), 0);
  const p = s.update(one('happy'), 1800);
  assert.ok(p.happy > 0.95 && p.happy < 0.951, String(p.happy));
});

test('a gap longer than resetAfterMs restarts from the new sample', () => {
  const s = new EmotionSmoother(600, 1800);
  s.update(one('sad'), 0);
  assert.deepEqual(s.update(one('happy'), 5000), one('happy'));
  s.reset();
  assert.equal(s.value, null);
});

test('tau must be positive', () => {
  assert.throws(() => new EmotionSmoother(0), RangeError);
});
