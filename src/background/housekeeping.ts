/**
 * Background housekeeping, the same in Chrome's service worker and Firefox's event page:
 * - retention once a day: an alarm (`DAILY_ALARM`, every 24 h) deletes the meetings older
 *   than the retention setting (shared/retention.ts) and records the run for the Meetings
 *   page (shared/retention-run.ts). The background also applies retention when it starts and
 *   when the setting changes (main.ts); the alarm covers a browser left open for days, where
 *   neither happens.
 * - "Meetings" in the toolbar button's context menu (`MEETINGS_MENU_ID`, contexts `action`):
 *   opens meetings.html in a new tab.
 *
 * `setupHousekeeping` must be called synchronously at the top level of the background script:
 * a background woken by an alarm or a menu click only gets the event when its listener is
 * registered during that start. Calling it on every start is harmless: the alarm is created only
 * when absent (re-creating would push a daily run back by a day at each restart) and the menu
 * item is removed and created again.
 */
import browser from 'webextension-polyfill';
import { withTimelineStore } from '../shared/timeline-store.ts';
import { applyRetention, loadRetention } from '../shared/retention.ts';
import { saveRetentionRun, type RetentionRun } from '../shared/retention-run.ts';
import { errorText } from '../shared/errors.ts';

/** Name of the daily retention alarm. */
export const DAILY_ALARM = 'callmood.retention-daily';
/** Minutes between two daily runs. */
export const DAILY_PERIOD_MIN = 24 * 60;
/** Minutes from the alarm's creation (first install, or a browser that dropped it) to its first run. */
export const FIRST_RUN_DELAY_MIN = 1;
/** Id of the toolbar button's "Meetings" menu item. */
export const MEETINGS_MENU_ID = 'callmood.meetings';
/** The Meetings page, relative to the extension root. */
export const MEETINGS_PAGE = 'meetings.html';

/** The browser APIs housekeeping uses, a subset of webextension-polyfill's `browser` (tests pass a stand-in). */
export interface HousekeepingApi {
  alarms: {
    get(name: string): Promise<unknown>;
    create(name: string, info: { delayInMinutes: number; periodInMinutes: number }): void | Promise<void>;
    onAlarm: { addListener(listener: (alarm: { name: string }) => void): void };
  };
  contextMenus: {
    removeAll(): Promise<void>;
    create(props: { id: string; title: string; contexts: ['action'] }, done?: () => void): unknown;
    onClicked: { addListener(listener: (info: { menuItemId: string | number }) => void): void };
  };
  tabs: { create(props: { url: string }): Promise<unknown> };
  runtime: { getURL(path: string): string; lastError?: { message?: string } | null };
}

/**
 * Applies the stored retention setting to the timeline store at `now` (ms since the epoch) and
 * records the run; a storage error is recorded (and returned) rather than thrown.
 */
export async function runDailyRetention(now: number = Date.now()): Promise<RetentionRun> {
  let days: number | null = null;
  let run: RetentionRun;
  try {
    days = await loadRetention();
    const setting = days;
    const deleted = await withTimelineStore((store) => applyRetention(store, setting, now));
    run = { at: now, deleted: deleted.length, days, error: null };
  } catch (err) {
    run = { at: now, deleted: 0, days, error: errorText(err) };
  }
  await saveRetentionRun(run);
  return run;
}

/**
 * Registers the alarm and menu listeners (synchronously, before returning), then creates the
 * daily alarm when absent and the "Meetings" menu item. `retain` is the daily run (default
 * `runDailyRetention`). Failures (an API missing, a rejected call) are logged, never thrown.
 */
export function setupHousekeeping(api: HousekeepingApi = browser, retain: () => Promise<unknown> = runDailyRetention): void {
  const log = (what: string) => (err: unknown) => console.error(`[CallMood] ${what} failed`, err);
  // Each part on its own: a browser without one of these APIs still gets the rest, and the
  // background's later listeners (main.ts) are still registered.
  try {
    api.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name === DAILY_ALARM) retain().catch(log('daily retention'));
    });
    ensureDailyAlarm(api).catch(log('creating the daily alarm'));
  } catch (err) {
    log('setting up the daily alarm')(err);
  }
  try {
    api.contextMenus.onClicked.addListener((info) => {
      if (info.menuItemId === MEETINGS_MENU_ID) api.tabs.create({ url: api.runtime.getURL(MEETINGS_PAGE) }).catch(log('opening the Meetings page'));
    });
    createMeetingsMenu(api).catch(log('creating the Meetings menu item'));
  } catch (err) {
    log('setting up the Meetings menu item')(err);
  }
}

/** Creates the daily alarm unless it exists. */
async function ensureDailyAlarm(api: HousekeepingApi): Promise<void> {
  if (await api.alarms.get(DAILY_ALARM)) return;
  await api.alarms.create(DAILY_ALARM, { delayInMinutes: FIRST_RUN_DELAY_MIN, periodInMinutes: DAILY_PERIOD_MIN });
}

/** Replaces the toolbar button's menu items with "Meetings". */
async function createMeetingsMenu(api: HousekeepingApi): Promise<void> {
  await api.contextMenus.removeAll();
  await new Promise<void>((done, fail) => {
    api.contextMenus.create({ id: MEETINGS_MENU_ID, title: 'Meetings', contexts: ['action'] }, () => {
      const error = api.runtime.lastError;
      if (error) fail(new Error(error.message ?? 'contextMenus.create failed'));
      else done();
    });
  });
}
