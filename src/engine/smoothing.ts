import { EMOTIONS, type Probabilities } from '../shared/emotions.ts';

/**
 * Exponential smoothing of a participant's emotion probabilities over time, with
 * irregular sampling: for a new sample x at time t (previous update at t0),
 *
 *   alpha = 1 - exp(-(t - t0) / tau),   p <- p + alpha * (x - p)
 *
 * This is a first-order low-pass filter with time constant tau (the continuous-time
 * exponential moving average): after a step change the output covers 63 % of the step in
 * tau and 95 % in 3 tau, whatever the frame rate. The result stays a probability vector
 * (a convex combination of probability vectors). When no sample arrived for `resetAfterMs`
 * (face lost, tile hidden) the filter restarts from the next sample instead of blending in
 * stale values.
 */
export class EmotionSmoother {
  private p: Probabilities | null = null;
  private t0 = 0;

  /**
   * @param tauMs time constant in ms (> 0).
   * @param resetAfterMs gap in ms after which the state is dropped (default 3 tau).
   * @throws RangeError when tauMs is not a positive number.
   */
  constructor(
    readonly tauMs: number,
    readonly resetAfterMs: number = 3 * tauMs,
  ) {
    if (!(tauMs > 0)) throw new RangeError(`tau must be > 0 ms, got ${tauMs}`);
  }

  /** Adds a sample taken at `timeMs` (ms) and returns the smoothed probabilities. */
  update(sample: Probabilities, timeMs: number): Probabilities {
    if (this.p === null || timeMs - this.t0 > this.resetAfterMs || timeMs < this.t0) {
      this.p = { ...sample };
    } else {
      const alpha = 1 - Math.exp(-(timeMs - this.t0) / this.tauMs);
      const next = {} as Probabilities;
      for (const e of EMOTIONS) next[e] = this.p[e] + alpha * (sample[e] - this.p[e]);
      this.p = next;
    }
    this.t0 = timeMs;
    return this.p;
  }

  /** The current smoothed value, or null before the first sample or after reset(). */
  get value(): Probabilities | null {
    return this.p;
  }

  /** Forgets the state. */
  reset(): void {
    this.p = null;
  }
}
