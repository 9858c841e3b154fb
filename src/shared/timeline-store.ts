/**
 * The timeline store: per-second emotion probabilities per participant, kept in this
 * browser's IndexedDB for the extension's origin: versioned storage, validation of every
 * record (timeline-records.ts) on every read and write.
 *
 * Written by the analysis run while a meeting is analysed; read, exported and deleted by the
 * popup. Both are pages of the same extension origin, so they open the same database.
 *
 * Database `callmood`, IndexedDB version 3 (higher after a repair, timeline-layout.ts):
 * - `meetings`, keyPath `id`: one MeetingRecord per meeting;
 * - `chunks`, keyPath `['meetingId', 'participant', 'start']`: one ChunkRecord per participant
 *   (its index in the meeting's `participants`) per minute, 10 bytes a second (timeline-chunks.ts);
 * - `pending`, keyPath `['meetingId', 'seq']`: one PendingRecord per addSeconds call, all its
 *   participant-seconds in the same bytes, folded into chunks when a new minute starts and when
 *   the meeting ends (timeline-pending.ts). SecondRecords exist only in memory.
 * Why: one stored object per participant-second measured about 404 bytes each in Chromium
 * (property names, strings and the key repeated every second). A chunk serialises to about 13
 * bytes a second (V8's serializer, the one Chromium uses), and pending records keep per-second
 * writes from rewriting whole chunks into the browser's write-ahead log (docs/storage.md).
 */
import type { IDBPDatabase } from 'idb';
import * as z from 'zod/mini';
import { meetingParticipantSchema, meetingRecordSchema, secondRecordSchema, type MeetingParticipant, type MeetingRecord, type SecondRecord } from './timeline-records.ts';
import { chunkStart, decodeSecond } from './timeline-chunks.ts';
import { storedSecondsOf } from './timeline-pending.ts';
import { meetingKeyRange, openTimelineDb } from './timeline-layout.ts';
import { describingStorageErrors } from './timeline-errors.ts';
import { foldMeeting, lastSecondIn, parseMeetings, readMeeting, settle, writeMeetingSeconds, type Stores, type TimelineDb, type Tx } from './timeline-tx.ts';
import { compareSeconds, groupByMeeting, mergeParticipants, recordBytes } from './timeline-records-util.ts';

export type { MeetingParticipant, MeetingRecord, SecondRecord } from './timeline-records.ts';
export { TIMELINE_DB_VERSION } from './timeline-layout.ts';

/** Default database name. */
export const TIMELINE_DB_NAME = 'callmood';
/** How far (ms) a meeting's start may lie after `now` and still be the latest meeting. */
export const FUTURE_START_TOLERANCE_MS = 60_000;

/** Result of reading one meeting: the record (null when absent or corrupt) and how many corrupt records were skipped. */
export interface MeetingRead {
  meeting: MeetingRecord | null;
  /** Number of stored records that failed validation and were left out. */
  skipped: number;
}

/** Result of reading many records: the valid ones and how many corrupt records were skipped. */
export interface RecordsRead<T> {
  records: T[];
  /** Number of stored records (for seconds: participant-seconds) that failed validation and were left out. */
  skipped: number;
}

/**
 * An open handle on the timeline database. Times are milliseconds since the epoch; seconds are
 * whole seconds since the meeting's `startedAt`. Every method rejects on a storage failure with an
 * Error whose message a user can read ("the browser's storage for CallMood is full", "the database
 * layout is damaged ...") and the IndexedDB DOMException as `cause` (timeline-errors.ts).
 */
export interface TimelineStore {
  /** What opening the database repaired, in words (e.g. "created the missing chunks store"); empty when nothing. */
  readonly repairs: readonly string[];
  /**
   * Creates or replaces a meeting record.
   * @throws zod `$ZodError` (listing the issues) when `meeting` does not match `meetingRecordSchema` (nothing is written).
   */
  putMeeting(meeting: MeetingRecord): Promise<void>;
  /**
   * Creates meeting `meeting.id` as given when it is absent (or its stored record is corrupt);
   * when it exists (a resumed meeting) keeps its stored record, participants and startedAt
   * included, and only sets `endedAt` to null. One transaction.
   * @throws zod `$ZodError` when `meeting` does not match `meetingRecordSchema` (nothing is written).
   */
  ensureMeeting(meeting: MeetingRecord): Promise<void>;
  /**
   * Sets `endedAt` (ms since the epoch) of meeting `id`.
   * @throws Error when the meeting does not exist or its stored record is corrupt;
   *         zod `$ZodError` (listing the issues) when `endedAt` is before `startedAt`.
   */
  endMeeting(id: string, endedAt: number): Promise<void>;
  /**
   * Ends every meeting whose `endedAt` is null, except `exceptId` (null: none excepted), at
   * `startedAt + (its last recorded second + 1) * 1000` ms, clamped to [startedAt, max(startedAt, now)]
   * (`now` in ms since the epoch). Corrupt meeting records are left alone. One transaction.
   * @returns the ids of the meetings ended.
   */
  endOpenMeetings(exceptId: string | null, now: number): Promise<string[]>;
  /**
   * Merges `participants` into meeting `meetingId` by id: new ids are appended, known ids
   * get the given name and isSelf (a rename keeps the participant's id, so it never splits).
   * Read and write happen in one transaction.
   * @throws Error when the meeting does not exist or its stored record is corrupt;
   *         zod `$ZodError` (listing the issues) when a participant is invalid.
   */
  upsertParticipants(meetingId: string, participants: MeetingParticipant[]): Promise<void>;
  /**
   * Stores second records in one transaction over meetings and chunks (all or none); a record
   * with the same (meetingId, participantId, second) replaces the stored one, and of two in
   * `records` the later wins. Participant ids unknown to their meeting are appended to its
   * participants (name from the record, isSelf false). Stored precision: probabilities and
   * faceSeconds within 1/255, samples capped at 255 (timeline-chunks.ts).
   * @throws zod `$ZodError` (listing the issues) when any record does not match `secondRecordSchema`;
   *         Error when a record's meeting does not exist or is corrupt (nothing is written either way).
   */
  addSeconds(records: SecondRecord[]): Promise<void>;
  /** Reads meeting `id`; `meeting` is null when it is absent or corrupt (then `skipped` is 1). */
  getMeeting(id: string): Promise<MeetingRead>;
  /** All valid meetings, newest `startedAt` first, and the number of corrupt meeting records. */
  listMeetings(): Promise<RecordsRead<MeetingRecord>>;
  /**
   * The valid meeting with the highest `startedAt` (null when none) and the number of corrupt
   * meeting records. A meeting starting more than FUTURE_START_TOLERANCE_MS (60 s) after `now`
   * (ms since the epoch, default the current time) is never returned: future-dated junk or a
   * meeting recorded before the clock was set back.
   */
  latestMeeting(now?: number): Promise<MeetingRead>;
  /**
   * Valid second records of meeting `meetingId`, sorted by participantId then second, named by
   * the meeting's current participant names, and the number of seconds skipped: a second whose
   * bytes are invalid counts 1, an unreadable chunk its written seconds (1 when unknowable);
   * when the meeting record is absent or corrupt every stored second is skipped.
   * @param fromSecond only the seconds from this one on (whole seconds since the meeting's
   *        start); only the chunks that can hold them are read, and only those are counted.
   */
  listSeconds(meetingId: string, fromSecond?: number): Promise<RecordsRead<SecondRecord>>;
  /** The highest recorded second of meeting `meetingId` (whole seconds since its start); -1 when none. */
  lastSecond(meetingId: string): Promise<number>;
  /**
   * Deletes meeting `id` and all its seconds (valid or corrupt) in one transaction.
   * Returns how many seconds were deleted (an unreadable chunk counts as described for
   * listSeconds); deleting an absent meeting is not an error.
   */
  deleteMeeting(id: string): Promise<{ seconds: number }>;
  /**
   * Deletes every stored meeting and second in one transaction.
   * @returns how many meetings and seconds were deleted.
   */
  deleteAllMeetings(): Promise<{ meetings: number; seconds: number }>;
  /**
   * Excludes participant `participantId` from meeting `meetingId` in one transaction: deletes all
   * their seconds, blanks their name and marks them `excluded`, so later `addSeconds` calls drop
   * their seconds. Excluding twice is not an error.
   * @returns how many of their seconds were deleted.
   * @throws Error when the meeting is absent or corrupt, or the participant is not in it.
   */
  excludeParticipant(meetingId: string, participantId: string): Promise<{ seconds: number }>;
  /**
   * Bytes each meeting's records take, keyed by meeting id: the typed arrays of its chunks and
   * pending records plus its meeting record as JSON (an estimate of what IndexedDB stores; the
   * browser adds its own overhead, see `navigator.storage.estimate()`).
   */
  meetingBytes(): Promise<Map<string, number>>;
  /** Closes the connection; the store must not be used afterwards. */
  close(): void;
}

class IdbTimelineStore implements TimelineStore {
  constructor(
    private readonly db: IDBPDatabase<TimelineDb>,
    readonly repairs: readonly string[],
  ) {}

  async putMeeting(meeting: MeetingRecord): Promise<void> {
    const valid = meetingRecordSchema.parse(meeting);
    await describingStorageErrors(() => this.db.put('meetings', valid));
  }

  async ensureMeeting(meeting: MeetingRecord): Promise<void> {
    const valid = meetingRecordSchema.parse(meeting);
    await this.transact(['meetings'], async (tx) => {
      const stored = meetingRecordSchema.safeParse(await tx.objectStore('meetings').get(valid.id));
      await tx.objectStore('meetings').put(stored.success ? { ...stored.data, endedAt: null } : valid);
    });
  }

  async endMeeting(id: string, endedAt: number): Promise<void> {
    await this.transact(['meetings', 'chunks', 'pending'], async (tx) => {
      const meetings = tx.objectStore('meetings');
      const ended = meetingRecordSchema.parse({ ...(await readMeeting(meetings, id)), endedAt });
      await foldMeeting(tx, id);
      await meetings.put(ended);
    });
  }

  endOpenMeetings(exceptId: string | null, now: number): Promise<string[]> {
    return this.transact(['meetings', 'chunks', 'pending'], async (tx) => {
      const { records } = parseMeetings(await tx.objectStore('meetings').getAll());
      const open = records.filter((m) => m.endedAt === null && m.id !== exceptId);
      for (const m of open) {
        const last = await lastSecondIn(tx.objectStore('chunks'), tx.objectStore('pending'), m.id);
        await foldMeeting(tx, m.id);
        const endedAt = Math.min(m.startedAt + (last + 1) * 1000, Math.max(m.startedAt, now));
        await tx.objectStore('meetings').put({ ...m, endedAt });
      }
      return open.map((m) => m.id);
    });
  }

  async upsertParticipants(meetingId: string, participants: MeetingParticipant[]): Promise<void> {
    const incoming = z.array(meetingParticipantSchema).parse(participants);
    await this.updateMeeting(meetingId, (m) => ({ ...m, participants: mergeParticipants(m.participants, incoming) }));
  }

  async addSeconds(records: SecondRecord[]): Promise<void> {
    const valid = records.map((r) => secondRecordSchema.parse(r));
    if (valid.length === 0) return;
    const byMeeting = new Map<string, SecondRecord[]>();
    for (const r of valid) {
      const list = byMeeting.get(r.meetingId);
      if (list) list.push(r);
      else byMeeting.set(r.meetingId, [r]);
    }
    await this.transact(['meetings', 'chunks', 'pending'], async (tx) => {
      for (const [meetingId, inMeeting] of byMeeting) await writeMeetingSeconds(tx, meetingId, inMeeting);
    });
  }

  getMeeting(id: string): Promise<MeetingRead> {
    return describingStorageErrors(async () => {
      const raw: unknown = await this.db.get('meetings', id);
      if (raw === undefined) return { meeting: null, skipped: 0 };
      const parsed = meetingRecordSchema.safeParse(raw);
      return parsed.success ? { meeting: parsed.data, skipped: 0 } : { meeting: null, skipped: 1 };
    });
  }

  listMeetings(): Promise<RecordsRead<MeetingRecord>> {
    return describingStorageErrors(async () => {
      const read = parseMeetings(await this.db.getAll('meetings'));
      read.records.sort((a, b) => b.startedAt - a.startedAt);
      return read;
    });
  }

  async latestMeeting(now: number = Date.now()): Promise<MeetingRead> {
    const { records, skipped } = await this.listMeetings();
    return { meeting: records.find((m) => m.startedAt <= now + FUTURE_START_TOLERANCE_MS) ?? null, skipped };
  }

  listSeconds(meetingId: string, fromSecond = 0): Promise<RecordsRead<SecondRecord>> {
    return describingStorageErrors(async () => {
      const { meeting, stored } = await this.readStored(meetingId, fromSecond);
      const records: SecondRecord[] = [];
      let read = 0;
      for (const { source, i, participant, second } of stored.seconds.values()) {
        if (second < fromSecond) continue;
        read++;
        const record = meeting && decodeSecond(source, i, meetingId, second, meeting.participants[participant]);
        if (record) records.push(record);
      }
      return { records: records.sort(compareSeconds), skipped: stored.unreadable + read - records.length };
    });
  }

  lastSecond(meetingId: string): Promise<number> {
    return describingStorageErrors(() => {
      const tx = this.db.transaction(['chunks', 'pending']);
      return lastSecondIn(tx.objectStore('chunks'), tx.objectStore('pending'), meetingId);
    });
  }

  deleteMeeting(id: string): Promise<{ seconds: number }> {
    return this.transact(['meetings', 'chunks', 'pending'], async (tx) => {
      const range = meetingKeyRange(id);
      const [chunks, pending] = (await Promise.all([tx.objectStore('chunks').getAll(range), tx.objectStore('pending').getAll(range)])) as [unknown[], unknown[]];
      const stored = storedSecondsOf(chunks, pending);
      await Promise.all([tx.objectStore('chunks').delete(range), tx.objectStore('pending').delete(range), tx.objectStore('meetings').delete(id)]);
      return { seconds: stored.seconds.size + stored.unreadable };
    });
  }

  deleteAllMeetings(): Promise<{ meetings: number; seconds: number }> {
    return this.transact(['meetings', 'chunks', 'pending'], async (tx) => {
      const [meetings, chunks, pending] = (await Promise.all([tx.objectStore('meetings').count(), tx.objectStore('chunks').getAll(), tx.objectStore('pending').getAll()])) as [number, unknown[], unknown[]];
      const seconds = [...groupByMeeting(chunks, pending).values()].reduce((sum, [c, p]) => {
        const stored = storedSecondsOf(c, p);
        return sum + stored.seconds.size + stored.unreadable;
      }, 0);
      await Promise.all([tx.objectStore('meetings').clear(), tx.objectStore('chunks').clear(), tx.objectStore('pending').clear()]);
      return { meetings, seconds };
    });
  }

  excludeParticipant(meetingId: string, participantId: string): Promise<{ seconds: number }> {
    return this.transact(['meetings', 'chunks', 'pending'], async (tx) => {
      const meetings = tx.objectStore('meetings');
      const meeting = await readMeeting(meetings, meetingId);
      const index = meeting.participants.findIndex((p) => p.id === participantId);
      if (index < 0) throw new Error(`participant ${participantId} is not in meeting ${meetingId}`);
      await foldMeeting(tx, meetingId);
      const range = IDBKeyRange.bound([meetingId, index], [meetingId, index, []]);
      const stored = storedSecondsOf((await tx.objectStore('chunks').getAll(range)), []);
      await tx.objectStore('chunks').delete(range);
      const participants = meeting.participants.map((p, i) => (i === index ? { id: p.id, name: '', isSelf: p.isSelf, excluded: true as const } : p));
      await meetings.put(meetingRecordSchema.parse({ ...meeting, participants }));
      return { seconds: stored.seconds.size + stored.unreadable };
    });
  }

  meetingBytes(): Promise<Map<string, number>> {
    return describingStorageErrors(async () => {
      const tx = this.db.transaction(['meetings', 'chunks', 'pending']);
      const bytes = new Map<string, number>();
      const add = (id: unknown, n: number) => {
        if (typeof id === 'string') bytes.set(id, (bytes.get(id) ?? 0) + n);
      };
      for (const m of (await tx.objectStore('meetings').getAll()) as unknown[]) add((m as { id?: unknown })?.id, JSON.stringify(m).length);
      for (const name of ['chunks', 'pending'] as const) {
        for (const r of (await tx.objectStore(name).getAll()) as unknown[]) add((r as { meetingId?: unknown })?.meetingId, recordBytes(r));
      }
      return bytes;
    });
  }

  close(): void {
    this.db.close();
  }

  /** Runs `body` in one read-write transaction over `stores`; storage failures become readable Errors. */
  private transact<T>(stores: Stores, body: (tx: Tx) => Promise<T>): Promise<T> {
    return describingStorageErrors(() => {
      const tx = this.db.transaction(stores, 'readwrite');
      return settle(tx, () => body(tx));
    });
  }

  /**
   * Meeting `meetingId` (null when absent or corrupt) and its stored seconds, read in one
   * transaction; from `fromSecond` > 0 on, only each participant's chunks from the one holding
   * that second (the pending records, at most a minute or two, are read whole).
   */
  private async readStored(meetingId: string, fromSecond = 0) {
    const tx = this.db.transaction(['meetings', 'chunks', 'pending']);
    const range = meetingKeyRange(meetingId);
    const chunkStore = tx.objectStore('chunks');
    const meetingRead = tx
      .objectStore('meetings')
      .get(meetingId)
      .then((raw: unknown) => {
        const parsed = meetingRecordSchema.safeParse(raw);
        return parsed.success ? parsed.data : null;
      });
    const start = chunkStart(Math.max(0, fromSecond));
    const chunksRead: Promise<unknown[]> =
      start === 0
        ? chunkStore.getAll(range)
        : meetingRead.then(async (m) =>
            m ? (await Promise.all(m.participants.map((_, i) => chunkStore.getAll(IDBKeyRange.bound([meetingId, i, start], [meetingId, i, Infinity]))))).flat() : chunkStore.getAll(range),
          );
    const [meeting, chunks, pending] = await Promise.all([meetingRead, chunksRead, tx.objectStore('pending').getAll(range) as Promise<unknown[]>]);
    return { meeting, stored: storedSecondsOf(chunks, pending) };
  }

  /** Read-modify-write of one meeting record in one transaction. */
  private updateMeeting(id: string, change: (m: MeetingRecord) => MeetingRecord): Promise<void> {
    return this.transact(['meetings'], async (tx) => {
      const meetings = tx.objectStore('meetings');
      await meetings.put(meetingRecordSchema.parse(change(await readMeeting(meetings, id))));
    });
  }
}

/**
 * Opens (creating, upgrading or repairing when needed: timeline-layout.ts) the timeline
 * database `name`; `repairs` on the result says what was repaired.
 * The connection closes itself when another context needs to upgrade the database to a
 * newer version, so an upgrade never waits on an open popup.
 * @param name database name; tests pass their own to stay isolated.
 * @throws Error (readable message, the DOMException as `cause`) when IndexedDB is unavailable
 *         or refuses the open, or the layout cannot be repaired.
 */
export async function openTimelineStore(name: string = TIMELINE_DB_NAME): Promise<TimelineStore> {
  const { db, repairs } = await describingStorageErrors(() => openTimelineDb(name));
  return new IdbTimelineStore(db as unknown as IDBPDatabase<TimelineDb>, repairs);
}

/**
 * Opens the timeline store, runs `action` and closes the store again (also when `action` rejects).
 * @throws what `openTimelineStore` or `action` throws.
 */
export async function withTimelineStore<T>(action: (store: TimelineStore) => Promise<T>): Promise<T> {
  const store = await openTimelineStore();
  try {
    return await action(store);
  } finally {
    store.close();
  }
}
