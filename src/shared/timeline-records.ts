/**
 * The timeline's records and their schemas: what CallMood stores, and nothing else. One
 * `MeetingRecord` per analysed meeting (hostname, adapter, start/end time, participant ids and
 * display names) and one `SecondRecord` per participant per second (mean probabilities,
 * dominant class, face-visible fraction, sample count). Never frames, images, audio, URLs or
 * anything else: every write is checked against a strict schema that rejects extra fields.
 */
// zod/mini: the same validation as `zod` with a tree-shakable API (the popup bundle stays small).
import * as z from 'zod/mini';
import { EMOTIONS } from './emotions.ts';
import type { Emotion, Probabilities } from './emotions.ts';
import { valenceArousal } from './affect.ts';

/** Value of the `schemaVersion` field of meeting records. */
export const RECORD_SCHEMA_VERSION = 1;
/** Value of the `schemaVersion` field of second records (2: `gap` added; 3: valence, arousal, attending, speaking, quality, uncertain). */
export const SECOND_SCHEMA_VERSION = 3;

/**
 * Why a participant has no emotion at a time (a second of the timeline, or the live view):
 * - `no-face`: the tile was analysed and no face was found;
 * - `face-too-small`: a face was found but is too small to read (under `detector.minFaceFraction`);
 * - `tile-too-small`: the tile is under `detector.minTileSide` px, so it is not analysed;
 * - `frozen`: the tile's video shows the same picture (a frozen or paused video);
 * - `black`: the tile's video is black (camera covered or off);
 * - `paused`: the user paused the analysis;
 * - `overloaded`: the machine could not analyse the tile in that second (too many tiles);
 * - `not-recording`: the analysis was not running (its host died and was restarted);
 * - `low-quality`: a face was seen but too poor to read (quality under `signals.minQuality`:
 *   too small, turned away, too dark or blurred): "can't tell".
 * New reasons are appended: a stored reason is its index here.
 */
export const GAP_REASONS = ['no-face', 'face-too-small', 'tile-too-small', 'frozen', 'black', 'paused', 'overloaded', 'not-recording', 'low-quality', 'camera-off'] as const;
/** One of `GAP_REASONS`. */
export type GapReason = (typeof GAP_REASONS)[number];

/** A participant as recorded on a meeting. */
export interface MeetingParticipant {
  /** Participant id from the call page (Meet: `data-participant-id`; generic: `tile-N`). Unique per meeting. */
  id: string;
  /** Latest display name seen for this id (a rename updates it; the id stays the same). */
  name: string;
  /** True for the local user's own self-view. */
  isSelf: boolean;
  /**
   * Present (true) once the user excluded this participant: their seconds were deleted, their
   * name is blanked to '', and no second of theirs is stored again for this meeting.
   */
  excluded?: true;
}

/** One analysed meeting (one capture session of one tab). */
export interface MeetingRecord {
  schemaVersion: 1;
  /** Meeting id chosen by the background when analysis starts; unique, non-empty. */
  id: string;
  /** Hostname of the call page only (e.g. `meet.google.com`), never the URL: no `/ ? # @` or spaces. */
  site: string;
  /** Adapter that found the tiles (`meet`, `generic`, ...). */
  adapter: string;
  /** Start of analysis, milliseconds since the epoch. */
  startedAt: number;
  /** End of analysis, milliseconds since the epoch (>= startedAt); null while running. */
  endedAt: number | null;
  /** Every participant seen during the meeting, in order of first appearance; ids are unique. */
  participants: MeetingParticipant[];
}

/** What was seen of one participant during one second of a meeting. */
export interface SecondRecord {
  schemaVersion: 3;
  /** `MeetingRecord.id` this second belongs to. */
  meetingId: string;
  /** `MeetingParticipant.id`. */
  participantId: string;
  /** Display name at that second (exports use the meeting's latest name instead). */
  name: string;
  /** Whole seconds since the meeting's `startedAt` (integer >= 0). */
  second: number;
  /**
   * Mean of the probabilities of that second's samples that had a face (each in [0, 1],
   * summing to 1 within 0.01); null when no sample of that second had a face.
   */
  probabilities: Probabilities | null;
  /** Class with the highest mean probability; null exactly when `probabilities` is null. */
  dominant: Emotion | null;
  /** Fraction in [0, 1] of that second's samples with a face; 0 exactly when `probabilities` is null. */
  faceSeconds: number;
  /** Number of frames analysed for this participant in that second (integer >= 0; 0 for a `paused`, `overloaded` or `not-recording` second). */
  samples: number;
  /** Why that second has no probabilities; null exactly when `probabilities` is not null. */
  gap: GapReason | null;
  /** Valence in [-1, 1] derived from `probabilities` (affect.ts); null exactly when they are null. */
  valence: number | null;
  /** Arousal in [-1, 1] derived from `probabilities`; null exactly when they are null. */
  arousal: number | null;
  /**
   * Share in [0, 1] of the second's judged samples in which the participant attended (face
   * present, facing the screen, eyes open; a sample without a face counts as not attending);
   * null when no sample could be judged (no samples, or only faces too poor to judge).
   */
  attending: number | null;
  /** Whether the participant spoke in that second (at least half of the judged samples); null when it can't tell. */
  speaking: boolean | null;
  /** What `speaking` comes from: the call site's indicator or the face; null exactly when `speaking` is null. */
  speakingSource: 'site' | 'face' | null;
  /** Mean face quality in [0, 1] over the samples with a face (readable or not); null when none had one. */
  quality: number | null;
  /** Share in [0, 1] of the samples with a face whose face was too poor to read ("can't tell"); null when none had a face. */
  uncertain: number | null;
}

/** The fields of a SecondRecord that are measured, not derived (valence and arousal follow from `probabilities`); the signals default to null. */
export type SecondFields = Omit<SecondRecord, 'schemaVersion' | 'valence' | 'arousal' | 'attending' | 'speaking' | 'speakingSource' | 'quality' | 'uncertain'> &
  Partial<Pick<SecondRecord, 'attending' | 'speaking' | 'speakingSource' | 'quality' | 'uncertain'>>;

/** A current-version SecondRecord from its measured fields: valence and arousal derived from the probabilities, absent signals null. */
export function makeSecondRecord(fields: SecondFields): SecondRecord {
  const affect = fields.probabilities ? valenceArousal(fields.probabilities) : null;
  return {
    schemaVersion: SECOND_SCHEMA_VERSION,
    ...fields,
    valence: affect?.valence ?? null,
    arousal: affect?.arousal ?? null,
    attending: fields.attending ?? null,
    speaking: fields.speaking ?? null,
    speakingSource: fields.speakingSource ?? null,
    quality: fields.quality ?? null,
    uncertain: fields.uncertain ?? null,
  };
}

const probability = z.number().check(z.gte(0), z.lte(1));
const signed = z.number().check(z.gte(-1), z.lte(1));

/** Zod schema of `Probabilities`: all 7 classes, each in [0, 1], summing to 1 (within 0.01). */
export const probabilitiesSchema = z
  .strictObject({
    angry: probability,
    disgust: probability,
    fear: probability,
    happy: probability,
    sad: probability,
    surprise: probability,
    neutral: probability,
  })
  .check(
    z.refine((p) => Math.abs(EMOTIONS.reduce((sum, e) => sum + p[e], 0) - 1) <= 0.01, {
      message: 'probabilities must sum to 1',
    }),
  );

/** Zod schema of an emotion class name. */
export const emotionSchema = z.enum(EMOTIONS);

const msEpoch = z.number().check(z.nonnegative());
const nonEmpty = z.string().check(z.minLength(1));

/** Zod schema of `MeetingParticipant`. */
export const meetingParticipantSchema = z.strictObject({
  id: nonEmpty,
  name: z.string(),
  isSelf: z.boolean(),
  excluded: z.optional(z.literal(true)),
});

/** Zod schema of `MeetingRecord` (strict: extra fields make a record invalid). */
export const meetingRecordSchema = z
  .strictObject({
    schemaVersion: z.literal(RECORD_SCHEMA_VERSION),
    id: nonEmpty,
    site: z.string().check(z.regex(/^[^\s/?#@]+$/, 'site must be a hostname, not a URL')),
    adapter: nonEmpty,
    startedAt: msEpoch,
    endedAt: z.nullable(msEpoch),
    participants: z.array(meetingParticipantSchema),
  })
  .check(
    z.refine((m) => m.endedAt === null || m.endedAt >= m.startedAt, { message: 'endedAt is before startedAt' }),
    z.refine((m) => new Set(m.participants.map((p) => p.id)).size === m.participants.length, {
      message: 'participant ids must be unique',
    }),
  );

/** Zod schema of `SecondRecord` (strict: extra fields make a record invalid). */
export const secondRecordSchema = z
  .strictObject({
    schemaVersion: z.literal(SECOND_SCHEMA_VERSION),
    meetingId: nonEmpty,
    participantId: nonEmpty,
    name: z.string(),
    second: z.int().check(z.nonnegative()),
    probabilities: z.nullable(probabilitiesSchema),
    dominant: z.nullable(emotionSchema),
    faceSeconds: z.number().check(z.gte(0), z.lte(1)),
    samples: z.int().check(z.nonnegative()),
    gap: z.nullable(z.enum(GAP_REASONS)),
    valence: z.nullable(signed),
    arousal: z.nullable(signed),
    attending: z.nullable(probability),
    speaking: z.nullable(z.boolean()),
    speakingSource: z.nullable(z.enum(['site', 'face'])),
    quality: z.nullable(probability),
    uncertain: z.nullable(probability),
  })
  .check(
    z.refine((s) => (s.probabilities === null) === (s.dominant === null), {
      message: 'dominant must be null exactly when probabilities is null',
    }),
    z.refine((s) => (s.probabilities === null) === (s.faceSeconds === 0), {
      message: 'faceSeconds must be 0 exactly when probabilities is null',
    }),
    z.refine((s) => (s.probabilities === null) === (s.gap !== null), {
      message: 'gap must be given exactly when probabilities is null',
    }),
    z.refine((s) => (s.probabilities === null) === (s.valence === null) && (s.valence === null) === (s.arousal === null), {
      message: 'valence and arousal must be null exactly when probabilities is null',
    }),
    z.refine((s) => (s.speaking === null) === (s.speakingSource === null), {
      message: 'speakingSource must be null exactly when speaking is null',
    }),
  );

// Compile-time checks that the schemas and the documented interfaces describe the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchInterfaces: [
  Same<z.infer<typeof meetingRecordSchema>, MeetingRecord>,
  Same<z.infer<typeof secondRecordSchema>, SecondRecord>,
] = [true, true];
void schemasMatchInterfaces;

