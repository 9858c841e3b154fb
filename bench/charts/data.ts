/**
 * The data every chart library draws in `npm run bench:charts`: `points` bins of the 7 emotion
 * probabilities of one participant (a seeded random walk, 5 % of bins null as gaps without a
 * face), as the report page draws them.
 */
import { EMOTIONS } from '../../src/shared/emotions.ts';
import type { Arc } from '../../src/shared/report-model.ts';

/** Bin times (seconds since the epoch) and the arc. */
export function benchArc(points: number, seed: number): { times: number[]; arc: Arc } {
  let a = seed >>> 0;
  const random = () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
  const logits = EMOTIONS.map(() => 0);
  const arc = Object.fromEntries(EMOTIONS.map((e) => [e, [] as (number | null)[]])) as Arc;
  const times: number[] = [];
  let gap = 0;
  for (let i = 0; i < points; i++) {
    times.push(1_780_000_000 + i);
    for (let k = 0; k < logits.length; k++) logits[k] = 0.95 * logits[k]! + (random() - 0.5);
    if (gap > 0) gap--;
    else if (random() < 0.005) gap = 10;
    const exp = logits.map((v) => Math.exp(v));
    const sum = exp.reduce((s, v) => s + v, 0);
    EMOTIONS.forEach((e, k) => arc[e].push(gap > 0 ? null : exp[k]! / sum));
  }
  return { times, arc };
}

/** Two animation frames: what was drawn is on screen. */
function twoFrames(): Promise<void> {
  return new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok())));
}

/**
 * Empties the page, calls `drawOne(box, c)` for c = 0 … charts − 1 into one fresh container and
 * resolves with the ms from the first call until two frames after the last (drawn on screen).
 */
export async function timeCharts(charts: number, drawOne: (box: HTMLElement, c: number) => void): Promise<number> {
  const box = document.createElement('div');
  document.body.replaceChildren(box);
  const t0 = performance.now();
  for (let c = 0; c < charts; c++) drawOne(box, c);
  await twoFrames();
  return performance.now() - t0;
}

/** The function each library's page defines: draws `charts` stacked-area charts of `points` points into a fresh container; resolves with the ms it took. */
export type DrawCharts = (points: number, charts: number) => Promise<number>;
