/**
 * Fitting the temperature of temperature scaling (Guo et al. 2017; the scaling itself is
 * `applyTemperature` of src/shared/emotions.ts, as the extension applies it): T minimises the
 * mean negative log-likelihood on held-out labelled predictions.
 */
import { applyTemperature, type Emotion, type Probabilities } from '../../src/shared/emotions.ts';

/** Mean negative log-likelihood (nats) of the true labels under temperature `t`. */
export function meanNll(samples: readonly { label: Emotion; probabilities: Probabilities }[], t: number): number {
  let total = 0;
  for (const s of samples) total -= Math.log(Math.max(applyTemperature(s.probabilities, t)[s.label], 1e-12));
  return total / samples.length;
}

/**
 * The temperature in [lo, hi] with the lowest mean NLL, by a grid of `steps` points then a
 * golden-section refinement around the best grid point (NLL is unimodal in T in practice).
 * @throws RangeError when `samples` is empty.
 */
export function fitTemperature(samples: readonly { label: Emotion; probabilities: Probabilities }[], lo = 0.25, hi = 5, steps = 60): { temperature: number; nllBefore: number; nllAfter: number } {
  if (samples.length === 0) throw new RangeError('no samples to fit a temperature on');
  let best = 1;
  let bestNll = meanNll(samples, 1);
  for (let i = 0; i <= steps; i++) {
    const t = lo * Math.pow(hi / lo, i / steps);
    const nll = meanNll(samples, t);
    if (nll < bestNll) [best, bestNll] = [t, nll];
  }
  let a = best / Math.pow(hi / lo, 1 / steps);
  let b = best * Math.pow(hi / lo, 1 / steps);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 40; i++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (meanNll(samples, c) < meanNll(samples, d)) b = d;
    else a = c;
  }
  const t = (a + b) / 2;
  return { temperature: t, nllBefore: meanNll(samples, 1), nllAfter: meanNll(samples, t) };
}
