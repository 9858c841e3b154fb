/**
 * The cascade part of bench/ACCURACY-PROTOCOL.md as pure functions: given both networks'
 * per-image probabilities on the choosing halves, what each grid point (trigger, threshold t,
 * weight w) scores, what it costs, and which one the written rule chooses.
 */
import { EMOTIONS, type Emotion, type Probabilities } from '../../src/shared/emotions.ts';

/** U1: our top probability is under t. U2: U1 and our top class is a negative or neutral one. */
export type Trigger = 'U1' | 'U2';
export const TRIGGERS: readonly Trigger[] = ['U1', 'U2'];
export const THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01] as const;
export const WEIGHTS = [0.25, 0.5, 0.75, 1] as const;
/** The classes on which U2 asks the second network. */
export const U2_CLASSES: ReadonlySet<Emotion> = new Set(['angry', 'disgust', 'fear', 'sad', 'neutral']);

/** One image: its label and both networks' probabilities (null: no face found). */
export interface PairedImage {
  label: string;
  ours: Probabilities | null;
  second: Probabilities | null;
}

/** One grid point's figures on the A halves. */
export interface GridPoint {
  trigger: Trigger;
  threshold: number;
  weight: number;
  ferA: number;
  lfwA: number;
  ckA: number;
  /** Mean of FER-A and LFW-A accuracy (the protocol's score). */
  score: number;
  /** Share of FER-A faces on which the second network runs. */
  share: number;
  /** Ours + share x second, ms per face. */
  costMs: number;
}

function top(p: Probabilities): { emotion: Emotion; p: number } {
  let best: Emotion = EMOTIONS[0];
  for (const e of EMOTIONS) if (p[e] > p[best]) best = e;
  return { emotion: best, p: p[best] };
}

/** Whether the trigger asks the second network for a face whose (tempered) probabilities are `ours`. */
export function fires(trigger: Trigger, threshold: number, ours: Probabilities): boolean {
  const t = top(ours);
  return t.p < threshold && (trigger === 'U1' || U2_CLASSES.has(t.emotion));
}

/** The cascade's probabilities for one face: (1 - w) x ours + w x second where it fires, else ours. */
export function cascade(trigger: Trigger, threshold: number, weight: number, ours: Probabilities, second: Probabilities): Probabilities {
  if (!fires(trigger, threshold, ours)) return ours;
  return Object.fromEntries(EMOTIONS.map((e) => [e, (1 - weight) * ours[e] + weight * second[e]])) as Probabilities;
}

/**
 * Accuracy (no face = wrong) and the share of images the second network reads, for one grid
 * point on one set.
 * @throws RangeError on an empty set.
 */
export function scoreSet(images: readonly PairedImage[], trigger: Trigger, threshold: number, weight: number): { accuracy: number; share: number } {
  if (images.length === 0) throw new RangeError('scoreSet: no images');
  let right = 0;
  let fired = 0;
  for (const im of images) {
    if (!im.ours || !im.second) continue;
    if (fires(trigger, threshold, im.ours)) fired++;
    if (top(cascade(trigger, threshold, weight, im.ours, im.second)).emotion === im.label) right++;
  }
  return { accuracy: right / images.length, share: fired / images.length };
}

/** Every grid point's figures; costs from ours' and the second network's ms per face (FER-A, same run). */
export function scoreGrid(sets: { fer: readonly PairedImage[]; lfw: readonly PairedImage[]; ck: readonly PairedImage[] }, oursMs: number, secondMs: number): GridPoint[] {
  const out: GridPoint[] = [];
  for (const trigger of TRIGGERS)
    for (const threshold of THRESHOLDS)
      for (const weight of WEIGHTS) {
        const fer = scoreSet(sets.fer, trigger, threshold, weight);
        const lfwA = scoreSet(sets.lfw, trigger, threshold, weight).accuracy;
        const ckA = scoreSet(sets.ck, trigger, threshold, weight).accuracy;
        out.push({ trigger, threshold, weight, ferA: fer.accuracy, lfwA, ckA, score: (fer.accuracy + lfwA) / 2, share: fer.share, costMs: oursMs + fer.share * secondMs });
      }
  return out;
}

/** The reference's figures: ours alone. */
export interface Reference {
  score: number;
  ckA: number;
}

/** The protocol's limits for the cascade. */
export const CASCADE_RULE = { maxCostMs: 8, maxScoreLoss: 0.005, tie: 0.005, minCkGain: 0.03 } as const;

/**
 * The rule: eligible points cost at most 8 ms per face and score at most 0.5 points below the
 * reference; of those, the highest CK-A wins, ties within 0.5 points going to the higher score.
 * It replaces the reference only with a CK-A at least 3 points above the reference's.
 * @returns the winner (null: no eligible point) and whether it replaces the reference.
 */
export function chooseCascade(grid: readonly GridPoint[], ref: Reference): { winner: GridPoint | null; replaces: boolean; eligible: number } {
  const eligible = grid.filter((g) => g.costMs <= CASCADE_RULE.maxCostMs && g.score >= ref.score - CASCADE_RULE.maxScoreLoss - 1e-12);
  if (eligible.length === 0) return { winner: null, replaces: false, eligible: 0 };
  const bestCk = Math.max(...eligible.map((g) => g.ckA));
  const tied = eligible.filter((g) => g.ckA >= bestCk - CASCADE_RULE.tie - 1e-12);
  const winner = tied.reduce((a, b) => (b.score > a.score ? b : a));
  return { winner, replaces: winner.ckA >= ref.ckA + CASCADE_RULE.minCkGain - 1e-12, eligible: eligible.length };
}
