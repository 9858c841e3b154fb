import { EMOTIONS, dominantEmotion, type Probabilities } from '../shared/emotions.ts';
import type { SecondRecord } from '../shared/timeline-store.ts';

interface Bucket {
  name: string;
  samples: number;
  withFace: number;
  sum: number[];
}

/**
 * Per-second aggregation of per-frame results into timeline records (one record per
 * participant per second in which that participant's tile was analysed at least once).
 *
 * A record's `probabilities` is the mean of the frame probabilities (raw, not smoothed) of
 * the frames of that second that had a face; `faceSeconds` is the fraction of the second's
 * analysed frames with a face; `dominant` is the argmax of the mean. Seconds are counted
 * from `meetingStart` (ms since the epoch): second k covers [start + k s, start + (k+1) s).
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
   */
  add(participantId: string, name: string, frameTime: number, probabilities: Probabilities | null): void {
    const second = Math.floor((frameTime - this.meetingStart) / 1000);
    if (second < 0) return;
    let perSecond = this.buckets.get(participantId);
    if (!perSecond) this.buckets.set(participantId, (perSecond = new Map()));
    let b = perSecond.get(second);
    if (!b) perSecond.set(second, (b = { name, samples: 0, withFace: 0, sum: EMOTIONS.map(() => 0) }));
    b.name = name;
    b.samples++;
    if (probabilities) {
      b.withFace++;
      EMOTIONS.forEach((e, i) => (b.sum[i]! += probabilities[e]));
    }
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
          schemaVersion: 1,
          meetingId: this.meetingId,
          participantId,
          name: b.name,
          second,
          probabilities,
          dominant: probabilities ? dominantEmotion(probabilities).emotion : null,
          faceSeconds: b.withFace / b.samples,
          samples: b.samples,
        });
      }
    }
    return out.sort((a, b) => a.participantId.localeCompare(b.participantId) || a.second - b.second);
  }
}
