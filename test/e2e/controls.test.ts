/**
 * The privacy controls and robustness of a running analysis, in Chromium on the demo call,
 * as one scenario of steps (each needs the ones before it): "only me" chosen before
 * starting, a service-worker restart in the middle of a call, "pause" (its seconds marked as
 * paused in the exported timeline), excluding one participant live with their records
 * deleted, and "delete this meeting's data".
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import { after, describe } from 'node:test';
import { CallSession, type PopupRow } from '../../scripts/lib/call-session.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { ensureBuilt, noBrowserReason, noVideosReason, scenario, TEST_OUTPUT } from './helpers.ts';

const skip = noBrowserReason() || noVideosReason();
const EMOTION_TEXT = new RegExp(`^(${EMOTIONS.join('|')}) \\d+%$`);
const SELF = 'single_face';

async function waitForRows(session: CallSession, accept: (rows: PopupRow[]) => boolean, timeoutMs: number, what: string): Promise<PopupRow[]> {
  const end = Date.now() + timeoutMs;
  let rows: PopupRow[] = [];
  while (Date.now() < end) {
    rows = await session.rows();
    if (accept(rows)) return rows;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error(`timed out waiting for ${what}; last rows: ${JSON.stringify(rows.map((r) => [r.id, r.dominant]))}`);
}

/** Counts the stored timeline records (per-minute chunks and not yet folded seconds) of `meetingId` (read in the popup, the extension's origin). */
function countSeconds(session: CallSession, meetingId: string): Promise<number> {
  return session.popup.evaluate(
    (id) =>
      new Promise<number>((ok, fail) => {
        const open = indexedDB.open('callmood');
        open.onerror = () => fail(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['chunks', 'pending']);
          const range = IDBKeyRange.bound([id], [id, []]);
          const counts = ['chunks', 'pending'].map((name) => tx.objectStore(name).count(range));
          tx.oncomplete = () => {
            ok(counts.reduce((sum, req) => sum + req.result, 0));
            db.close();
          };
          tx.onerror = () => fail(tx.error ?? new Error('counting the records failed'));
        };
      }),
    meetingId,
  );
}

/**
 * What the store holds of participant `participantId` of meeting `meetingId`: their entry in
 * the meeting record and how many of their seconds are stored (chunk records plus pending
 * entries; read in the popup, the extension's origin). `entry` is null when they are not in it.
 */
function participantStored(session: CallSession, meetingId: string, participantId: string) {
  return session.popup.evaluate(
    ([mid, pid]) =>
      new Promise<{ entry: { name: string; excluded?: boolean } | null; records: number }>((ok, fail) => {
        const open = indexedDB.open('callmood');
        open.onerror = () => fail(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['meetings', 'chunks', 'pending']);
          const range = IDBKeyRange.bound([mid], [mid, []]);
          const meeting = tx.objectStore('meetings').get(mid);
          const chunks = tx.objectStore('chunks').getAll(range);
          const pending = tx.objectStore('pending').getAll(range);
          tx.oncomplete = () => {
            const people = (meeting.result as { participants: { id: string; name: string; excluded?: boolean }[] } | undefined)?.participants ?? [];
            const index = people.findIndex((p) => p.id === pid);
            const inChunks = (chunks.result as { participant: number }[]).filter((c) => c.participant === index).length;
            const inPending = (pending.result as { participant: Uint16Array }[]).reduce((n, r) => n + [...r.participant].filter((i) => i === index).length, 0);
            ok({ entry: index < 0 ? null : people[index]!, records: index < 0 ? 0 : inChunks + inPending });
            db.close();
          };
          tx.onerror = () => fail(tx.error ?? new Error('reading the participant failed'));
        };
      }),
    [meetingId, participantId] as const,
  );
}

/**
 * Sets a popup checkbox as a user does (one click) and waits until the popup shows the new
 * state. The checkbox is controlled by the polled view, so it may take a poll to settle;
 * playwright's check() would demand the state at once.
 */
async function setToggle(session: CallSession, testId: string, on: boolean): Promise<void> {
  const box = session.popup.getByTestId(testId);
  if ((await box.isChecked()) !== on) await box.click();
  await session.popup.waitForFunction(
    ([id, want]) => document.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)?.checked === want,
    [testId, on] as const,
    { timeout: 5000 },
  );
}

async function currentMeetingId(session: CallSession): Promise<string> {
  const worker = session.eb.context.serviceWorkers().find((w) => w.url().includes(session.eb.extensionId));
  if (!worker) throw new Error('no service worker');
  const stored = await worker.evaluate(() => chrome.storage.session.get('callmood.session.v1'));
  return (stored['callmood.session.v1'] as { meetingId: string }).meetingId;
}

describe('privacy controls and restarts (real clips)', { skip }, () => {
  const { step } = scenario();
  let session: CallSession;

  after(async () => {
    await session?.close();
  });

  step('the demo call opens in Chromium with the extension loaded', async () => {
    await ensureBuilt();
    session = await CallSession.open({ headless: true });
  });

  step('"only me" chosen in the popup before starting stays chosen while idle', async () => {
    await setToggle(session, 'only-me-toggle', true);
    // The popup follows the background's view: the choice must survive its next updates.
    await new Promise((ok) => setTimeout(ok, 1000));
    assert.equal(await session.popup.getByTestId('only-me-toggle').isChecked(), true);
  });

  step('Start with "only me": the self view shows an emotion and every other row reads "not analysed"', async () => {
    await session.start();
    const rows = await waitForRows(session, (r) => r.some((x) => x.id === SELF && EMOTION_TEXT.test(x.dominant)) && r.length >= 2, 30_000, 'the self view to show an emotion');
    for (const r of rows.filter((x) => x.id !== SELF)) assert.equal(r.dominant, 'not analysed', `${r.name} must not be analysed`);
  });

  step('turning "only me" off analyses the others again', async () => {
    await setToggle(session, 'only-me-toggle', false);
    await waitForRows(session, (r) => r.some((x) => x.id === 'WolfgangLanger_Pexels' && EMOTION_TEXT.test(x.dominant)), 20_000, 'others to be analysed again');
  });

  step('a service-worker restart keeps the analysed tab and the live view', async () => {
    const meetingId = await currentMeetingId(session);
    const cdp = await session.eb.context.newCDPSession(session.popup);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();
    await new Promise((ok) => setTimeout(ok, 1500));
    // The popup reconnects, which wakes the worker; it restores the session from storage.session.
    await waitForRows(session, (r) => r.some((x) => x.id === 'WolfgangLanger_Pexels' && EMOTION_TEXT.test(x.dominant)), 20_000, 'live rows after the restart');
    assert.match((await session.popup.getByTestId('start-stop').textContent()) ?? '', /stop/i);
    assert.equal(await currentMeetingId(session), meetingId, 'same meeting after the restart');
    // Overlays still reach the page after the restart.
    await session.setOverlays(true);
    await session.page.waitForFunction(() => document.querySelectorAll('#callmood-overlay-root').length === 1, null, { timeout: 10_000 });
    await session.setOverlays(false);
  });

  step('pause analyses nothing, and the timeline marks those seconds as paused', async () => {
    await setToggle(session, 'pause-toggle', true);
    await waitForRows(session, (r) => r.length > 0 && r.every((x) => x.dominant === 'paused'), 10_000, 'every row to read "paused"');
    assert.match((await session.popup.getByTestId('message').textContent()) ?? '', /paus/i);
    await new Promise((ok) => setTimeout(ok, 3500));
    await setToggle(session, 'pause-toggle', false);
    await waitForRows(session, (r) => r.some((x) => EMOTION_TEXT.test(x.dominant)), 15_000, 'emotions after resuming');
    await new Promise((ok) => setTimeout(ok, 1500)); // let the paused seconds land
    const { timeline } = await session.exportTo(join(TEST_OUTPUT, 'controls-pause'));
    const rows = Papa.parse<Record<string, string>>(await readFile(timeline, 'utf8'), { header: true }).data;
    const paused = rows.filter((r) => r.gap === 'paused');
    const people = new Set(paused.map((r) => r.participant_id));
    assert.ok(people.size >= 2, `paused seconds for every participant: ${[...people].join(', ')}`);
    for (const id of people) assert.ok(paused.filter((r) => r.participant_id === id).length >= 2, `${id}: at least 2 paused seconds`);
    assert.ok(paused.every((r) => r.dominant === 'none' && r.happy === ''), 'a paused second has no probabilities');
  });

  step('excluding a participant with their records: gone from the popup and the overlays, none of their seconds stored, the others go on', async () => {
    const meetingId = await currentMeetingId(session);
    const gone = 'noface_face';
    await session.setOverlays(true);
    const before = await participantStored(session, meetingId, gone);
    assert.ok(before.entry && before.records > 0, `${gone} has stored seconds before: ${JSON.stringify(before)}`);
    const row = session.popup.locator(`[data-testid="participant-row"][data-participant-id="${gone}"]`);
    await row.getByTestId('exclude').click();
    await row.getByTestId('exclude-delete').check();
    await row.getByTestId('exclude-yes').click();
    await row.waitFor({ state: 'detached', timeout: 5000 });
    await new Promise((ok) => setTimeout(ok, 2500)); // seconds in flight when it was excluded would land now
    const rows = await waitForRows(session, (r) => r.some((x) => EMOTION_TEXT.test(x.dominant)), 10_000, 'the others to go on');
    assert.ok(!rows.some((r) => r.id === gone), `${gone} is not listed again`);
    assert.ok(rows.length >= 4, `the other participants stay: ${rows.map((r) => r.id).join(', ')}`);
    const after = await participantStored(session, meetingId, gone);
    assert.deepEqual(after, { entry: { id: gone, name: '', isSelf: false, excluded: true }, records: 0 });
    assert.ok((await participantStored(session, meetingId, SELF)).records > 0, 'the others\' seconds stay');
    const boxes = await session.overlays();
    assert.ok(!(gone in boxes), `no overlay on ${gone}'s tile: ${JSON.stringify(boxes)}`);
    assert.ok(Object.keys(boxes).length >= 4, `the others keep their overlays: ${JSON.stringify(boxes)}`);
    await session.setOverlays(false);
  });

  step("delete this meeting's data removes every stored second of it", async () => {
    const meetingId = await currentMeetingId(session);
    await new Promise((ok) => setTimeout(ok, 1500));
    assert.ok((await countSeconds(session, meetingId)) > 0, 'the meeting has stored seconds');
    await session.popup.getByTestId('delete-meeting').click(); // "Delete…"
    await session.popup.getByTestId('delete-meeting').click(); // "Really delete?"
    await session.popup.getByTestId('delete-status').waitFor({ timeout: 15_000 });
    assert.match((await session.popup.getByTestId('delete-status').textContent()) ?? '', /deleted/i);
    // The popup shows that analysis stopped once the background's next view arrives.
    await session.popup.waitForFunction(() => /start/i.test(document.querySelector('[data-testid="start-stop"]')?.textContent ?? ''), null, { timeout: 5000 });
    assert.equal(await countSeconds(session, meetingId), 0);
  });
});
