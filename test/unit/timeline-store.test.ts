/**
 * Proves the timeline store on an in-memory IndexedDB (fake-indexeddb): seconds round-trip
 * through the chunk layout sorted by participant then second and named by the meeting, unknown
 * participants are appended, a rename keeps one participant, deleting a meeting removes exactly
 * its seconds and counts them, unreadable stored records are skipped and counted instead of
 * crashing reads, the latest meeting is the one started last (never one dated in the future),
 * resumed and abandoned meetings are handled, writes refuse anything outside the schema, and
 * opening migrates version-1 and version-2 databases and repairs a damaged layout.
 */
import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDB } from 'idb';
import { openTimelineStore } from '../../src/shared/timeline-store.ts';
import type { MeetingRecord, SecondRecord, TimelineStore } from '../../src/shared/timeline-store.ts';
import { emptyChunk, SIGNAL_BYTES, writeSecond } from '../../src/shared/timeline-chunks.ts';
import { encodePending } from '../../src/shared/timeline-pending.ts';
import { TIMELINE_DB_VERSION } from '../../src/shared/timeline-layout.ts';
import { makeSecondRecord } from '../../src/shared/timeline-records.ts';
import type { Probabilities } from '../../src/shared/emotions.ts';

/**
 * Probabilities that are multiples of 1/255, so the byte encoding stores them exactly and
 * round-trips can be compared with deepEqual (timeline-chunks.test.ts proves the precision of
 * arbitrary ones).
 */
const P: Probabilities = { angry: 13 / 255, disgust: 0, fear: 0, happy: 178 / 255, sad: 13 / 255, surprise: 13 / 255, neutral: 38 / 255 };

let dbCounter = 0;
/** A fresh, isolated database name per test. */
function freshName(): string {
  return `callmood-test-${++dbCounter}-${Date.now()}`;
}

/** A fresh, isolated database per test. */
async function freshStore(): Promise<{ store: TimelineStore; name: string }> {
  const name = freshName();
  return { store: await openTimelineStore(name), name };
}

function meeting(id: string, startedAt: number, participants: MeetingRecord['participants'] = []): MeetingRecord {
  return { schemaVersion: 1, id, site: 'meet.google.com', adapter: 'meet', startedAt, endedAt: null, participants };
}

/** A second record; its name is the one the meeting will hold (`name of <id>` unless given). */
function second(meetingId: string, participantId: string, s: number, face = true, name = `name of ${participantId}`): SecondRecord {
  return makeSecondRecord({
    meetingId,
    participantId,
    name,
    second: s,
    probabilities: face ? P : null,
    dominant: face ? 'happy' : null,
    faceSeconds: face ? 0.8 : 0,
    samples: 5,
    gap: face ? null : 'no-face',
  });
}

/** Stores and key paths of database `name`, and its version. */
async function layoutOf(name: string): Promise<{ version: number; stores: Record<string, unknown> }> {
  const raw = await openDB(name);
  try {
    const names = [...raw.objectStoreNames];
    const tx = names.length ? raw.transaction(names) : null;
    return { version: raw.version, stores: Object.fromEntries(names.map((n) => [n, tx!.objectStore(n).keyPath])) };
  } finally {
    raw.close();
  }
}

const CURRENT_LAYOUT = { chunks: ['meetingId', 'participant', 'start'], meetings: 'id', pending: ['meetingId', 'seq'] };

test('a meeting and its seconds round-trip unchanged, seconds sorted by participant then second', async () => {
  const { store } = await freshStore();
  try {
    const m = meeting('m1', 1_700_000_000_000, [
      { id: 'b', name: 'Bea', isSelf: false },
      { id: 'a', name: 'Al', isSelf: true },
    ]);
    await store.putMeeting(m);
    const written = [second('m1', 'b', 1, true, 'Bea'), second('m1', 'a', 70, true, 'Al'), second('m1', 'b', 0, false, 'Bea'), second('m1', 'a', 2, true, 'Al')];
    await store.addSeconds(written);

    assert.deepEqual(await store.getMeeting('m1'), { meeting: m, skipped: 0 });
    const read = await store.listSeconds('m1');
    assert.equal(read.skipped, 0);
    assert.deepEqual(
      read.records.map((r) => [r.participantId, r.second]),
      [
        ['a', 2],
        ['a', 70],
        ['b', 0],
        ['b', 1],
      ],
    );
    assert.deepEqual(read.records, [written[3], written[1], written[2], written[0]]);
    assert.equal(await store.lastSecond('m1'), 70);
    assert.equal(await store.lastSecond('absent'), -1);

    await store.endMeeting('m1', 1_700_000_060_000);
    assert.equal((await store.getMeeting('m1')).meeting?.endedAt, 1_700_000_060_000);
    assert.deepEqual(await store.getMeeting('absent'), { meeting: null, skipped: 0 });
  } finally {
    store.close();
  }
});

test('writing the same participant second again replaces it instead of adding a record', async () => {
  const { store } = await freshStore();
  try {
    await store.putMeeting(meeting('m1', 1));
    await store.addSeconds([second('m1', 'a', 0, false)]);
    await store.addSeconds([second('m1', 'a', 0, true)]);
    const { records } = await store.listSeconds('m1');
    assert.equal(records.length, 1);
    assert.equal(records[0]!.dominant, 'happy');
    await store.addSeconds([second('m1', 'a', 0, true), { ...second('m1', 'a', 0, false), gap: 'frozen' }]);
    assert.deepEqual((await store.listSeconds('m1')).records, [{ ...second('m1', 'a', 0, false), gap: 'frozen' }], 'the later record of one call wins');
  } finally {
    store.close();
  }
});

test('upsertParticipants updates a renamed participant in place and appends new ones', async () => {
  const { store } = await freshStore();
  try {
    await store.putMeeting(meeting('m1', 1, [{ id: 'p1', name: 'Bob', isSelf: false }]));
    await store.upsertParticipants('m1', [
      { id: 'p1', name: 'Robert (Bob)', isSelf: false },
      { id: 'p2', name: 'Cleo', isSelf: true },
    ]);
    await store.upsertParticipants('m1', [{ id: 'p2', name: 'Cleo', isSelf: true }]);
    assert.deepEqual((await store.getMeeting('m1')).meeting?.participants, [
      { id: 'p1', name: 'Robert (Bob)', isSelf: false },
      { id: 'p2', name: 'Cleo', isSelf: true },
    ]);
    await assert.rejects(store.upsertParticipants('nope', [{ id: 'x', name: 'X', isSelf: false }]), /not found/);
  } finally {
    store.close();
  }
});

test('deleteMeeting removes that meeting and all its seconds, and nothing of another meeting', async () => {
  const { store } = await freshStore();
  try {
    await store.putMeeting(meeting('keep', 1));
    await store.putMeeting(meeting('drop', 2));
    await store.addSeconds([second('keep', 'a', 0), second('drop', 'a', 0), second('drop', 'b', 3), second('drop', 'a', 1)]);

    assert.deepEqual(await store.deleteMeeting('drop'), { seconds: 3 });

    assert.equal((await store.getMeeting('drop')).meeting, null);
    assert.deepEqual((await store.listSeconds('drop')).records, []);
    assert.equal((await store.getMeeting('keep')).meeting?.id, 'keep');
    assert.deepEqual((await store.listSeconds('keep')).records, [second('keep', 'a', 0)]);
    assert.deepEqual(await store.deleteMeeting('drop'), { seconds: 0 });
  } finally {
    store.close();
  }
});

test('unreadable records put in raw are skipped and counted, never crash a read', async () => {
  const { store, name } = await freshStore();
  try {
    await store.putMeeting(meeting('m1', 100));
    await store.addSeconds([second('m1', 'a', 0), second('m1', 'a', 1)]);

    // Write behind the store's back, as a bug or an older build could have.
    const raw = await openDB(name);
    const badBytes = emptyChunk('m1', 0, 60);
    for (const s of [60, 61, 62]) writeSecond(badBytes, second('m1', 'a', s));
    badBytes.gap[1] = 99; // second 61: no such gap reason
    const unknownParticipant = emptyChunk('m1', 7, 0);
    writeSecond(unknownParticipant, second('m1', 'x', 5));
    writeSecond(unknownParticipant, second('m1', 'x', 6));
    await raw.put('chunks', badBytes);
    await raw.put('chunks', unknownParticipant);
    await raw.put('chunks', { ...emptyChunk('m1', 1, 0), probabilities: new Uint8Array(3), present: new Uint8Array(60).fill(1, 0, 4) });
    await raw.put('chunks', { meetingId: 'm1', participant: 2, start: 0, garbage: true });
    await raw.put('meetings', { id: 'broken', startedAt: 'yesterday' });
    await raw.put('meetings', { ...meeting('late', 999), site: 'https://meet.google.com/abc-defg-hij' });
    raw.close();

    const seconds = await store.listSeconds('m1');
    // 1 bad second + 2 of an unknown participant + 4 of a malformed chunk + 1 for garbage.
    assert.equal(seconds.skipped, 8);
    assert.deepEqual(
      seconds.records.map((r) => r.second),
      [0, 1, 60, 62],
    );
    assert.deepEqual(await store.getMeeting('broken'), { meeting: null, skipped: 1 });
    const latest = await store.latestMeeting();
    assert.equal(latest.meeting?.id, 'm1', 'the corrupt later meeting is not returned');
    assert.equal(latest.skipped, 2);
    await assert.rejects(store.endMeeting('broken', 200), /corrupt/);
    await assert.rejects(store.addSeconds([second('broken', 'a', 0)]), /corrupt/);
    assert.deepEqual(await store.listSeconds('broken'), { records: [], skipped: 0 });

    // Deleting a meeting also deletes (and counts) its unreadable seconds.
    assert.deepEqual(await store.deleteMeeting('m1'), { seconds: 2 + 3 + 2 + 4 + 1 });
  } finally {
    store.close();
  }
});

test('addSeconds needs the meeting record (all or none); without it every stored second of the meeting is skipped', async () => {
  const { store, name } = await freshStore();
  try {
    await store.putMeeting(meeting('m1', 100));
    await store.addSeconds([second('m1', 'a', 0), second('m1', 'b', 61)]);
    await assert.rejects(store.addSeconds([second('m1', 'a', 2), second('gone', 'a', 0)]), /meeting gone not found/);
    assert.equal((await store.listSeconds('m1')).records.length, 2, 'all or none: the record of m1 was not written either');

    const raw = await openDB(name);
    await raw.delete('meetings', 'm1');
    raw.close();
    assert.deepEqual(await store.listSeconds('m1'), { records: [], skipped: 2 });
  } finally {
    store.close();
  }
});

test('addSeconds appends participants unknown to the meeting (name from the record, not self) and keeps known names', async () => {
  const { store } = await freshStore();
  try {
    await store.putMeeting(meeting('m1', 100, [{ id: 'me', name: 'Me', isSelf: true }]));
    await store.addSeconds([second('m1', 'new', 3, true, 'Newcomer'), second('m1', 'me', 3, true, 'stale name')]);
    assert.deepEqual((await store.getMeeting('m1')).meeting?.participants, [
      { id: 'me', name: 'Me', isSelf: true },
      { id: 'new', name: 'Newcomer', isSelf: false },
    ]);
    await store.upsertParticipants('m1', [{ id: 'new', name: 'Nina', isSelf: false }]);
    assert.deepEqual(
      (await store.listSeconds('m1')).records.map((r) => [r.participantId, r.name]),
      [
        ['me', 'Me'],
        ['new', 'Nina'],
      ],
      'seconds are named by the meeting\'s current names',
    );
  } finally {
    store.close();
  }
});

test('per-second writes stay pending until a new minute or the end, then fold into one chunk per participant-minute', async () => {
  const { store, name } = await freshStore();
  const counts = async () => {
    const raw = await openDB(name);
    try {
      return { pending: await raw.count('pending'), chunks: await raw.count('chunks') };
    } finally {
      raw.close();
    }
  };
  try {
    await store.putMeeting(meeting('m1', 1000));
    for (let s = 0; s < 61; s++) await store.addSeconds([second('m1', 'a', s), second('m1', 'b', s, s % 2 === 0)]);
    assert.deepEqual(await counts(), { pending: 1, chunks: 2 }, 'minute 0 folded when second 60 arrived');
    await store.addSeconds([second('m1', 'a', 5, false)]); // replaces a folded second
    const expected = [
      ...Array.from({ length: 61 }, (_, s) => (s === 5 ? second('m1', 'a', 5, false) : second('m1', 'a', s))),
      ...Array.from({ length: 61 }, (_, s) => second('m1', 'b', s, s % 2 === 0)),
    ];
    assert.deepEqual((await store.listSeconds('m1')).records, expected);
    assert.equal(await store.lastSecond('m1'), 60);

    await store.endMeeting('m1', 70_000);
    assert.deepEqual(await counts(), { pending: 0, chunks: 4 }, 'ending folds the rest');
    assert.deepEqual(await store.listSeconds('m1'), { records: expected, skipped: 0 });
    assert.deepEqual(await store.deleteMeeting('m1'), { seconds: 122 });
  } finally {
    store.close();
  }
});

test('latestMeeting returns the meeting with the highest startedAt, whatever the insertion order', async () => {
  const { store } = await freshStore();
  try {
    assert.deepEqual(await store.latestMeeting(), { meeting: null, skipped: 0 });
    await store.putMeeting(meeting('middle', 2_000));
    await store.putMeeting(meeting('newest', 3_000));
    await store.putMeeting(meeting('oldest', 1_000));
    assert.equal((await store.latestMeeting()).meeting?.id, 'newest');
    assert.deepEqual(
      (await store.listMeetings()).records.map((m) => m.id),
      ['newest', 'middle', 'oldest'],
    );
    assert.equal((await store.latestMeeting(2_500)).meeting?.id, 'newest', 'up to 60 s in the future still counts');
    await store.putMeeting(meeting('future-junk', 3_000 + 61_000));
    assert.equal((await store.latestMeeting(3_000)).meeting?.id, 'newest', 'a meeting starting over 60 s after now is never the latest');
    assert.equal((await store.latestMeeting(4_000)).meeting?.id, 'future-junk');
  } finally {
    store.close();
  }
});

test('writes outside the schema are refused and leave nothing behind (no URLs, no extra fields)', async () => {
  const { store } = await freshStore();
  try {
    await assert.rejects(store.putMeeting({ ...meeting('m1', 1), site: 'https://meet.google.com/abc-defg-hij' }));
    assert.equal((await store.getMeeting('m1')).meeting, null);

    await store.putMeeting(meeting('m1', 1));
    const withImage = { ...second('m1', 'a', 1), image: 'data:image/png;base64,AAAA' } as SecondRecord;
    await assert.rejects(store.addSeconds([second('m1', 'a', 0), withImage]));
    assert.deepEqual((await store.listSeconds('m1')).records, [], 'all or none: the valid record was not written either');

    await assert.rejects(store.addSeconds([{ ...second('m1', 'a', 0), faceSeconds: 0.5, probabilities: null, dominant: null, gap: 'no-face' }]));
    await assert.rejects(store.endMeeting('m1', 0.5), 'endedAt before startedAt');
  } finally {
    store.close();
  }
});

/** A version-1 second record (before `gap`), as version 1 and 2 of the database stored them. */
/** A second record as version 2 stored it (no valence, arousal or signals). */
function secondV2(meetingId: string, participantId: string, s: number, face = true): Record<string, unknown> {
  const record: Record<string, unknown> = { ...second(meetingId, participantId, s, face), schemaVersion: 2 };
  for (const k of ['valence', 'arousal', 'attending', 'speaking', 'speakingSource', 'quality', 'uncertain']) delete record[k];
  return record;
}

/** A second record as version 1 stored it (version 2 less `gap`). */
function secondV1(meetingId: string, participantId: string, s: number, face = true): unknown {
  const record: Record<string, unknown> = { ...secondV2(meetingId, participantId, s, face), schemaVersion: 1 };
  delete record.gap;
  return record;
}

test('migration step 4: chunks and pending records of a version-3 database gain the signal bytes, and their seconds read back with unknown signals', async () => {
  const name = freshName();
  const v3 = await openDB(name, 3, {
    upgrade(db) {
      db.createObjectStore('meetings', { keyPath: 'id' });
      db.createObjectStore('chunks', { keyPath: ['meetingId', 'participant', 'start'] });
      db.createObjectStore('pending', { keyPath: ['meetingId', 'seq'] });
    },
  });
  await v3.put('meetings', meeting('m1', 1000, [{ id: 'a', name: 'name of a', isSelf: false }]));
  // Exactly the version-3 chunk layout: no signal arrays.
  const chunk: Record<string, unknown> = { ...emptyChunk('m1', 0, 0) };
  writeSecond(chunk as unknown as ReturnType<typeof emptyChunk>, second('m1', 'a', 0));
  writeSecond(chunk as unknown as ReturnType<typeof emptyChunk>, second('m1', 'a', 1, false));
  for (const k of SIGNAL_BYTES) delete chunk[k];
  await v3.put('chunks', chunk);
  const pending: Record<string, unknown> = { ...encodePending('m1', 0, [{ participant: 0, record: second('m1', 'a', 2) }]) };
  for (const k of SIGNAL_BYTES) delete pending[k];
  await v3.put('pending', pending);
  v3.close();

  const store = await openTimelineStore(name);
  try {
    assert.deepEqual(store.repairs, []);
    const { records, skipped } = await store.listSeconds('m1');
    assert.equal(skipped, 0);
    assert.deepEqual(records, [second('m1', 'a', 0), second('m1', 'a', 1, false), second('m1', 'a', 2)]);
    assert.ok(records.every((r) => r.attending === null && r.speaking === null && r.quality === null && r.uncertain === null));
    assert.ok(records[0]!.valence !== null && records[0]!.valence > 0, 'valence is derived from the stored probabilities');
  } finally {
    store.close();
  }
  const raw = await openDB(name);
  try {
    const stored = (await raw.getAll('chunks'))[0] as Record<string, unknown>;
    for (const k of SIGNAL_BYTES) assert.ok(stored[k] instanceof Uint8Array && stored[k].length === 60, `chunk has ${k}`);
  } finally {
    raw.close();
  }
});

test('a version-1 database is upgraded in place: its seconds become chunks and the old store is gone', async () => {
  const name = freshName();
  const v1 = await openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore('meetings', { keyPath: 'id' });
      db.createObjectStore('seconds', { keyPath: ['meetingId', 'participantId', 'second'] }).createIndex('byMeeting', 'meetingId');
    },
  });
  await v1.put('meetings', meeting('m1', 1000));
  await v1.put('seconds', secondV1('m1', 'p1', 0));
  v1.close();
  const store = await openTimelineStore(name);
  try {
    assert.deepEqual(store.repairs, []);
    assert.deepEqual((await store.getMeeting('m1')).meeting?.participants, [{ id: 'p1', name: 'name of p1', isSelf: false }]);
    assert.deepEqual((await store.listSeconds('m1')).records, [second('m1', 'p1', 0)]);
  } finally {
    store.close();
  }
  assert.deepEqual(await layoutOf(name), { version: TIMELINE_DB_VERSION, stores: CURRENT_LAYOUT });
});

test('a version-2 database is migrated to chunks: every readable second survives, unreadable ones are counted, seconds is deleted', async () => {
  const name = freshName();
  // Exactly as the version-2 code created it.
  const v2 = await openDB(name, 2, {
    upgrade(db) {
      db.createObjectStore('meetings', { keyPath: 'id' });
      db.createObjectStore('seconds', { keyPath: ['meetingId', 'participantId', 'second'] });
    },
  });
  await v2.put('meetings', meeting('m1', 1000, [{ id: 'b', name: 'Bea', isSelf: false }]));
  await v2.put('meetings', meeting('m2', 5000));
  const written = [
    secondV1('m1', 'b', 0),
    secondV1('m1', 'b', 59, false),
    secondV1('m1', 'b', 60),
    secondV1('m1', 'a', 125),
    secondV2('m1', 'c', 3, false), // already version 2
    secondV1('m2', 'b', 7),
  ];
  for (const record of written) await v2.put('seconds', record);
  await v2.put('seconds', { ...(secondV1('m1', 'b', 1) as object), probabilities: { happy: 2 } });
  await v2.put('seconds', { meetingId: 'orphan', participantId: 'a', second: 0 });
  v2.close();

  const store = await openTimelineStore(name);
  try {
    assert.deepEqual(store.repairs, ['dropped 2 unreadable second records while converting them to chunks']);
    assert.deepEqual((await store.getMeeting('m1')).meeting?.participants, [
      { id: 'b', name: 'Bea', isSelf: false },
      { id: 'a', name: 'name of a', isSelf: false },
      { id: 'c', name: 'name of c', isSelf: false },
    ]);
    assert.deepEqual((await store.listSeconds('m1')).records, [
      second('m1', 'a', 125),
      second('m1', 'b', 0, true, 'Bea'),
      second('m1', 'b', 59, false, 'Bea'),
      second('m1', 'b', 60, true, 'Bea'),
      second('m1', 'c', 3, false),
    ]);
    assert.deepEqual((await store.listSeconds('m2')).records, [second('m2', 'b', 7)]);
    await store.addSeconds([second('m2', 'b', 8)]);
    assert.equal(await store.lastSecond('m2'), 8);
  } finally {
    store.close();
  }
  assert.deepEqual(await layoutOf(name), { version: TIMELINE_DB_VERSION, stores: CURRENT_LAYOUT });
});

test('a database at the current version without the chunks store is repaired at the next version and writes work again', async () => {
  const name = freshName();
  const broken = await openDB(name, TIMELINE_DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('meetings', { keyPath: 'id' });
      db.createObjectStore('pending', { keyPath: ['meetingId', 'seq'] });
    },
  });
  await broken.put('meetings', meeting('m1', 1000));
  broken.close();

  const store = await openTimelineStore(name);
  try {
    assert.deepEqual(store.repairs, ['created the missing chunks store']);
    assert.equal((await store.getMeeting('m1')).meeting?.id, 'm1', 'the readable meeting is kept');
    await store.addSeconds([second('m1', 'a', 0)]);
  } finally {
    store.close();
  }
  assert.deepEqual(await layoutOf(name), { version: TIMELINE_DB_VERSION + 1, stores: CURRENT_LAYOUT });

  // The stored version is now above TIMELINE_DB_VERSION: later opens use it as it is.
  const again = await openTimelineStore(name);
  try {
    assert.deepEqual(again.repairs, []);
    assert.deepEqual((await again.listSeconds('m1')).records, [second('m1', 'a', 0)]);
  } finally {
    again.close();
  }
  assert.equal((await layoutOf(name)).version, TIMELINE_DB_VERSION + 1);
});

test('stores with a wrong key path are recreated, keeping their readable records', async () => {
  const name = freshName();
  const chunk = emptyChunk('m1', 0, 60);
  writeSecond(chunk, second('m1', 'a', 61));
  const broken = await openDB(name, 5, {
    upgrade(db) {
      db.createObjectStore('meetings', { keyPath: 'startedAt' });
      db.createObjectStore('chunks', { keyPath: ['meetingId', 'start'] });
      db.createObjectStore('pending', { keyPath: ['meetingId', 'seq'] });
    },
  });
  await broken.put('meetings', meeting('m1', 1000, [{ id: 'a', name: 'Al', isSelf: false }]));
  await broken.put('meetings', { ...meeting('bad', 2000), site: 'https://example.com/x' });
  await broken.put('chunks', chunk);
  await broken.put('chunks', { meetingId: 'm1', start: 0, junk: true });
  broken.close();

  const store = await openTimelineStore(name);
  try {
    assert.deepEqual(store.repairs, [
      'recreated the meetings store, whose key path was wrong (kept 1 readable records, dropped 1)',
      'recreated the chunks store, whose key path was wrong (kept 1 readable records, dropped 1)',
    ]);
    assert.deepEqual((await store.listSeconds('m1')).records, [second('m1', 'a', 61, true, 'Al')]);
    await store.addSeconds([second('m1', 'a', 62, true, 'Al')]);
    assert.equal(await store.lastSecond('m1'), 62);
  } finally {
    store.close();
  }
  assert.deepEqual(await layoutOf(name), { version: 6, stores: CURRENT_LAYOUT });
});

test('a version-2 database without its seconds store is migrated (its meetings kept) and works', async () => {
  const name = freshName();
  const broken = await openDB(name, 2, { upgrade: (db) => void db.createObjectStore('meetings', { keyPath: 'id' }) });
  await broken.put('meetings', meeting('m1', 1000));
  broken.close();

  const store = await openTimelineStore(name);
  try {
    assert.deepEqual(store.repairs, ['found no seconds store to convert (the version 2 layout was incomplete)']);
    assert.equal((await store.getMeeting('m1')).meeting?.id, 'm1');
    await store.addSeconds([second('m1', 'a', 0)]);
    assert.equal((await store.listSeconds('m1')).records.length, 1);
  } finally {
    store.close();
  }
  assert.deepEqual(await layoutOf(name), { version: TIMELINE_DB_VERSION, stores: CURRENT_LAYOUT });
});

test('a database from a newer version with a valid layout opens as it is, extra stores untouched', async () => {
  const name = freshName();
  const newer = await openDB(name, 9, {
    upgrade(db) {
      db.createObjectStore('meetings', { keyPath: 'id' });
      db.createObjectStore('chunks', { keyPath: ['meetingId', 'participant', 'start'] });
      db.createObjectStore('pending', { keyPath: ['meetingId', 'seq'] });
      db.createObjectStore('settings');
    },
  });
  await newer.put('meetings', meeting('m1', 1000));
  newer.close();
  const store = await openTimelineStore(name);
  try {
    assert.deepEqual(store.repairs, []);
    assert.equal((await store.getMeeting('m1')).meeting?.id, 'm1');
  } finally {
    store.close();
  }
  assert.deepEqual(await layoutOf(name), { version: 9, stores: { ...CURRENT_LAYOUT, settings: null } });
});

test('ensureMeeting creates an absent meeting and reopens a resumed one, keeping its participants and start', async () => {
  const { store } = await freshStore();
  try {
    const first = meeting('m1', 1000, [{ id: 'a', name: 'Al', isSelf: true }]);
    await store.ensureMeeting(first);
    assert.deepEqual((await store.getMeeting('m1')).meeting, first);
    await store.endMeeting('m1', 9000);
    await store.ensureMeeting(meeting('m1', 50_000));
    assert.deepEqual((await store.getMeeting('m1')).meeting, first, 'endedAt is null again; participants and startedAt kept');
    await assert.rejects(store.ensureMeeting({ ...meeting('m2', 1), site: 'https://x.y/z' }));
  } finally {
    store.close();
  }
});

test('endOpenMeetings ends every open meeting but one after its last second, clamped to [startedAt, now]', async () => {
  const { store } = await freshStore();
  try {
    const now = 100_000;
    await store.putMeeting(meeting('recorded', 10_000));
    await store.putMeeting(meeting('past-now', 90_000));
    await store.putMeeting(meeting('empty', 20_000));
    await store.putMeeting(meeting('running', 30_000));
    await store.putMeeting(meeting('clock-jump', 200_000));
    await store.putMeeting({ ...meeting('done', 1_000), endedAt: 2_000 });
    await store.addSeconds([second('recorded', 'a', 5), second('recorded', 'b', 64), second('recorded', 'a', 70)]);
    await store.addSeconds([second('past-now', 'a', 20), second('clock-jump', 'a', 9), second('running', 'a', 1)]);

    const ended = await store.endOpenMeetings('running', now);
    assert.deepEqual(ended.sort(), ['clock-jump', 'empty', 'past-now', 'recorded']);
    const endedAt = async (id: string) => (await store.getMeeting(id)).meeting?.endedAt;
    assert.equal(await endedAt('recorded'), 10_000 + 71_000, 'the end of its last second (70)');
    assert.equal(await endedAt('past-now'), now, 'clamped to now');
    assert.equal(await endedAt('empty'), 20_000, 'no second: ends at its start');
    assert.equal(await endedAt('clock-jump'), 200_000, 'now before its start: ends at its start');
    assert.equal(await endedAt('running'), null, 'the excepted meeting stays open');
    assert.equal(await endedAt('done'), 2_000, 'an ended meeting is left alone');
    assert.deepEqual(await store.endOpenMeetings(null, 1e12), ['running']);
    assert.equal(await endedAt('running'), 32_000, 'second 1 recorded: ends 2 s after its start');
    assert.deepEqual(await store.endOpenMeetings(null, 1e12), []);
  } finally {
    store.close();
  }
});

test('storage failures reject with a readable message and the DOMException as cause', async () => {
  const { store } = await freshStore();
  store.close();
  await assert.rejects(store.addSeconds([second('m1', 'a', 0)]), (err: Error) => {
    assert.match(err.message, /connection to the database was closed/);
    assert.equal((err.cause as Error).name, 'InvalidStateError');
    return true;
  });
  await assert.rejects(store.putMeeting(meeting('m1', 1)), /connection to the database was closed/);
});

test('excludeParticipant deletes exactly that participant\'s seconds (pending and folded), blanks the name and drops later writes', async () => {
  const { store } = await freshStore();
  await store.putMeeting(meeting('m1', 1000, [{ id: 'a', name: 'name of a', isSelf: false }, { id: 'b', name: 'name of b', isSelf: false }]));
  await store.putMeeting(meeting('m2', 2000, [{ id: 'a', name: 'name of a', isSelf: false }]));
  for (let s = 0; s < 70; s++) await store.addSeconds([second('m1', 'a', s), second('m1', 'b', s), second('m2', 'a', s)]);
  assert.deepEqual(await store.excludeParticipant('m1', 'a'), { seconds: 70 });
  await store.addSeconds([second('m1', 'a', 70), second('m1', 'b', 70)]);
  await store.upsertParticipants('m1', [{ id: 'a', name: 'name of a', isSelf: false }]);
  const seconds = (await store.listSeconds('m1')).records;
  assert.equal(seconds.length, 71);
  assert.ok(seconds.every((r) => r.participantId === 'b'));
  assert.equal((await store.listSeconds('m2')).records.length, 70, 'the same id in another meeting is untouched');
  const { meeting: m1 } = await store.getMeeting('m1');
  assert.deepEqual(m1?.participants[0], { id: 'a', name: '', isSelf: false, excluded: true });
  assert.deepEqual(await store.excludeParticipant('m1', 'a'), { seconds: 0 });
  await assert.rejects(store.excludeParticipant('m1', 'nobody'), /participant nobody is not in meeting m1/);
  store.close();
});

test('deleteAllMeetings empties every store and counts what it deleted; meetingBytes sizes each meeting', async () => {
  const { store } = await freshStore();
  await store.putMeeting(meeting('m1', 1000));
  await store.putMeeting(meeting('m2', 2000));
  for (let s = 0; s < 120; s++) await store.addSeconds([second('m1', 'a', s)]);
  for (let s = 0; s < 10; s++) await store.addSeconds([second('m2', 'a', s), second('m2', 'b', s)]);
  const bytes = await store.meetingBytes();
  assert.equal(bytes.size, 2);
  assert.ok(bytes.get('m1')! > 120 * 10, `m1 takes ${bytes.get('m1')} bytes`);
  assert.ok(bytes.get('m1')! > bytes.get('m2')!);
  assert.deepEqual(await store.deleteAllMeetings(), { meetings: 2, seconds: 140 });
  assert.equal((await store.listMeetings()).records.length, 0);
  assert.equal((await store.meetingBytes()).size, 0);
  store.close();
});

test('listSeconds from a second on returns exactly the seconds from it, folded and pending alike', async () => {
  const { store } = await freshStore();
  await store.putMeeting(meeting('m1', 1000, [{ id: 'a', name: 'name of a', isSelf: false }, { id: 'b', name: 'name of b', isSelf: false }]));
  for (let s = 0; s < 200; s++) await store.addSeconds([second('m1', 'a', s), second('m1', 'b', s, s % 2 === 0)]);
  const all = (await store.listSeconds('m1')).records;
  const recent = await store.listSeconds('m1', 150);
  assert.deepEqual(recent.records, all.filter((r) => r.second >= 150));
  assert.equal(recent.records.length, 100);
  assert.equal(recent.skipped, 0);
  assert.deepEqual((await store.listSeconds('m1', 0)).records, all);
  store.close();
});
