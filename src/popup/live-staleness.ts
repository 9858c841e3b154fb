/**
 * Whether the live figures the popup shows are still live: the background stamps each view
 * with `liveAt`, and the popup compares it with its own clock on a timer, so figures that stop
 * arriving turn "not updating" without waiting for another view.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AnalysisView } from '../shared/types.ts';

/** Live figures older than this, ms, are shown as not updating. */
export const STALE_AFTER_MS = 2500;

/** How often the popup re-reads its clock while an analysis runs, ms. */
export const CLOCK_TICK_MS = 500;

/**
 * Age of the live figures at `now` (ms since the epoch), in ms (>= 0 unless the clocks
 * disagree); null when the analysis is not running or there are no live figures yet.
 */
export function liveAge(view: AnalysisView | null, now: number): number | null {
  if (view?.state !== 'running' || view.liveAt === null) return null;
  return now - view.liveAt;
}

/** True when an analysis runs and its live figures are more than `STALE_AFTER_MS` old at `now`. */
export function isStale(view: AnalysisView | null, now: number): boolean {
  const age = liveAge(view, now);
  return age !== null && age > STALE_AFTER_MS;
}

/** "Live view not updating: last figures N s old." for an age of `ageMs` ms (whole seconds, rounded down). */
export function staleText(ageMs: number): string {
  return `Live view not updating: last figures ${Math.floor(ageMs / 1000)} s old.`;
}

/**
 * Calls `tick` with `Date.now()` every `everyMs` ms until the returned function is called.
 */
export function watchClock(tick: (now: number) => void, everyMs: number = CLOCK_TICK_MS): () => void {
  const timer = setInterval(() => tick(Date.now()), everyMs);
  return () => clearInterval(timer);
}

/**
 * The current time, ms since the epoch, read at each render; while `running` the component
 * re-renders every `CLOCK_TICK_MS` ms, and the timer stops when `running` turns false or on unmount.
 */
export function useNow(running: boolean): number {
  const [, setTick] = useState(0);
  useEffect(() => (running ? watchClock(setTick) : undefined), [running]);
  return Date.now();
}
