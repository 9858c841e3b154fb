/**
 * End to end, the Meetings page in Debian's Chromium with dist/chrome: meetings are written
 * through the extension's own timeline store (a helper bundled with esbuild from
 * src/shared/timeline-store.ts and evaluated in the page, as the fault suite does), then the
 * page is read as a user reads it and IndexedDB is counted before and after each action:
 * - the empty state, then every meeting newest first with its participants (an excluded one
 *   left out), duration ("running" for an open meeting), size and an Open link to its report;
 *   a corrupt meeting record is counted in a notice;
 * - retention: choosing 7 days on the page deletes the meeting that ended 10 days ago, meeting
 *   record and seconds, and keeps the newer ones; the daily alarm deletes one that ended 9 days
 *   ago, and the page says so;
 * - Delete (with its question in the page) removes every record of that meeting and nothing of
 *   the others; Delete all removes every record;
 * - no network request from the extension outside chrome-extension://.
 * No analysis runs: no video, no models. About 10-20 s.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import type { Page } from 'playwright-core';
import { launchWithExtension, type ExtensionBrowser } from '../../scripts/lib/browser.ts';
import { NetworkMonitor } from '../../scripts/lib/network-monitor.ts';
import { ROOT } from '../../scripts/lib/call-session.ts';
import { formatBytes, formatDuration } from '../../src/meetings/meeting-rows.ts';
import { ensureBuilt, noBrowserReason, scenario, TEST_OUTPUT } from './helpers.ts';

const DAY = 86_400_000;
/** housekeeping.ts's DAILY_ALARM (that module needs a browser's extension API, so it is not imported here). */
const DAILY_ALARM = 'callmood.retention-daily';
/** housekeeping.ts's MEETINGS_MENU_ID. */
const MEETINGS_MENU_ID = 'callmood.meetings';
const NOW = Date.now();

/** A meeting to write: its record and how many seconds each non-excluded participant gets. */
interface Spec {
  id: string;
  startedAt: number;
  endedAt: number | null;
  participants: { id: string; name: string; isSelf: boolean; excluded?: true }[];
  seconds: number;
}

const people = [
  { id: 'p-ada', name: 'Ada Lovelace', isSelf: true },
  { id: 'p-alan', name: 'Alan Turing', isSelf: false },
];
/** Ended 10 days ago: retention at 7 days deletes it. */
const OLD: Spec = { id: 'e2e-old', startedAt: NOW - 10 * DAY - 185_000, endedAt: NOW - 10 * DAY, participants: people, seconds: 70 };
/** Ended 2 days ago, one participant excluded: kept by retention, deleted by Delete. */
const KEPT: Spec = {
  id: 'e2e kept#1',
  startedAt: NOW - 2 * DAY - 3_727_000,
  endedAt: NOW - 2 * DAY,
  participants: [...people, { id: 'p-excluded', name: '', isSelf: false, excluded: true }],
  seconds: 65,
};
/** Still running: never touched by retention. */
const RUNNING: Spec = { id: 'e2e-running', startedAt: NOW - 60_000, endedAt: null, participants: [{ id: 'p-grace', name: 'Grace Hopper', isSelf: false }], seconds: 30 };
/** Ended 9 days ago, written after retention was set to 7 days: the daily alarm deletes it. */
const DAILY: Spec = { id: 'e2e-daily', startedAt: NOW - 9 * DAY - 42_000, endedAt: NOW - 9 * DAY, participants: people, seconds: 40 };

/** What IndexedDB holds, as the helper counts it. */
interface Counts {
  /** Raw records per object store (corrupt ones included). */
  raw: { meetings: number; chunks: number; pending: number };
  /** Per meeting id asked: is its record there, its stored seconds (listSeconds' records + skipped), its raw chunk + pending records, its bytes. */
  byId: Record<string, { meeting: boolean; seconds: number; records: number; bytes: number }>;
}

/** The helper evaluated in an extension page: writes meetings with the store's own code, counts records. */
const HELPER = `
import { withTimelineStore } from './src/shared/timeline-store.ts';
import { toProbabilities } from './src/shared/emotions.ts';
import { makeSecondRecord } from './src/shared/timeline-records.ts';
const P = toProbabilities([0.05, 0.05, 0.05, 0.6, 0.1, 0.05, 0.1]);
function openRaw() {
  return new Promise((ok, fail) => { const r = indexedDB.open('callmood'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
}
function req(r) { return new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); }); }
globalThis.__meetings = {
  async write(specs) {
    await withTimelineStore(async (store) => {
      for (const s of specs) {
        await store.putMeeting({ schemaVersion: 1, id: s.id, site: 'meet.google.com', adapter: 'meet', startedAt: s.startedAt, endedAt: null, participants: s.participants });
        const records = [];
        for (const p of s.participants.filter((q) => !q.excluded))
          for (let second = 0; second < s.seconds; second++)
            records.push(makeSecondRecord({ meetingId: s.id, participantId: p.id, name: p.name, second, probabilities: P, dominant: 'happy', faceSeconds: 1, samples: 5, gap: null }));
        await store.addSeconds(records);
        if (s.endedAt !== null) await store.endMeeting(s.id, s.endedAt);
      }
    });
  },
  async corrupt(id) {
    const db = await openRaw();
    try { await req(db.transaction('meetings', 'readwrite').objectStore('meetings').put({ id, garbage: true })); } finally { db.close(); }
  },
  async counts(ids) {
    const byId = {};
    const bytes = await withTimelineStore((store) => store.meetingBytes());
    for (const id of ids) {
      const { meeting, seconds } = await withTimelineStore(async (store) => {
        const m = await store.getMeeting(id);
        const s = await store.listSeconds(id);
        return { meeting: m.meeting !== null, seconds: s.records.length + s.skipped };
      });
      byId[id] = { meeting, seconds, records: 0, bytes: bytes.get(id) ?? 0 };
    }
    const db = await openRaw();
    try {
      const tx = db.transaction(['meetings', 'chunks', 'pending']);
      const raw = {};
      for (const name of ['meetings', 'chunks', 'pending']) raw[name] = await req(tx.objectStore(name).count());
      for (const id of ids) {
        const range = IDBKeyRange.bound([id], [id, []]);
        byId[id].records = (await req(tx.objectStore('chunks').count(range))) + (await req(tx.objectStore('pending').count(range)));
      }
      return { raw, byId };
    } finally { db.close(); }
  },
};
`;

let helperScript: Promise<string> | null = null;
function helper(): Promise<string> {
  helperScript ??= import('esbuild').then(async (esbuild) => {
    const out = await esbuild.build({ stdin: { contents: HELPER, resolveDir: ROOT, loader: 'js' }, bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent' });
    return out.outputFiles[0]!.text;
  });
  return helperScript;
}

async function write(page: Page, specs: Spec[]): Promise<void> {
  await page.evaluate(`${await helper()}\n;globalThis.__meetings.write(${JSON.stringify(specs)})`);
}
async function counts(page: Page, ids: string[] = [OLD.id, KEPT.id, RUNNING.id, DAILY.id]): Promise<Counts> {
  return page.evaluate<Counts>(`${await helper()}\n;globalThis.__meetings.counts(${JSON.stringify(ids)})`);
}

/** The rows the page shows, as text. */
async function rows(page: Page): Promise<{ id: string; participants: string; duration: string; size: string; href: string | null }[]> {
  // No named functions inside: tsx's transform would wrap them in a helper the page lacks.
  return page.$$eval('[data-testid="meeting-row"]', (trs) =>
    trs.map((tr) => ({
      id: tr.getAttribute('data-meeting-id') ?? '',
      participants: tr.querySelector('[data-testid="meeting-participants"]')?.textContent ?? '',
      duration: tr.querySelector('[data-testid="meeting-duration"]')?.textContent ?? '',
      size: tr.querySelector('[data-testid="meeting-size"]')?.textContent ?? '',
      href: tr.querySelector('[data-testid="meeting-open"]')?.getAttribute('href') ?? null,
    })),
  );
}

/** Waits until `ready` holds on fresh counts, up to `ms`; returns the last counts. */
async function countsWhen(page: Page, ready: (c: Counts) => boolean, ms = 10_000): Promise<Counts> {
  const end = Date.now() + ms;
  let c = await counts(page);
  while (!ready(c) && Date.now() < end) {
    await new Promise((ok) => setTimeout(ok, 200));
    c = await counts(page);
  }
  return c;
}

describe('the Meetings page (Chromium, dist/chrome)', { skip: noBrowserReason() }, () => {
  const { step, check } = scenario();
  let eb: ExtensionBrowser;
  let network: NetworkMonitor;
  let page: Page;
  let url = '';

  after(async () => {
    network?.close();
    await eb?.close();
  });

  step('Chromium starts with the extension and opens meetings.html', async () => {
    await ensureBuilt();
    eb = await launchWithExtension({ extensionDir: join(ROOT, 'dist/chrome') });
    network = await NetworkMonitor.start(eb.wsEndpoint);
    page = eb.context.pages()[0] ?? (await eb.context.newPage());
    url = `chrome-extension://${eb.extensionId}/meetings.html`;
    await page.goto(url);
    await page.waitForSelector('[data-testid="meetings-empty"]', { timeout: 10_000 });
  });

  check('with nothing stored the page says so', async () => {
    assert.match(await page.textContent('[data-testid="meetings-empty"]') ?? '', /^No meetings stored yet/);
  });

  step('meetings written through the store are listed newest first with names, duration, size and Open links', async () => {
    await write(page, [OLD, KEPT, RUNNING]);
    await page.evaluate(`${await helper()}\n;globalThis.__meetings.corrupt('e2e-corrupt')`);
    const before = await counts(page);
    for (const s of [OLD, KEPT, RUNNING]) assert.ok(before.byId[s.id]!.meeting && before.byId[s.id]!.seconds > 0, `${s.id} was written: ${JSON.stringify(before.byId[s.id])}`);
    await page.reload();
    await page.waitForSelector('[data-testid="meeting-row"]', { timeout: 10_000 });
    const shown = await rows(page);
    assert.deepEqual(shown.map((r) => r.id), [RUNNING.id, KEPT.id, OLD.id], 'newest first');
    const [running, kept, old] = shown;
    assert.equal(running!.duration, 'running');
    assert.equal(kept!.duration, formatDuration(KEPT.endedAt! - KEPT.startedAt));
    assert.equal(old!.duration, '3 min 05 s');
    assert.equal(kept!.participants, 'Ada Lovelace, Alan Turing', 'the excluded participant is not listed');
    assert.equal(running!.participants, 'Grace Hopper');
    for (const r of shown) assert.equal(r.size, formatBytes(before.byId[r.id]!.bytes), `${r.id}: the size is the store's bytes`);
    assert.equal(kept!.href, `report.html?meeting=${encodeURIComponent(KEPT.id)}`);
    assert.match(await page.textContent('[data-testid="meetings-skipped"]') ?? '', /^1 stored meeting is damaged/, 'the corrupt record is counted');
    assert.match(await page.textContent('[data-testid="storage-total"]') ?? '', /^3 meetings take \d+(\.\d+)? (B|kB|MB); the browser counts/);
    await page.screenshot({ path: join(TEST_OUTPUT, 'e2e-meetings', 'meetings.png'), fullPage: true }).catch(() => {});
  });

  check('Open goes to the report page of that meeting', async () => {
    await page.click(`[data-meeting-id="${KEPT.id}"] [data-testid="meeting-open"]`);
    await page.waitForURL(/report\.html/, { timeout: 5_000 });
    assert.equal(page.url(), `chrome-extension://${eb.extensionId}/report.html?meeting=${encodeURIComponent(KEPT.id)}`);
    await page.goto(url);
    await page.waitForSelector('[data-testid="meeting-row"]', { timeout: 10_000 });
  });

  step('retention set to 7 days on the page deletes the meeting that ended 10 days ago, records and seconds, and keeps the newer ones', async () => {
    const before = await counts(page);
    assert.ok(before.byId[OLD.id]!.records > 0 && before.byId[KEPT.id]!.records > 0, `records before: ${JSON.stringify(before)}`);
    await page.waitForSelector('[data-testid="retention"]:not([disabled])', { timeout: 5_000 });
    await page.selectOption('[data-testid="retention"]', '7');
    const afterwards = await countsWhen(page, (c) => !c.byId[OLD.id]!.meeting);
    assert.deepEqual(afterwards.byId[OLD.id], { meeting: false, seconds: 0, records: 0, bytes: 0 }, 'every record of the old meeting is gone');
    for (const s of [KEPT, RUNNING]) assert.deepEqual(afterwards.byId[s.id], before.byId[s.id], `${s.id} is untouched`);
    assert.equal(afterwards.raw.meetings, before.raw.meetings - 1, 'one meeting record less');
    assert.equal(afterwards.raw.chunks + afterwards.raw.pending, before.raw.chunks + before.raw.pending - before.byId[OLD.id]!.records, 'only its second records less');
    await page.waitForFunction((id) => !document.querySelector(`[data-meeting-id="${id}"]`), OLD.id, { timeout: 5_000 });
    assert.match(await page.textContent('[data-testid="retention-status"]') ?? '', /^1 older meeting deleted/);
  });

  step('the daily alarm applies retention again: a meeting that ended 9 days ago goes, and the page says when and what', async () => {
    await write(page, [DAILY]);
    const before = await counts(page);
    assert.ok(before.byId[DAILY.id]!.meeting && before.byId[DAILY.id]!.records > 0, `${DAILY.id} was written`);
    const worker = eb.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${eb.extensionId}/`));
    assert.ok(worker, 'the service worker is running');
    const existed = await worker.evaluate(async (name) => (await chrome.alarms.get(name)) !== undefined, DAILY_ALARM);
    assert.ok(existed, `the background created the daily alarm ${DAILY_ALARM}`);
    // Unpacked extensions may fire alarms at once: fire the daily one now.
    await worker.evaluate(async (name) => chrome.alarms.create(name, { when: Date.now() + 50 }), DAILY_ALARM);
    const afterwards = await countsWhen(page, (c) => !c.byId[DAILY.id]!.meeting);
    assert.deepEqual(afterwards.byId[DAILY.id], { meeting: false, seconds: 0, records: 0, bytes: 0 }, 'the alarm deleted every record of the 9-day-old meeting');
    for (const s of [KEPT, RUNNING]) assert.deepEqual(afterwards.byId[s.id], before.byId[s.id], `${s.id} is untouched by the alarm`);
    await page.waitForFunction(() => /deleted 1 meeting that ended more than 7 days/.test(document.querySelector('[data-testid="retention-run"]')?.textContent ?? ''), null, { timeout: 5_000 });
    await page.waitForFunction((id) => !document.querySelector(`[data-meeting-id="${id}"]`), DAILY.id, { timeout: 5_000 });
  });

  step('Delete asks in the page, then removes every record of that meeting and nothing of the other', async () => {
    const before = await counts(page);
    await page.click(`[data-meeting-id="${KEPT.id}"] [data-testid="meeting-delete"]`);
    const still = await counts(page);
    assert.deepEqual(still, before, 'the first click deletes nothing');
    await page.click(`[data-meeting-id="${KEPT.id}"] [data-testid="meeting-delete-confirm"]`);
    await page.waitForSelector('[data-testid="meetings-status"]', { timeout: 5_000 });
    assert.match(await page.textContent('[data-testid="meetings-status"]') ?? '', /^Deleted the meeting on meet\.google\.com \(130 seconds of data\)\.$/);
    const afterwards = await counts(page);
    assert.deepEqual(afterwards.byId[KEPT.id], { meeting: false, seconds: 0, records: 0, bytes: 0 }, 'every record of the deleted meeting is gone');
    assert.deepEqual(afterwards.byId[RUNNING.id], before.byId[RUNNING.id], 'the other meeting is untouched');
    assert.equal(afterwards.raw.chunks + afterwards.raw.pending, before.raw.chunks + before.raw.pending - before.byId[KEPT.id]!.records);
    assert.deepEqual((await rows(page)).map((r) => r.id), [RUNNING.id]);
  });

  step('Delete all asks in the page, then removes every record, the corrupt one included', async () => {
    const before = await counts(page);
    assert.ok(before.raw.meetings === 2 && before.raw.chunks + before.raw.pending > 0, `before: ${JSON.stringify(before.raw)}`);
    await page.click('[data-testid="delete-all"]');
    assert.deepEqual((await counts(page)).raw, before.raw, 'the first click deletes nothing');
    await page.click('[data-testid="delete-all-confirm"]');
    await page.waitForSelector('[data-testid="meetings-empty"]', { timeout: 5_000 });
    assert.match(await page.textContent('[data-testid="meetings-status"]') ?? '', /^Deleted 2 meetings \(30 seconds of data\)\.$/, 'deleted, the running meeting\'s analysis stopped first without an error');
    assert.deepEqual((await counts(page)).raw, { meetings: 0, chunks: 0, pending: 0 });
  });

  check('the background created the toolbar button\'s "Meetings" context-menu item', async () => {
    const worker = eb.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${eb.extensionId}/`));
    assert.ok(worker, 'the service worker is running');
    // contextMenus has no getter: updating an item that does not exist rejects.
    const error = await worker.evaluate(async (id) => chrome.contextMenus.update(id, { title: 'Meetings' }).then(() => null, (e: Error) => e.message), MEETINGS_MENU_ID);
    assert.equal(error, null, `the ${MEETINGS_MENU_ID} menu item exists`);
  });

  check('the extension made no network request outside chrome-extension://', () => {
    assert.ok(network.ownFileRequests().length > 0, 'the monitor saw the extension load its own files (it is watching)');
    assert.deepEqual(network.outsideRequests(), []);
  });
});
