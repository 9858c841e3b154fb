/**
 * Retention on an in-memory IndexedDB (fake-indexeddb): meetings that ended more than the
 * chosen days ago are deleted with their seconds, open and recent ones are kept, "until I
 * delete" keeps all, and only whole days in range are a setting; the setting round-trips
 * through a stand-in of `storage.local`.
 */
import 'fake-indexeddb/auto';
import { makeSecondRecord } from '../../src/shared/timeline-records.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTimelineStore, type MeetingRecord } from '../../src/shared/timeline-store.ts';

// webextension-polyfill needs a browser's extension API: a minimal storage.local will do.
const local = new Map<string, unknown>();
(globalThis as { chrome?: unknown }).chrome = {
  runtime: { id: 'unit-test' },
  storage: {
    local: {
      get: (key: string, done: (items: Record<string, unknown>) => void) => done(local.has(key) ? { [key]: local.get(key) } : {}),
      set: (items: Record<string, unknown>, done: () => void) => {
        for (const [k, v] of Object.entries(items)) local.set(k, v);
        done();
      },
    },
  },
};
const { applyRetention, DEFAULT_RETENTION_DAYS, loadRetention, parseRetention, saveRetention } = await import('../../src/shared/retention.ts');

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

function meeting(id: string, endedDaysAgo: number | null): MeetingRecord {
  const endedAt = endedDaysAgo === null ? null : NOW - endedDaysAgo * DAY;
  return { schemaVersion: 1, id, site: 'meet.google.com', adapter: 'meet', startedAt: (endedAt ?? NOW) - 3_600_000, endedAt, participants: [{ id: 'p', name: 'Ann', isSelf: false }] };
}

test('meetings that ended more than N days ago go with their seconds; open and recent ones stay', async () => {
  const store = await openTimelineStore(`retention-${Date.now()}`);
  try {
    for (const m of [meeting('old', 40), meeting('recent', 3), meeting('open', null), meeting('edge', 29.9)]) {
      await store.putMeeting(m);
      await store.addSeconds([makeSecondRecord({ meetingId: m.id, participantId: 'p', name: 'Ann', second: 0, probabilities: null, dominant: null, faceSeconds: 0, samples: 1, gap: 'no-face' })]);
    }
    assert.deepEqual(await applyRetention(store, null, NOW), [], 'until I delete: nothing goes');
    assert.deepEqual(await applyRetention(store, 30, NOW), ['old']);
    assert.deepEqual((await store.listMeetings()).records.map((m) => m.id).sort(), ['edge', 'open', 'recent']);
    assert.deepEqual((await store.listSeconds('old')).records, []);
    assert.deepEqual(await applyRetention(store, 1, NOW), ['recent', 'edge'], 'newest first, as listMeetings gives them');
    assert.deepEqual((await store.listMeetings()).records.map((m) => m.id), ['open'], 'a meeting without an end is never deleted by retention');
  } finally {
    store.close();
  }
});

test('a setting is a whole number of days from 1 to 3650, or null; it round-trips and defaults to 30 days', async () => {
  assert.equal(parseRetention(30), 30);
  assert.equal(parseRetention(null), null);
  for (const bad of [0, -1, 1.5, 4000, '30', undefined, {}]) assert.equal(parseRetention(bad), undefined, JSON.stringify(bad) ?? 'undefined');
  assert.equal(await loadRetention(), DEFAULT_RETENTION_DAYS);
  await saveRetention(null);
  assert.equal(await loadRetention(), null);
  await saveRetention(7);
  assert.equal(await loadRetention(), 7);
  await assert.rejects(saveRetention(0), /not a retention setting/);
  local.set('callmood.retention-days.v1', 'junk');
  assert.equal(await loadRetention(), DEFAULT_RETENTION_DAYS, 'a corrupt value reads as the default');
});
