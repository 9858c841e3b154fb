import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMOTIONS, toProbabilities, type Emotion, type Probabilities } from '../../src/shared/emotions.ts';
import {
  agreement,
  changePoint,
  countFlips,
  flipsPerMinute,
  rawDominants,
  replayDisplayed,
  settleAfter,
  type FrameSample,
} from '../../bench/lib/stability.ts';

/** A probability vector with `p` on `hot` and the rest spread evenly. */
const peaked = (hot: Emotion, p = 0.9): Probabilities => toProbabilities(EMOTIONS.map((e) => (e === hot ? p : (1 - p) / 6)));
/** Frames 200 ms apart from labels; null = no face. */
const framesOf = (labels: (Emotion | null)[], stepMs = 200): FrameSample[] =>
  labels.map((l, i) => ({ timeMs: i * stepMs, probabilities: l ? peaked(l) : null }));
const times = (n: number, stepMs = 200) => Array.from({ length: n }, (_, i) => i * stepMs);

test('countFlips counts changes between emotions, not to or from "no face"', () => {
  assert.equal(countFlips([]), 0);
  assert.equal(countFlips(['sad', 'sad', 'sad']), 0);
  assert.equal(countFlips(['sad', 'happy', 'sad', 'sad', 'neutral']), 3);
  // sad -> none -> happy: the row restarted, no flip; happy -> neutral is one.
  assert.equal(countFlips(['sad', null, 'happy', 'neutral', null, null]), 1);
  assert.equal(countFlips([null, 'sad', null, 'sad', 'happy']), 1);
});

test('flipsPerMinute scales by the duration', () => {
  assert.equal(flipsPerMinute(3, 30_000), 6);
  assert.equal(flipsPerMinute(0, 1000), 0);
  assert.throws(() => flipsPerMinute(1, 0), RangeError);
});

test('changePoint finds the first target frame with 4 of the 5 frames from it on target', () => {
  const rule = { target: 'happy', window: 5, minCount: 4, toEnd: false } as const;
  //            0      1        2      3        4        5        6        7        8        9        10
  const s = ['sad', 'happy', 'sad', 'happy', 'sad', 'happy', 'happy', 'sad', 'happy', 'happy', 'happy'] as const;
  // index 1: happy at 1, 3 of 1..5 -> 3 < 4; index 3: 3,5,6 -> 3; index 5: 5,6,8,9 -> 4.
  assert.equal(changePoint(s, rule), 5);
  assert.equal(changePoint(['sad', 'sad', 'sad'], rule), null, 'no target at all');
  // The window must fit: 4 happy frames at the very end are not enough for a 5-frame window.
  assert.equal(changePoint(['sad', 'happy', 'happy', 'happy', 'happy'], rule), null);
  assert.equal(changePoint(['sad', null, 'happy', null, 'happy', 'happy', 'happy'], rule), 2, 'no-face frames do not count for the target');
  assert.throws(() => changePoint(s, { ...rule, window: 3, minCount: 4 }), RangeError);
});

test('changePoint with toEnd skips a burst that does not last to the end', () => {
  //                0        1        2      3        4        5      6      7      8      9        10       11       12       13       14
  const s = ['happy', 'happy', 'sad', 'happy', 'happy', 'sad', 'sad', 'sad', 'sad', 'happy', 'happy', 'happy', 'sad', 'happy', 'happy'] as const;
  assert.equal(changePoint(s, { target: 'happy', window: 5, minCount: 4, toEnd: false }), 0, 'the burst at 0..4 qualifies on its own');
  // toEnd: windows starting at 9 (9,10,11,13), 10 (10,11,13,14) all have 4 -> 9; the one at 8 has 3.
  assert.equal(changePoint(s, { target: 'happy', window: 5, minCount: 4, toEnd: true }), 9);
  assert.equal(changePoint([...s, 'sad', 'sad'], { target: 'happy', window: 5, minCount: 4, toEnd: true }), null, 'the change must last to the end');
  assert.equal(changePoint(['happy', 'happy'], { target: 'happy', window: 5, minCount: 4, toEnd: true }), null, 'shorter than a window');
});

test('settleAfter finds the first stretch that stays on target for the hold time', () => {
  const labels = ['sad', 'sad', 'happy', 'sad', 'happy', 'happy', 'happy', 'happy', 'happy', 'happy', 'sad'] as const;
  const t = times(labels.length); // 0, 200, ..., 2000 ms
  // From 0: happy at 2 breaks at 3; happy 4..9 spans 800..1800 ms, 1000 ms -> settles at 4.
  assert.deepEqual(settleAfter(labels, t, 0, 'happy', 1000), { index: 4, lagMs: 800 });
  assert.deepEqual(settleAfter(labels, t, 2, 'happy', 1000), { index: 4, lagMs: 400 });
  // A 1200 ms hold would need frames 4..10 all happy, but 10 is sad.
  assert.equal(settleAfter(labels, t, 0, 'happy', 1200), null);
  // Hold 0: the first target frame from the start index.
  assert.deepEqual(settleAfter(labels, t, 3, 'happy', 0), { index: 4, lagMs: 200 });
  // The sequence must last the hold time after the settling frame.
  assert.equal(settleAfter(['sad', 'happy', 'happy'], times(3), 0, 'happy', 1000), null);
  assert.equal(settleAfter(['happy', null, 'happy', 'happy', 'happy', 'happy', 'happy', 'happy'], times(8), 0, 'happy', 1000)?.index, 2);
  assert.throws(() => settleAfter(['sad'], [0, 1], 0, 'sad', 0), RangeError);
});

test('agreement is the share of face frames whose displayed label equals the raw one', () => {
  const raw = ['sad', null, 'sad', 'happy', 'happy'] as const;
  const shown = ['sad', 'sad', 'sad', 'sad', 'happy'] as const;
  assert.deepEqual(agreement(shown, raw), { faceFrames: 4, agreeing: 3, share: 0.75 });
  assert.ok(Number.isNaN(agreement([null], [null]).share));
});

test('replayDisplayed with tau 0 shows the raw frames and holds the last one through the face timeout', () => {
  const frames = framesOf(['sad', 'happy', null, null, null, null, null, null, 'neutral']);
  // Last face at 200 ms; frames at 400..1200 ms are within 1000 ms, 1400 ms is past it.
  assert.deepEqual(replayDisplayed(frames, { tauMs: 0, faceTimeoutMs: 1000 }), [
    'sad', 'happy', 'happy', 'happy', 'happy', 'happy', 'happy', null, 'neutral',
  ]);
  assert.deepEqual(replayDisplayed(framesOf([null, null, 'sad']), { tauMs: 0, faceTimeoutMs: 1000 }), [null, null, 'sad']);
  assert.throws(() => replayDisplayed(frames, { tauMs: -1, faceTimeoutMs: 1000 }), RangeError);
});

test('replayDisplayed with smoothing removes a one-frame blip', () => {
  const labels: Emotion[] = ['sad', 'sad', 'sad', 'happy', 'sad', 'sad', 'sad'];
  const frames = framesOf(labels);
  const raw = rawDominants(frames);
  assert.deepEqual(raw, labels);
  const rawShown = replayDisplayed(frames, { tauMs: 0, faceTimeoutMs: 1000 });
  const smooth = replayDisplayed(frames, { tauMs: 600, faceTimeoutMs: 1000 });
  assert.equal(countFlips(rawShown), 2);
  assert.equal(countFlips(smooth), 0, 'the blip at 600 ms only moves sad 28 % of the way to happy');
  assert.deepEqual(agreement(smooth, raw), { faceFrames: 7, agreeing: 6, share: 6 / 7 });
  assert.equal(agreement(rawShown, raw).share, 1);
});

test('replayDisplayed with smoothing lags a step by the time the filter takes to cross half way', () => {
  const labels: Emotion[] = [...Array<Emotion>(5).fill('sad'), ...Array<Emotion>(15).fill('happy')];
  const frames = framesOf(labels);
  const raw = rawDominants(frames);
  const change = changePoint(raw, { target: 'happy', window: 5, minCount: 4, toEnd: true })!;
  assert.equal(change, 5);
  // sad 0.9 -> happy 0.9 at frame 5 (1000 ms): happy overtakes sad once the step is half
  // done, 1 - exp(-dt / tau) > 1/2, i.e. dt > tau ln 2. Frames 5, 6, 7 have covered
  // 28 %, 49 %, 63 % at tau 600 -> frame 7, 400 ms after the change; at tau 300, 49 %, 74 %
  // -> frame 6; at tau 1500, n happy frames cover 1 - exp(-200 n / 1500) -> n = 6, frame 10.
  const t = times(labels.length);
  const lag = (tauMs: number) => settleAfter(replayDisplayed(frames, { tauMs, faceTimeoutMs: 1000 }), t, change, 'happy', 1000)?.lagMs;
  assert.equal(lag(0), 0);
  assert.equal(lag(300), 200);
  assert.equal(lag(600), 400);
  assert.equal(lag(1500), 1000);
});

test('replayDisplayed restarts the smoother after a gap of more than 3 tau, as the pipeline does', () => {
  // sad until 800 ms, no face, then at 1800 ms (gap 1000 ms > 3 tau = 900 ms) a near tie
  // happy 0.40 / sad 0.39. Restarted: happy. Blended (alpha = 1 - exp(-1000/300) = 0.964):
  // sad 0.036 * 0.9 + 0.964 * 0.39 = 0.41 > happy 0.39.
  const tie = toProbabilities(EMOTIONS.map((e) => (e === 'happy' ? 0.4 : e === 'sad' ? 0.39 : 0.21 / 5)));
  const frames: FrameSample[] = [
    ...framesOf(['sad', 'sad', 'sad', 'sad', 'sad', null, null, null, null]),
    { timeMs: 1800, probabilities: tie },
  ];
  const shown = replayDisplayed(frames, { tauMs: 300, faceTimeoutMs: 1000 });
  assert.equal(shown[8], 'sad', 'held through the face timeout (1600 - 800 <= 1000 ms)');
  assert.equal(shown[9], 'happy', 'no stale sad blended in after the reset');
  // With tau 600 the gap is shorter than 3 tau: the old state is blended in and sad stays.
  assert.equal(replayDisplayed(frames, { tauMs: 600, faceTimeoutMs: 1000 })[9], 'sad');
});
