/**
 * How long CallMood keeps meetings: meetings that ended more than N days ago are deleted when
 * the extension starts and whenever the setting changes (the user picks N in the popup's
 * privacy panel; default 30 days; "until I delete" keeps everything). The setting lives in
 * `storage.local`, read and written by the background and the popup alike. The stored
 * records are bounded by it (storage.md: the bytes per participant-second).
 */
import browser from 'webextension-polyfill';
import type { TimelineStore } from './timeline-store.ts';

/** Days a meeting is kept after it ended; null keeps meetings until the user deletes them. */
export type RetentionDays = number | null;

/** The choices the popup offers, in order. */
export const RETENTION_CHOICES: readonly RetentionDays[] = [7, 30, 90, 365, null];
/** Kept when the user never chose. */
export const DEFAULT_RETENTION_DAYS = 30;

const KEY = 'callmood.retention-days.v1';
const DAY_MS = 86_400_000;

/** A stored value read back: a whole number of days from 1 to 3650, or null; anything else is not a setting. */
export function parseRetention(value: unknown): RetentionDays | undefined {
  if (value === null) return null;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 3650 ? value : undefined;
}

/** The retention setting (the default when none or corrupt). */
export async function loadRetention(): Promise<RetentionDays> {
  const stored = parseRetention((await browser.storage.local.get(KEY))[KEY]);
  return stored === undefined ? DEFAULT_RETENTION_DAYS : stored;
}

/** Stores the retention setting. @throws Error when `days` is not a valid setting. */
export async function saveRetention(days: RetentionDays): Promise<void> {
  if (parseRetention(days) === undefined) throw new Error(`not a retention setting: ${String(days)}`);
  await browser.storage.local.set({ [KEY]: days });
}

/**
 * Deletes every meeting of `store` that ended more than `days` days before `now` (ms since the
 * epoch), with its seconds. Open meetings (no end time) are never deleted here.
 * @returns the ids deleted (none when `days` is null).
 * @throws Error from the store when it cannot be read or written.
 */
export async function applyRetention(store: TimelineStore, days: RetentionDays, now: number): Promise<string[]> {
  if (days === null) return [];
  const cutoff = now - days * DAY_MS;
  const { records } = await store.listMeetings();
  const old = records.filter((m) => m.endedAt !== null && m.endedAt < cutoff);
  for (const m of old) await store.deleteMeeting(m.id);
  return old.map((m) => m.id);
}
