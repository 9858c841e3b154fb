/**
 * The evaluation scores (scripts/lib/metrics.ts) against figures worked out by hand: the
 * confusion matrix, per-class precision/recall/F1, macro-F1 over the classes present,
 * no-face handling, argmax ties, the Wilson interval and ECE.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMOTIONS, type Emotion, type Probabilities } from '../../src/shared/emotions.ts';
import { computeMetrics, confusionMatrixHtml, formatMetricsTable, wilsonInterval, type Prediction } from '../../scripts/lib/metrics.ts';

const near = (actual: number | null, expected: number, what: string, eps = 1e-9) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= eps, `${what}: ${actual} vs ${expected}`);

/** `confidence` on `top`, the rest shared equally by the other 6 classes. */
function peaked(top: Emotion, confidence: number): Probabilities {
  const p = {} as Probabilities;
  for (const e of EMOTIONS) p[e] = e === top ? confidence : (1 - confidence) / 6;
  return p;
}

/** `count` predictions of `predicted` (null: no face) for images of class `label`. */
const rep = (count: number, label: Emotion, predicted: Emotion | null, confidence = 0.8): Prediction[] =>
  Array.from({ length: count }, () => ({ label, probabilities: predicted === null ? null : peaked(predicted, confidence) }));

// The hand-built set (n = 14), true class -> predicted:
//   angry   (4): angry 2, happy 1, no face 1
//   happy   (5): happy 4, surprise 1
//   sad     (2): neutral 2                 (sad is never predicted)
//   neutral (3): neutral 2, angry 1
//   disgust, fear, surprise: absent from the labels (surprise is predicted once)
// correct = 2 + 4 + 0 + 2 = 8, accuracy = 8/14 = 4/7.
// angry:    P = 2/3, R = 2/4,  F1 = 2·(2/3)(1/2)/(2/3 + 1/2) = 4/7
// happy:    P = 4/5, R = 4/5,  F1 = 4/5
// sad:      P = null (0 predicted), R = 0, F1 = null (counts as 0 in macro-F1)
// neutral:  P = 2/4, R = 2/3,  F1 = 2·(1/2)(2/3)/(1/2 + 2/3) = 4/7
// surprise: P = 0/1, R = null (support 0), F1 = null, left out of macro-F1
// macro-F1 = (4/7 + 4/5 + 0 + 4/7) / 4 = (40/35 + 28/35) / 4 = 17/35
const handBuilt: Prediction[] = [
  ...rep(2, 'angry', 'angry'),
  ...rep(1, 'angry', 'happy'),
  ...rep(1, 'angry', null),
  ...rep(4, 'happy', 'happy'),
  ...rep(1, 'happy', 'surprise'),
  ...rep(2, 'sad', 'neutral'),
  ...rep(2, 'neutral', 'neutral'),
  ...rep(1, 'neutral', 'angry'),
];

test('the confusion matrix has true classes as rows, predictions as columns and a last "no face" column', () => {
  const m = computeMetrics(handBuilt);
  assert.deepEqual(m.confusionLabels.rows, [...EMOTIONS]);
  assert.deepEqual(m.confusionLabels.columns, [...EMOTIONS, 'no face']);
  //            angry disgust fear happy sad surprise neutral | no face
  assert.deepEqual(m.confusion, [
    [2, 0, 0, 1, 0, 0, 0, 1], // angry
    [0, 0, 0, 0, 0, 0, 0, 0], // disgust
    [0, 0, 0, 0, 0, 0, 0, 0], // fear
    [0, 0, 0, 4, 0, 1, 0, 0], // happy
    [0, 0, 0, 0, 0, 0, 2, 0], // sad
    [0, 0, 0, 0, 0, 0, 0, 0], // surprise
    [1, 0, 0, 0, 0, 0, 2, 0], // neutral
  ]);
});

test('accuracy counts a no-face image as wrong', () => {
  const m = computeMetrics(handBuilt);
  assert.equal(m.n, 14);
  assert.equal(m.correct, 8);
  assert.equal(m.noFace, 1);
  near(m.accuracy, 4 / 7, 'accuracy');
  // Wilson 95 % for 8/14, from an independent implementation (Python, the algebraically
  // equivalent form (k + z²/2 ± z·sqrt(k(n-k)/n + z²/4)) / (n + z²)).
  near(m.accuracyCi95[0], 0.32590644417528936, 'CI low');
  near(m.accuracyCi95[1], 0.7861920121957134, 'CI high');
});

test('per-class precision, recall and F1 match the hand computation, null where undefined', () => {
  const { perClass: c } = computeMetrics(handBuilt);
  assert.deepEqual([c.angry.support, c.angry.predicted], [4, 3]);
  near(c.angry.precision, 2 / 3, 'angry P');
  near(c.angry.recall, 1 / 2, 'angry R');
  near(c.angry.f1, 4 / 7, 'angry F1');
  near(c.happy.precision, 4 / 5, 'happy P');
  near(c.happy.recall, 4 / 5, 'happy R');
  near(c.happy.f1, 4 / 5, 'happy F1');
  assert.deepEqual(c.sad, { support: 2, predicted: 0, recall: 0, precision: null, f1: null });
  near(c.neutral.precision, 1 / 2, 'neutral P');
  near(c.neutral.recall, 2 / 3, 'neutral R');
  near(c.neutral.f1, 4 / 7, 'neutral F1');
  assert.deepEqual(c.surprise, { support: 0, predicted: 1, recall: null, precision: 0, f1: null });
  assert.deepEqual(c.disgust, { support: 0, predicted: 0, recall: null, precision: null, f1: null });
  assert.deepEqual(c.fear, { support: 0, predicted: 0, recall: null, precision: null, f1: null });
});

test('macro-F1 averages the classes present in the labels; a present class never predicted counts 0', () => {
  near(computeMetrics(handBuilt).macroF1, 17 / 35, 'macro-F1');
});

test('F1 is 0 (not null) when precision and recall are both 0', () => {
  // happy is predicted once (for a sad image) and its one image is predicted sad.
  const m = computeMetrics([...rep(1, 'happy', 'sad'), ...rep(1, 'sad', 'happy')]);
  assert.deepEqual(m.perClass.happy, { support: 1, predicted: 1, recall: 0, precision: 0, f1: 0 });
  assert.equal(m.macroF1, 0);
});

test('argmax ties go to the first class in EMOTIONS order', () => {
  const uniform = Object.fromEntries(EMOTIONS.map((e) => [e, 1 / 7])) as Probabilities;
  const happySad: Probabilities = { angry: 0.04, disgust: 0.04, fear: 0.04, happy: 0.4, sad: 0.4, surprise: 0.04, neutral: 0.04 };
  const sadHappyLabel: Prediction = { label: 'sad', probabilities: happySad };
  const m = computeMetrics([
    { label: 'neutral', probabilities: uniform },
    sadHappyLabel,
    { label: 'happy', probabilities: happySad },
  ]);
  assert.equal(m.confusion[6]![0], 1, 'uniform -> angry');
  assert.equal(m.confusion[4]![3], 1, 'happy/sad tie -> happy (comes first)');
  assert.equal(m.confusion[3]![3], 1);
  assert.equal(m.correct, 1);
});

test('Wilson interval: n = 100, k = 65 gives about [0.5525, 0.7364]; the ends stay in [0, 1]', () => {
  const [lo, hi] = wilsonInterval(65, 100);
  // Independent value (Python, alternative form; see above).
  near(lo, 0.5525444321839044, 'low');
  near(hi, 0.7363575181853967, 'high');
  assert.equal(lo.toFixed(4), '0.5525');
  assert.equal(hi.toFixed(4), '0.7364');
  const [lo0, hi0] = wilsonInterval(0, 10);
  assert.equal(lo0, 0);
  near(hi0, 0.27753280302605776, 'k = 0 high');
  const [lo10, hi10] = wilsonInterval(10, 10);
  near(lo10, 0.7224671969739423, 'k = n low');
  assert.equal(hi10, 1);
  assert.throws(() => wilsonInterval(1, 0), RangeError);
  assert.throws(() => wilsonInterval(11, 10), RangeError);
});

test('ECE over the predictions with a face, by hand', () => {
  // happy 0.90 right -> bin 13 (13/15, 14/15]: |1 - 0.90| = 0.10, weight 1/4 -> 0.025
  // happy 0.95 wrong -> bin 14 (14/15, 1]:     |0 - 0.95| = 0.95, weight 1/4 -> 0.2375
  // angry 0.50 right, fear 0.52 wrong -> bin 7 (7/15, 8/15]: acc 0.5, conf 0.51,
  //                                      |0.5 - 0.51| = 0.01, weight 2/4 -> 0.005
  // no face -> not in ECE.                ECE = 0.025 + 0.2375 + 0.005 = 0.2675
  const m = computeMetrics([
    { label: 'happy', probabilities: peaked('happy', 0.9) },
    { label: 'sad', probabilities: peaked('happy', 0.95) },
    { label: 'angry', probabilities: peaked('angry', 0.5) },
    { label: 'angry', probabilities: peaked('fear', 0.52) },
    { label: 'neutral', probabilities: null },
  ]);
  assert.equal(m.eceN, 4);
  near(m.ece, 0.2675, 'ECE', 1e-12);
  assert.equal(m.reliability.length, 15);
  assert.deepEqual(
    m.reliability.map((b) => b.count),
    [0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 1],
  );
  const b7 = m.reliability[7]!;
  near(b7.lower, 7 / 15, 'bin 7 lower');
  near(b7.upper, 8 / 15, 'bin 7 upper');
  near(b7.accuracy, 0.5, 'bin 7 accuracy');
  near(b7.confidence, 0.51, 'bin 7 confidence');
  assert.equal(m.reliability[0]!.accuracy, null);
  assert.equal(m.reliability[0]!.confidence, null);
  near(m.reliability[14]!.upper, 1, 'last bin ends at 1');
  // Calibration gap over the same 4 faces: mean confidence (0.9 + 0.95 + 0.5 + 0.52) / 4,
  // accuracy 2 / 4 (the no-face image counts in neither).
  near(m.calibrationGap!.meanConfidence, 0.7175, 'mean confidence', 1e-12);
  near(m.calibrationGap!.accuracy, 0.5, 'accuracy over faces', 1e-12);
});

test('ECE bins are closed on the right: confidence 0.6 = 9/15 goes in (8/15, 9/15], 1.0 in the last', () => {
  const m = computeMetrics([
    { label: 'happy', probabilities: peaked('happy', 0.6) },
    { label: 'happy', probabilities: peaked('happy', 1) },
  ]);
  assert.equal(m.reliability[8]!.count, 1);
  assert.equal(m.reliability[9]!.count, 0);
  assert.equal(m.reliability[14]!.count, 1);
  near(m.ece, (0.4 + 0) / 2, 'ECE');
});

test('ECE is null when no image had a face; empty input and bad probabilities are refused', () => {
  const m = computeMetrics(rep(3, 'sad', null));
  assert.equal(m.ece, null);
  assert.equal(m.eceN, 0);
  assert.equal(m.calibrationGap, null);
  assert.equal(m.accuracy, 0);
  assert.deepEqual(m.confusion[4], [0, 0, 0, 0, 0, 0, 0, 3]);
  assert.throws(() => computeMetrics([]), RangeError);
  assert.throws(() => computeMetrics([{ label: 'sad', probabilities: { ...peaked('sad', 0.5), happy: Number.NaN } }]), RangeError);
  assert.throws(() => computeMetrics([{ label: 'bored' as Emotion, probabilities: null }]), RangeError);
});

test('the text report shows accuracy with its interval, macro-F1, ECE, per-class rows and the matrix', () => {
  const text = formatMetricsTable(computeMetrics(handBuilt));
  assert.match(text, /accuracy: 57\.1 %\s+\(95 % Wilson CI 32\.6-78\.6 %\)/);
  assert.match(text, /macro-F1: 0\.486/);
  assert.match(text, /no face: 1/);
  assert.match(text, /^sad\s+2\s+0\s+0\.000\s+-\s+-$/m);
  assert.match(text, /^angry\s+2\s+0\s+0\s+1\s+0\s+0\s+0\s+1$/m, 'confusion row for angry');
  assert.match(text, /no face$/m, 'confusion header ends with the no-face column');
});

test('the HTML page is self-contained, escapes the title and shades cells by their share of the row', () => {
  const html = confusionMatrixHtml(computeMetrics(handBuilt), 'FER <test> & "x"');
  assert.ok(html.includes('<title>FER &lt;test&gt; &amp; &quot;x&quot;</title>'));
  assert.ok(!html.includes('<test>'));
  assert.doesNotMatch(html, /<script|<link|src=|https?:\/\//i);
  // sad row: both images predicted neutral -> that cell is fully shaded and shows 2.
  assert.match(html, /background:rgba\(37,99,235,1\.000\)[^>]*>2<\/td>/);
  // happy row: 4 of 5 on the diagonal -> 0.800.
  assert.match(html, /<td class="diag" style="background:rgba\(37,99,235,0\.800\)[^>]*>4<\/td>/);
  assert.equal((html.match(/<tr><th scope="row">/g) ?? []).length, 14, '7 matrix rows + 7 per-class rows');
});
