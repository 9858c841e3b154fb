/**
 * Scores of a labelled evaluation run (`npm run eval`): accuracy with a Wilson interval,
 * per-class recall/precision/F1, macro-F1, a confusion matrix with a "no face" column, and
 * expected calibration error with its reliability bins. Pure: no I/O.
 */
import { EMOTIONS, dominantEmotion, isEmotion, type Emotion, type Probabilities } from '../../src/shared/emotions.ts';

/**
 * One scored image: its true class and the model's probabilities, or `null` when no face was
 * found (detect mode). A `null` prediction counts as wrong everywhere except ECE.
 */
export interface Prediction {
  label: Emotion;
  probabilities: Probabilities | null;
}

/** Figures for one class. Fractions in [0, 1]; `null` where the ratio is undefined (0 / 0). */
export interface ClassMetrics {
  /** Images whose true class is this one. */
  support: number;
  /** Images (with a face) whose argmax is this class. */
  predicted: number;
  /** TP / support; `null` when support is 0. */
  recall: number | null;
  /** TP / predicted; `null` when nothing was predicted as this class. */
  precision: number | null;
  /** 2PR / (P + R); `null` when P or R is `null`, 0 when both are 0. */
  f1: number | null;
}

/** One of the 15 equal-width confidence bins of the reliability diagram, covering (lower, upper]. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  /** Predictions (with a face) whose confidence falls in the bin. */
  count: number;
  /** Fraction of those whose argmax equals the label; `null` when count is 0. */
  accuracy: number | null;
  /** Mean confidence (max probability) of those; `null` when count is 0. */
  confidence: number | null;
}

/** Column label of the confusion matrix for images where no face was found. */
export const NO_FACE = 'no face';

/** Everything `computeMetrics` reports. Fractions are in [0, 1], never percentages. */
export interface EvaluationMetrics {
  /** Number of predictions (images), no-face ones included. */
  n: number;
  /** Predictions whose argmax equals the label. */
  correct: number;
  /** Predictions with `probabilities === null`. */
  noFace: number;
  /** correct / n (no-face counts as wrong). */
  accuracy: number;
  /** 95 % Wilson score interval [low, high] for `accuracy`. */
  accuracyCi95: [number, number];
  perClass: Record<Emotion, ClassMetrics>;
  /** Mean F1 over the classes with support > 0 (a class never predicted counts as F1 = 0). */
  macroF1: number;
  /**
   * Counts; rows = true class in EMOTIONS order (7), columns = predicted class in EMOTIONS
   * order plus a last "no face" column (8).
   */
  confusion: number[][];
  confusionLabels: { rows: Emotion[]; columns: (Emotion | typeof NO_FACE)[] };
  /** Expected calibration error over the `eceN` predictions with a face; `null` when eceN is 0. */
  ece: number | null;
  /** Predictions that entered ECE (those with a face): n - noFace. */
  eceN: number;
  /** The 15 ECE bins, lowest first. */
  reliability: ReliabilityBin[];
  /**
   * Mean confidence (max probability) and top-1 accuracy over the same `eceN` predictions with a
   * face, both in [0, 1]; `null` when eceN is 0. Their difference is the overall miscalibration
   * (confidence below accuracy: under-confident). Unlike ECE it has no binning noise, which on
   * a set of ~100 faces is as large as the ECE itself.
   */
  calibrationGap: { meanConfidence: number; accuracy: number } | null;
}

/** z for a two-sided 95 % interval: the 0.975 quantile of the standard normal. */
export const Z_95 = 1.959964;

/** Number of equal-width confidence bins for ECE, as in Guo et al. 2017. */
export const ECE_BINS = 15;

/**
 * Wilson score interval for a binomial proportion k / n (Wilson 1927, "Probable inference,
 * the law of succession, and statistical inference", JASA 22:209-212):
 *
 *   centre = (p + z²/2n) / (1 + z²/n),  half = z / (1 + z²/n) · sqrt(p(1 - p)/n + z²/4n²),
 *
 * with p = k / n; the interval is [centre - half, centre + half], clamped to [0, 1] (exactly 0
 * at k = 0 and 1 at k = n).
 * Unlike the normal (Wald) interval it stays inside [0, 1] and is sensible at p = 0 or 1.
 * @param k successes, an integer in [0, n].
 * @param n trials, an integer > 0.
 * @param z normal quantile; default 1.959964 (95 %).
 * @throws RangeError when n <= 0 or k is outside [0, n].
 */
export function wilsonInterval(k: number, n: number, z = Z_95): [number, number] {
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`wilsonInterval: n must be > 0, got ${n}`);
  if (!(k >= 0 && k <= n)) throw new RangeError(`wilsonInterval: k must be in [0, ${n}], got ${k}`);
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At k = 0 (k = n) the low (high) end is exactly 0 (1); set it so rounding cannot move it.
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/**
 * Scores a list of predictions.
 *
 * - Argmax ties go to the first class in EMOTIONS order.
 * - Macro-F1 follows scikit-learn's `f1_score(y_true, y_pred, average='macro',
 *   labels=<classes present in y_true>)`: classes absent from the labels are left out of the
 *   mean, and a present class that was never predicted contributes F1 = 0 (sklearn's
 *   zero_division = 0), although its `perClass[c].f1` is reported as `null`.
 * - ECE (Guo et al. 2017, "On Calibration of Modern Neural Networks", ICML, eq. 3):
 *   confidence = max probability, correct = (argmax == label); the predictions are put in 15
 *   equal-width bins B_m = ((m-1)/15, m/15] and ECE = Σ_m |B_m|/N · |acc(B_m) - conf(B_m)|.
 *   Only predictions with a face enter ECE (N = `eceN`); no-face images have no confidence.
 *   A confidence of exactly 0 (impossible for probabilities summing to 1) goes in the first bin.
 * @param predictions at least one; each label one of EMOTIONS, each probability finite in [0, 1].
 * @throws RangeError when `predictions` is empty, a label is not an emotion, or a probability
 *   is missing, not finite, or outside [0, 1] (1e-6 tolerance).
 */
export function computeMetrics(predictions: readonly Prediction[]): EvaluationMetrics {
  const n = predictions.length;
  if (n === 0) throw new RangeError('computeMetrics: no predictions');
  const k = EMOTIONS.length;
  const index = new Map<Emotion, number>(EMOTIONS.map((e, i) => [e, i]));
  const confusion = EMOTIONS.map(() => new Array<number>(k + 1).fill(0));
  const bins = Array.from({ length: ECE_BINS }, (_, m) => ({
    lower: m / ECE_BINS,
    upper: (m + 1) / ECE_BINS,
    count: 0,
    correct: 0,
    confidenceSum: 0,
  }));
  let correct = 0;
  let noFace = 0;

  predictions.forEach((pred, i) => {
    if (!isEmotion(pred.label)) throw new RangeError(`prediction ${i}: unknown label ${JSON.stringify(pred.label)}`);
    const row = confusion[index.get(pred.label)!]!;
    if (pred.probabilities === null) {
      noFace++;
      row[k]!++;
      return;
    }
    for (const e of EMOTIONS) {
      const v = pred.probabilities[e];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < -1e-6 || v > 1 + 1e-6) {
        throw new RangeError(`prediction ${i}: probability of ${e} is ${v}, expected a number in [0, 1]`);
      }
    }
    const { emotion, confidence } = dominantEmotion(pred.probabilities);
    row[index.get(emotion)!]!++;
    const hit = emotion === pred.label;
    if (hit) correct++;
    // Compare against the same boundaries the bins report, so (lower, upper] holds exactly.
    let m = bins.findIndex((b) => confidence <= b.upper);
    if (m < 0) m = ECE_BINS - 1; // confidence a hair above 1 (within tolerance)
    const bin = bins[m]!;
    bin.count++;
    bin.confidenceSum += confidence;
    if (hit) bin.correct++;
  });

  const perClass = {} as Record<Emotion, ClassMetrics>;
  const presentF1: number[] = [];
  EMOTIONS.forEach((e, i) => {
    const support = confusion[i]!.reduce((s, c) => s + c, 0);
    const predicted = confusion.reduce((s, r) => s + r[i]!, 0);
    const tp = confusion[i]![i]!;
    const recall = support > 0 ? tp / support : null;
    const precision = predicted > 0 ? tp / predicted : null;
    const f1 =
      recall === null || precision === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[e] = { support, predicted, recall, precision, f1 };
    if (support > 0) presentF1.push(f1 ?? 0);
  });

  const eceN = n - noFace;
  const reliability: ReliabilityBin[] = bins.map((b) => ({
    lower: b.lower,
    upper: b.upper,
    count: b.count,
    accuracy: b.count > 0 ? b.correct / b.count : null,
    confidence: b.count > 0 ? b.confidenceSum / b.count : null,
  }));
  const ece =
    eceN === 0
      ? null
      : reliability.reduce((s, b) => (b.count > 0 ? s + (b.count / eceN) * Math.abs(b.accuracy! - b.confidence!) : s), 0);

  return {
    n,
    correct,
    noFace,
    accuracy: correct / n,
    accuracyCi95: wilsonInterval(correct, n),
    perClass,
    macroF1: presentF1.reduce((s, f) => s + f, 0) / presentF1.length,
    confusion,
    confusionLabels: { rows: [...EMOTIONS], columns: [...EMOTIONS, NO_FACE] },
    ece,
    eceN,
    reliability,
    calibrationGap:
      eceN === 0
        ? null
        : {
            meanConfidence: bins.reduce((s, b) => s + b.confidenceSum, 0) / eceN,
            accuracy: bins.reduce((s, b) => s + b.correct, 0) / eceN,
          },
  };
}

/** "; mean confidence 0.566, accuracy 0.605" for the reports' ECE line, or "" when no image had a face. */
const gapText = (m: EvaluationMetrics) =>
  m.calibrationGap === null
    ? ''
    : `; mean confidence ${m.calibrationGap.meanConfidence.toFixed(3)}, accuracy ${m.calibrationGap.accuracy.toFixed(3)}`;

/** A fraction as a percentage with one decimal, e.g. 0.6543 -> "65.4". */
const pct = (x: number) => (100 * x).toFixed(1);
/** A fraction with 3 decimals, or "-" for null. */
const frac = (x: number | null) => (x === null ? '-' : x.toFixed(3));

function table(rows: string[][], alignLeft = 1): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c < alignLeft ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd())
    .join('\n');
}

/**
 * A compact plain-text report for a terminal: accuracy with its 95 % Wilson interval (in %),
 * macro-F1, ECE, the no-face count, a per-class table (support, predicted, recall, precision,
 * F1; "-" where undefined), and the confusion matrix (rows = true class, columns = predicted,
 * last column "no face").
 */
export function formatMetricsTable(m: EvaluationMetrics): string {
  const [lo, hi] = m.accuracyCi95;
  const lines = [
    `images: ${m.n}   correct: ${m.correct}   no face: ${m.noFace}`,
    `accuracy: ${pct(m.accuracy)} %  (95 % Wilson CI ${pct(lo)}-${pct(hi)} %)`,
    `macro-F1: ${m.macroF1.toFixed(3)}  (over ${EMOTIONS.filter((e) => m.perClass[e].support > 0).length} classes present)`,
    `ECE (15 bins): ${m.ece === null ? '-' : m.ece.toFixed(3)}  (over ${m.eceN} images with a face${gapText(m)})`,
    '',
    table([
      ['class', 'support', 'predicted', 'recall', 'precision', 'F1'],
      ...EMOTIONS.map((e) => {
        const c = m.perClass[e];
        return [e, String(c.support), String(c.predicted), frac(c.recall), frac(c.precision), frac(c.f1)];
      }),
    ]),
    '',
    'confusion (rows: true, columns: predicted)',
    table([['', ...m.confusionLabels.columns], ...m.confusion.map((r, i) => [m.confusionLabels.rows[i]!, ...r.map(String)])]),
  ];
  return lines.join('\n') + '\n';
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A small self-contained HTML page (inline CSS; no scripts, no external resources) with the
 * summary figures, the confusion matrix as a heat map (each cell shaded by its share of the
 * row, i.e. of the true class, with the count written in it) and the per-class table.
 * @param title shown as the page title and heading; HTML-escaped.
 */
export function confusionMatrixHtml(m: EvaluationMetrics, title: string): string {
  const t = escapeHtml(title);
  const [lo, hi] = m.accuracyCi95;
  const head = m.confusionLabels.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const body = m.confusion
    .map((row, i) => {
      const total = row.reduce((s, c) => s + c, 0);
      const cells = row
        .map((count, j) => {
          const share = total > 0 ? count / total : 0;
          const style = `background:rgba(37,99,235,${share.toFixed(3)});color:${share > 0.55 ? '#fff' : '#111'}`;
          const cls = i === j ? ' class="diag"' : '';
          return `<td${cls} style="${style}" title="${pct(share)} % of row">${count}</td>`;
        })
        .join('');
      return `<tr><th scope="row">${escapeHtml(m.confusionLabels.rows[i]!)}</th>${cells}<td class="tot">${total}</td></tr>`;
    })
    .join('\n');
  const perClass = EMOTIONS.map((e) => {
    const c = m.perClass[e];
    return `<tr><th scope="row">${e}</th><td>${c.support}</td><td>${c.predicted}</td><td>${frac(c.recall)}</td><td>${frac(c.precision)}</td><td>${frac(c.f1)}</td></tr>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${t}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right;font-variant-numeric:tabular-nums}
th{background:#f4f4f5;font-weight:600}
td.diag{outline:2px solid #111;outline-offset:-2px}
td.tot{color:#555}
caption{text-align:left;font-weight:600;padding-bottom:.3em}
</style>
</head>
<body>
<h1>${t}</h1>
<p>Images: ${m.n} &middot; accuracy ${pct(m.accuracy)} % (95 % Wilson CI ${pct(lo)}&ndash;${pct(hi)} %) &middot; macro-F1 ${m.macroF1.toFixed(3)} &middot; ECE ${m.ece === null ? '-' : m.ece.toFixed(3)} (${m.eceN} with a face${gapText(m)}) &middot; no face: ${m.noFace}</p>
<table>
<caption>Confusion matrix: rows = true class, columns = predicted; shading = share of the row</caption>
<tr><th></th>${head}<th scope="col">total</th></tr>
${body}
</table>
<table>
<caption>Per class</caption>
<tr><th></th><th scope="col">support</th><th scope="col">predicted</th><th scope="col">recall</th><th scope="col">precision</th><th scope="col">F1</th></tr>
${perClass}
</table>
</body>
</html>
`;
}
