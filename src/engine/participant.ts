/**
 * One participant of the live view, as the frame loop follows them: face confirmation, the
 * face timeout, smoothing, and what the live view shows. Pure logic (no tfjs, no DOM); times
 * are ms on the pipeline's clock.
 */
import { dominantEmotion, type Probabilities } from '../shared/emotions.ts';
import type { ParticipantLive, Rect } from '../shared/types.ts';
import type { InferenceConfig } from '../inference/config.ts';
import type { FaceAnalysis, TileAnalysis } from '../inference/types.ts';
import { EmotionSmoother } from './smoothing.ts';

/** A participant's state between frames. */
export class Participant {
  private readonly smoother: EmotionSmoother;
  private lastFaceAt = 0;
  /** Consecutive analysed frames with a face. */
  private faceStreak = 0;
  /** True once `minFaceFrames` consecutive faces were found, until the face is lost for `faceTimeoutMs`. */
  private faceConfirmed = false;
  /** The face's box in the page's CSS px (viewport coordinates), or null. */
  private faceBox: Rect | null = null;
  /** Whether the participant's tile was analysed in the last frame. */
  analysed = false;
  /** Time of the last frame that analysed the participant. */
  private frameTime = 0;

  constructor(
    readonly id: string,
    /** Id of the tile the participant is seen in (their own id, or the multi-person tile's). */
    readonly tileId: string,
    public name: string,
    public isSelf: boolean,
    private readonly live: InferenceConfig['live'],
  ) {
    this.smoother = new EmotionSmoother(live.smoothingTauMs);
  }

  /**
   * One frame's result: `status` and `face` (box in CSS px) as the analyzer gave them (see
   * TileAnalysis). A face counts after `minFaceFrames` consecutive frames.
   * @returns the timeline sample of this frame: the probabilities (null without a confirmed
   *   face), or undefined when the frame adds no sample (an unchanged tile).
   */
  apply(status: TileAnalysis['status'], face: FaceAnalysis | null, frameTime: number): Probabilities | null | undefined {
    // Nothing new about a deferred tile: it still has no face (a no-face sample).
    if (status === 'deferred') return null;
    if (status === 'unchanged') {
      // Same pixels as at the last analysis: the last result holds (a face on a frozen frame
      // stays shown); the timeline gets no new sample.
      if (this.faceBox) this.lastFaceAt = frameTime;
      return undefined;
    }
    this.frameTime = frameTime;
    this.faceStreak = face ? this.faceStreak + 1 : 0;
    if (this.faceStreak >= this.live.minFaceFrames) this.faceConfirmed = true;
    if (face && this.faceConfirmed) {
      this.smoother.update(face.probabilities, frameTime);
      this.lastFaceAt = frameTime;
      this.faceBox = face.box;
      return face.probabilities;
    }
    if (frameTime - this.lastFaceAt > this.live.faceTimeoutMs) {
      this.faceConfirmed = this.faceStreak >= this.live.minFaceFrames;
      this.faceBox = null;
    }
    return null;
  }

  /** What the live view shows of the participant at `now`: "no face" after `faceTimeoutMs` without one. */
  view(now: number): ParticipantLive {
    const faceVisible = this.analysed && now - this.lastFaceAt <= this.live.faceTimeoutMs && this.smoother.value !== null;
    const probabilities = faceVisible ? this.smoother.value : null;
    const dom = probabilities ? dominantEmotion(probabilities) : null;
    return {
      id: this.id,
      name: this.name,
      isSelf: this.isSelf,
      analysed: this.analysed,
      faceVisible,
      probabilities,
      dominant: dom?.emotion ?? null,
      confidence: dom?.confidence ?? null,
      faceBox: faceVisible ? this.faceBox : null,
      frameTime: this.frameTime,
    };
  }
}
