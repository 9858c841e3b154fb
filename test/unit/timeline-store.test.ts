/**
 * Proves the timeline store on an in-memory IndexedDB (fake-indexeddb): records round-trip
 * unchanged and sorted, a rename keeps one participant, deleting a meeting removes exactly its
 * records, corrupt stored records are skipped and counted instead of crashing reads, the latest
 * meeting is the one started last, and writes refuse anything outside the schema.
 */
import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDB } from 'idb';
import { openTimelineStore } from '../../src/shared/timeline-store.ts';
import type { MeetingRecord, SecondRecord, TimelineStore } from '../../src/shared/timeline-store.ts';
import type { Probabilities } from '../../src/shared/emotions.ts';

const P: Probabilities = { angry: 0.05, disgust: 0, fear: 0, happy: 0.7, sad: 0.05, surprise: 0.05, neutral: 0.15 };

let dbCounter = 0;
/** A fresh, isolated database per test. */
async function freshStore(): Promise<{ store: TimelineStore; name: string }> {
  const name = `callmood-test-${++dbCounter}-${Date.now()}`;
  return { store: await openTimelineStore(name), name };
}

function meeting(id: string, startedAt: number, participants: MeetingRecord['participants'] = []): MeetingRecord {
  return { schemaVersion: 1, id, site: 'meet.google.com', adapter: 'meet', startedAt, endedAt: null, participants };
}

function second(meetingId: string, participantId: string, s: number, face = true): SecondRecord {
  return {
    schemaVersion: 1,
    meetingId,
    participantId,
    name: `name of ${participantId}`,
    second: s,
    probabilities: face ? P : null,
    dominant: face ? 'happy' : null,
    faceSeconds: face ? 0.8 : 0,
    samples: 5,
  };
}

test('a meeting and its seconds round-trip unchanged, seconds sorted by participant then second', async () => {
  const { store } = await freshStore();
  try {
    const m = meeting('m1', 1_700_000_000_000, [
      { id: 'b', name: 'Bea', isSelf: false },
      { id: 'a', name: 'Al', isSelf: true },
    ]);
    await store.putMeeting(m);
    const written = [second('m1', 'b', 1), second('m1', 'a', 10), second('m1', 'b', 0, false), second('m1', 'a', 2)];
    await store.addSeconds(written);

    assert.deepEqual(await store.getMeeting('m1'), { meeting: m, skipped: 0 });
    const read = await store.listSeconds('m1');
    assert.equal(read.skipped, 0);
    assert.deepEqual(
      read.records.map((r) => [r.participantId, r.second]),
      [
        ['a', 2],
        ['a', 10],
        ['b', 0],
        ['b', 1],
      ],
    );
    assert.deepEqual(read.records[2], written[2]);
    assert.deepEqual(read.records[1], written[1]);

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

test('corrupt records put in raw are skipped and counted, never crash a read', async () => {
  const { store, name } = await freshStore();
  try {
    await store.putMeeting(meeting('m1', 100));
    await store.addSeconds([second('m1', 'a', 0), second('m1', 'a', 1)]);

    // Write behind the store's back, as a bug or an older build could have.
    const raw = await openDB(name);
    await raw.put('seconds', { ...second('m1', 'a', 2), probabilities: { happy: 2 } });
    await raw.put('seconds', { meetingId: 'm1', participantId: 'b', second: 0, garbage: true });
    await raw.put('meetings', { id: 'broken', startedAt: 'yesterday' });
    await raw.put('meetings', { ...meeting('late', 999), site: 'https://meet.google.com/abc-defg-hij' });
    raw.close();

    const seconds = await store.listSeconds('m1');
    assert.equal(seconds.skipped, 2);
    assert.deepEqual(
      seconds.records.map((r) => r.second),
      [0, 1],
    );
    assert.deepEqual(await store.getMeeting('broken'), { meeting: null, skipped: 1 });
    const latest = await store.latestMeeting();
    assert.equal(latest.meeting?.id, 'm1', 'the corrupt later meeting is not returned');
    assert.equal(latest.skipped, 2);
    await assert.rejects(store.endMeeting('broken', 200), /corrupt/);

    // Deleting a meeting also deletes its corrupt seconds.
    assert.deepEqual(await store.deleteMeeting('m1'), { seconds: 4 });
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

    await assert.rejects(store.addSeconds([{ ...second('m1', 'a', 0), faceSeconds: 0.5, probabilities: null, dominant: null }]));
    await assert.rejects(store.endMeeting('m1', 0.5), 'endedAt before startedAt');
  } finally {
    store.close();
  }
});

test('a version-1 database is upgraded in place: its records are kept and the unused byMeeting index is dropped', async () => {
  const name = `callmood-test-v1-${Date.now()}`;
  const v1 = await openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore('meetings', { keyPath: 'id' });
      db.createObjectStore('seconds', { keyPath: ['meetingId', 'participantId', 'second'] }).createIndex('byMeeting', 'meetingId');
    },
  });
  await v1.put('meetings', meeting('m1', 1000));
  await v1.put('seconds', second('m1', 'p1', 0));
  v1.close();
  const store = await openTimelineStore(name);
  try {
    assert.equal((await store.getMeeting('m1')).meeting?.id, 'm1');
    assert.deepEqual((await store.listSeconds('m1')).records, [second('m1', 'p1', 0)]);
  } finally {
    store.close();
  }
  const raw = await openDB(name);
  try {
    assert.equal(raw.version, 2);
    assert.deepEqual([...raw.transaction('seconds').store.indexNames], []);
  } finally {
    raw.close();
  }
});
