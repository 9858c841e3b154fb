/**
 * Per-frame signals of a participant beyond the emotion label: whether they attend (face the
 * screen with open eyes) and whether they speak (by the call site's indicator, else by the
 * movement of their mouth). Pure logic; times are ms on the pipeline's clock.
 */
import type { InferenceConfig } from '../inference/config.ts';
import type { FaceAnalysis } from '../inference/types.ts';

/** Where a speaking flag comes from: the call site's own active-speaker indicator, or the face. */
export type SpeakingSource = 'site' | 'face';

/**
 * Whether a face attends: facing the screen (|yaw| <= `attentionMaxYawDeg`, |pitch| <=
 * `attentionMaxPitchDeg`) with open eyes (eye openness >= `eyesClosedBelow`). Null (can't
 * tell) when the face has no landmarks, or its quality is under `minQuality` for a reason other
 * than its pose (too small, too dark, blurred: its landmarks are not to be trusted); a face
 * turned too far away to read is not attending.
 */
export function isAttending(face: FaceAnalysis, config: InferenceConfig['signals']): boolean | null {
  if (!face.signals) return null;
  if (face.quality.score < config.minQuality && face.quality.limitedBy !== 'pose') return null;
  const { pose, eyeOpenness } = face.signals;
  return Math.abs(pose.yaw) <= config.attentionMaxYawDeg && Math.abs(pose.pitch) <= config.attentionMaxPitchDeg && eyeOpenness >= config.eyesClosedBelow;
}

/**
 * Speaking by face: a mouth that opens and closes. Keeps the mouth openings of the last
 * `speakingWindowMs`; the face speaks while their standard deviation is at least
 * `speakingMinStd`. Can't tell (null) until the window holds at least MIN_SPEAKING_FRAMES
 * openings spanning at least half the window, so a face that has just appeared, or a tile
 * analysed only now and then, gives no flag.
 */
export class SpeakingDetector {
  private readonly openings: { at: number; value: number }[] = [];

  constructor(private readonly config: InferenceConfig['signals']) {}

  /**
   * Adds one frame: `opening` is the mouth opening of a readable face, or null when the frame
   * had none (then the history is cleared: a turn by face needs the face in view).
   * @returns whether the face speaks now, or null when it can't tell.
   */
  push(frameTime: number, opening: number | null): boolean | null {
    if (opening === null) {
      this.openings.length = 0;
      return null;
    }
    this.openings.push({ at: frameTime, value: opening });
    while (this.openings.length && this.openings[0]!.at < frameTime - this.config.speakingWindowMs) this.openings.shift();
    if (this.openings.length < MIN_SPEAKING_FRAMES || frameTime - this.openings[0]!.at < this.config.speakingWindowMs / 2) return null;
    const mean = this.openings.reduce((s, o) => s + o.value, 0) / this.openings.length;
    const variance = this.openings.reduce((s, o) => s + (o.value - mean) ** 2, 0) / this.openings.length;
    return Math.sqrt(variance) >= this.config.speakingMinStd;
  }

  /** Forgets the history (the face left, the tile froze). */
  reset(): void {
    this.openings.length = 0;
  }
}

/** Fewest mouth openings in the window for a speaking flag by face. */
export const MIN_SPEAKING_FRAMES = 4;
