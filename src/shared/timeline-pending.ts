/**
 * Pending seconds: what one `addSeconds` call wrote, as one write-once `PendingRecord` holding
 * every participant-second of the call in the byte encoding of timeline-chunks.ts, until the
 * store folds it into the per-minute chunks (once a minute, and when the meeting ends).
 *
 * Why: the analysis writes every second. Rewriting each participant's chunk every second would
 * append the whole chunk (~1 KB with its key) per participant per second to the browser's
 * write-ahead log, which counts as used storage until the database compacts it. A pending
 * record costs its 20 bytes per participant-second plus one key and header per call, so the
 * log grows by tens of bytes per participant-second, and the chunks stay the compact form at rest.
 * Pure functions, no IndexedDB.
 */
import * as z from 'zod/mini';
import { EMOTIONS } from './emotions.ts';
import type { SecondRecord } from './timeline-records.ts';
import { chunkStart, copySecond, emptyChunk, encodeSecond, offsetIn, parseChunk, storedSeconds, type ChunkRecord, type SecondBytes } from './timeline-chunks.ts';

/** The seconds one write added to a meeting; key `[meetingId, seq]`. Entry `i` is one participant-second. */
export interface PendingRecord extends SecondBytes {
  /** `MeetingRecord.id`. */
  meetingId: string;
  /** Write number within the meeting (integer >= 0, increasing): a later entry replaces an earlier one of the same second. */
  seq: number;
  /** Per entry: the participant's index in the meeting's `participants`. */
  participant: Uint16Array;
  /** Per entry: whole seconds since the meeting's start. */
  second: Uint32Array;
}

const anyBytes = z.instanceof(Uint8Array);

/** Zod schema of a stored `PendingRecord` (strict; all arrays of one entry count). */
export const pendingRecordSchema = z
  .strictObject({
    meetingId: z.string().check(z.minLength(1)),
    seq: z.int().check(z.nonnegative()),
    participant: z.instanceof(Uint16Array),
    second: z.instanceof(Uint32Array),
    probabilities: anyBytes,
    face: anyBytes,
    samples: anyBytes,
    gap: anyBytes,
    attending: anyBytes,
    speaking: anyBytes,
    quality: anyBytes,
    uncertain: anyBytes,
  })
  .check(
    z.refine((p) => {
      const n = p.participant.length;
      return n > 0 && [p.second, p.face, p.samples, p.gap, p.attending, p.speaking, p.quality, p.uncertain].every((a) => a.length === n) && p.probabilities.length === n * EMOTIONS.length;
    }, { message: 'pending arrays must hold the same number of entries' }),
  );

/** The stored value as a pending record, or null when it fails validation. */
export function parsePending(raw: unknown): PendingRecord | null {
  const parsed = pendingRecordSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** A pending record of `entries` (records with their participant index). */
export function encodePending(meetingId: string, seq: number, entries: readonly { participant: number; record: SecondRecord }[]): PendingRecord {
  const n = entries.length;
  const pending: PendingRecord = {
    meetingId,
    seq,
    participant: new Uint16Array(n),
    second: new Uint32Array(n),
    probabilities: new Uint8Array(n * EMOTIONS.length),
    face: new Uint8Array(n),
    samples: new Uint8Array(n),
    gap: new Uint8Array(n),
    attending: new Uint8Array(n),
    speaking: new Uint8Array(n),
    quality: new Uint8Array(n),
    uncertain: new Uint8Array(n),
  };
  entries.forEach(({ participant, record }, i) => {
    pending.participant[i] = participant;
    pending.second[i] = record.second;
    encodeSecond(pending, i, record);
  });
  return pending;
}

/** Where one stored participant-second's bytes are. */
export interface StoredSecond {
  source: SecondBytes;
  i: number;
  participant: number;
  second: number;
}

/**
 * A meeting's stored seconds, by `participant:second`: the chunks' written seconds, then the
 * pending records' entries in `seq` order (a later one replaces), and how many seconds were in
 * unreadable records (an unreadable chunk counts its written seconds, or 1 when unknowable).
 */
export function storedSecondsOf(rawChunks: readonly unknown[], rawPending: readonly unknown[]): { seconds: Map<string, StoredSecond>; unreadable: number } {
  const seconds = new Map<string, StoredSecond>();
  let unreadable = 0;
  for (const raw of rawChunks) {
    const chunk = parseChunk(raw);
    if (!chunk) unreadable += storedSeconds(raw);
    else chunk.present.forEach((p, i) => p && seconds.set(`${chunk.participant}:${chunk.start + i}`, { source: chunk, i, participant: chunk.participant, second: chunk.start + i }));
  }
  for (const raw of rawPending) {
    const p = parsePending(raw);
    if (!p) unreadable += pendingSeconds(raw);
    else p.participant.forEach((participant, i) => seconds.set(`${participant}:${p.second[i]}`, { source: p, i, participant, second: p.second[i]! }));
  }
  return { seconds, unreadable };
}

/** Entries of an unreadable pending value when its participant array is readable, else 1. */
function pendingSeconds(raw: unknown): number {
  const participant = (raw as { participant?: unknown } | null)?.participant;
  return participant instanceof Uint16Array && participant.length > 0 ? participant.length : 1;
}

/**
 * Applies `pendings` (valid, in seq order) to the chunks they touch: `chunks` holds the stored
 * chunk values by `participant/start` (undefined when none or unreadable: a new chunk starts).
 * Returns the chunks to put.
 */
export function foldPending(meetingId: string, pendings: readonly PendingRecord[], chunks: ReadonlyMap<string, unknown>): ChunkRecord[] {
  const out = new Map<string, ChunkRecord>();
  for (const p of pendings) {
    p.participant.forEach((participant, i) => {
      const start = chunkStart(p.second[i]!);
      const key = chunkKey(participant, start);
      const chunk = out.get(key) ?? parseChunk(chunks.get(key)) ?? emptyChunk(meetingId, participant, start);
      const j = offsetIn(chunk, p.second[i]!);
      copySecond(p, i, chunk, j);
      chunk.present[j] = 1;
      out.set(key, chunk);
    });
  }
  return [...out.values()];
}

/** The chunks `pendings` touch, as `[participant, start]` pairs keyed by chunkKey. */
export function touchedChunks(pendings: readonly PendingRecord[]): Map<string, [number, number]> {
  const touched = new Map<string, [number, number]>();
  for (const p of pendings) p.participant.forEach((participant, i) => touched.set(chunkKey(participant, chunkStart(p.second[i]!)), [participant, chunkStart(p.second[i]!)]));
  return touched;
}

/** Map key of a chunk of the meeting. */
export function chunkKey(participant: number, start: number): string {
  return `${participant}/${start}`;
}
