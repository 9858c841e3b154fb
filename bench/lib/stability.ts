/**
 * Stability of the live dominant emotion (bench/smoothing.ts): replays per-frame
 * probabilities through the extension's own smoothing and face-timeout rules, then counts
 * flips of the displayed dominant emotion, finds a change point in the raw frames and
 * measures how long the displayed emotion takes to follow it. Pure functions, no I/O.
 *
 * A label sequence holds one entry per analysed frame, in time order: a class name, or
 * null for "no face" (raw: no face found in that frame; displayed: the row shows "no face").
 */
import { EmotionSmoother } from '../../src/engine/smoothing.ts';
import { dominantEmotion, type Emotion, type Probabilities } from '../../src/shared/emotions.ts';

/** One analysed frame: time since the clip's start (ms) and the face's probabilities, or null when no face was found. */
export interface FrameSample {
  timeMs: number;
  probabilities: Probabilities | null;
}

/** The extension's rules that turn frames into what a participant's row shows. */
export interface DisplayRules {
  /** Smoothing time constant tau, ms (>= 0); 0 shows each face frame's raw probabilities. */
  tauMs: number;
  /** The row shows "no face" once no face was found for more than this long, ms (> 0). */
  faceTimeoutMs: number;
}

/** Dominant class of each frame's raw probabilities; null where no face was found. */
export function rawDominants(frames: readonly FrameSample[]): (Emotion | null)[] {
  return frames.map((f) => (f.probabilities ? dominantEmotion(f.probabilities).emotion : null));
}

/**
 * What the participant's row shows after each frame, following src/engine/pipeline.ts:
 * a face frame updates an `EmotionSmoother(tauMs)` (which restarts after a gap of 3 tau);
 * a frame without a face keeps showing the last smoothed value until more than
 * `faceTimeoutMs` has passed since the last face frame, then shows "no face" (null).
 * With tauMs = 0 the last face frame's raw probabilities are shown instead.
 * @param frames in time order.
 * @returns one displayed dominant class (or null) per frame.
 * @throws RangeError when tauMs < 0.
 */
export function replayDisplayed(frames: readonly FrameSample[], rules: DisplayRules): (Emotion | null)[] {
  if (!(rules.tauMs >= 0)) throw new RangeError(`tau must be >= 0 ms, got ${rules.tauMs}`);
  const smoother = rules.tauMs > 0 ? new EmotionSmoother(rules.tauMs) : null;
  let shown: Probabilities | null = null;
  let lastFaceAt = -Infinity;
  return frames.map((f) => {
    if (f.probabilities) {
      shown = smoother ? smoother.update(f.probabilities, f.timeMs) : f.probabilities;
      lastFaceAt = f.timeMs;
    }
    const faceVisible = f.timeMs - lastFaceAt <= rules.faceTimeoutMs && shown !== null;
    return faceVisible ? dominantEmotion(shown!).emotion : null;
  });
}

/**
 * Number of flips: frames whose label differs from the previous frame's, both being class
 * names. Changes to or from "no face" (null) are not flips, and neither is a change across
 * a "no face" stretch (the row restarted). Range 0 .. labels.length - 1.
 */
export function countFlips<T extends string>(labels: readonly (T | null)[]): number {
  let flips = 0;
  for (let i = 1; i < labels.length; i++) {
    const a = labels[i - 1];
    const b = labels[i];
    if (a != null && b != null && a !== b) flips++;
  }
  return flips;
}

/** Flips per minute over a stretch of `durationMs` ms (> 0). */
export function flipsPerMinute(flips: number, durationMs: number): number {
  if (!(durationMs > 0)) throw new RangeError(`duration must be > 0 ms, got ${durationMs}`);
  return (flips * 60_000) / durationMs;
}

/** Rule that dates a change to `target` in a raw label sequence. */
export interface ChangeRule<T extends string> {
  /** The class the sequence changes to. */
  target: T;
  /** Frames per window (>= 1). */
  window: number;
  /** How many frames of a window must be `target` (1 .. window). */
  minCount: number;
  /**
   * false: only the window that starts at the change frame must qualify (a burst of
   * `target` counts); true: every window from the change frame to the end of the sequence
   * must qualify (the change lasts to the end).
   */
  toEnd: boolean;
}

/**
 * Index of the change point: the first frame i whose label is `target` such that at least
 * `minCount` of the `window` frames i .. i + window - 1 are `target` and, with `toEnd`, so
 * are at least `minCount` of every later window up to the last full one. Windows must fit
 * in the sequence. Null when no frame qualifies.
 */
export function changePoint<T extends string>(labels: readonly (T | null)[], rule: ChangeRule<T>): number | null {
  if (!(rule.window >= 1 && rule.minCount >= 1 && rule.minCount <= rule.window)) {
    throw new RangeError(`need 1 <= minCount <= window, got ${rule.minCount} of ${rule.window}`);
  }
  const last = labels.length - rule.window; // start of the last full window
  const qualifies = (i: number) => {
    let n = 0;
    for (let k = i; k < i + rule.window; k++) if (labels[k] === rule.target) n++;
    return n >= rule.minCount;
  };
  // okFrom[i]: every window starting at i or later qualifies (scanned from the end).
  const okFrom: boolean[] = new Array(Math.max(0, last + 2)).fill(true);
  for (let i = last; i >= 0; i--) okFrom[i] = qualifies(i) && okFrom[i + 1]!;
  for (let i = 0; i <= last; i++) {
    if (labels[i] === rule.target && (rule.toEnd ? okFrom[i] : qualifies(i))) return i;
  }
  return null;
}

/** The frame and delay at which a displayed sequence settles on a class. */
export interface Settle {
  /** Index of the first frame of the settled stretch. */
  index: number;
  /** Its time minus the change point's time, ms (>= 0). */
  lagMs: number;
}

/**
 * Lag to a change: from frame `from` (the change point) on, the first frame j whose label
 * is `target` and stays `target` in every frame up to time timesMs[j] + holdMs (the
 * sequence must reach that time). Returns j and timesMs[j] - timesMs[from] in ms, or null
 * when the sequence never settles on `target`.
 * @param timesMs frame times in ms, ascending, same length as `labels`.
 * @param holdMs how long the label must stay, ms (>= 0).
 */
export function settleAfter<T extends string>(
  labels: readonly (T | null)[],
  timesMs: readonly number[],
  from: number,
  target: T,
  holdMs: number,
): Settle | null {
  if (labels.length !== timesMs.length) throw new RangeError(`${labels.length} labels but ${timesMs.length} times`);
  const last = timesMs[timesMs.length - 1] ?? -Infinity;
  for (let j = Math.max(0, from); j < labels.length && timesMs[j]! + holdMs <= last; j++) {
    if (labels[j] !== target) continue;
    let k = j;
    while (k < labels.length && timesMs[k]! <= timesMs[j]! + holdMs && labels[k] === target) k++;
    if (k === labels.length || timesMs[k]! > timesMs[j]! + holdMs) return { index: j, lagMs: timesMs[j]! - timesMs[from]! };
    j = k; // frame k breaks the stretch: no j before it can settle
  }
  return null;
}

/** Agreement of a displayed sequence with the raw one. */
export interface Agreement {
  /** Frames with a face (raw label not null). */
  faceFrames: number;
  /** Of those, frames whose displayed label equals the raw label. */
  agreeing: number;
  /** agreeing / faceFrames in [0, 1]; NaN when there is no face frame. */
  share: number;
}

/** Share of face frames (raw not null) whose displayed label equals the raw label. */
export function agreement<T extends string>(displayed: readonly (T | null)[], raw: readonly (T | null)[]): Agreement {
  if (displayed.length !== raw.length) throw new RangeError(`${displayed.length} displayed labels but ${raw.length} raw`);
  let faceFrames = 0;
  let agreeing = 0;
  raw.forEach((r, i) => {
    if (r == null) return;
    faceFrames++;
    if (displayed[i] === r) agreeing++;
  });
  return { faceFrames, agreeing, share: faceFrames ? agreeing / faceFrames : NaN };
}
