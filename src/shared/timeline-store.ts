/**
 * The timeline store: per-second emotion probabilities per participant, kept in this
 * browser's IndexedDB for the extension's origin: versioned storage, validation of every
 * record (timeline-records.ts) on every read and write.
 *
 * Written by the analysis run while a meeting is analysed; read, exported and deleted by the
 * popup. Both are pages of the same extension origin, so they open the same database.
 *
 * Database `callmood`, IndexedDB version 2:
 * - object store `meetings`, keyPath `id`;
 * - object store `seconds`, keyPath `['meetingId', 'participantId', 'second']` (no index: a
 *   meeting's seconds are one key range).
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import * as z from 'zod/mini';
import { meetingParticipantSchema, meetingRecordSchema, secondRecordSchema, type MeetingParticipant, type MeetingRecord, type SecondRecord } from './timeline-records.ts';

export type { MeetingParticipant, MeetingRecord, SecondRecord } from './timeline-records.ts';

/** Default database name. */
export const TIMELINE_DB_NAME = 'callmood';
/** IndexedDB version of the database (bump it with one migration step per version). */
export const TIMELINE_DB_VERSION = 2;

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
    upgrade(database, oldVersion, _newVersion, transaction) {
      // One step per version. Version 1 creates the stores. Version 2 drops the `byMeeting`
      // index of `seconds`, which nothing reads (a meeting's seconds are a key range of the
      // primary key, see secondsKeyRange) and every write kept up to date.
      if (oldVersion < 1) {
        database.createObjectStore('meetings', { keyPath: 'id' });
        database.createObjectStore('seconds', { keyPath: ['meetingId', 'participantId', 'second'] });
      }
      if (oldVersion < 2) {
        const seconds = transaction.objectStore('seconds');
        if (seconds.indexNames.contains('byMeeting' as never)) seconds.deleteIndex('byMeeting');
      }
    },
    blocking() {
      db.close();
    },
  });
  return new IdbTimelineStore(db);
}
