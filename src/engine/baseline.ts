/**
 * A participant's personal baseline: their own resting face, as the median of their
 * probabilities over the first minute in which their face could be read. Shown (when the user
 * turns the option on) as the change from it, so that a face that always reads a little sad or
 * angry at rest is not reported as sad or angry all meeting. Pure logic; times are ms on the
 * pipeline's clock. Limits (docs/signals.md): the first minute is taken as the person's rest,
 * whatever they felt then; the baseline lives only as long as the analysis and is never stored.
 */
import { valenceArousal } from '../shared/affect.ts';
import { EMOTIONS, type Emotion, type Probabilities } from '../shared/emotions.ts';

/** How long after the first readable face the baseline collects frames, ms. */
export const BASELINE_WINDOW_MS = 60_000;
/** Fewest frames for a baseline; with fewer by the end of the window it keeps collecting. */
export const BASELINE_MIN_FRAMES = 20;

/** The change of a participant's reading from their baseline. */
export interface BaselineChange {
  /** Valence now minus the baseline's valence, in [-2, 2]. */
  valence: number;
  /** Probability now minus the baseline's, per class, each in [-1, 1]. */
  change: Record<Emotion, number>;
}

/** Collects one participant's baseline frames and gives the change from the baseline once it is complete. */
export class PersonalBaseline {
  private startedAt: number | null = null;
  private readonly frames: number[][] = EMOTIONS.map(() => []);
  private baseline: Probabilities | null = null;

  /** Adds one frame's probabilities of a readable face, at `frameTime`; ignored once the baseline is complete. */
  add(frameTime: number, p: Probabilities): void {
    if (this.baseline) return;
    this.startedAt ??= frameTime;
    EMOTIONS.forEach((e, i) => this.frames[i]!.push(p[e]));
    if (frameTime - this.startedAt >= BASELINE_WINDOW_MS && this.frames[0]!.length >= BASELINE_MIN_FRAMES) {
      const medians = this.frames.map(median);
      const sum = medians.reduce((s, v) => s + v, 0) || 1;
      this.baseline = Object.fromEntries(EMOTIONS.map((e, i) => [e, medians[i]! / sum])) as Probabilities;
      for (const f of this.frames) f.length = 0;
    }
  }

  /** The baseline (per-class medians, renormalised to sum 1), or null while it is being collected. */
  get value(): Probabilities | null {
    return this.baseline;
  }

  /** The change of `p` from the baseline; null while the baseline is being collected. */
  changeOf(p: Probabilities): BaselineChange | null {
    const b = this.baseline;
    if (!b) return null;
    return {
      valence: valenceArousal(p).valence - valenceArousal(b).valence,
      change: Object.fromEntries(EMOTIONS.map((e) => [e, p[e] - b[e]])) as Record<Emotion, number>,
    };
  }
}

/** Median of `values` (not empty). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
