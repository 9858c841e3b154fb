/**
 * The timeline store: per-second emotion probabilities per participant, kept in this
 * browser's IndexedDB for the extension's origin (STYLE.md item 9: versioned storage,
 * validation on every read).
 *
 * Written by the offscreen document while a meeting is analysed; read, exported and
 * deleted by the popup. Both are pages of the same extension origin, so they open the
 * same database.
 *
 * What is stored, and nothing else: one `MeetingRecord` per analysed meeting (hostname,
 * adapter, start/end time, participant ids and display names) and one `SecondRecord` per
 * participant per second (mean probabilities, dominant class, face-visible fraction, sample
 * count). Never frames, images, audio, URLs or anything else: every write is checked against
 * a strict schema that rejects extra fields.
 *
 * Database `callmood`, IndexedDB version 1:
 * - object store `meetings`, keyPath `id`;
 * - object store `seconds`, keyPath `['meetingId', 'participantId', 'second']`, with index
 *   `byMeeting` on `meetingId`.
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
// zod/mini: the same validation as `zod` with a tree-shakable API (the popup bundle stays small).
import * as z from 'zod/mini';
import { EMOTIONS } from './emotions.ts';
import type { Emotion, Probabilities } from './emotions.ts';

/** Default database name. */
export const TIMELINE_DB_NAME = 'callmood';
/** IndexedDB version of the database (bump it with one migration step per version). */
export const TIMELINE_DB_VERSION = 1;
/** Value of the `schemaVersion` field written on every record. */
export const RECORD_SCHEMA_VERSION = 1;

/** A participant as recorded on a meeting. */
export interface MeetingParticipant {
  /** Participant id from the call page (Meet: `data-participant-id`; generic: `tile-N`). Unique per meeting. */
  id: string;
  /** Latest display name seen for this id (a rename updates it; the id stays the same). */
  name: string;
  /** True for the local user's own self-view. */
  isSelf: boolean;
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
  schemaVersion: 1;
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
  /** Number of frames analysed for this participant in that second (integer >= 0). */
  samples: number;
}

const probability = z.number().check(z.gte(0), z.lte(1));

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
    schemaVersion: z.literal(RECORD_SCHEMA_VERSION),
    meetingId: nonEmpty,
    participantId: nonEmpty,
    name: z.string(),
    second: z.int().check(z.nonnegative()),
    probabilities: z.nullable(probabilitiesSchema),
    dominant: z.nullable(emotionSchema),
    faceSeconds: z.number().check(z.gte(0), z.lte(1)),
    samples: z.int().check(z.nonnegative()),
  })
  .check(
    z.refine((s) => (s.probabilities === null) === (s.dominant === null), {
      message: 'dominant must be null exactly when probabilities is null',
    }),
    z.refine((s) => (s.probabilities === null) === (s.faceSeconds === 0), {
      message: 'faceSeconds must be 0 exactly when probabilities is null',
    }),
  );

// Compile-time checks that the schemas and the documented interfaces describe the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchInterfaces: [
  Same<z.infer<typeof meetingRecordSchema>, MeetingRecord>,
  Same<z.infer<typeof secondRecordSchema>, SecondRecord>,
] = [true, true];
void schemasMatchInterfaces;

/** Result of reading one meeting: the record (null when absent or corrupt) and how many corrupt records were skipped. */
export interface MeetingRead {
  meeting: MeetingRecord | null;
  /** Number of stored records that failed validation and were left out. */
  skipped: number;
}

/** Result of reading many records: the valid ones and how many corrupt records were skipped. */
export interface RecordsRead<T> {
  records: T[];
  /** Number of stored records that failed validation and were left out. */
  skipped: number;
}

/** An open handle on the timeline database. All methods reject with the IndexedDB error on storage failure. */
export interface TimelineStore {
  /**
   * Creates or replaces a meeting record.
   * @throws zod `$ZodError` (listing the issues) when `meeting` does not match `meetingRecordSchema` (nothing is written).
   */
  putMeeting(meeting: MeetingRecord): Promise<void>;
  /**
   * Sets `endedAt` (ms since the epoch) of meeting `id`.
   * @throws Error when the meeting does not exist or its stored record is corrupt;
   *         zod `$ZodError` (listing the issues) when `endedAt` is before `startedAt`.
   */
  endMeeting(id: string, endedAt: number): Promise<void>;
  /**
   * Merges `participants` into meeting `meetingId` by id: new ids are appended, known ids
   * get the given name and isSelf (a rename keeps the participant's id, so it never splits).
   * Read and write happen in one transaction.
   * @throws Error when the meeting does not exist or its stored record is corrupt;
   *         zod `$ZodError` (listing the issues) when a participant is invalid.
   */
  upsertParticipants(meetingId: string, participants: MeetingParticipant[]): Promise<void>;
  /**
   * Stores second records in one transaction (all or none); a record with the same
   * (meetingId, participantId, second) replaces the stored one.
   * @throws zod `$ZodError` (listing the issues) when any record does not match `secondRecordSchema` (nothing is written).
   */
  addSeconds(records: SecondRecord[]): Promise<void>;
  /** Reads meeting `id`; `meeting` is null when it is absent or corrupt (then `skipped` is 1). */
  getMeeting(id: string): Promise<MeetingRead>;
  /** All valid meetings, newest `startedAt` first, and the number of corrupt meeting records. */
  listMeetings(): Promise<RecordsRead<MeetingRecord>>;
  /** The valid meeting with the highest `startedAt` (null when none) and the number of corrupt meeting records. */
  latestMeeting(): Promise<MeetingRead>;
  /** Valid second records of meeting `meetingId`, sorted by participantId then second, and the number skipped. */
  listSeconds(meetingId: string): Promise<RecordsRead<SecondRecord>>;
  /**
   * Deletes meeting `id` and all its second records (valid or corrupt) in one transaction.
   * Returns how many second records were deleted; deleting an absent meeting is not an error.
   */
  deleteMeeting(id: string): Promise<{ seconds: number }>;
  /** Closes the connection; the store must not be used afterwards. */
  close(): void;
}

/** idb typing of the database. Values are typed as written; reads are validated anyway. */
interface TimelineDb extends DBSchema {
  meetings: { key: string; value: MeetingRecord };
  seconds: {
    key: [string, string, number];
    value: SecondRecord;
    indexes: { byMeeting: string };
  };
}

/**
 * Every key of meeting `meetingId` in the `seconds` store: compound keys are ordered
 * element by element and an array sorts after any string or number, so
 * `[id] <= [id, participant, second] <= [id, []]`.
 */
function secondsKeyRange(meetingId: string): IDBKeyRange {
  return IDBKeyRange.bound([meetingId], [meetingId, []]);
}

function validateAll<T>(schema: z.ZodMiniType<T>, values: unknown[]): RecordsRead<T> {
  const records: T[] = [];
  let skipped = 0;
  for (const value of values) {
    const parsed = schema.safeParse(value);
    if (parsed.success) records.push(parsed.data);
    else skipped++;
  }
  return { records, skipped };
}

function mergeParticipants(
  existing: readonly MeetingParticipant[],
  incoming: readonly MeetingParticipant[],
): MeetingParticipant[] {
  const merged = existing.map((p) => ({ ...p }));
  const byId = new Map(merged.map((p) => [p.id, p]));
  for (const p of incoming) {
    const known = byId.get(p.id);
    if (known) {
      known.name = p.name;
      known.isSelf = p.isSelf;
    } else {
      const added = { id: p.id, name: p.name, isSelf: p.isSelf };
      merged.push(added);
      byId.set(p.id, added);
    }
  }
  return merged;
}

class IdbTimelineStore implements TimelineStore {
  constructor(private readonly db: IDBPDatabase<TimelineDb>) {}

  async putMeeting(meeting: MeetingRecord): Promise<void> {
    await this.db.put('meetings', meetingRecordSchema.parse(meeting));
  }

  async endMeeting(id: string, endedAt: number): Promise<void> {
    await this.updateMeeting(id, (m) => ({ ...m, endedAt }));
  }

  async upsertParticipants(meetingId: string, participants: MeetingParticipant[]): Promise<void> {
    const incoming = z.array(meetingParticipantSchema).parse(participants);
    await this.updateMeeting(meetingId, (m) => ({ ...m, participants: mergeParticipants(m.participants, incoming) }));
  }

  async addSeconds(records: SecondRecord[]): Promise<void> {
    const valid = records.map((r) => secondRecordSchema.parse(r));
    if (valid.length === 0) return;
    const tx = this.db.transaction('seconds', 'readwrite');
    await Promise.all([...valid.map((r) => tx.store.put(r)), tx.done]);
  }

  async getMeeting(id: string): Promise<MeetingRead> {
    const raw: unknown = await this.db.get('meetings', id);
    if (raw === undefined) return { meeting: null, skipped: 0 };
    const parsed = meetingRecordSchema.safeParse(raw);
    return parsed.success ? { meeting: parsed.data, skipped: 0 } : { meeting: null, skipped: 1 };
  }

  async listMeetings(): Promise<RecordsRead<MeetingRecord>> {
    const raw: unknown[] = await this.db.getAll('meetings');
    const read = validateAll(meetingRecordSchema, raw);
    read.records.sort((a, b) => b.startedAt - a.startedAt);
    return read;
  }

  async latestMeeting(): Promise<MeetingRead> {
    const { records, skipped } = await this.listMeetings();
    return { meeting: records[0] ?? null, skipped };
  }

  async listSeconds(meetingId: string): Promise<RecordsRead<SecondRecord>> {
    // The primary key starts with meetingId, so this range yields the meeting's records in
    // key order: participantId, then second. Corrupt records still have a valid key.
    const raw: unknown[] = await this.db.getAll('seconds', secondsKeyRange(meetingId));
    return validateAll(secondRecordSchema, raw);
  }

  async deleteMeeting(id: string): Promise<{ seconds: number }> {
    const tx = this.db.transaction(['meetings', 'seconds'], 'readwrite');
    const seconds = tx.objectStore('seconds');
    const range = secondsKeyRange(id);
    const [count] = await Promise.all([
      seconds.count(range),
      seconds.delete(range),
      tx.objectStore('meetings').delete(id),
      tx.done,
    ]);
    return { seconds: count };
  }

  close(): void {
    this.db.close();
  }

  /** Read-modify-write of one meeting record in one transaction. */
  private async updateMeeting(id: string, change: (m: MeetingRecord) => MeetingRecord): Promise<void> {
    const tx = this.db.transaction('meetings', 'readwrite');
    try {
      const raw: unknown = await tx.store.get(id);
      if (raw === undefined) throw new Error(`meeting ${id} not found`);
      const parsed = meetingRecordSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`meeting ${id} is corrupt: ${parsed.error.message}`);
      await tx.store.put(meetingRecordSchema.parse(change(parsed.data)));
      await tx.done;
    } catch (err) {
      // Abort so nothing half-done is committed; ignore the abort's own error (already aborted).
      try {
        tx.abort();
      } catch {
        /* transaction already finished */
      }
      await tx.done.catch(() => undefined);
      throw err;
    }
  }
}

/**
 * Opens (creating or upgrading when needed) the timeline database `name`.
 * The connection closes itself when another context needs to upgrade the database to a
 * newer version, so an upgrade never waits on an open popup.
 * @param name database name; tests pass their own to stay isolated.
 * @throws DOMException when IndexedDB is unavailable or the stored database is newer than this code.
 */
export async function openTimelineStore(name: string = TIMELINE_DB_NAME): Promise<TimelineStore> {
  const db = await openDB<TimelineDb>(name, TIMELINE_DB_VERSION, {
    upgrade(database, oldVersion) {
      // One step per version; version 1 creates the stores.
      if (oldVersion < 1) {
        database.createObjectStore('meetings', { keyPath: 'id' });
        const seconds = database.createObjectStore('seconds', { keyPath: ['meetingId', 'participantId', 'second'] });
        seconds.createIndex('byMeeting', 'meetingId');
      }
    },
    blocking() {
      db.close();
    },
  });
  return new IdbTimelineStore(db);
}
