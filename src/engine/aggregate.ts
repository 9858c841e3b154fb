import { EMOTIONS, dominantEmotion, type Probabilities } from '../shared/emotions.ts';
import type { GapReason } from '../shared/timeline-records.ts';
import { makeSecondRecord } from '../shared/timeline-records.ts';
import type { SecondRecord } from '../shared/timeline-store.ts';
import type { FrameSignals } from './participant.ts';

/** A pair of counts: samples for which a yes/no signal was known, and those that said yes. */
interface Tally {
  known: number;
  yes: number;
}

interface Bucket {
  name: string;
  samples: number;
  /** Samples with a readable face (their probabilities are summed in `sum`). */
  withFace: number;
  sum: number[];
  /** Samples with a face of any quality, the sum of their quality, and those too poor to read. */
  faces: number;
  qualitySum: number;
  unreadable: number;
  attending: Tally;
  speakingBySite: Tally;
  speakingByFace: Tally;
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
 *
 * The signals of a second: `attending` is the share of the samples whose attention was judged
 * that attended; `speaking` is true when at least half the samples that told it said so, by the
 * site's indicator when any sample had one, else by the face; `quality` is the mean quality of
 * the samples with a face, `uncertain` the share of them too poor to read (gap `low-quality`).
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
   * @param signals the frame's attention, speaking and quality (participant.ts FrameSignals); absent ones count as unknown.
   */
  add(participantId: string, name: string, frameTime: number, probabilities: Probabilities | null, gap: GapReason = 'no-face', signals: Partial<FrameSignals> = {}): void {
    const b = this.bucket(participantId, name, frameTime);
    if (!b) return;
    b.samples++;
    if (probabilities) {
      b.withFace++;
      EMOTIONS.forEach((e, i) => (b.sum[i]! += probabilities[e]));
    } else b.gaps.set(gap, (b.gaps.get(gap) ?? 0) + 1);
    if (signals.quality !== undefined && signals.quality !== null) {
      b.faces++;
      b.qualitySum += signals.quality;
      if (!probabilities && gap === 'low-quality') b.unreadable++;
    }
    tally(b.attending, signals.attending);
    tally(signals.speakingSource === 'site' ? b.speakingBySite : b.speakingByFace, signals.speaking);
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
    if (!b) {
      b = { name, samples: 0, withFace: 0, sum: EMOTIONS.map(() => 0), faces: 0, qualitySum: 0, unreadable: 0, attending: { known: 0, yes: 0 }, speakingBySite: { known: 0, yes: 0 }, speakingByFace: { known: 0, yes: 0 }, gaps: new Map(), marked: null };
      perSecond.set(second, b);
    }
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
        const speaking = b.speakingBySite.known ? b.speakingBySite : b.speakingByFace.known ? b.speakingByFace : null;
        out.push(
          makeSecondRecord({
            meetingId: this.meetingId,
            participantId,
            name: b.name,
            second,
            probabilities,
            dominant: probabilities ? dominantEmotion(probabilities).emotion : null,
            faceSeconds: b.samples ? b.withFace / b.samples : 0,
            samples: b.samples,
            gap: probabilities ? null : mostFrequent(b.gaps) ?? b.marked ?? 'no-face',
            attending: b.attending.known ? b.attending.yes / b.attending.known : null,
            speaking: speaking ? speaking.yes * 2 >= speaking.known : null,
            speakingSource: speaking ? (speaking === b.speakingBySite ? 'site' : 'face') : null,
            quality: b.faces ? b.qualitySum / b.faces : null,
            uncertain: b.faces ? b.unreadable / b.faces : null,
          }),
        );
      }
    }
    return out.sort((a, b) => a.participantId.localeCompare(b.participantId) || a.second - b.second);
  }
}

/** Counts one sample's yes/no signal (null or undefined: unknown, not counted). */
function tally(t: Tally, value: boolean | null | undefined): void {
  if (value === null || value === undefined) return;
  t.known++;
  if (value) t.yes++;
}

/** The reason with the highest count (the first such in insertion order), or null for none. */
function mostFrequent(counts: ReadonlyMap<GapReason, number>): GapReason | null {
  let best: GapReason | null = null;
  let most = 0;
  for (const [gap, n] of counts) if (n > most) [best, most] = [gap, n];
  return best;
}
