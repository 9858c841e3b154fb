/**
 * The last two minutes of each participant, one value a second, for the popup's sparklines.
 * The value is the participant's valence (`valence`): the probability-weighted mean of the
 * classes' circumplex coordinates (shared/affect.ts), derived, not measured. On open it is seeded from the timeline store (the popup
 * opens and closes often); while open, each live view adds the current second. A second with
 * no face, or with no data at all, is null, which the sparkline draws as a gap.
 */
import { CIRCUMPLEX, valenceArousal } from '../shared/affect.ts';
import { EMOTIONS, type Probabilities } from '../shared/emotions.ts';
import type { SecondRecord } from '../shared/timeline-store.ts';
import type { ParticipantLive } from '../shared/types.ts';

/** How many seconds a sparkline shows (the current one included). */
export const HISTORY_SECONDS = 120;

/**
 * Valence of a probability vector (`valenceArousal(p).valence`, shared/affect.ts): in
 * `VALENCE_RANGE`, 0 for a neutral face, above 0 when pleasant classes (happy, surprise)
 * outweigh the unpleasant ones.
 */
export function valence(p: Probabilities): number {
  return valenceArousal(p).valence;
}

/**
 * The range valence can take, [lowest, highest] of the classes' circumplex valences (about
 * −0.64 … +0.81): a face wholly of one class reaches that class's value. The sparklines' y range.
 */
export const VALENCE_RANGE: readonly [number, number] = [Math.min(...EMOTIONS.map((e) => CIRCUMPLEX[e].valence)), Math.max(...EMOTIONS.map((e) => CIRCUMPLEX[e].valence))];

/** The valence of a stored second: its own `valence`, else derived from its probabilities; null without a face. */
function recordValence(r: SecondRecord): number | null {
  if (typeof r.valence === 'number') return r.valence;
  return r.probabilities ? valence(r.probabilities) : null;
}

/** The valence of a live view: its own `valence`, else derived from its probabilities. */
function liveValence(p: ParticipantLive): number {
  return typeof p.valence === 'number' ? p.valence : valence(p.probabilities!);
}

/**
 * Most seconds a live value is held over seconds in which no live view came (a large call on
 * a slow machine publishes less than once a second): the row showed that value meanwhile.
 */
export const HOLD_SECONDS = 5;

/** One sparkline's data as uPlot takes it: x in seconds before now (−119 … 0), y the valence or null (a gap). */
export type SparkData = [x: number[], y: (number | null)[]];

/** The sparklines' x values: −(HISTORY_SECONDS − 1) … 0, seconds relative to the current second. */
export const SPARK_X: readonly number[] = Array.from({ length: HISTORY_SECONDS }, (_, i) => i - HISTORY_SECONDS + 1);

/** Per participant, per second (whole seconds since the epoch), the valence or null (see the module comment). */
export class SparkHistory {
  private readonly byParticipant = new Map<string, Map<number, number | null>>();
  /** The second `append` last pruned at. */
  private prunedAt = -Infinity;
  /** Per participant, the second and value of their last live view. */
  private readonly lastLive = new Map<string, { second: number; value: number | null }>();

  /**
   * Adds stored seconds of a meeting that started at `meetingStartedAt` (ms since the epoch):
   * those of the last HISTORY_SECONDS before `nowMs` only. A second already known from a live
   * view keeps its live value.
   */
  seed(records: readonly SecondRecord[], meetingStartedAt: number, nowMs: number): void {
    const oldest = Math.floor(nowMs / 1000) - HISTORY_SECONDS + 1;
    for (const r of records) {
      const second = Math.floor((meetingStartedAt + r.second * 1000) / 1000);
      if (second < oldest) continue;
      const values = this.values(r.participantId);
      if (!values.has(second)) values.set(second, r.probabilities ? recordValence(r) : null);
    }
  }

  /**
   * Adds a live view made at `atMs` (ms since the epoch): each participant's value for that
   * second, null without a face shown. Several views in one second: the last one counts. The
   * seconds since the participant's previous view, when at most HOLD_SECONDS, get that view's
   * value (what the row showed meanwhile). Seconds older than the window are dropped.
   */
  append(participants: readonly ParticipantLive[], atMs: number): void {
    const second = Math.floor(atMs / 1000);
    for (const p of participants) {
      const shown = p.analysed && p.faceVisible && p.gap === null && p.probabilities !== null;
      const value = shown ? liveValence(p) : null;
      const values = this.values(p.id);
      const last = this.lastLive.get(p.id);
      if (last && second - last.second > 1 && second - last.second <= HOLD_SECONDS + 1)
        for (let s = last.second + 1; s < second; s++) if (!values.has(s)) values.set(s, last.value);
      values.set(second, value);
      this.lastLive.set(p.id, { second, value });
    }
    if (second === this.prunedAt) return;
    this.prunedAt = second;
    this.prune(atMs);
  }

  /** Forgets participant `id` (excluded, or gone). */
  forget(id: string): void {
    this.byParticipant.delete(id);
    this.lastLive.delete(id);
  }

  /** Number of seconds held for participant `id` (tests). */
  size(id: string): number {
    return this.byParticipant.get(id)?.size ?? 0;
  }

  /** The sparkline of participant `id` for the HISTORY_SECONDS up to the second of `nowMs`; missing seconds are null. */
  series(id: string, nowMs: number): SparkData {
    const values = this.byParticipant.get(id);
    const now = Math.floor(nowMs / 1000);
    return [SPARK_X as number[], SPARK_X.map((dx) => values?.get(now + dx) ?? null)];
  }

  /** Drops the seconds older than the window ending at `nowMs`. */
  prune(nowMs: number): void {
    const oldest = Math.floor(nowMs / 1000) - HISTORY_SECONDS + 1;
    for (const values of this.byParticipant.values()) for (const second of values.keys()) if (second < oldest) values.delete(second);
  }

  private values(id: string): Map<number, number | null> {
    let values = this.byParticipant.get(id);
    if (!values) this.byParticipant.set(id, (values = new Map()));
    return values;
  }
}
