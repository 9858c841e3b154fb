/**
 * The arithmetic of `npm run bench:signals-images` (docs/signals-protocol.md): quality scores
 * recomputed for candidate ramps, the ramp calibration (rule 1), the threshold choice
 * (rule 2), the half-B report and the head-pose error figures. Pure: no browser, no files.
 */
import { wilsonInterval } from '../../scripts/lib/metrics.ts';

/** Ramp ends in the shape of QUALITY_RAMPS (face-quality.ts): score 0 at `zero`, 1 at `one`. */
export interface Ramps {
  size: { zero: number; one: number };
  yaw: { one: number; zero: number };
  dark: { zero: number; one: number };
  bright: { one: number; zero: number };
  blur: { zero: number; one: number };
}

/** One analysed copy of one image. `found` false: every measurement is NaN / null. */
export interface CopyRecord {
  set: 'lfw' | 'fer';
  half: 'A' | 'B';
  /** 'orig', 'shrink', 'dark', 'blur' or 'rotate'. */
  kind: string;
  /** The copy's parameter (see Variant in signals-page.ts). */
  value: number;
  found: boolean;
  correct: boolean;
  sidePx: number;
  /** Measured yaw, degrees; null without landmarks. */
  yawDeg: number | null;
  brightness: number;
  sharpness: number;
}

const ramp = (v: number, zero: number, one: number): number => Math.min(1, Math.max(0, (v - zero) / (one - zero)));

/** Quality score in [0, 1] of measurements under `ramps`: the formula of faceQuality, with other ramp ends. */
export function scoreWith(ramps: Ramps, m: Pick<CopyRecord, 'sidePx' | 'yawDeg' | 'brightness' | 'sharpness'>): number {
  return Math.min(
    ramp(m.sidePx, ramps.size.zero, ramps.size.one),
    m.yawDeg === null ? 1 : 1 - ramp(Math.abs(m.yawDeg), ramps.yaw.one, ramps.yaw.zero),
    Math.min(ramp(m.brightness, ramps.dark.zero, ramps.dark.one), 1 - ramp(m.brightness, ramps.bright.one, ramps.bright.zero)),
    ramp(m.sharpness, ramps.blur.zero, ramps.blur.one),
  );
}

/** Percentile `p` (0..100) of `values` by linear interpolation between order statistics; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const r = (p / 100) * (s.length - 1);
  const lo = Math.floor(r);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (r - lo);
}

/** How one ramp was calibrated: its ends, the level its `zero` came from, and n. */
export interface RampCalibration {
  zero: number;
  one: number;
  /** The measured ends before rounding and the keep-the-guess check. */
  measuredZero: number;
  measuredOne: number;
  zeroFrom: string;
  nZero: number;
  nOne: number;
  kept: boolean;
}

/**
 * Rule 1 of docs/signals-protocol.md on the A-half records `a`: size, dark and blur ends.
 * @returns the new ramps (yaw and bright copied from `guess`) and how each end was found.
 */
export function calibrateRamps(a: readonly CopyRecord[], guess: Ramps): { ramps: Ramps; how: Record<'size' | 'dark' | 'blur', RampCalibration> } {
  const found = a.filter((r) => r.found);
  const orig = found.filter((r) => r.kind === 'orig');
  const one = (key: 'sidePx' | 'brightness' | 'sharpness'): number => percentile(orig.map((r) => r[key]), 10);
  const zeroAt = (kind: string, levels: number[], key: 'sidePx' | 'brightness' | 'sharpness') => {
    for (const level of levels) {
      const at = found.filter((r) => r.kind === kind && r.value === level);
      if (at.length >= 20 || level === levels[levels.length - 1]) return { zero: percentile(at.map((r) => r[key]), 50), from: `${kind} ${level}`, n: at.length };
    }
    throw new Error('unreachable');
  };
  const make = (zero: { zero: number; from: string; n: number }, oneEnd: number, g: { zero: number; one: number }): RampCalibration => {
    const z = Math.round(zero.zero);
    const o = Math.round(oneEnd);
    const ok = Number.isFinite(z) && Number.isFinite(o) && z < o;
    return { zero: ok ? z : g.zero, one: ok ? o : g.one, measuredZero: zero.zero, measuredOne: oneEnd, zeroFrom: zero.from, nZero: zero.n, nOne: orig.length, kept: !ok };
  };
  const how = {
    size: make(zeroAt('shrink', [0.18, 0.3], 'sidePx'), 48, guess.size),
    dark: make(zeroAt('dark', [0.15, 0.35], 'brightness'), one('brightness'), guess.dark),
    blur: make(zeroAt('blur', [4, 2], 'sharpness'), one('sharpness'), guess.blur),
  };
  const ramps: Ramps = {
    size: { zero: how.size.zero, one: how.size.one },
    yaw: { ...guess.yaw },
    dark: { zero: how.dark.zero, one: how.dark.one },
    bright: { ...guess.bright },
    blur: { zero: how.blur.zero, one: how.blur.one },
  };
  return { ramps, how };
}

/** Accuracy of a group with its 95 % Wilson interval (NaN for an empty group). */
export interface Accuracy {
  n: number;
  correct: number;
  accuracy: number;
  ci: [number, number];
}

/** Accuracy of `records` (found faces). */
export function accuracyOf(records: readonly CopyRecord[]): Accuracy {
  const n = records.length;
  const correct = records.filter((r) => r.correct).length;
  return { n, correct, accuracy: n ? correct / n : NaN, ci: n ? wilsonInterval(correct, n) : [NaN, NaN] };
}

/** One candidate threshold on a set of records: accuracy above and below, and the share of undegraded faces kept. */
export interface ThresholdRow {
  t: number;
  above: Accuracy;
  below: Accuracy;
  gap: number;
  undegradedKept: number;
  eligible: boolean;
}

/** Candidate thresholds of rule 2: 0.1 .. 0.9. */
export const THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Rule 2 on `a` (found faces of the quality set): every candidate's row, and the chosen t. */
export function chooseThreshold(a: readonly CopyRecord[], ramps: Ramps, minKept = 0.9): { rows: ThresholdRow[]; chosen: number } {
  const found = a.filter((r) => r.found);
  const orig = found.filter((r) => r.kind === 'orig');
  const rows = THRESHOLDS.map((t) => {
    const above = accuracyOf(found.filter((r) => scoreWith(ramps, r) >= t));
    const below = accuracyOf(found.filter((r) => scoreWith(ramps, r) < t));
    const undegradedKept = orig.filter((r) => scoreWith(ramps, r) >= t).length / orig.length;
    return { t, above, below, gap: above.accuracy - below.accuracy, undegradedKept, eligible: above.n > 0 && below.n > 0 && undegradedKept >= minKept };
  });
  let best: ThresholdRow | null = null;
  for (const r of rows) if (r.eligible && (!best || r.gap > best.gap + 1e-12)) best = r;
  return { rows, chosen: best ? best.t : 0.1 };
}

/** Per copy kind and level: faces analysed, found rate, share of found faces below t, and accuracy of the found ones. */
export interface CopyRow {
  copy: string;
  n: number;
  foundRate: number;
  belowShare: number;
  accuracy: number;
  limitedBy: Record<string, number>;
  /** Medians over the found faces: box side px, mean gray, Laplacian variance. */
  median: { sidePx: number; brightness: number; sharpness: number };
}

/** The per-copy table of `records` under `ramps` and threshold `t`; `limitedBy` counts the factor of the faces below t. */
export function copyTable(records: readonly CopyRecord[], ramps: Ramps, t: number, factorOf: (r: CopyRecord) => string): CopyRow[] {
  const keys = [...new Set(records.map((r) => `${r.kind} ${r.value}`))];
  return keys.map((copy) => {
    const all = records.filter((r) => `${r.kind} ${r.value}` === copy);
    const found = all.filter((r) => r.found);
    const below = found.filter((r) => scoreWith(ramps, r) < t);
    const limitedBy: Record<string, number> = {};
    for (const r of below) limitedBy[factorOf(r)] = (limitedBy[factorOf(r)] ?? 0) + 1;
    return {
      copy,
      n: all.length,
      foundRate: found.length / all.length,
      belowShare: found.length ? below.length / found.length : NaN,
      accuracy: accuracyOf(found).accuracy,
      limitedBy,
      median: { sidePx: percentile(found.map((r) => r.sidePx), 50), brightness: percentile(found.map((r) => r.brightness), 50), sharpness: percentile(found.map((r) => r.sharpness), 50) },
    };
  });
}

/** The factor that limits measurements under `ramps` (faceQuality's order on ties: size, pose, light, blur). */
export function limitingFactor(ramps: Ramps, m: Pick<CopyRecord, 'sidePx' | 'yawDeg' | 'brightness' | 'sharpness'>): string {
  const f: [string, number][] = [
    ['size', ramp(m.sidePx, ramps.size.zero, ramps.size.one)],
    ['pose', m.yawDeg === null ? 1 : 1 - ramp(Math.abs(m.yawDeg), ramps.yaw.one, ramps.yaw.zero)],
    ['light', Math.min(ramp(m.brightness, ramps.dark.zero, ramps.dark.one), 1 - ramp(m.brightness, ramps.bright.one, ramps.bright.zero))],
    ['blur', ramp(m.sharpness, ramps.blur.zero, ramps.blur.one)],
  ];
  let best = f[0]!;
  for (const x of f) if (x[1] < best[1]) best = x;
  return best[0];
}

/** Median |error|, 90th percentile of |error| and mean signed error of `errors` (degrees), with n. */
export function errorSummary(errors: readonly number[]): { n: number; medianAbs: number; p90Abs: number; meanSigned: number } {
  const abs = errors.map(Math.abs);
  return { n: errors.length, medianAbs: percentile(abs, 50), p90Abs: percentile(abs, 90), meanSigned: errors.reduce((s, e) => s + e, 0) / (errors.length || NaN) };
}

/** Agreement of paired values x (ours) and y (reference): mean and median |x − y|, Pearson r, least-squares slope of x on y, n. */
export function agreementOf(pairs: readonly [number, number][]): { n: number; meanAbs: number; medianAbs: number; pearson: number; slope: number } {
  const n = pairs.length;
  const mx = pairs.reduce((s, p) => s + p[0], 0) / n;
  const my = pairs.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  const diffs = pairs.map(([x, y]) => Math.abs(x - y));
  return { n, meanAbs: diffs.reduce((s, d) => s + d, 0) / n, medianAbs: percentile(diffs, 50), pearson: sxy / Math.sqrt(sxx * syy), slope: sxy / syy };
}

/** Angle difference a − b wrapped to [-180, 180), degrees. */
export const angleDiff = (a: number, b: number): number => ((((a - b + 180) % 360) + 360) % 360) - 180;
