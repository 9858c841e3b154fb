/**
 * The 7 facial-expression classes CallMood reports, in FER-2013 id order
 * (Goodfellow et al., arXiv:1307.0414), which is also the output order of the
 * emotion model shipped in @vladmandic/human (oarriaga big-XCEPTION, gray input).
 */
export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;

/** One of the 7 emotion class names. */
export type Emotion = (typeof EMOTIONS)[number];

/** Probability per emotion class, each in [0, 1], summing to 1 (within float error). */
export type Probabilities = Record<Emotion, number>;

/** True when `value` is one of the 7 class names. */
export function isEmotion(value: unknown): value is Emotion {
  return typeof value === 'string' && (EMOTIONS as readonly string[]).includes(value);
}

/**
 * Builds a Probabilities record from 7 numbers in EMOTIONS order, clamping negatives
 * to 0 and renormalising so they sum to 1.
 * @throws RangeError when `values` does not hold exactly 7 finite numbers or sums to 0.
 */
export function toProbabilities(values: ArrayLike<number>): Probabilities {
  if (values.length !== EMOTIONS.length) {
    throw new RangeError(`expected ${EMOTIONS.length} probabilities, got ${values.length}`);
  }
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`probability ${i} is not finite: ${v}`);
    sum += Math.max(0, v);
  }
  if (sum <= 0) throw new RangeError('probabilities sum to 0');
  const out = {} as Probabilities;
  EMOTIONS.forEach((e, i) => (out[e] = Math.max(0, values[i]!) / sum));
  return out;
}

/** Probabilities as an array in EMOTIONS order. */
export function probabilityArray(p: Probabilities): number[] {
  return EMOTIONS.map((e) => p[e]);
}

/** The class with the highest probability and that probability (ties: first in EMOTIONS order). */
export function dominantEmotion(p: Probabilities): { emotion: Emotion; confidence: number } {
  let best: Emotion = EMOTIONS[0];
  for (const e of EMOTIONS) if (p[e] > p[best]) best = e;
  return { emotion: best, confidence: p[best] };
}
