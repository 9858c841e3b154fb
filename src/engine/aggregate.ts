import { EMOTIONS, dominantEmotion, type Probabilities } from '../shared/emotions.ts';
import type { GapReason } from '../shared/timeline-records.ts';
import type { SecondRecord } from '../shared/timeline-store.ts';

interface Bucket {
  name: string;
  samples: number;
  withFace: number;
  sum: number[];
  /** Frames without a face, per reason. */
  gaps: Map<GapReason, number>;
  /** Why the second had no analysis at all (see `mark`), or null. */
  marked: GapReason | null;
}

/**
 * Per-second aggregation of per-frame results into timeline records (one record per
 * participant per second in which that participant's tile was analysed at least once).
 *
 * A record's `probabilities` is the mean of the frame probabilities (raw, not smoothed) of
 * the frames of that second that had a face; `faceSeconds` is the fraction of the second's
 * analysed frames with a face; `dominant` is the argmax of the mean. Seconds are counted
 * from `meetingStart` (ms since the epoch): second k covers [start + k s, start + (k+1) s).
 * A second without a face has a `gap`: the reason most of its frames gave, or, for a second
 * with no analysis at all, the reason it was marked with (paused, overloaded, ...).
 */
export class SecondAggregator {
  private buckets = new Map<string, Map<number, Bucket>>();

  /** @param meetingId id written into every record. @param meetingStart ms since the epoch. */
  constructor(
    readonly meetingId: string,
    readonly meetingStart: number,
  ) {}

  /**
   * Adds one analysed frame of one participant.
   * @param frameTime capture time of the frame, ms since the epoch.
   * @param probabilities the frame's probabilities, or null when no face was found.
   * @param gap why there was no face (ignored when `probabilities` is given).
   */
  add(participantId: string, name: string, frameTime: number, probabilities: Probabilities | null, gap: GapReason = 'no-face'): void {
    const b = this.bucket(participantId, name, frameTime);
    if (!b) return;
    b.samples++;
    if (probabilities) {
      b.withFace++;
      EMOTIONS.forEach((e, i) => (b.sum[i]! += probabilities[e]));
    } else b.gaps.set(gap, (b.gaps.get(gap) ?? 0) + 1);
  }

  /**
   * Marks the second of `frameTime` for a participant who was not analysed then, with the
   * reason (`paused`, `overloaded`, `tile-too-small`, ...); a second that gets an analysis
   * after all keeps that analysis's result instead. The latest mark wins.
   */
  mark(participantId: string, name: string, frameTime: number, gap: GapReason): void {
    const b = this.bucket(participantId, name, frameTime);
    if (b) b.marked = gap;
  }

  /** Forgets every second not yet flushed of `participantId` (an excluded participant): none of them is recorded. */
  forget(participantId: string): void {
    this.buckets.delete(participantId);
  }

  private bucket(participantId: string, name: string, frameTime: number): Bucket | null {
    const second = Math.floor((frameTime - this.meetingStart) / 1000);
    if (second < 0) return null;
    let perSecond = this.buckets.get(participantId);
    if (!perSecond) this.buckets.set(participantId, (perSecond = new Map()));
    let b = perSecond.get(second);
    if (!b) perSecond.set(second, (b = { name, samples: 0, withFace: 0, sum: EMOTIONS.map(() => 0), gaps: new Map(), marked: null }));
    b.name = name;
    return b;
  }

  /**
   * Returns (and forgets) the records of every second that ended before `nowMs`
   * (all seconds when `nowMs` is Infinity, e.g. when analysis stops).
   */
  flush(nowMs: number): SecondRecord[] {
    const current = Math.floor((nowMs - this.meetingStart) / 1000);
    const out: SecondRecord[] = [];
    for (const [participantId, perSecond] of this.buckets) {
      for (const [second, b] of perSecond) {
        if (second >= current) continue;
        perSecond.delete(second);
        let probabilities: Probabilities | null = null;
        if (b.withFace > 0) {
          probabilities = {} as Probabilities;
          EMOTIONS.forEach((e, i) => (probabilities![e] = b.sum[i]! / b.withFace));
        }
        out.push({
          schemaVersion: 2,
          meetingId: this.meetingId,
          participantId,
          name: b.name,
          second,
          probabilities,
          dominant: probabilities ? dominantEmotion(probabilities).emotion : null,
          faceSeconds: b.samples ? b.withFace / b.samples : 0,
          samples: b.samples,
          gap: probabilities ? null : mostFrequent(b.gaps) ?? b.marked ?? 'no-face',
        });
      }
    }
    return out.sort((a, b) => a.participantId.localeCompare(b.participantId) || a.second - b.second);
  }
}

/** The reason with the highest count (the first such in insertion order), or null for none. */
function mostFrequent(counts: ReadonlyMap<GapReason, number>): GapReason | null {
  let best: GapReason | null = null;
  let most = 0;
  for (const [gap, n] of counts) if (n > most) [best, most] = [gap, n];
  return best;
}
