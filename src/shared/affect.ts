/**
 * Valence and arousal derived from the 7 emotion probabilities, never measured: each class
 * is placed at its pleasure (valence) and arousal coordinates in Russell and Mehrabian's
 * ratings of emotion terms (J. A. Russell, A. Mehrabian, "Evidence for a three-factor theory
 * of emotions", Journal of Research in Personality 11, 273-294, 1977: "angry", "disgusted",
 * "afraid", "happy", "sad", "surprised"; neutral at the origin), and a face's valence and
 * arousal are the probability-weighted means of those coordinates. Both lie in [-1, 1] (in
 * fact within the table's range, about -0.64..0.81 and -0.27..0.67). Being linear, the mean of
 * per-frame values equals the value of the mean probabilities.
 */
import { EMOTIONS, type Emotion, type Probabilities } from './emotions.ts';

/** Circumplex coordinates per class: valence (pleasure) and arousal, each in [-1, 1]. */
export const CIRCUMPLEX: Record<Emotion, { valence: number; arousal: number }> = {
  angry: { valence: -0.51, arousal: 0.59 },
  disgust: { valence: -0.6, arousal: 0.35 },
  fear: { valence: -0.64, arousal: 0.6 },
  happy: { valence: 0.81, arousal: 0.51 },
  sad: { valence: -0.63, arousal: -0.27 },
  surprise: { valence: 0.4, arousal: 0.67 },
  neutral: { valence: 0, arousal: 0 },
};

/** Valence and arousal, each in [-1, 1], of probabilities `p` (see the module comment). */
export function valenceArousal(p: Probabilities): { valence: number; arousal: number } {
  let valence = 0;
  let arousal = 0;
  for (const e of EMOTIONS) {
    valence += p[e] * CIRCUMPLEX[e].valence;
    arousal += p[e] * CIRCUMPLEX[e].arousal;
  }
  return { valence, arousal };
}
