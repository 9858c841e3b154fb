/**
 * The compact encoding of the timeline's seconds: one `ChunkRecord` per participant per minute
 * of a meeting, holding that minute's 60 seconds in typed arrays (14 bytes a second), instead of
 * one object per participant-second. Pure functions, no IndexedDB: the store reads and writes
 * chunks, this module turns `SecondRecord`s into chunk bytes and back (docs/storage.md).
 *
 * Per second `i` of a chunk (second `start + i` of the meeting):
 * - `present[i]`: 1 when the second was written, 0 when not (the other bytes are then 0);
 * - `probabilities[7i .. 7i+6]`: the 7 probabilities in EMOTIONS order as bytes summing to 255
 *   (largest-remainder rounding of p × 255, so each is within 1/255 of the written value);
 *   all 0 for a gap second;
 * - `face[i]`: face-visible fraction × 255, rounded, at least 1 when the second has probabilities;
 * - `samples[i]`: frames analysed, capped at 255;
 * - `gap[i]`: 0 when the second has probabilities, else 1 + the reason's index in GAP_REASONS;
 * - `attending[i]`, `quality[i]`, `uncertain[i]`: 0 when unknown (null), else 1 + the share × 254, rounded;
 * - `speaking[i]`: 0 unknown, 1 silent and 2 speaking by the face, 3 silent and 4 speaking by the site's indicator.
 * Decoding recomputes `dominant`, valence and arousal from the decoded probabilities and takes
 * `name` from the meeting.
 */
import * as z from 'zod/mini';
import { EMOTIONS, dominantEmotion, type Probabilities } from './emotions.ts';
import { GAP_REASONS, makeSecondRecord, type MeetingParticipant, type SecondRecord } from './timeline-records.ts';

/** Seconds per chunk; a chunk starts at a multiple of it. */
export const CHUNK_SECONDS = 60;
/** Byte value of a probability (or a face fraction) of 1. */
const BYTE_ONE = 255;
/** Highest sample count a chunk can hold; higher counts are stored as this. */
export const MAX_STORED_SAMPLES = 255;

/** The bytes of a run of seconds: entry `i` is one participant-second (see the module comment). */
export interface SecondBytes {
  /** 7 bytes per entry, probability × 255 in EMOTIONS order, summing to 255 (0s for a gap). */
  probabilities: Uint8Array;
  /** Face-visible fraction × 255 per entry. */
  face: Uint8Array;
  /** Samples per entry, capped at 255. */
  samples: Uint8Array;
  /** Per entry: 0 = none, else 1 + index in GAP_REASONS. */
  gap: Uint8Array;
  /** Per entry: 0 = unknown, else 1 + attending share × 254. */
  attending: Uint8Array;
  /** Per entry: 0 unknown, 1/2 silent/speaking by face, 3/4 by the site's indicator. */
  speaking: Uint8Array;
  /** Per entry: 0 = no face, else 1 + mean quality × 254. */
  quality: Uint8Array;
  /** Per entry: 0 = no face, else 1 + unreadable share × 254. */
  uncertain: Uint8Array;
}

/** The one-byte-per-second signal arrays of SecondBytes (added to stored chunks by the layout's migration step 4). */
export const SIGNAL_BYTES = ['attending', 'speaking', 'quality', 'uncertain'] as const;

/** Byte of a share in [0, 1] or null (0). */
const shareByte = (v: number | null): number => (v === null ? 0 : 1 + Math.round(Math.min(1, Math.max(0, v)) * 254));
/** Share of a byte from `shareByte`. */
const byteShare = (b: number): number | null => (b === 0 ? null : (b - 1) / 254);
/** Byte of a speaking flag and its source. */
const speakingByte = (speaking: boolean | null, source: 'site' | 'face' | null): number => (speaking === null ? 0 : (source === 'site' ? 3 : 1) + (speaking ? 1 : 0));

/** One participant's minute of a meeting; key `[meetingId, participant, start]`. */
export interface ChunkRecord extends SecondBytes {
  /** `MeetingRecord.id`. */
  meetingId: string;
  /** Index of the participant in the meeting's `participants` array (integer >= 0). */
  participant: number;
  /** First second of the chunk since the meeting's start: a multiple of CHUNK_SECONDS. */
  start: number;
  /** 60 bytes: 1 when that second was written. */
  present: Uint8Array;
}

const bytes = (length: number) => z.instanceof(Uint8Array).check(z.refine((a) => a.length === length, { message: `expected ${length} bytes` }));

/** Zod schema of a stored `ChunkRecord` (strict: extra fields make it invalid). */
export const chunkRecordSchema = z.strictObject({
  meetingId: z.string().check(z.minLength(1)),
  participant: z.int().check(z.nonnegative()),
  start: z.int().check(
    z.nonnegative(),
    z.refine((s) => s % CHUNK_SECONDS === 0, { message: `start must be a multiple of ${CHUNK_SECONDS}` }),
  ),
  present: bytes(CHUNK_SECONDS),
  probabilities: bytes(CHUNK_SECONDS * EMOTIONS.length),
  face: bytes(CHUNK_SECONDS),
  samples: bytes(CHUNK_SECONDS),
  gap: bytes(CHUNK_SECONDS),
  attending: bytes(CHUNK_SECONDS),
  speaking: bytes(CHUNK_SECONDS),
  quality: bytes(CHUNK_SECONDS),
  uncertain: bytes(CHUNK_SECONDS),
});

/** First second of the chunk that holds `second`. */
export function chunkStart(second: number): number {
  return Math.floor(second / CHUNK_SECONDS) * CHUNK_SECONDS;
}

/** A chunk with no second written. */
export function emptyChunk(meetingId: string, participant: number, start: number): ChunkRecord {
  const zeros = (n: number) => new Uint8Array(n);
  const s = CHUNK_SECONDS;
  return {
    meetingId,
    participant,
    start,
    present: zeros(s),
    probabilities: zeros(s * EMOTIONS.length),
    face: zeros(s),
    samples: zeros(s),
    gap: zeros(s),
    attending: zeros(s),
    speaking: zeros(s),
    quality: zeros(s),
    uncertain: zeros(s),
  };
}

/** The stored value as a chunk, or null when it fails validation. */
export function parseChunk(raw: unknown): ChunkRecord | null {
  const parsed = chunkRecordSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/**
 * Bytes (summing to 255) for probabilities: each p / sum × 255 rounded down, then the remaining
 * units to the largest remainders, so every byte is within 1 of p × 255 when the p sum to 1.
 */
export function quantizeProbabilities(p: Probabilities): number[] {
  const sum = EMOTIONS.reduce((total, e) => total + p[e], 0);
  const scaled = EMOTIONS.map((e) => (p[e] / sum) * BYTE_ONE);
  const out = scaled.map(Math.floor);
  const order = scaled.map((v, i) => ({ i, rest: v - Math.floor(v) })).sort((a, b) => b.rest - a.rest);
  let missing = BYTE_ONE - out.reduce((total, v) => total + v, 0);
  for (const { i } of order) {
    if (missing <= 0) break;
    out[i]!++;
    missing--;
  }
  return out;
}

/** Encodes `record` as entry `i` of `target`. */
export function encodeSecond(target: SecondBytes, i: number, record: SecondRecord): void {
  const q = record.probabilities ? quantizeProbabilities(record.probabilities) : EMOTIONS.map(() => 0);
  target.probabilities.set(q, i * EMOTIONS.length);
  target.face[i] = record.probabilities ? Math.max(1, Math.round(record.faceSeconds * BYTE_ONE)) : 0;
  target.samples[i] = Math.min(MAX_STORED_SAMPLES, record.samples);
  target.gap[i] = record.gap === null ? 0 : GAP_REASONS.indexOf(record.gap) + 1;
  target.attending[i] = shareByte(record.attending);
  target.speaking[i] = speakingByte(record.speaking, record.speakingSource);
  target.quality[i] = shareByte(record.quality);
  target.uncertain[i] = shareByte(record.uncertain);
}

/** Copies entry `i` of `from` to entry `j` of `to`, bytes unchanged. */
export function copySecond(from: SecondBytes, i: number, to: SecondBytes, j: number): void {
  const n = EMOTIONS.length;
  to.probabilities.set(from.probabilities.subarray(i * n, (i + 1) * n), j * n);
  to.face[j] = from.face[i]!;
  to.samples[j] = from.samples[i]!;
  to.gap[j] = from.gap[i]!;
  for (const k of SIGNAL_BYTES) to[k][j] = from[k][i]!;
}

/** Offset of `second` in the chunk. @throws RangeError when the chunk does not hold it. */
export function offsetIn(chunk: ChunkRecord, second: number): number {
  const i = second - chunk.start;
  if (!Number.isInteger(i) || i < 0 || i >= CHUNK_SECONDS) throw new RangeError(`second ${second} is outside the chunk at ${chunk.start}`);
  return i;
}

/** Writes `record` (which must belong to the chunk's range) into the chunk, replacing that second. */
export function writeSecond(chunk: ChunkRecord, record: SecondRecord): void {
  const i = offsetIn(chunk, record.second);
  encodeSecond(chunk, i, record);
  chunk.present[i] = 1;
}

function decodeProbabilities(source: SecondBytes, i: number): Probabilities | null {
  const q = source.probabilities.subarray(i * EMOTIONS.length, (i + 1) * EMOTIONS.length);
  const sum = q.reduce((total, v) => total + v, 0);
  if (sum === 0) return null;
  const p = {} as Probabilities;
  EMOTIONS.forEach((e, k) => (p[e] = q[k]! / sum));
  return p;
}

/**
 * Entry `i` of `source` as second `second` of `participant` in meeting `meetingId`; null when
 * its bytes are not a valid second or the participant is unknown (undefined).
 */
export function decodeSecond(source: SecondBytes, i: number, meetingId: string, second: number, participant: MeetingParticipant | undefined): SecondRecord | null {
  const gapCode = source.gap[i]!;
  const gap = gapCode === 0 ? null : GAP_REASONS[gapCode - 1];
  if (gap === undefined || participant === undefined) return null;
  const probabilities = gap === null ? decodeProbabilities(source, i) : null;
  const face = source.face[i]!;
  // The invariants of secondRecordSchema that bytes can break, checked directly: a zod parse per
  // decoded second took about 1 s for a 3-hour meeting of 9 participants (97,200 seconds). The
  // rest holds by construction: probabilities are bytes over their sum, the ids come from the
  // validated meeting and chunk records.
  const speakingCode = source.speaking[i]!;
  if ((gap === null) !== (probabilities !== null) || (probabilities === null) !== (face === 0) || speakingCode > 4) return null;
  return makeSecondRecord({
    meetingId,
    participantId: participant.id,
    name: participant.name,
    second,
    probabilities,
    dominant: probabilities ? dominantEmotion(probabilities).emotion : null,
    faceSeconds: probabilities ? face / BYTE_ONE : 0,
    samples: source.samples[i]!,
    gap,
    attending: byteShare(source.attending[i]!),
    speaking: speakingCode === 0 ? null : speakingCode % 2 === 0,
    speakingSource: speakingCode === 0 ? null : speakingCode >= 3 ? 'site' : 'face',
    quality: byteShare(source.quality[i]!),
    uncertain: byteShare(source.uncertain[i]!),
  });
}

/**
 * The written seconds of a chunk as SecondRecords of `participant` (the meeting's participant at
 * the chunk's index; undefined when the index is out of range, then every second is skipped).
 */
export function decodeChunk(chunk: ChunkRecord, participant: MeetingParticipant | undefined): { records: SecondRecord[]; skipped: number } {
  const records: SecondRecord[] = [];
  let skipped = 0;
  for (let i = 0; i < CHUNK_SECONDS; i++) {
    if (!chunk.present[i]) continue;
    const record = decodeSecond(chunk, i, chunk.meetingId, chunk.start + i, participant);
    if (record) records.push(record);
    else skipped++;
  }
  return { records, skipped };
}

/**
 * How many seconds a stored value holds, for counting: its present seconds when its `present`
 * array is readable, else 1 (an unreadable value counts as one lost record).
 */
export function storedSeconds(raw: unknown): number {
  const present = (raw as { present?: unknown } | null)?.present;
  if (!(present instanceof Uint8Array) || present.length !== CHUNK_SECONDS) return 1;
  return present.reduce((n, v) => n + (v ? 1 : 0), 0);
}

/** The highest written second of a chunk, -1 when none. */
export function lastWrittenSecond(chunk: ChunkRecord): number {
  for (let i = CHUNK_SECONDS - 1; i >= 0; i--) if (chunk.present[i]) return chunk.start + i;
  return -1;
}

/** Seconds grouped by the chunk they fall in, with the participant's index. */
export interface ChunkGroup {
  participant: number;
  start: number;
  records: SecondRecord[];
}

/**
 * Gives every record a participant index: ids unknown to `participants` are appended (name from
 * the record, isSelf false). Returns the participants (a new array when some were added, else
 * the same one) and the records grouped by chunk, in order (a later record of a second wins).
 */
export function placeSeconds(
  participants: readonly MeetingParticipant[],
  records: readonly SecondRecord[],
): { participants: readonly MeetingParticipant[]; groups: ChunkGroup[] } {
  const index = new Map(participants.map((p, i) => [p.id, i]));
  const added: MeetingParticipant[] = [];
  const groups = new Map<string, ChunkGroup>();
  for (const record of records) {
    let participant = index.get(record.participantId);
    if (participant === undefined) {
      participant = participants.length + added.length;
      index.set(record.participantId, participant);
      added.push({ id: record.participantId, name: record.name, isSelf: false });
    }
    const start = chunkStart(record.second);
    const key = `${participant}/${start}`;
    const group = groups.get(key) ?? { participant, start, records: [] };
    group.records.push(record);
    groups.set(key, group);
  }
  return { participants: added.length ? [...participants, ...added] : participants, groups: [...groups.values()] };
}
