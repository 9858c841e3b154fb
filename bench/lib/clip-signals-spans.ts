/**
 * Spans of `npm run bench:signals-clips` (whole clips, and spans built from still frames) and
 * the Node side of each frame: the analyzer's per-frame result fed to a Participant exactly as
 * the pipeline's `applyTile` does, then summarised per second. Pure logic, no browser.
 */
import type { InferenceConfig } from '../../src/inference/config.ts';
import type { HeadPose } from '../../src/inference/face-signals.ts';
import type { FaceAnalysis, TileAnalysis } from '../../src/inference/types.ts';
import { Participant } from '../../src/engine/participant.ts';
import { valenceArousal } from '../../src/shared/affect.ts';
import type { Probabilities } from '../../src/shared/emotions.ts';
import type { GapReason } from '../../src/shared/types.ts';

/**
 * A span played through the analyzer: a whole clip (`play`), or frames of a clip shown still
 * with jitter (`still`: one time) or alternated (two times: a mouth opening and closing).
 * `speaking` labels whole seconds (index = second of the span) as the protocol made them
 * (docs/signals-protocol-speaking.md): true = mouth moving, false = not, absent = unlabelled.
 * `half` is the protocol's calibration half ('A') or report half ('B').
 */
export interface SpanSpec {
  id: string;
  clip: string;
  kind: 'play' | 'still';
  /** For `still`: the frame times in the clip, s. */
  at?: number[];
  /** For `still`: length of the span, s. */
  seconds?: number;
  speaking?: Record<number, { label: boolean; half: 'A' | 'B' }>;
}

const W = 'WolfgangLanger_Pexels';
const F = 'single_face';
const A = (label: boolean) => ({ label, half: 'A' as const });
const B = (label: boolean) => ({ label, half: 'B' as const });
/** Seconds `from`..`to` (inclusive) with one label. */
const seconds = (from: number, to: number, mark: { label: boolean; half: 'A' | 'B' }) => Object.fromEntries(Array.from({ length: to - from + 1 }, (_, k) => [from + k, mark]));

/** The spans, in the order they are played. Labels and halves as in docs/signals-protocol-speaking.md. */
export const SPANS: SpanSpec[] = [
  // wolf-cry (0-2, B), wolf-laugh (10-12, A), wolf-held (13-19, A); 3-9 s unlabelled (mouth behind her hand).
  { id: 'wolf', clip: W, kind: 'play', speaking: { ...seconds(0, 2, B(false)), ...seconds(10, 12, A(true)), ...seconds(13, 19, A(false)) } },
  { id: 'face-smile', clip: F, kind: 'play', speaking: seconds(0, 2, B(false)) },
  { id: 'no-face', clip: 'no_face', kind: 'play' },
  { id: 'talk-face', clip: F, kind: 'still', at: [0.2, 1.5], seconds: 4, speaking: seconds(0, 3, A(true)) },
  { id: 'talk-wolf', clip: W, kind: 'still', at: [10.0, 11.5], seconds: 4, speaking: seconds(0, 3, B(true)) },
  { id: 'still-face-0.2', clip: F, kind: 'still', at: [0.2], seconds: 4, speaking: seconds(0, 3, A(false)) },
  { id: 'still-wolf-11.5', clip: W, kind: 'still', at: [11.5], seconds: 4, speaking: seconds(0, 3, A(false)) },
  { id: 'still-wolf-0.5', clip: W, kind: 'still', at: [0.5], seconds: 4, speaking: seconds(0, 3, B(false)) },
  { id: 'still-face-1.5', clip: F, kind: 'still', at: [1.5], seconds: 4, speaking: seconds(0, 3, B(false)) },
];

/** One analysed frame as the page returns it: t in ms from the span's start. */
export interface RawFrame {
  t: number;
  tile: Omit<TileAnalysis, 'faces'>;
  /** The analysis's quality-measurement time, ms. */
  signalsMs: number;
}

/** What one frame gave, after the Participant. Null fields: not measured (no face, or no readable one). */
export interface FrameRecord {
  t: number;
  gap: GapReason | null;
  probabilities: Probabilities | null;
  /** valenceArousal of the frame's probabilities, each in [-1, 1]. */
  valence: number | null;
  arousal: number | null;
  attending: boolean | null;
  speaking: boolean | null;
  /** Face quality in [0, 1]. */
  quality: number | null;
  pose: HeadPose | null;
  eyeOpenness: number | null;
  mouthOpening: number | null;
}

/**
 * Feeds `frames` (one span, in order) to a fresh Participant with `config`'s live and signals
 * settings, as `TilePipeline.applyTile` does (`apply({ ...tile, face }, frameTime)`, no site
 * speaking indicator), and returns one record per frame.
 */
export function replay(frames: readonly RawFrame[], config: Pick<InferenceConfig, 'live' | 'signals'>): FrameRecord[] {
  const p = new Participant('p', 'p', 'p', false, config.live, config.signals);
  return frames.map(({ t, tile }) => {
    const face: FaceAnalysis | null = tile.face;
    const s = p.apply({ status: tile.status, stillMs: tile.stillMs, smallFace: tile.smallFace, face }, t);
    const affect = s.probabilities ? valenceArousal(s.probabilities) : null;
    return {
      t,
      gap: s.gap,
      probabilities: s.probabilities,
      valence: affect?.valence ?? null,
      arousal: affect?.arousal ?? null,
      attending: s.attending,
      speaking: s.speaking,
      quality: s.quality,
      pose: face?.signals?.pose ?? null,
      eyeOpenness: face?.signals?.eyeOpenness ?? null,
      mouthOpening: face?.signals?.mouthOpening ?? null,
    };
  });
}

/** Mean of the non-null values, or null when there are none. */
export function mean(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/** Share of true among the non-null flags, in [0, 1], or null when all are null. */
export function share(flags: readonly (boolean | null)[]): number | null {
  const v = flags.filter((x): x is boolean => x !== null);
  return v.length ? v.filter(Boolean).length / v.length : null;
}

/** One second of a span: means and shares over its frames (null: nothing to average). */
export interface SecondSummary {
  second: number;
  frames: number;
  valence: number | null;
  arousal: number | null;
  /** Share of attending among frames with an attention flag. */
  attending: number | null;
  /** Share of speaking among frames with a speaking flag. */
  speaking: number | null;
  quality: number | null;
  /** Share of all frames that read "can't tell" (gap `low-quality`). */
  cantTell: number;
}

/** Frames with `from` <= t < `to` (ms). */
export function between(records: readonly FrameRecord[], from: number, to: number): FrameRecord[] {
  return records.filter((r) => r.t >= from && r.t < to);
}

/** Summary of frames (any span of time). */
export function summarise(records: readonly FrameRecord[], second = -1): SecondSummary {
  return {
    second,
    frames: records.length,
    valence: mean(records.map((r) => r.valence)),
    arousal: mean(records.map((r) => r.arousal)),
    attending: share(records.map((r) => r.attending)),
    speaking: share(records.map((r) => r.speaking)),
    quality: mean(records.map((r) => r.quality)),
    cantTell: records.length ? records.filter((r) => r.gap === 'low-quality').length / records.length : 0,
  };
}

/** Per-second summaries of a span (second k: k*1000 <= t < (k+1)*1000). */
export function perSecond(records: readonly FrameRecord[]): SecondSummary[] {
  const last = records.length ? Math.floor(records[records.length - 1]!.t / 1000) : -1;
  return Array.from({ length: last + 1 }, (_, k) => summarise(between(records, k * 1000, (k + 1) * 1000), k));
}

/**
 * The protocol's prediction for second `k`: speaking when more than half of its frames with a
 * speaking flag say speaking; a second without any flag is "not speaking".
 */
export function predictedSpeaking(records: readonly FrameRecord[], k: number): { speaking: boolean; flagged: boolean } {
  const s = share(between(records, k * 1000, (k + 1) * 1000).map((r) => r.speaking));
  return { speaking: s !== null && s > 0.5, flagged: s !== null };
}
