/**
 * Builds the two export files of a meeting from the timeline store's records: a JSON
 * summary per participant and a per-second CSV timeline. Pure functions: no storage,
 * no DOM, no clock.
 */
import Papa from 'papaparse';
import { EMOTIONS } from './emotions.ts';
import type { Emotion } from './emotions.ts';
import { reactionsTo } from './reactions.ts';
import { GAP_REASONS, type GapReason } from './timeline-records.ts';
import type { MeetingParticipant, MeetingRecord, SecondRecord } from './timeline-store.ts';

/**
 * Value of `MeetingSummary.schemaVersion` (2: the meeting's id, and seconds without a face
 * counted by reason; 3: valence, arousal, attention, talk time, quality per participant, and
 * the meeting's talk time and reactions). Every field of an earlier version keeps its meaning.
 */
export const SUMMARY_SCHEMA_VERSION = 3;

/** A count of seconds per gap reason (every key of GAP_REASONS, in its order). */
export type GapCounts = Record<GapReason, number>;

/** A number per emotion class (all 7 keys, EMOTIONS order). */
export type EmotionNumbers = Record<Emotion, number>;

/** The summary of one participant over a meeting. */
export interface ParticipantSummary {
  /** Participant id from the call page. */
  id: string;
  /** Latest display name (from the meeting record; a rename does not split a participant). */
  name: string;
  /** Seconds in which the participant's tile was analysed at least once. */
  secondsObserved: number;
  /** Seconds recorded without a face, by reason (no face, frozen, paused, overloaded, ...; see GapReason). */
  gaps: GapCounts;
  /**
   * Sum over those seconds of the fraction of samples with a face, i.e. the time in seconds
   * a face was visible; rounded to 0.1.
   */
  secondsWithFace: number;
  /**
   * For each emotion, the share in [0, 1] of the participant's seconds with a face (second
   * records whose probabilities are not null) whose dominant class is that emotion; rounded
   * to 4 decimals; the 7 shares sum to 1 up to rounding. All 0 when no second had a face.
   */
  dominantShare: EmotionNumbers;
  /**
   * For each emotion, the unweighted mean in [0, 1] of the per-second mean probabilities over
   * the participant's seconds with a face; rounded to 4 decimals. All 0 when no second had a face.
   */
  meanProbabilities: EmotionNumbers;
  /** Mean valence in [-1, 1] over the seconds with a face (derived from the probabilities, shared/affect.ts); null when none. Rounded to 4 decimals. */
  meanValence: number | null;
  /** Mean arousal in [-1, 1] over the seconds with a face; null when none. Rounded to 4 decimals. */
  meanArousal: number | null;
  /** Mean over the seconds whose attention could be judged of their attending share, in [0, 1]; null when none could. Rounded to 4 decimals. */
  attendingShare: number | null;
  /** Seconds in which the participant spoke (talk time), s. */
  talkSeconds: number;
  /** Seconds whose speaking could be told (by the site's indicator or the face), s; `talkSeconds` is part of them. */
  speakingKnownSeconds: number;
  /** Mean face quality in [0, 1] over the seconds with a face seen (readable or not); null when none. Rounded to 4 decimals. */
  meanQuality: number | null;
}

/**
 * How the others' valence moved while one participant spoke (shared/reactions.ts). A turn is
 * a run of that participant's speaking seconds (gaps of up to TURN_MAX_GAP_SECONDS bridged)
 * at least TURN_MIN_SECONDS long; a listener is any other participant with a valence that second.
 */
export interface SpeakerReactions {
  /** The speaker's participant id and latest name. */
  speakerId: string;
  speakerName: string;
  /** Number of turns. */
  turns: number;
  /** Seconds those turns cover, s. */
  turnSeconds: number;
  /** Mean over the turns' seconds of the listeners' mean valence, in [-1, 1]; null when no listener had a valence then. Rounded to 4 decimals. */
  listenerValenceMean: number | null;
  /**
   * Mean over turns of the change of the listeners' mean valence: its mean over the turn's last
   * REACTION_SPAN_SECONDS seconds minus its mean over the REACTION_SPAN_SECONDS seconds before the
   * turn (its first ones when there is nothing before), in [-2, 2]; null when no turn has both. Rounded to 4 decimals.
   */
  listenerValenceChange: number | null;
}

/** Talk time of one participant. */
export interface TalkTime {
  participantId: string;
  name: string;
  /** Seconds spoken, s. */
  seconds: number;
  /** Share in [0, 1] of all participants' speaking seconds; 0 when nobody spoke. Rounded to 4 decimals. */
  share: number;
}

/** The JSON export of one meeting. Contains no images, no URLs: hostname, times, names and numbers only. */
export interface MeetingSummary {
  schemaVersion: 3;
  meeting: {
    /** The meeting's id (as in the timeline store). */
    id: string;
    /** Hostname of the call page (e.g. `meet.google.com`). */
    site: string;
    /** Start of analysis, ISO 8601 in UTC (e.g. `2025-03-01T14:02:00.000Z`). */
    startedAt: string;
    /** End of analysis, ISO 8601 in UTC; null while the meeting is still being analysed. */
    endedAt: string | null;
  };
  /**
   * One entry per participant: those of the meeting record in their order, then any
   * participant that only appears in second records, by id.
   */
  participants: ParticipantSummary[];
  /** Each participant's talk time, in the order of `participants`. */
  talkTime: TalkTime[];
  /** For each participant with at least one turn, how the others' valence moved while they spoke; in the order of `participants`. */
  reactions: SpeakerReactions[];
}


/** Column names of the CSV timeline, in order. */
export const TIMELINE_CSV_FIELDS = [
  'participant_id',
  'name',
  'second',
  ...EMOTIONS,
  'dominant',
  'face_visible',
  'gap',
  'valence',
  'arousal',
  'attending',
  'speaking',
  'speaking_source',
  'quality',
  'uncertain',
] as const;

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Mean of the non-null values rounded to `decimals`, or null when there are none. */
function meanOf(values: readonly (number | null)[], decimals = 4): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? round(known.reduce((sum, v) => sum + v, 0) / known.length, decimals) : null;
}

function zeros(): EmotionNumbers {
  return Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as EmotionNumbers;
}

/**
 * The participants of a meeting in export order: the meeting record's, then ids that only
 * appear in `seconds` (sorted by id, named after their latest second record).
 */
function exportParticipants(meeting: MeetingRecord, seconds: readonly SecondRecord[]): MeetingParticipant[] {
  const list: MeetingParticipant[] = meeting.participants.filter((p) => !p.excluded).map((p) => ({ ...p }));
  const excluded = new Set(meeting.participants.filter((p) => p.excluded).map((p) => p.id));
  const known = new Set(list.map((p) => p.id));
  const extra = new Map<string, SecondRecord>();
  for (const s of seconds) {
    if (known.has(s.participantId) || excluded.has(s.participantId)) continue;
    const seen = extra.get(s.participantId);
    if (!seen || s.second >= seen.second) extra.set(s.participantId, s);
  }
  const extraIds = [...extra.keys()].sort();
  for (const id of extraIds) list.push({ id, name: extra.get(id)!.name, isSelf: false });
  return list;
}

/** The meeting's second records grouped by participant id, each group sorted by second. */
function secondsByParticipant(meeting: MeetingRecord, seconds: readonly SecondRecord[]): Map<string, SecondRecord[]> {
  const groups = new Map<string, SecondRecord[]>();
  for (const s of seconds) {
    if (s.meetingId !== meeting.id) continue;
    const group = groups.get(s.participantId);
    if (group) group.push(s);
    else groups.set(s.participantId, [s]);
  }
  for (const group of groups.values()) group.sort((a, b) => a.second - b.second);
  return groups;
}

/**
 * Summarises a meeting per participant (see `MeetingSummary` for every field).
 * Second records of other meetings (`meetingId !== meeting.id`) are ignored. A participant
 * with no second with a face gets `dominantShare` and `meanProbabilities` of all zeros.
 */
export function buildSummary(meeting: MeetingRecord, seconds: SecondRecord[]): MeetingSummary {
  const own = seconds.filter((s) => s.meetingId === meeting.id);
  const groups = secondsByParticipant(meeting, own);
  const participants = exportParticipants(meeting, own).map((p): ParticipantSummary => {
    const records = groups.get(p.id) ?? [];
    const withFace = records.filter((s) => s.probabilities !== null);
    const dominantShare = zeros();
    const meanProbabilities = zeros();
    for (const s of withFace) {
      if (s.dominant !== null) dominantShare[s.dominant] += 1;
      for (const e of EMOTIONS) meanProbabilities[e] += s.probabilities![e];
    }
    if (withFace.length > 0) {
      for (const e of EMOTIONS) {
        dominantShare[e] = round(dominantShare[e] / withFace.length, 4);
        meanProbabilities[e] = round(meanProbabilities[e] / withFace.length, 4);
      }
    }
    const gaps = Object.fromEntries(GAP_REASONS.map((g) => [g, 0])) as GapCounts;
    for (const r of records) if (r.gap !== null) gaps[r.gap]++;
    return {
      id: p.id,
      name: p.name,
      secondsObserved: records.filter((r) => r.samples > 0).length,
      gaps,
      secondsWithFace: round(
        records.reduce((sum, s) => sum + s.faceSeconds, 0),
        1,
      ),
      dominantShare,
      meanProbabilities,
      meanValence: meanOf(withFace.map((r) => r.valence)),
      meanArousal: meanOf(withFace.map((r) => r.arousal)),
      attendingShare: meanOf(records.map((r) => r.attending)),
      talkSeconds: records.filter((r) => r.speaking === true).length,
      speakingKnownSeconds: records.filter((r) => r.speaking !== null).length,
      meanQuality: meanOf(records.map((r) => r.quality)),
    };
  });
  const totalTalk = participants.reduce((sum, p) => sum + p.talkSeconds, 0);
  const reactions = participants.flatMap((p) => {
    const r = reactionsTo(p.id, groups);
    if (!r) return [];
    const rounded = (v: number | null) => (v === null ? null : round(v, 4));
    return [{ speakerId: p.id, speakerName: p.name, turns: r.turns, turnSeconds: r.turnSeconds, listenerValenceMean: rounded(r.listenerValenceMean), listenerValenceChange: rounded(r.listenerValenceChange) }];
  });
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    meeting: {
      id: meeting.id,
      site: meeting.site,
      startedAt: new Date(meeting.startedAt).toISOString(),
      endedAt: meeting.endedAt === null ? null : new Date(meeting.endedAt).toISOString(),
    },
    participants,
    talkTime: participants.map((p) => ({ participantId: p.id, name: p.name, seconds: p.talkSeconds, share: totalTalk ? round(p.talkSeconds / totalTalk, 4) : 0 })),
    reactions,
  };
}

/**
 * Cells a spreadsheet would run as a formula: starting with `= + - @`, tab or CR, except a
 * plain signed number such as `-0.4830` (a negative valence must stay a number).
 */
const FORMULA_START = /^(?:[=@\t\r]|[+-](?![0-9]+(?:\.[0-9]+)?$))/;

/** A number to 4 decimals, or an empty cell for null. */
const fixed = (v: number | null): string => (v === null ? '' : v.toFixed(4));

/**
 * The per-second timeline of a meeting as CSV (RFC 4180: CRLF between rows, none after the
 * last; header row first).
 *
 * Columns (`TIMELINE_CSV_FIELDS`): `participant_id`; `name` (the participant's latest name
 * from the meeting record); `second` (integer seconds since the meeting's start); one column
 * per emotion with the second's mean probability to 4 decimals, empty when no sample of that
 * second had a readable face; `dominant` (emotion name; `uncertain` when the faces seen were
 * all too poor to read, gap `low-quality`; `none` without a face); `face_visible` (1 when a
 * readable face was seen in at least half of that second's samples, else 0); `gap` (why the
 * second has no probabilities: a GapReason such as `no-face`, `frozen`, `paused`,
 * `overloaded`, `low-quality`; empty when it has them). Then, each to 4 decimals and empty
 * when unknown: `valence`, `arousal` (in [-1, 1], derived from the probabilities),
 * `attending` (share of the second's samples attending, 0..1), `speaking` (1 or 0),
 * `speaking_source` (`site` or `face`), `quality` (mean face quality, 0..1), `uncertain`
 * (share of the samples with a face that were too poor to read, 0..1).
 *
 * One row per participant per second record, participants in the summary's order, seconds
 * ascending. Second records of other meetings are ignored. Cells starting with `= + - @`,
 * tab or CR, other than plain signed numbers, are prefixed with `'` so spreadsheets do not run
 * a display name as a formula.
 */
export function buildTimelineCsv(meeting: MeetingRecord, seconds: SecondRecord[]): string {
  const own = seconds.filter((s) => s.meetingId === meeting.id);
  const groups = secondsByParticipant(meeting, own);
  const rows: string[][] = [];
  for (const p of exportParticipants(meeting, own)) {
    for (const s of groups.get(p.id) ?? []) {
      rows.push([
        p.id,
        p.name,
        String(s.second),
        ...EMOTIONS.map((e) => (s.probabilities === null ? '' : s.probabilities[e].toFixed(4))),
        s.dominant ?? (s.gap === 'low-quality' ? 'uncertain' : 'none'),
        s.faceSeconds >= 0.5 ? '1' : '0',
        s.gap ?? '',
        fixed(s.valence),
        fixed(s.arousal),
        fixed(s.attending),
        s.speaking === null ? '' : s.speaking ? '1' : '0',
        s.speakingSource ?? '',
        fixed(s.quality),
        fixed(s.uncertain),
      ]);
    }
  }
  const csv = Papa.unparse(
    { fields: [...TIMELINE_CSV_FIELDS], data: rows },
    { escapeFormulae: FORMULA_START, newline: '\r\n', quotes: false },
  );
  // papaparse ends a header-only file with a line break but no other file: end none with one.
  return csv.endsWith('\r\n') ? csv.slice(0, -2) : csv;
}
