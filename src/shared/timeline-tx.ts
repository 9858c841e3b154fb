/**
 * The timeline store's steps that run inside one IndexedDB transaction: its idb typing, commit
 * or abort, reading a meeting, finding a meeting's last second, writing seconds into chunks.
 * Used by timeline-store.ts only.
 */
import type { DBSchema, IDBPObjectStore, IDBPTransaction, StoreNames } from 'idb';
import { meetingRecordSchema, type MeetingRecord, type SecondRecord } from './timeline-records.ts';
import { emptyChunk, lastWrittenSecond, parseChunk, placeSeconds, writeSecond, type ChunkRecord } from './timeline-chunks.ts';
import { meetingKeyRange } from './timeline-layout.ts';

/** idb typing of the database. Values are typed as written; reads are validated anyway. */
export interface TimelineDb extends DBSchema {
  meetings: { key: string; value: MeetingRecord };
  chunks: { key: [string, number, number]; value: ChunkRecord };
}

export type Stores = StoreNames<TimelineDb>[];
export type Tx = IDBPTransaction<TimelineDb, Stores, 'readwrite'>;
export type Store<N extends StoreNames<TimelineDb>> = IDBPObjectStore<TimelineDb, Stores, N, 'readwrite'>;
export type ChunkKey = TimelineDb['chunks']['key'];
/** The reads lastSecondIn needs, in a read-only or a read-write transaction. */
export interface ChunkReader {
  getAllKeys(range: IDBKeyRange): Promise<ChunkKey[]>;
  get(key: ChunkKey): Promise<ChunkRecord | undefined>;
}

/** Runs `body` in `tx` and waits for the commit; on any error aborts, so nothing half-done is committed. */
export async function settle<T>(tx: Tx, body: () => Promise<T>): Promise<T> {
  try {
    const result = await body();
    await tx.done;
    return result;
  } catch (err) {
    try {
      tx.abort();
    } catch {
      /* transaction already finished */
    }
    await tx.done.catch(() => undefined);
    throw err;
  }
}

/** The valid stored record of meeting `id`. @throws Error when absent or corrupt. */
export async function readMeeting(meetings: Store<'meetings'>, id: string): Promise<MeetingRecord> {
  const raw: unknown = await meetings.get(id);
  if (raw === undefined) throw new Error(`meeting ${id} not found`);
  const parsed = meetingRecordSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`meeting ${id} is corrupt: ${parsed.error.message}`);
  return parsed.data;
}

/** The highest written second of meeting `meetingId` in `chunks`, -1 when none: only the latest chunks are read. */
export async function lastSecondIn(chunks: ChunkReader, meetingId: string): Promise<number> {
  const keys = await chunks.getAllKeys(meetingKeyRange(meetingId));
  const starts = [...new Set(keys.map((k) => k[2]))].sort((a, b) => b - a);
  for (const start of starts) {
    const raws: unknown[] = await Promise.all(keys.filter((k) => k[2] === start).map((k) => chunks.get(k)));
    const last = Math.max(-1, ...raws.map(parseChunk).map((chunk) => (chunk ? lastWrittenSecond(chunk) : -1)));
    if (last >= 0) return last;
  }
  return -1;
}

/** Writes one meeting's seconds: read-modify-write of the chunks they touch. */
export async function writeMeetingSeconds(tx: Tx, meetingId: string, records: SecondRecord[]): Promise<void> {
  const meetings = tx.objectStore('meetings');
  const chunks = tx.objectStore('chunks');
  const meeting = await readMeeting(meetings, meetingId);
  const placed = placeSeconds(meeting.participants, records);
  const writes = placed.groups.map(async ({ participant, start, records: inChunk }) => {
    // An unreadable stored chunk is replaced: its seconds were skipped by every read anyway.
    const chunk = parseChunk(await chunks.get([meetingId, participant, start])) ?? emptyChunk(meetingId, participant, start);
    for (const record of inChunk) writeSecond(chunk, record);
    await chunks.put(chunk);
  });
  if (placed.participants !== meeting.participants) writes.push(meetings.put({ ...meeting, participants: [...placed.participants] }).then(() => undefined));
  await Promise.all(writes);
}

/** The meeting records among stored values, and how many failed validation. */
export function parseMeetings(raws: unknown[]): { records: MeetingRecord[]; skipped: number } {
  const records: MeetingRecord[] = [];
  for (const raw of raws) {
    const parsed = meetingRecordSchema.safeParse(raw);
    if (parsed.success) records.push(parsed.data);
  }
  return { records, skipped: raws.length - records.length };
}
