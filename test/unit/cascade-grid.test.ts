import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cascade, chooseCascade, fires, scoreSet, type GridPoint, type PairedImage } from '../../bench/lib/cascade-grid.ts';
import { EMOTIONS, type Emotion, type Probabilities } from '../../src/shared/emotions.ts';

/** Probabilities with `top` at `p` and the rest shared equally. */
function probs(top: Emotion, p: number): Probabilities {
  return Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? p : (1 - p) / 6])) as Probabilities;
}

test('U1 fires under the threshold only; U2 also needs a negative or neutral top class', () => {
  assert.equal(fires('U1', 0.4, probs('happy', 0.39)), true);
  assert.equal(fires('U1', 0.4, probs('happy', 0.41)), false);
  assert.equal(fires('U2', 0.4, probs('happy', 0.39)), false);
  assert.equal(fires('U2', 0.4, probs('disgust', 0.39)), true);
  assert.equal(fires('U1', 1.01, probs('happy', 1)), true, 't above 1 always asks');
});

test('the cascade mixes (1 - w) x ours + w x second where it fires, and keeps ours elsewhere', () => {
  const ours = probs('angry', 0.35);
  const second = probs('disgust', 0.9);
  const mixed = cascade('U1', 0.4, 0.25, ours, second);
  for (const e of EMOTIONS) assert.ok(Math.abs(mixed[e] - (0.75 * ours[e] + 0.25 * second[e])) < 1e-12, e);
  assert.equal(cascade('U1', 0.3, 0.25, ours, second), ours);
  // w = 1 takes the second network's reading.
  assert.equal(EMOTIONS.reduce((a, b) => (cascade('U1', 0.4, 1, ours, second)[b] > cascade('U1', 0.4, 1, ours, second)[a] ? b : a)), 'disgust');
});

test('scoreSet counts a face not found as wrong and reports the share asked', () => {
  const images: PairedImage[] = [
    { label: 'disgust', ours: probs('angry', 0.35), second: probs('disgust', 0.9) }, // fixed by the cascade at w = 1
    { label: 'happy', ours: probs('happy', 0.9), second: probs('sad', 0.9) }, // sure: never asked
    { label: 'sad', ours: null, second: null }, // no face
  ];
  assert.deepEqual(scoreSet(images, 'U1', 0.4, 1), { accuracy: 2 / 3, share: 1 / 3 });
  assert.deepEqual(scoreSet(images, 'U1', 0.3, 1), { accuracy: 1 / 3, share: 0 });
  assert.throws(() => scoreSet([], 'U1', 0.4, 1), RangeError);
});

test('the rule: cost and score limits, the highest CK-A, ties to the higher score, 3 points to replace', () => {
  const point = (o: Partial<GridPoint>): GridPoint => ({ trigger: 'U1', threshold: 0.4, weight: 0.5, ferA: 0.66, lfwA: 0.46, ckA: 0.7, score: 0.56, share: 0.1, costMs: 7, ...o });
  const ref = { score: 0.566, ckA: 0.70 };
  const grid = [
    point({ weight: 1, ckA: 0.80, costMs: 8.5 }), // too slow
    point({ weight: 0.75, ckA: 0.79, score: 0.55 }), // loses 1.6 points in the wild
    point({ weight: 0.5, ckA: 0.743, score: 0.5688 }),
    point({ weight: 0.25, ckA: 0.741, score: 0.5694 }), // within 0.5 points of the best CK-A, higher score
    point({ threshold: 0.3, ckA: 0.707, score: 0.575 }),
  ];
  const c = chooseCascade(grid, ref);
  assert.equal(c.eligible, 3);
  assert.equal(c.winner?.weight, 0.25);
  assert.equal(c.replaces, true);
  // The same grid against a reference 2 points better on CK-A: the winner does not replace it.
  assert.equal(chooseCascade(grid, { ...ref, ckA: 0.72 }).replaces, false);
  assert.deepEqual(chooseCascade([point({ costMs: 9 })], ref), { winner: null, replaces: false, eligible: 0 });
});
