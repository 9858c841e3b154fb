/**
 * What the Meetings page shows of each stored meeting, as plain text: pure functions of the
 * meeting record, its bytes and a locale, so the unit tests check every word a user reads.
 */
import type { MeetingRecord } from '../shared/timeline-store.ts';

/** One meeting as the page lists it. */
export interface MeetingRow {
  /** The meeting id (unique). */
  id: string;
  /** Start date in the locale, e.g. "Mar 1, 2025". */
  date: string;
  /** Start time in the locale, e.g. "2:05 PM". */
  time: string;
  /** Host name of the call page, e.g. "meet.google.com". */
  site: string;
  /** Duration from start to end ("1 h 02 min", "3 min 07 s", "42 s"), or "running" when the meeting has no end yet. */
  duration: string;
  /** Display names of the participants not excluded, in order of first appearance ("(unnamed)" for an empty name). */
  participants: string[];
  /** Storage the meeting takes ("12.3 kB"), or "unknown" when the store gave no figure for it. */
  size: string;
  /** Link to its report page: `report.html?meeting=<id, URI-encoded>`. */
  reportHref: string;
}

/**
 * A duration for people: `ms` milliseconds rounded down to whole seconds, "42 s" below a
 * minute, "3 min 07 s" below an hour, "1 h 02 min" from an hour. Negative or non-finite
 * values read "0 s".
 */
export function formatDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const two = (n: number): string => String(n).padStart(2, '0');
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} min ${two(total % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${two(minutes % 60)} min`;
}

/**
 * A storage size for people, decimal units: "0 B", "950 B", "1.2 kB" (one decimal below 100 kB,
 * whole kB from there), "3.4 MB", "1.20 GB". Negative or non-finite values read "0 B".
 */
export function formatBytes(bytes: number): string {
  const b = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  if (b < 1000) return `${Math.round(b)} B`;
  if (b < 1e6) {
    const kb = b / 1000;
    return kb < 100 ? `${kb.toFixed(1)} kB` : `${Math.round(kb)} kB`;
  }
  if (b < 1e9) return `${(b / 1e6).toFixed(1)} MB`;
  return `${(b / 1e9).toFixed(2)} GB`;
}

/** The names of `meeting`'s participants that are not excluded, in stored order; an empty name reads "(unnamed)". */
export function participantNames(meeting: MeetingRecord): string[] {
  return meeting.participants.filter((p) => p.excluded !== true).map((p) => p.name.trim() || '(unnamed)');
}

/** The report page's address for meeting `id` (relative to the extension root). */
export function reportHref(id: string): string {
  return `report.html?meeting=${encodeURIComponent(id)}`;
}

/**
 * The row of `meeting`: `bytes` is what the store counts for it (undefined: unknown), `locale`
 * and `timeZone` are those of `Intl.DateTimeFormat` (undefined: the user's).
 */
export function meetingRow(meeting: MeetingRecord, bytes: number | undefined, locale?: string, timeZone?: string): MeetingRow {
  const start = new Date(meeting.startedAt);
  return {
    id: meeting.id,
    date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(start),
    time: new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(start),
    site: meeting.site,
    duration: meeting.endedAt === null ? 'running' : formatDuration(meeting.endedAt - meeting.startedAt),
    participants: participantNames(meeting),
    size: bytes === undefined ? 'unknown' : formatBytes(bytes),
    reportHref: reportHref(meeting.id),
  };
}

/** The sum of the stored meetings' bytes (the store's own count, without the browser's overhead). */
export function totalBytes(bytes: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const b of bytes.values()) sum += b;
  return sum;
}

/** The notice for `skipped` corrupt meeting records, or null when none was skipped. */
export function skippedNotice(skipped: number): string | null {
  if (skipped <= 0) return null;
  return `${skipped} stored ${skipped === 1 ? 'meeting is' : 'meetings are'} damaged and cannot be shown; Delete all removes ${skipped === 1 ? 'it' : 'them'}.`;
}
