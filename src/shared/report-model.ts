/**
 * The meeting report's numbers, built from the timeline store's records: the per-participant
 * summary (the very `MeetingSummary` the JSON export writes, so the report, the HTML export and
 * summary.json show the same numbers, talk time and reactions included), each participant's
 * emotional arc and valence over time, the whole meeting's mood over time, and the key
 * moments. Pure functions: no storage, no DOM, no clock.
 *
 * Arcs are binned so a chart never draws more than `maxPoints` points however long the meeting:
 * a bin holds `binSeconds` seconds and its value per emotion is the mean of the per-second
 * probabilities of that bin's seconds with a face; a bin without any second with a face is
 * null, which the charts draw as a gap (never as a zero).
 */
import { EMOTIONS, type Emotion, type Probabilities } from './emotions.ts';
import { buildSummary, type MeetingSummary, type ParticipantSummary, type SpeakerReactions } from './export.ts';
import type { MeetingRecord, SecondRecord } from './timeline-records.ts';

/** Points per chart at most (3 h at 9 s a point); a meeting up to 20 min keeps 1-second points. */
export const MAX_CHART_POINTS = 1200;
/** Emotions counted as negative for the key moments. */
export const NEGATIVE_EMOTIONS: readonly Emotion[] = ['angry', 'disgust', 'fear', 'sad'];
/** Emotions counted as "happy or surprised together". */
export const POSITIVE_EMOTIONS: readonly Emotion[] = ['happy', 'surprise'];
/** Key moments of each kind at most. */
export const KEY_MOMENTS_PER_KIND = 3;
/**
 * A negative peak is reported only when the mean negative probability (over the participants
 * with a face at that second) reaches this: below it no second of the meeting reads negative.
 */
export const NEGATIVE_PEAK_MIN = 0.3;

/** One emotion's values per bin (null: no second with a face in the bin). */
export type Arc = Record<Emotion, (number | null)[]>;

/** One participant in the report. */
export interface ParticipantReport {
  /** The participant's summary, exactly as in summary.json. */
  summary: ParticipantSummary;
  /** True for the local user's self view. */
  isSelf: boolean;
  /** secondsWithFace / secondsObserved in [0, 1]; 0 when nothing was observed. */
  faceShare: number;
  /** True when no second of this participant had a face ("no face seen"). */
  noFaceSeen: boolean;
  /** Mean probabilities per bin. */
  arc: Arc;
  /** Mean valence in [-1, 1] per bin over the bin's seconds with a face (shared/affect.ts); null: no second with a face in the bin (a gap). */
  valence: (number | null)[];
}

/** One row of the report's talk-time table: a participant's talk time and, when they had turns, the listeners' reactions. */
export interface TalkRow {
  participantId: string;
  name: string;
  /** Seconds spoken, s (`TalkTime.seconds`). */
  seconds: number;
  /** Share in [0, 1] of everyone's speaking seconds (`TalkTime.share`). */
  share: number;
  /** Seconds whose speaking could be told (`ParticipantSummary.speakingKnownSeconds`), s. */
  knownSeconds: number;
  /** Turns and listeners' valence during them (`SpeakerReactions`); null when the participant had no turn. */
  reactions: SpeakerReactions | null;
}

/** A moment worth finding again: when most people were happy or surprised together, or negative emotions peaked. */
export interface KeyMoment {
  kind: 'together' | 'negative';
  /** Second since the meeting's start (integer >= 0). */
  second: number;
  /** Clock time of that second, ms since the epoch. */
  at: number;
  /** `together`: participants whose dominant emotion was happy or surprise; `negative`: mean negative probability in [0, 1]. */
  score: number;
  /** Names of the participants that made the moment (dominant emotion positive, resp. negative), in report order. */
  names: string[];
}

/** Everything the report page and the HTML export draw. */
export interface MeetingReport {
  meeting: MeetingRecord;
  /** The JSON export of the same records (same numbers everywhere). */
  summary: MeetingSummary;
  /** Seconds from the start to the last second known: the meeting's end, or the last second written while it runs. */
  durationSeconds: number;
  /** Seconds per bin (integer >= 1). */
  binSeconds: number;
  /** Start second of each bin, ascending, from 0. */
  bins: number[];
  /** One per participant of the summary, same order. */
  participants: ParticipantReport[];
  /** Mean over the participants with a face, per bin (null: nobody's face in the bin). */
  mood: Arc;
  /** Participants with a face per bin. */
  faces: number[];
  /** Up to KEY_MOMENTS_PER_KIND of each kind, sorted by time. */
  keyMoments: KeyMoment[];
  /** One per participant of the summary, same order: talk time and reactions (from `summary.talkTime` and `summary.reactions`). */
  talk: TalkRow[];
  /** True when speaking could be told for at least one second of one participant (else the talk table has nothing to say). */
  speakingKnown: boolean;
  /** Corrupt records skipped while reading (passed through from the store). */
  skipped: number;
}

function emptyArc(n: number): Arc {
  return Object.fromEntries(EMOTIONS.map((e) => [e, new Array<number | null>(n).fill(null)])) as Arc;
}

/** Means of `probabilities` per bin (index `Math.floor(second / binSeconds)`), null for a bin with none. */
function binArc(seconds: readonly { second: number; probabilities: Probabilities }[], binSeconds: number, n: number): Arc {
  const sums = EMOTIONS.map(() => new Float64Array(n));
  const counts = new Uint32Array(n);
  for (const { second, probabilities } of seconds) {
    const bin = Math.min(n - 1, Math.floor(second / binSeconds));
    counts[bin]!++;
    EMOTIONS.forEach((e, k) => (sums[k]![bin]! += probabilities[e]));
  }
  const arc = emptyArc(n);
  EMOTIONS.forEach((e, k) => {
    for (let b = 0; b < n; b++) arc[e][b] = counts[b] ? sums[k]![b]! / counts[b]! : null;
  });
  return arc;
}

/** Means of `value` per bin (index `Math.floor(second / binSeconds)`), null for a bin with none. */
function binValues(seconds: readonly { second: number; value: number }[], binSeconds: number, n: number): (number | null)[] {
  const sums = new Float64Array(n);
  const counts = new Uint32Array(n);
  for (const { second, value } of seconds) {
    const bin = Math.min(n - 1, Math.floor(second / binSeconds));
    sums[bin]! += value;
    counts[bin]!++;
  }
  return Array.from(sums, (sum, b) => (counts[b] ? sum / counts[b] : null));
}

/**
 * The talk-time table's rows: each participant of `summary` in its order, with their
 * `talkTime` entry and their `reactions` entry (null when they had no turn). Pure.
 */
export function talkRows(summary: MeetingSummary): TalkRow[] {
  const talk = new Map(summary.talkTime.map((t) => [t.participantId, t]));
  const reactions = new Map(summary.reactions.map((r) => [r.speakerId, r]));
  return summary.participants.map((p) => ({
    participantId: p.id,
    name: p.name,
    seconds: talk.get(p.id)?.seconds ?? p.talkSeconds,
    share: talk.get(p.id)?.share ?? 0,
    knownSeconds: p.speakingKnownSeconds,
    reactions: reactions.get(p.id) ?? null,
  }));
}

/** Picks up to `count` candidates, best first, no two closer than `separation` seconds; returned by second. */
function pickSeparated<T extends { second: number }>(ranked: readonly T[], count: number, separation: number): T[] {
  const picked: T[] = [];
  for (const c of ranked) {
    if (picked.length >= count) break;
    if (picked.every((p) => Math.abs(p.second - c.second) >= separation)) picked.push(c);
  }
  return picked.sort((a, b) => a.second - b.second);
}

/**
 * The key moments: the seconds where the most participants had happy or surprise as their
 * dominant emotion together (ties: the higher mean of those probabilities, then the earlier),
 * and the seconds where the mean negative probability (angry + disgust + fear + sad, averaged
 * over the participants with a face) peaked, when it reached NEGATIVE_PEAK_MIN. Moments of one
 * kind are at least max(10 s, duration / 20) apart.
 */
export function findKeyMoments(meeting: MeetingRecord, seconds: readonly SecondRecord[], names: ReadonlyMap<string, string>, durationSeconds: number): KeyMoment[] {
  const bySecond = new Map<number, SecondRecord[]>();
  for (const s of seconds) {
    if (s.probabilities === null || !names.has(s.participantId)) continue;
    const list = bySecond.get(s.second) ?? [];
    list.push(s);
    bySecond.set(s.second, list);
  }
  const order = new Map([...names.keys()].map((id, i) => [id, i]));
  const byOrder = (a: SecondRecord, b: SecondRecord) => order.get(a.participantId)! - order.get(b.participantId)!;
  const together: (KeyMoment & { strength: number })[] = [];
  const negative: KeyMoment[] = [];
  for (const [second, list] of bySecond) {
    const at = meeting.startedAt + second * 1000;
    const positive = list.filter((s) => POSITIVE_EMOTIONS.includes(s.dominant!)).sort(byOrder);
    if (positive.length) {
      const strength = positive.reduce((sum, s) => sum + POSITIVE_EMOTIONS.reduce((p, e) => p + s.probabilities![e], 0), 0) / positive.length;
      together.push({ kind: 'together', second, at, score: positive.length, names: positive.map((s) => names.get(s.participantId)!), strength });
    }
    const mean = list.reduce((sum, s) => sum + NEGATIVE_EMOTIONS.reduce((p, e) => p + s.probabilities![e], 0), 0) / list.length;
    if (mean >= NEGATIVE_PEAK_MIN) {
      const who = list.filter((s) => NEGATIVE_EMOTIONS.includes(s.dominant!)).sort(byOrder);
      negative.push({ kind: 'negative', second, at, score: Math.round(mean * 1000) / 1000, names: who.map((s) => names.get(s.participantId)!) });
    }
  }
  const separation = Math.max(10, durationSeconds / 20);
  together.sort((a, b) => b.score - a.score || b.strength - a.strength || a.second - b.second);
  negative.sort((a, b) => b.score - a.score || a.second - b.second);
  const moments = [
    ...pickSeparated(together, KEY_MOMENTS_PER_KIND, separation).map((m): KeyMoment => ({ kind: m.kind, second: m.second, at: m.at, score: m.score, names: m.names })),
    ...pickSeparated(negative, KEY_MOMENTS_PER_KIND, separation),
  ];
  return moments.sort((a, b) => a.second - b.second || (a.kind < b.kind ? -1 : 1));
}

/**
 * Builds the report of `meeting` from its second records (records of other meetings and of
 * excluded participants are ignored).
 * @param seconds the meeting's second records, any order.
 * @param skipped corrupt records the store skipped while reading, shown as a notice.
 * @param maxPoints most bins per chart (integer >= 1).
 */
export function buildMeetingReport(meeting: MeetingRecord, seconds: readonly SecondRecord[], skipped = 0, maxPoints = MAX_CHART_POINTS): MeetingReport {
  const summary = buildSummary(meeting, seconds as SecondRecord[]);
  const ids = new Set(summary.participants.map((p) => p.id));
  const own = seconds.filter((s) => s.meetingId === meeting.id && ids.has(s.participantId));
  const lastSecond = own.reduce((max, s) => Math.max(max, s.second), -1);
  const ended = meeting.endedAt === null ? 0 : Math.floor((meeting.endedAt - meeting.startedAt) / 1000);
  const durationSeconds = Math.max(lastSecond + 1, ended);
  const binSeconds = Math.max(1, Math.ceil(durationSeconds / Math.max(1, maxPoints)));
  const n = Math.max(1, Math.ceil(durationSeconds / binSeconds));
  const bins = Array.from({ length: n }, (_, i) => i * binSeconds);

  const withFace = new Map<string, { second: number; probabilities: Probabilities }[]>();
  const valences = new Map<string, { second: number; value: number }[]>();
  for (const s of own) {
    if (s.probabilities !== null) (withFace.get(s.participantId) ?? withFace.set(s.participantId, []).get(s.participantId)!).push({ second: s.second, probabilities: s.probabilities });
    if (typeof s.valence === 'number') (valences.get(s.participantId) ?? valences.set(s.participantId, []).get(s.participantId)!).push({ second: s.second, value: s.valence });
  }
  const self = new Map(meeting.participants.map((p) => [p.id, p.isSelf]));
  const participants = summary.participants.map((p): ParticipantReport => {
    const faced = withFace.get(p.id) ?? [];
    return {
      summary: p,
      isSelf: self.get(p.id) ?? false,
      faceShare: p.secondsObserved > 0 ? Math.min(1, p.secondsWithFace / p.secondsObserved) : 0,
      noFaceSeen: faced.length === 0,
      arc: binArc(faced, binSeconds, n),
      valence: binValues(valences.get(p.id) ?? [], binSeconds, n),
    };
  });

  // The meeting's mood: per second, the mean over the participants with a face; then binned.
  const perSecond = new Map<number, { sum: Probabilities; n: number }>();
  for (const s of own) {
    if (s.probabilities === null) continue;
    const entry = perSecond.get(s.second) ?? { sum: Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Probabilities, n: 0 };
    for (const e of EMOTIONS) entry.sum[e] += s.probabilities[e];
    entry.n++;
    perSecond.set(s.second, entry);
  }
  const meanSeconds = [...perSecond].map(([second, { sum, n: k }]) => ({ second, probabilities: Object.fromEntries(EMOTIONS.map((e) => [e, sum[e] / k])) as Probabilities }));
  const faces = new Array<number>(n).fill(0);
  for (const [second, { n: k }] of perSecond) {
    const bin = Math.min(n - 1, Math.floor(second / binSeconds));
    faces[bin] = Math.max(faces[bin]!, k);
  }
  const names = new Map(summary.participants.map((p) => [p.id, p.name]));
  return {
    meeting,
    summary,
    durationSeconds,
    binSeconds,
    bins,
    participants,
    mood: binArc(meanSeconds, binSeconds, n),
    faces,
    keyMoments: findKeyMoments(meeting, own, names, durationSeconds),
    talk: talkRows(summary),
    speakingKnown: summary.participants.some((p) => p.speakingKnownSeconds > 0),
    skipped,
  };
}

/** `m:ss` or `h:mm:ss` of a duration in whole seconds (negative counts as 0). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}
