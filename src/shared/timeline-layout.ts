/**
 * The timeline database's layout (stores and key paths), the numbered migration steps that build
 * it, and the check and repair run on every open (docs/storage.md).
 *
 * Versions: 1 created `meetings` (keyPath `id`) and `seconds` (keyPath
 * `['meetingId', 'participantId', 'second']`, index `byMeeting`); 2 dropped that index; 3 converts
 * `seconds` into `chunks` (keyPath `['meetingId', 'participant', 'start']`, timeline-chunks.ts),
 * creates `pending` (keyPath `['meetingId', 'seq']`, timeline-pending.ts) and deletes `seconds`;
 * 4 adds the per-second signal bytes (attending, speaking, quality, uncertain; all 0 = unknown)
 * to every stored chunk and pending record. A version above 4 is a repair: when an open finds a store missing or with
 * the wrong key path, it reopens at the stored version + 1 and creates (or recreates) that store,
 * so the stored version can be higher than TIMELINE_DB_VERSION.
 */
import { openDB, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { valenceArousal } from './affect.ts';
import { meetingRecordSchema, probabilitiesSchema, SECOND_SCHEMA_VERSION, secondRecordSchema, type MeetingRecord, type SecondRecord } from './timeline-records.ts';
import { chunkRecordSchema, emptyChunk, placeSeconds, SIGNAL_BYTES, writeSecond } from './timeline-chunks.ts';
import { pendingRecordSchema } from './timeline-pending.ts';

/** IndexedDB version this code's layout was introduced at (one migration step per version). */
export const TIMELINE_DB_VERSION = 4;

/** The stores the timeline needs and their key paths. */
export const TIMELINE_LAYOUT = {
  meetings: 'id',
  chunks: ['meetingId', 'participant', 'start'],
  pending: ['meetingId', 'seq'],
} as const satisfies Record<string, string | readonly string[]>;

type StoreName = keyof typeof TIMELINE_LAYOUT;
const STORE_NAMES = Object.keys(TIMELINE_LAYOUT) as StoreName[];
/** Schema a record must pass to be kept when its store is recreated. */
const READABLE = { meetings: meetingRecordSchema, chunks: chunkRecordSchema, pending: pendingRecordSchema };
/** Repairs tried in a row before an open gives up. */
const MAX_REPAIRS = 2;

type AnyDb = IDBPDatabase<unknown>;
type UpgradeTx = IDBPTransaction<unknown, string[], 'versionchange'>;
type Step = (db: AnyDb, tx: UpgradeTx, notes: string[]) => void | Promise<void>;

/** A store of TIMELINE_LAYOUT that is absent or has another key path. */
export interface LayoutProblem {
  store: StoreName;
  kind: 'missing' | 'key path';
}

/**
 * Every key of meeting `meetingId` in a store keyed `[meetingId, ...]`: compound keys are ordered
 * element by element and an array sorts after any string or number, so
 * `[id] <= [id, a, b] <= [id, []]`.
 */
export function meetingKeyRange(meetingId: string): IDBKeyRange {
  return IDBKeyRange.bound([meetingId], [meetingId, []]);
}

function keyPathOptions(store: StoreName): IDBObjectStoreParameters {
  const keyPath = TIMELINE_LAYOUT[store];
  return { keyPath: typeof keyPath === 'string' ? keyPath : [...keyPath] };
}

function findProblems(names: DOMStringList, keyPathOf: (store: StoreName) => string | string[] | null): LayoutProblem[] {
  return STORE_NAMES.flatMap((store): LayoutProblem[] => {
    if (!names.contains(store)) return [{ store, kind: 'missing' }];
    const same = JSON.stringify(keyPathOf(store)) === JSON.stringify(TIMELINE_LAYOUT[store]);
    return same ? [] : [{ store, kind: 'key path' }];
  });
}

/** How the layout of an open connection differs from TIMELINE_LAYOUT; empty when it matches. */
export function layoutProblems(db: AnyDb): LayoutProblem[] {
  const present = STORE_NAMES.filter((store) => db.objectStoreNames.contains(store));
  const tx = present.length ? db.transaction(present) : null;
  return findProblems(db.objectStoreNames, (store) => tx?.objectStore(store).keyPath ?? null);
}

/** Deletes and recreates `store` with its layout's key path, keeping the records that pass its schema. */
async function recreateStore(db: AnyDb, tx: UpgradeTx, store: StoreName): Promise<string> {
  const values: unknown[] = await tx.objectStore(store).getAll();
  db.deleteObjectStore(store);
  const created = db.createObjectStore(store, keyPathOptions(store));
  const readable = values.filter((v) => READABLE[store].safeParse(v).success);
  await Promise.all(readable.map((v) => created.put(v)));
  return `recreated the ${store} store, whose key path was wrong (kept ${readable.length} readable records, dropped ${values.length - readable.length})`;
}

/** The repair pass closing every upgrade: creates missing stores, recreates those with a wrong key path. */
async function repairLayout(db: AnyDb, tx: UpgradeTx, notes: string[]): Promise<void> {
  for (const problem of findProblems(db.objectStoreNames, (store) => tx.objectStore(store).keyPath)) {
    if (problem.kind === 'missing') {
      db.createObjectStore(problem.store, keyPathOptions(problem.store));
      notes.push(`created the missing ${problem.store} store`);
    } else {
      notes.push(await recreateStore(db, tx, problem.store));
    }
  }
}

/**
 * A stored `seconds` record as a current SecondRecord: version 1 had no `gap`; versions 1 and 2
 * had no valence, arousal or signals (valence and arousal are derived from the probabilities,
 * the signals are unknown: null). Null when unreadable.
 */
function upgradeSecondRecord(raw: unknown): SecondRecord | null {
  const value = raw as Record<string, unknown> | null;
  if (typeof value !== 'object' || value === null) return null;
  const isV1 = value.schemaVersion === 1 && !('gap' in value);
  const v2 = isV1 ? { ...value, schemaVersion: 2, gap: value.probabilities === null ? 'no-face' : null } : value;
  let current: unknown = v2;
  if (v2.schemaVersion === 2) {
    const probabilities = probabilitiesSchema.safeParse(v2.probabilities);
    const affect = probabilities.success ? valenceArousal(probabilities.data) : null;
    current = { ...v2, schemaVersion: SECOND_SCHEMA_VERSION, valence: affect?.valence ?? null, arousal: affect?.arousal ?? null, attending: null, speaking: null, speakingSource: null, quality: null, uncertain: null };
  }
  const parsed = secondRecordSchema.safeParse(current);
  return parsed.success ? parsed.data : null;
}

/** Writes meeting's readable `seconds` records as chunks; returns how many were converted. */
async function convertMeeting(tx: UpgradeTx, meeting: MeetingRecord): Promise<number> {
  const raws: unknown[] = await tx.objectStore('seconds').getAll(meetingKeyRange(meeting.id));
  const records = raws.map(upgradeSecondRecord).filter((r) => r !== null);
  const placed = placeSeconds(meeting.participants, records);
  const writes = placed.groups.map((group) => {
    const chunk = emptyChunk(meeting.id, group.participant, group.start);
    for (const record of group.records) writeSecond(chunk, record);
    return tx.objectStore('chunks').put(chunk);
  });
  if (placed.participants !== meeting.participants) {
    writes.push(tx.objectStore('meetings').put({ ...meeting, participants: [...placed.participants] }));
  }
  await Promise.all(writes);
  return records.length;
}

/**
 * Step 3: `seconds` (one record per participant-second) becomes `chunks` (one per
 * participant-minute), and `pending` (the seconds of recent writes, timeline-pending.ts) is created.
 */
async function convertSecondsToChunks(db: AnyDb, tx: UpgradeTx, notes: string[]): Promise<void> {
  for (const store of ['chunks', 'pending'] as const) if (!db.objectStoreNames.contains(store)) db.createObjectStore(store, keyPathOptions(store));
  if (!db.objectStoreNames.contains('seconds')) {
    notes.push('found no seconds store to convert (the version 2 layout was incomplete)');
    return;
  }
  if (!db.objectStoreNames.contains('meetings')) await repairLayout(db, tx, notes);
  const total = await tx.objectStore('seconds').count();
  let converted = 0;
  for (const raw of (await tx.objectStore('meetings').getAll()) as unknown[]) {
    const parsed = meetingRecordSchema.safeParse(raw);
    if (parsed.success) converted += await convertMeeting(tx, parsed.data);
  }
  db.deleteObjectStore('seconds');
  if (converted < total) notes.push(`dropped ${total - converted} unreadable second records while converting them to chunks`);
}

/**
 * A stored chunk or pending record of layout 3 with the signal bytes of layout 4 added: one
 * zero byte per second (unknown) for each of SIGNAL_BYTES, as many as its `gap` array holds.
 * A value that already has them, or that is not an object with a `gap` byte array, is returned
 * unchanged (the readers' validation drops it then). Pure: the value is copied, not changed.
 */
export function addSignalBytes(value: unknown): unknown {
  const record = value as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null || !(record.gap instanceof Uint8Array)) return value;
  if (SIGNAL_BYTES.every((k) => k in record)) return value;
  const n = record.gap.length;
  return { ...record, ...Object.fromEntries(SIGNAL_BYTES.map((k) => [k, new Uint8Array(n)])) };
}

/** Step 4: every stored chunk and pending record gains the signal bytes (see addSignalBytes). */
async function addSignalStores(db: AnyDb, tx: UpgradeTx): Promise<void> {
  for (const store of ['chunks', 'pending'] as const) {
    if (!db.objectStoreNames.contains(store)) continue;
    const os = tx.objectStore(store);
    for (let cursor = await os.openCursor(); cursor; cursor = await cursor.continue()) {
      const upgraded = addSignalBytes(cursor.value);
      if (upgraded !== cursor.value) await cursor.update(upgraded);
    }
  }
}

/** The migration steps; step `version` runs when the stored version is below it. */
const MIGRATIONS: { version: number; run: Step }[] = [
  {
    version: 1,
    run: (db) => {
      db.createObjectStore('meetings', { keyPath: 'id' });
      db.createObjectStore('seconds', { keyPath: ['meetingId', 'participantId', 'second'] });
    },
  },
  {
    // The `byMeeting` index of `seconds` was never read (a meeting is a key range) and cost every write.
    version: 2,
    run: (db, tx) => {
      if (!db.objectStoreNames.contains('seconds')) return;
      const seconds = tx.objectStore('seconds');
      if (seconds.indexNames.contains('byMeeting')) seconds.deleteIndex('byMeeting');
    },
  },
  { version: 3, run: convertSecondsToChunks },
  { version: 4, run: addSignalStores },
];

/** Runs the steps above `oldVersion`, then the repair pass; a failure aborts the upgrade and is kept. */
function upgrade(notes: string[], failure: { error?: Error }) {
  return (db: AnyDb, oldVersion: number, _newVersion: number | null, tx: UpgradeTx): void => {
    const run = async () => {
      for (const step of MIGRATIONS) if (oldVersion < step.version) await step.run(db, tx, notes);
      await repairLayout(db, tx, notes);
    };
    run().catch((err: unknown) => {
      failure.error = err instanceof Error ? err : new Error(String(err));
      try {
        tx.abort();
      } catch {
        /* already finished */
      }
    });
  };
}

/** Another context wants a newer version: close, so its upgrade never waits on us. */
function closeOnBlocking(_current: number, _blocked: number | null, event: IDBVersionChangeEvent): void {
  (event.target as IDBDatabase).close();
}

/**
 * Opens `name` at `version`, upgrading when it is older; when it is newer (repaired earlier, or
 * written by a newer CallMood) opens it at its own version.
 */
async function openAtLeast(name: string, version: number, notes: string[]): Promise<AnyDb> {
  const failure: { error?: Error } = {};
  try {
    return await openDB(name, version, { upgrade: upgrade(notes, failure), blocking: closeOnBlocking });
  } catch (err) {
    if (failure.error !== undefined) throw failure.error;
    if (!(err instanceof Error) || err.name !== 'VersionError') throw err;
    return openDB(name, undefined, { blocking: closeOnBlocking });
  }
}

/** An open timeline database with a checked layout, and the repairs opening it needed. */
export interface OpenedTimelineDb {
  db: AnyDb;
  /** What was repaired, in words (e.g. "created the missing chunks store"); empty when nothing. */
  repairs: string[];
}

/**
 * Opens (creating, upgrading or repairing when needed) the timeline database `name` and checks
 * its layout. Unreadable records met while migrating or repairing are dropped and counted in
 * `repairs`, never thrown.
 * @throws DOMException when IndexedDB is unavailable or refuses the open (e.g. the disk is full);
 *         Error when the layout is still wrong after repairing it.
 */
export async function openTimelineDb(name: string): Promise<OpenedTimelineDb> {
  const repairs: string[] = [];
  let db = await openAtLeast(name, TIMELINE_DB_VERSION, repairs);
  for (let attempt = 0; layoutProblems(db).length; attempt++) {
    db.close();
    if (attempt === MAX_REPAIRS) throw new Error('the database layout is damaged and could not be repaired');
    db = await openAtLeast(name, db.version + 1, repairs);
  }
  return { db, repairs };
}
