/**
 * One participant of the live view, as the frame loop follows them: face confirmation, the
 * face timeout, smoothing, why there is no emotion to show (the gap reason), the update rate,
 * and what the live view shows. Pure logic (no tfjs, no DOM); times are ms on the pipeline's clock.
 */
import { dominantEmotion, type Probabilities } from '../shared/emotions.ts';
import { RollingWindow } from '../shared/stats.ts';
import type { GapReason, NameSource, ParticipantLive, Rect } from '../shared/types.ts';
import type { InferenceConfig } from '../inference/config.ts';
import type { FaceAnalysis, TileAnalysis } from '../inference/types.ts';
import { valenceArousal } from '../shared/affect.ts';
import type { QualityFactor } from '../inference/face-quality.ts';
import { PersonalBaseline } from './baseline.ts';
import { isAttending, SpeakingDetector, type SpeakingSource } from './signals.ts';
import { EmotionSmoother } from './smoothing.ts';

/** The emotion part of a sample: probabilities of a readable face, else the gap's reason (`low-quality`: a face too poor to read). */
export type EmotionSample = { probabilities: Probabilities; gap: null } | { probabilities: null; gap: GapReason };

/** What one frame says beyond the emotion (see signals.ts); null = can't tell. */
export interface FrameSignals {
  /** Facing the screen with open eyes; false when the tile was analysed and showed no face. */
  attending: boolean | null;
  speaking: boolean | null;
  /** Where `speaking` comes from; null when `speaking` is null. */
  speakingSource: SpeakingSource | null;
  /** Quality in [0, 1] of the frame's face; null without a face. */
  quality: number | null;
}

/** One frame's contribution to a participant's timeline. */
export type Sample = EmotionSample & FrameSignals;

const NO_SIGNALS: FrameSignals = { attending: null, speaking: null, speakingSource: null, quality: null };

/** What one frame's analysis said of a participant's tile (TileAnalysis less its faces, plus the participant's face, box in CSS px). */
export type TileResult = Pick<TileAnalysis, 'status' | 'stillMs' | 'smallFace'> & { face: FaceAnalysis | null };

/** Analyses kept for the update rate, and the longest span they may cover, ms. */
const RATE_WINDOW = 8;
const RATE_SPAN_MS = 10_000;

/** A participant's state between frames. */
export class Participant {
  private readonly smoother: EmotionSmoother;
  private lastFaceAt = 0;
  /** Consecutive analyses with a face. */
  private faceStreak = 0;
  /** Analyses of the tile since the last face. */
  private missed = 0;
  /** True once `minFaceFrames` consecutive faces were found, until the face is lost (see `live.faceTimeoutMs`). */
  private faceConfirmed = false;
  /** Whether the live view shows the face now. */
  private faceShown = false;
  /** The face's box in the page's CSS px (viewport coordinates), or null. */
  private faceBox: Rect | null = null;
  /** Why no face is shown (null while one is). */
  private gap: GapReason | null = 'no-face';
  /** The sample the last analysis gave, repeated for an unchanged picture. */
  private lastSample: Sample = { probabilities: null, gap: 'no-face', ...NO_SIGNALS };
  /** The signals of the last analysis with a face, for the live view. */
  private lastSignals: FrameSignals = NO_SIGNALS;
  /** Why the face reads "can't tell" (gap `low-quality`), or null. */
  private qualityLimit: QualityFactor | null = null;
  private readonly speaking: SpeakingDetector;
  /** The participant's own resting face (baseline.ts), collected from their first readable faces. */
  private readonly baseline = new PersonalBaseline();
  /** Whether the participant's tile was analysed in the last frame (or waits its turn in the schedule). */
  analysed = false;
  /** Why the participant is not analysed now (`paused`, `tile-too-small`), or null (hidden, off screen, only me). */
  idleGap: GapReason | null = null;
  /** Time of the last frame that analysed the participant. */
  private frameTime = 0;
  private readonly analysedAt = new RollingWindow(RATE_WINDOW);

  constructor(
    readonly id: string,
    /** Id of the tile the participant is seen in (their own id, or the multi-person tile's). */
    readonly tileId: string,
    public name: string,
    public isSelf: boolean,
    private readonly live: InferenceConfig['live'],
    private readonly signals: InferenceConfig['signals'],
    /** Where `name` comes from (TileReport.nameFrom); undefined where no call page names it. */
    public nameFrom?: NameSource,
  ) {
    this.smoother = new EmotionSmoother(live.smoothingTauMs);
    this.speaking = new SpeakingDetector(signals);
  }

  /**
   * One frame's result for the participant's tile (see TileAnalysis; `face` box in CSS px). A
   * face counts after `minFaceFrames` consecutive analyses; it is lost after `faceTimeoutMs`
   * and `faceTimeoutAnalyses` analyses without one. An unchanged picture repeats the last
   * sample; one identical for `frozenAfterMs` is a frozen video; a black one is `black`. A
   * face under `signals.minQuality` reads "can't tell" (gap `low-quality`): it is not smoothed
   * and gives no probabilities.
   * @param siteSpeaking the call site's active-speaker indicator for the tile (true/false), or
   *   null/undefined when the adapter cannot read one: then speaking is judged by the face.
   * @returns the timeline sample of this frame.
   */
  apply(result: TileResult, frameTime: number, siteSpeaking?: boolean | null): Sample {
    const sample = this.emotionSample(result, frameTime);
    if (siteSpeaking !== true && siteSpeaking !== false) return sample;
    // The site's indicator holds with or without a face, in the live view as in the timeline.
    this.lastSignals = { ...this.lastSignals, speaking: siteSpeaking, speakingSource: 'site' };
    return { ...sample, speaking: siteSpeaking, speakingSource: 'site' };
  }

  private emotionSample(result: TileResult, frameTime: number): Sample {
    this.frameTime = frameTime;
    this.analysedAt.push(frameTime);
    const frozen = result.stillMs >= this.live.frozenAfterMs;
    switch (result.status) {
      case 'black':
        return this.noFace('black');
      case 'too-small':
        return this.noFace('tile-too-small');
      case 'unchanged':
        // The same picture as at the last analysis: the same result, until it is a frozen video.
        if (frozen) return this.noFace('frozen');
        if (this.faceShown) this.lastFaceAt = frameTime;
        return this.lastSample;
      case 'deferred':
        // No face at the tile's last detection; retried later. It counts as an analysis without one.
        return this.miss(this.gap === 'face-too-small' ? 'face-too-small' : 'no-face', frameTime);
      case 'analysed':
        if (frozen) return this.noFace('frozen');
        if (!result.face) return this.miss(result.smallFace ? 'face-too-small' : 'no-face', frameTime);
        return this.found(result.face, frameTime);
    }
  }

  private found(face: FaceAnalysis, frameTime: number): Sample {
    this.faceStreak++;
    if (this.faceStreak >= this.live.minFaceFrames) this.faceConfirmed = true;
    if (!this.faceConfirmed) return this.miss('no-face', frameTime, false);
    this.missed = 0;
    this.lastFaceAt = frameTime;
    this.faceBox = face.box;
    this.faceShown = true;
    const readable = face.quality.score >= this.signals.minQuality;
    const speaking = this.speaking.push(frameTime, readable && face.signals ? face.signals.mouthOpening : null);
    const signals: FrameSignals = { attending: isAttending(face, this.signals), speaking, speakingSource: speaking === null ? null : 'face', quality: face.quality.score };
    this.lastSignals = signals;
    if (!readable) {
      this.gap = 'low-quality';
      this.qualityLimit = face.quality.limitedBy;
      return (this.lastSample = { probabilities: null, gap: 'low-quality', ...signals });
    }
    this.smoother.update(face.probabilities, frameTime);
    this.baseline.add(frameTime, face.probabilities);
    this.gap = null;
    this.qualityLimit = null;
    return (this.lastSample = { probabilities: face.probabilities, gap: null, ...signals });
  }

  /** An analysis without a (confirmed) face: the face is kept until the timeout (see `apply`). */
  private miss(gap: GapReason, frameTime: number, resetStreak = true): Sample {
    if (resetStreak) this.faceStreak = 0;
    this.missed++;
    if (this.faceShown && frameTime - this.lastFaceAt > this.live.faceTimeoutMs && this.missed >= this.live.faceTimeoutAnalyses) {
      this.faceConfirmed = this.faceStreak >= this.live.minFaceFrames;
      this.faceShown = false;
      this.faceBox = null;
    }
    if (!this.faceShown) this.gap = gap;
    this.speaking.reset();
    // No face in an analysed tile: not attending. A face that is still shown (lost for less than
    // the timeout) keeps its last signals in the live view.
    if (!this.faceShown) this.lastSignals = { ...NO_SIGNALS, attending: false };
    return (this.lastSample = { probabilities: null, gap, ...NO_SIGNALS, attending: false });
  }

  /** A picture with no face to read (black, frozen, too small): shown at once, no timeout. */
  private noFace(gap: GapReason): Sample {
    this.faceStreak = 0;
    this.faceConfirmed = false;
    this.faceShown = false;
    this.faceBox = null;
    this.gap = gap;
    this.speaking.reset();
    this.lastSignals = NO_SIGNALS;
    return (this.lastSample = { probabilities: null, gap, ...NO_SIGNALS });
  }

  /** Analyses of the participant's tile per second over its recent analyses (0 before two). */
  get updateHz(): number {
    const times = this.analysedAt.all;
    const last = times[times.length - 1] ?? 0;
    const recent = times.filter((t) => last - t <= RATE_SPAN_MS);
    const span = recent.length > 1 ? last - recent[0]! : 0;
    return span > 0 ? ((recent.length - 1) * 1000) / span : 0;
  }

  /**
   * What the live view shows of the participant now.
   * @param showBaseline the personal-baseline option: include the change from the participant's baseline.
   */
  view(showBaseline = false): ParticipantLive {
    const uncertain = this.analysed && this.faceShown && this.gap === 'low-quality';
    const faceVisible = this.analysed && this.faceShown && (uncertain || this.smoother.value !== null);
    const probabilities = faceVisible && !uncertain ? this.smoother.value : null;
    const dom = probabilities ? dominantEmotion(probabilities) : null;
    const affect = probabilities ? valenceArousal(probabilities) : null;
    const signals = this.analysed ? this.lastSignals : NO_SIGNALS;
    return {
      id: this.id,
      name: this.name,
      ...(this.nameFrom ? { nameFrom: this.nameFrom } : {}),
      isSelf: this.isSelf,
      analysed: this.analysed,
      faceVisible,
      probabilities,
      dominant: dom?.emotion ?? null,
      confidence: dom?.confidence ?? null,
      faceBox: faceVisible ? this.faceBox : null,
      frameTime: this.frameTime,
      gap: uncertain ? 'low-quality' : faceVisible ? null : this.analysed ? (this.gap ?? 'no-face') : this.idleGap,
      qualityLimit: uncertain ? this.qualityLimit : null,
      valence: affect?.valence ?? null,
      arousal: affect?.arousal ?? null,
      attending: signals.attending,
      speaking: signals.speaking,
      speakingSource: signals.speakingSource,
      quality: faceVisible ? signals.quality : null,
      baseline: showBaseline && probabilities ? this.baseline.changeOf(probabilities) : null,
      updateHz: this.analysed ? this.updateHz : 0,
    };
  }
}
