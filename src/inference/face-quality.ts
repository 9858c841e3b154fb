/**
 * Face quality: how far a face can be trusted for an emotion label, from its size in pixels,
 * how far it is turned away (|yaw|), its brightness and its sharpness. Each factor maps to a
 * score in [0, 1] by a linear ramp between two documented ends; the face's quality is the
 * lowest of the four, and the factor that set it is named, so "can't tell" can say why
 * (docs/signals.md). Brightness and sharpness are measured on a QUALITY_SIDE px gray crop of
 * the face box, every face of a frame in one batch with one readback.
 */
import type { Tensor } from '@vladmandic/human';
import { cropBoxes, type TileBox } from './crops.ts';
import type { TF } from './types.ts';

/** Side of the gray crop brightness and sharpness are measured on, px. */
export const QUALITY_SIDE = 48;

/** Which factor limits a face's quality. */
export type QualityFactor = 'size' | 'pose' | 'light' | 'blur';

/** The quality of one face. */
export interface FaceQuality {
  /** Lowest factor score, in [0, 1]: 1 = nothing stands in the way of reading the face. */
  score: number;
  /** The factor with the lowest score. */
  limitedBy: QualityFactor;
  /** Side of the face box, px of the tile image. */
  sidePx: number;
  /** Mean gray level of the face crop, 0..255. */
  brightness: number;
  /**
   * Contrast-normalised sharpness of the QUALITY_SIDE px gray crop: 100 × variance of its
   * Laplacian / (variance of its gray levels + 25), >= 0. Low = blurred or upscaled. Dividing by
   * the contrast keeps a dark but sharp face sharp (both variances scale with the gray level
   * squared); the 25 (a gray standard deviation of 5) keeps a flat crop at about 0.
   */
  sharpness: number;
}

/**
 * Ends of each factor's ramp: the score is 0 at or below `zero` and 1 at or above `one`
 * (for |yaw| and overexposure the other way round). Dark and blur were calibrated on the A
 * halves of degraded copies of lfw-expressions and FER-2013 (docs/signals-protocol.md, rule 1
 * with the contrast-normalised sharpness; `npm run bench:signals-images`): `one` = the 10th percentile of undegraded faces
 * (mean gray 99, sharpness 35), `zero` = the median of the faces darkened x0.15 (mean gray 19)
 * and blurred with sigma 4 px (sharpness 16). Size: the rule's `zero` (median box side of faces
 * shrunk to 0.18) was not below its `one` (48 px, the emotion network's input), so the guess
 * stays: a box of 24 px or less holds about half the 48 px the network reads. Pose: |yaw| up to
 * 25° keeps both eyes in view on the mesh; at 60° one half of the face is hidden. Overexposure:
 * a mean gray from 215 to 245 is a washed-out face. Pose and overexposure are guesses (no
 * degradation measured them). docs/signals.md has the figures.
 */
export const QUALITY_RAMPS = {
  size: { zero: 24, one: 56 },
  yaw: { one: 25, zero: 60 },
  dark: { zero: 19, one: 99 },
  bright: { one: 215, zero: 245 },
  blur: { zero: 16, one: 35 },
} as const;

const ramp = (v: number, zero: number, one: number): number => Math.min(1, Math.max(0, (v - zero) / (one - zero)));

/**
 * A face's quality from its measurements (see FaceQuality). `yawDeg` null (no landmarks)
 * leaves the pose factor out.
 */
export function faceQuality(sidePx: number, yawDeg: number | null, brightness: number, sharpness: number): FaceQuality {
  const r = QUALITY_RAMPS;
  const factors: [QualityFactor, number][] = [
    ['size', ramp(sidePx, r.size.zero, r.size.one)],
    ['pose', yawDeg === null ? 1 : 1 - ramp(Math.abs(yawDeg), r.yaw.one, r.yaw.zero)],
    ['light', Math.min(ramp(brightness, r.dark.zero, r.dark.one), 1 - ramp(brightness, r.bright.one, r.bright.zero))],
    ['blur', ramp(sharpness, r.blur.zero, r.blur.one)],
  ];
  let [limitedBy, score] = factors[0]!;
  for (const [f, s] of factors) if (s < score) [limitedBy, score] = [f, s];
  return { score, limitedBy, sidePx, brightness, sharpness };
}

const LAPLACIAN = [0, 1, 0, 1, -4, 1, 0, 1, 0];

/**
 * Brightness (mean gray, 0..255) and sharpness (FaceQuality.sharpness: the Laplacian's variance,
 * valid part, over the gray variance) of each box of `items`, from a QUALITY_SIDE px gray crop.
 * One batch, one readback.
 * @returns one { brightness, sharpness } per item, in order (empty for no items).
 */
export async function measureFaces(tf: TF, items: readonly TileBox[]): Promise<{ brightness: number; sharpness: number }[]> {
  if (items.length === 0) return [];
  const stats = tf.tidy(() => {
    const gray = tf.sum(tf.mul(cropBoxes(tf, items, QUALITY_SIDE), tf.tensor1d([0.2989, 0.587, 0.114])), 3, true);
    const lap = tf.conv2d(gray as Parameters<TF['conv2d']>[0], tf.tensor4d(LAPLACIAN, [3, 3, 1, 1]), 1, 'valid');
    const brightness = tf.mean(gray, [1, 2, 3]);
    const sharpness = tf.div(tf.mul(tf.moments(lap, [1, 2, 3]).variance, 100), tf.add(tf.moments(gray, [1, 2, 3]).variance, 25));
    return tf.stack([brightness, sharpness], 1) as Tensor;
  });
  try {
    const data = (await stats.data()) as Float32Array;
    return items.map((_, k) => ({ brightness: data[k * 2]!, sharpness: data[k * 2 + 1]! }));
  } finally {
    stats.dispose();
  }
}

/**
 * The quality of a face that is not measured (an evaluation of ready-made face crops, a
 * baseline analyzer): score 1, so it always counts as readable; brightness and sharpness NaN.
 */
export function unmeasuredQuality(sidePx: number): FaceQuality {
  return { score: 1, limitedBy: 'size', sidePx, brightness: NaN, sharpness: NaN };
}
