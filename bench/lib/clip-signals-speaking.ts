/**
 * Speaking by face on labelled seconds (docs/signals-protocol-speaking.md): precision and
 * recall of a setting, and the protocol's choice of `speakingWindowMs` and `speakingMinStd`
 * on half A. Pure logic over frames already analysed (each setting replays the Participant).
 */
import type { InferenceConfig } from '../../src/inference/config.ts';
import { predictedSpeaking, replay, type RawFrame, type SpanSpec } from './clip-signals-spans.ts';

/** Counts and scores of one setting on one half: precision, recall, F1 in [0, 1] (null when undefined, e.g. no predicted positive). */
export interface SpeakingScore {
  windowMs: number;
  minStd: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Labelled seconds without any speaking flag (predicted "not speaking"). */
  unflagged: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/** Windows and thresholds of the protocol's grid. */
export const WINDOWS_MS = [500, 1000, 1500];
export const MIN_STDS = Array.from({ length: 50 }, (_, k) => Math.round((k + 1) * 0.002 * 1000) / 1000);

/**
 * Scores `signals` overridden with (`windowMs`, `minStd`) on the labelled seconds of `half`.
 * @param spans the spans with their analysed frames (`frames[id]`).
 */
export function scoreSpeaking(spans: readonly SpanSpec[], frames: Record<string, RawFrame[]>, config: Pick<InferenceConfig, 'live' | 'signals'>, half: 'A' | 'B', windowMs: number, minStd: number): SpeakingScore {
  const c = { live: config.live, signals: { ...config.signals, speakingWindowMs: windowMs, speakingMinStd: minStd } };
  let tp = 0, fp = 0, fn = 0, tn = 0, unflagged = 0;
  for (const span of spans) {
    const labels = Object.entries(span.speaking ?? {}).filter(([, l]) => l.half === half);
    if (!labels.length) continue;
    const records = replay(frames[span.id]!, c);
    for (const [second, { label }] of labels) {
      const p = predictedSpeaking(records, Number(second));
      if (!p.flagged) unflagged++;
      if (label && p.speaking) tp++;
      else if (label) fn++;
      else if (p.speaking) fp++;
      else tn++;
    }
  }
  const precision = tp + fp ? tp / (tp + fp) : null;
  const recall = tp + fn ? tp / (tp + fn) : null;
  const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;
  return { windowMs, minStd, tp, fp, fn, tn, unflagged, precision, recall, f1 };
}

/**
 * The protocol's choice on half A: highest F1; ties to window 1000 ms, then to the larger
 * minStd. Returns the chosen score and the whole grid (half A).
 */
export function calibrateSpeaking(spans: readonly SpanSpec[], frames: Record<string, RawFrame[]>, config: Pick<InferenceConfig, 'live' | 'signals'>): { chosen: SpeakingScore; grid: SpeakingScore[] } {
  const grid = WINDOWS_MS.flatMap((w) => MIN_STDS.map((s) => scoreSpeaking(spans, frames, config, 'A', w, s)));
  const better = (a: SpeakingScore, b: SpeakingScore): boolean => {
    const fa = a.f1 ?? -1, fb = b.f1 ?? -1;
    if (fa !== fb) return fa > fb;
    if ((a.windowMs === 1000) !== (b.windowMs === 1000)) return a.windowMs === 1000;
    return a.minStd > b.minStd;
  };
  const chosen = grid.reduce((best, s) => (better(s, best) ? s : best));
  return { chosen, grid };
}

/** Mouth-opening standard deviation over each labelled second's frames, by label: shows how far apart the two kinds of seconds lie. */
export function mouthStdByLabel(spans: readonly SpanSpec[], frames: Record<string, RawFrame[]>): { moving: number[]; still: number[] } {
  const out = { moving: [] as number[], still: [] as number[] };
  for (const span of spans) {
    for (const [second, { label }] of Object.entries(span.speaking ?? {})) {
      const k = Number(second);
      const v = frames[span.id]!.filter((f) => f.t >= k * 1000 && f.t < (k + 1) * 1000).flatMap((f) => (f.tile.face?.signals ? [f.tile.face.signals.mouthOpening] : []));
      if (v.length < 2) continue;
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
      (label ? out.moving : out.still).push(Math.round(std * 10000) / 10000);
    }
  }
  out.moving.sort((a, b) => a - b);
  out.still.sort((a, b) => a - b);
  return out;
}
