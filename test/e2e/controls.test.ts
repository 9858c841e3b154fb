/**
 * The privacy controls and robustness of a running analysis, in Chromium on the demo call,
 * as one scenario of steps (each needs the ones before it): "only me" chosen before
 * starting, a service-worker restart in the middle of a call, "pause", and "delete this
 * meeting's data".
 */
import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { CallSession, type PopupRow } from '../../scripts/lib/call-session.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { ensureBuilt, noBrowserReason, noVideosReason, scenario } from './helpers.ts';

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

/** Counts the stored second records of `meetingId` (read in the popup, the extension's origin). */
function countSeconds(session: CallSession, meetingId: string): Promise<number> {
  return session.popup.evaluate(
    (id) =>
      new Promise<number>((ok, fail) => {
        const open = indexedDB.open('callmood');
        open.onerror = () => fail(open.error ?? new Error('indexedDB.open failed'));
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction('seconds').objectStore('seconds').count(IDBKeyRange.bound([id], [id, []]));
          req.onsuccess = () => {
            ok(req.result);
            db.close();
          };
          req.onerror = () => fail(req.error ?? new Error('counting the seconds failed'));
        };
      }),
    meetingId,
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

  step('pause analyses and records nothing until resumed', async () => {
    const meetingId = await currentMeetingId(session);
    await setToggle(session, 'pause-toggle', true);
    await waitForRows(session, (r) => r.length > 0 && r.every((x) => x.dominant === 'not analysed'), 10_000, 'every row to read "not analysed"');
    await new Promise((ok) => setTimeout(ok, 1500)); // let the last pre-pause second land
    const before = await countSeconds(session, meetingId);
    await new Promise((ok) => setTimeout(ok, 3000));
    assert.equal(await countSeconds(session, meetingId), before, 'no timeline records while paused');
    assert.match((await session.popup.getByTestId('message').textContent()) ?? '', /paus/i);
    await setToggle(session, 'pause-toggle', false);
    await waitForRows(session, (r) => r.some((x) => EMOTION_TEXT.test(x.dominant)), 15_000, 'emotions after resuming');
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
