/**
 * The timeline store's steps that run inside one IndexedDB transaction: its idb typing, commit
 * or abort, reading a meeting, finding a meeting's last second, writing seconds into chunks.
 * Used by timeline-store.ts only.
 */
import type { DBSchema, IDBPObjectStore, IDBPTransaction, StoreNames } from 'idb';
import { meetingRecordSchema, type MeetingRecord, type SecondRecord } from './timeline-records.ts';
import { chunkStart, lastWrittenSecond, parseChunk, placeSeconds, type ChunkRecord } from './timeline-chunks.ts';
import { encodePending, foldPending, parsePending, touchedChunks, type PendingRecord } from './timeline-pending.ts';
import { meetingKeyRange } from './timeline-layout.ts';

/** idb typing of the database. Values are typed as written; reads are validated anyway. */
export interface TimelineDb extends DBSchema {
  meetings: { key: string; value: MeetingRecord };
  chunks: { key: [string, number, number]; value: ChunkRecord };
  pending: { key: [string, number]; value: PendingRecord };
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
/** The read of pending records lastSecondIn needs. */
export interface PendingReader {
  getAll(range: IDBKeyRange): Promise<PendingRecord[]>;
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

/** The highest second of meeting `meetingId` in its chunks (only the latest are read), -1 when none. */
async function lastChunkSecond(chunks: ChunkReader, meetingId: string): Promise<number> {
  const keys = await chunks.getAllKeys(meetingKeyRange(meetingId));
  const starts = [...new Set(keys.map((k) => k[2]))].sort((a, b) => b - a);
  for (const start of starts) {
    const raws: unknown[] = await Promise.all(keys.filter((k) => k[2] === start).map((k) => chunks.get(k)));
    const last = Math.max(-1, ...raws.map(parseChunk).map((chunk) => (chunk ? lastWrittenSecond(chunk) : -1)));
    if (last >= 0) return last;
  }
  return -1;
}

/** The highest written second of meeting `meetingId`, in its chunks or pending records; -1 when none. */
export async function lastSecondIn(chunks: ChunkReader, pending: PendingReader, meetingId: string): Promise<number> {
  const pendings = ((await pending.getAll(meetingKeyRange(meetingId))) as unknown[]).map(parsePending);
  const lastPending = Math.max(-1, ...pendings.map((p) => (p ? Math.max(...p.second) : -1)));
  return Math.max(lastPending, await lastChunkSecond(chunks, meetingId));
}

/**
 * Folds the pending records of meeting `meetingId` with `seq` below `beforeSeq` into its chunks
 * (read-modify-write of the chunks they touch) and deletes them; unreadable ones are dropped.
 */
export async function foldMeeting(tx: Tx, meetingId: string, beforeSeq = Infinity): Promise<void> {
  const range = IDBKeyRange.bound([meetingId], [meetingId, beforeSeq], false, true);
  const pendings = ((await tx.objectStore('pending').getAll(range)) as unknown[]).map(parsePending).filter((p) => p !== null);
  const chunks = tx.objectStore('chunks');
  const stored = await Promise.all(
    [...touchedChunks(pendings)].map(async ([key, [participant, start]]) => [key, await chunks.get([meetingId, participant, start])] as const),
  );
  const folded = foldPending(meetingId, pendings, new Map(stored));
  await Promise.all([...folded.map((chunk) => chunks.put(chunk)), tx.objectStore('pending').delete(range)]);
}

/**
 * Writes one meeting's seconds as one pending record (unknown participants appended to the
 * meeting first). When they reach a minute after the one the oldest pending record started in,
 * the earlier pending records are folded into chunks, so each chunk is written about once.
 */
export async function writeMeetingSeconds(tx: Tx, meetingId: string, records: SecondRecord[]): Promise<void> {
  const meetings = tx.objectStore('meetings');
  const pending = tx.objectStore('pending');
  const meeting = await readMeeting(meetings, meetingId);
  const excluded = new Set(meeting.participants.filter((p) => p.excluded).map((p) => p.id));
  if (excluded.size) records = records.filter((r) => !excluded.has(r.participantId));
  if (!records.length) return;
  const placed = placeSeconds(meeting.participants, records);
  if (placed.participants !== meeting.participants) await meetings.put({ ...meeting, participants: [...placed.participants] });
  const keys = await pending.getAllKeys(meetingKeyRange(meetingId));
  const seq = keys.length ? keys[keys.length - 1]![1] + 1 : 0;
  const entries = placed.groups.flatMap((g) => g.records.map((record) => ({ participant: g.participant, record })));
  await pending.put(encodePending(meetingId, seq, entries));
  if (!keys.length) return;
  const oldest = parsePending(await pending.get(keys[0]!));
  const newest = Math.max(...records.map((r) => r.second));
  if (!oldest || chunkStart(newest) > chunkStart(Math.min(...oldest.second))) await foldMeeting(tx, meetingId, seq);
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
