/**
 * Proves the background's housekeeping (src/background/housekeeping.ts) with stand-ins of the
 * browser APIs: the alarm and menu listeners are registered before setup returns (a woken
 * background gets its event), a second setup (a worker restart) neither re-creates the daily
 * alarm nor duplicates the menu item, the alarm runs retention and other alarms do not, the menu
 * item sits on the toolbar button and opens meetings.html; the daily run on an in-memory
 * IndexedDB deletes the old meeting, keeps the recent one and records what it did; the record
 * parses back and reads as a sentence.
 */
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTimelineStore, type MeetingRecord } from '../../src/shared/timeline-store.ts';
import type { HousekeepingApi } from '../../src/background/housekeeping.ts';

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
const { DAILY_ALARM, DAILY_PERIOD_MIN, MEETINGS_MENU_ID, runDailyRetention, setupHousekeeping } = await import('../../src/background/housekeeping.ts');
const { parseRetentionRun, RETENTION_RUN_KEY, retentionRunText } = await import('../../src/shared/retention-run.ts');

const DAY = 86_400_000;
const flush = () => new Promise((ok) => setTimeout(ok, 10));

/** A stand-in of the browser APIs that keeps its alarms and menu items across "restarts", as the browser does. */
function fakeBrowser() {
  const alarms = new Map<string, { delayInMinutes: number; periodInMinutes: number }>();
  const menu = new Map<string, { title: string; contexts: string[] }>();
  const log = { alarmCreates: 0, opened: [] as string[], alarmListeners: [] as ((a: { name: string }) => void)[], menuListeners: [] as ((i: { menuItemId: string | number }) => void)[] };
  let lastError: { message: string } | null = null;
  const api: HousekeepingApi = {
    alarms: {
      get: async (name) => alarms.get(name),
      create: (name, info) => {
        log.alarmCreates++;
        alarms.set(name, info);
      },
      onAlarm: { addListener: (l) => log.alarmListeners.push(l) },
    },
    contextMenus: {
      removeAll: async () => menu.clear(),
      create: (props, done) => {
        lastError = menu.has(props.id) ? { message: `Cannot create item with duplicate id ${props.id}` } : null;
        if (!lastError) menu.set(props.id, { title: props.title, contexts: props.contexts });
        done?.();
        lastError = null;
      },
      onClicked: { addListener: (l) => log.menuListeners.push(l) },
    },
    tabs: {
      create: async ({ url }) => {
        log.opened.push(url);
      },
    },
    runtime: {
      getURL: (path) => `chrome-extension://id/${path}`,
      get lastError() {
        return lastError;
      },
    },
  };
  return { api, alarms, menu, log };
}

test('setup registers its listeners at once; a restart keeps one alarm and one menu item; the alarm runs retention, the menu opens the page', async () => {
  const fake = fakeBrowser();
  let runs = 0;
  const retain = async () => {
    runs++;
  };
  setupHousekeeping(fake.api, retain);
  assert.equal(fake.log.alarmListeners.length, 1, 'the alarm listener is registered before setup returns');
  assert.equal(fake.log.menuListeners.length, 1, 'the menu listener is registered before setup returns');
  await flush();
  assert.deepEqual([...fake.alarms.keys()], [DAILY_ALARM]);
  assert.equal(fake.alarms.get(DAILY_ALARM)!.periodInMinutes, DAILY_PERIOD_MIN, 'once a day');
  assert.deepEqual(fake.menu.get(MEETINGS_MENU_ID), { title: 'Meetings', contexts: ['action'] }, 'on the toolbar button');

  // A worker restart: module code runs again against the browser's persisted alarm and menu.
  fake.log.alarmListeners.length = 0;
  fake.log.menuListeners.length = 0;
  setupHousekeeping(fake.api, retain);
  await flush();
  assert.equal(fake.log.alarmCreates, 1, 'the existing alarm is kept, not re-created (which would postpone the daily run)');
  assert.equal(fake.menu.size, 1, 'one menu item, no duplicate-id error');

  fake.log.alarmListeners[0]!({ name: 'something-else' });
  await flush();
  assert.equal(runs, 0, 'another alarm does not run retention');
  fake.log.alarmListeners[0]!({ name: DAILY_ALARM });
  await flush();
  assert.equal(runs, 1, 'the daily alarm runs retention');

  fake.log.menuListeners[0]!({ menuItemId: 'other' });
  fake.log.menuListeners[0]!({ menuItemId: MEETINGS_MENU_ID });
  await flush();
  assert.deepEqual(fake.log.opened, ['chrome-extension://id/meetings.html']);
});

function meeting(id: string, endedDaysAgo: number, now: number): MeetingRecord {
  const endedAt = now - endedDaysAgo * DAY;
  return { schemaVersion: 1, id, site: 'meet.google.com', adapter: 'meet', startedAt: endedAt - 600_000, endedAt, participants: [{ id: 'p', name: 'Ann', isSelf: false }] };
}

test('the daily run applies the stored setting (default 30 days) and records the run', async () => {
  const now = Date.now();
  const store = await openTimelineStore();
  try {
    await store.putMeeting(meeting('old', 31, now));
    await store.putMeeting(meeting('recent', 2, now));
  } finally {
    store.close();
  }
  const run = await runDailyRetention(now);
  assert.deepEqual(run, { at: now, deleted: 1, days: 30, error: null });
  assert.deepEqual(parseRetentionRun(local.get(RETENTION_RUN_KEY)), run, 'recorded in storage.local');
  const after = await openTimelineStore();
  try {
    assert.deepEqual((await after.listMeetings()).records.map((m) => m.id), ['recent']);
  } finally {
    after.close();
  }
});

test('a recorded run parses back only when well formed, and reads as a sentence', () => {
  assert.equal(parseRetentionRun(undefined), undefined);
  assert.equal(parseRetentionRun({ at: -1, deleted: 0, days: 7, error: null }), undefined);
  assert.equal(parseRetentionRun({ at: 1, deleted: 0.5, days: 7, error: null }), undefined);
  assert.equal(parseRetentionRun({ at: 1, deleted: 0, days: '7', error: null }), undefined);
  const at = Date.UTC(2025, 2, 1, 14, 5);
  assert.equal(retentionRunText(undefined), 'The daily retention check has not run yet.');
  assert.match(retentionRunText({ at, deleted: 2, days: 7, error: null }, 'en-US', 'UTC'), /^The daily retention check ran on Mar 1, 2025, 2:05\sPM and deleted 2 meetings that ended more than 7 days earlier\.$/);
  assert.match(retentionRunText({ at, deleted: 0, days: 30, error: null }, 'en-US', 'UTC'), /deleted nothing\.$/);
  assert.match(retentionRunText({ at, deleted: 0, days: null, error: null }, 'en-US', 'UTC'), /kept until you delete them\.$/);
  assert.match(retentionRunText({ at, deleted: 0, days: 30, error: "the browser's storage for CallMood is full" }, 'en-US', 'UTC'), /failed: the browser's storage for CallMood is full$/);
});
