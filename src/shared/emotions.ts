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

/**
 * Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks"): with only
 * probabilities at hand, softmax(log p / T) = p_i^(1/T) / sum_j p_j^(1/T) (zeros floored at
 * 1e-12). T > 1 softens, T < 1 sharpens, T = 1 only renormalises.
 * @param p probabilities as a record, or 7 values in EMOTIONS order.
 * @throws RangeError when T is not > 0, or (from toProbabilities) `p` does not hold 7 finite values.
 */
export function applyTemperature(p: Probabilities | readonly number[], temperature: number): Probabilities {
  if (!(temperature > 0)) throw new RangeError(`temperature must be > 0, got ${temperature}`);
  const values = Array.isArray(p) ? (p as readonly number[]) : EMOTIONS.map((e) => (p as Probabilities)[e]);
  return toProbabilities(temperature === 1 ? values : values.map((v) => Math.pow(Math.max(v, 1e-12), 1 / temperature)));
}

/** The class with the highest probability and that probability (ties: first in EMOTIONS order). */
export function dominantEmotion(p: Probabilities): { emotion: Emotion; confidence: number } {
  let best: Emotion = EMOTIONS[0];
  for (const e of EMOTIONS) if (p[e] > p[best]) best = e;
  return { emotion: best, confidence: p[best] };
}
