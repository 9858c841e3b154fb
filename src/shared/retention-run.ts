/**
 * The record of the last daily retention run (src/background/housekeeping.ts), kept in
 * `storage.local` so the Meetings page can say when retention last ran and what it deleted.
 * Only the daily run writes it; the runs at start-up and on a setting change report to whoever
 * asked (the popup's or the Meetings page's retention status line).
 */
import browser from 'webextension-polyfill';

/** One retention run. */
export interface RetentionRun {
  /** When it ran, ms since the epoch. */
  at: number;
  /** How many meetings it deleted. */
  deleted: number;
  /** The setting it applied: days, or null ("until I delete them": nothing deleted). */
  days: number | null;
  /** The storage error that stopped it, in words; null when it completed. */
  error: string | null;
}

/** The `storage.local` key of the last run. */
export const RETENTION_RUN_KEY = 'callmood.retention-last-run.v1';

/** A stored value read back as a run; undefined when it is not one (absent or corrupt). */
export function parseRetentionRun(value: unknown): RetentionRun | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (!isCount(v.at) || !isCount(v.deleted)) return undefined;
  if (v.days !== null && !isCount(v.days)) return undefined;
  if (v.error !== null && typeof v.error !== 'string') return undefined;
  return { at: v.at, deleted: v.deleted, days: v.days, error: v.error };
}

/** The last recorded run; undefined when none was recorded (or the record is corrupt). */
export async function loadRetentionRun(): Promise<RetentionRun | undefined> {
  return parseRetentionRun((await browser.storage.local.get(RETENTION_RUN_KEY))[RETENTION_RUN_KEY]);
}

/** Records `run` as the last run. */
export async function saveRetentionRun(run: RetentionRun): Promise<void> {
  await browser.storage.local.set({ [RETENTION_RUN_KEY]: run });
}

/**
 * The sentence the Meetings page shows for `run` (null: never recorded), times in the user's
 * locale (`locale`, `timeZone` as for `Intl.DateTimeFormat`; undefined: the user's).
 */
export function retentionRunText(run: RetentionRun | undefined, locale?: string, timeZone?: string): string {
  if (!run) return 'The daily retention check has not run yet.';
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(run.at));
  if (run.error !== null) return `The daily retention check on ${when} failed: ${run.error}`;
  if (run.days === null) return `The daily retention check ran on ${when}; meetings are kept until you delete them.`;
  const what = run.deleted === 0 ? 'deleted nothing' : `deleted ${run.deleted} ${run.deleted === 1 ? 'meeting' : 'meetings'} that ended more than ${run.days} days earlier`;
  return `The daily retention check ran on ${when} and ${what}.`;
}
