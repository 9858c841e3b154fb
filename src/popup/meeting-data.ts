/**
 * The popup's access to the timeline store: finding the meeting to export or delete,
 * building the export files and handing them to the browser as downloads.
 */
import { buildSummary, buildTimelineCsv } from '../shared/export.ts';
import { withTimelineStore } from '../shared/timeline-store.ts';
import type { MeetingRecord, SecondRecord, TimelineStore } from '../shared/timeline-store.ts';
import type { AnalysisView } from '../shared/types.ts';

/**
 * The id of the meeting the popup's export and delete apply to: the one being analysed, else
 * the one analysed last in this browser session; null when neither is known (then
 * `findMeeting` takes the latest stored meeting).
 */
export function currentMeetingId(view: AnalysisView | null): string | null {
  return view?.meetingId ?? view?.lastMeetingId ?? null;
}

/**
 * The meeting a popup action applies to: meeting `meetingId` when given (see
 * `currentMeetingId`), else the stored meeting started last that does not start in the future
 * (more than the store's tolerance after `now`, ms since the epoch). `meeting` is null when
 * there is none (or it is corrupt); `skipped` counts corrupt meeting records met on the way.
 */
export async function findMeeting(
  store: TimelineStore,
  meetingId: string | null,
  now: number = Date.now(),
): Promise<{ meeting: MeetingRecord | null; skipped: number }> {
  return meetingId === null ? store.latestMeeting(now) : store.getMeeting(meetingId);
}

/** A file ready to download. */
export interface ExportFile {
  /** File name, e.g. `callmood-summary-2025-03-01-1402.json`. */
  name: string;
  /** MIME type of the content. */
  type: string;
  content: string;
}

/** The two export files of one meeting. */
export interface ExportFiles {
  /** The JSON summary (`MeetingSummary`), `callmood-summary-<yyyy-mm-dd-hhmm>.json`. */
  summary: ExportFile;
  /** The per-second CSV timeline, `callmood-timeline-<yyyy-mm-dd-hhmm>.csv`. */
  timeline: ExportFile;
}

/** What `readMeetingExport` found. */
export interface MeetingExport {
  /** The meeting exported, or null when no such meeting is stored. */
  meeting: MeetingRecord | null;
  /** Its files; null when `meeting` is null. */
  files: ExportFiles | null;
  /** Corrupt meeting and second records skipped while reading (left out of the files). */
  skipped: number;
}

/**
 * `yyyy-mm-dd-hhmm` of `ms` (ms since the epoch) in local time, for file names.
 */
export function fileStamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}`;
}

/**
 * Builds the export files of a meeting from its record and second records (see export.ts);
 * both names carry the meeting's local start time.
 */
export function exportFiles(meeting: MeetingRecord, seconds: SecondRecord[]): ExportFiles {
  const stamp = fileStamp(meeting.startedAt);
  return {
    summary: {
      name: `callmood-summary-${stamp}.json`,
      type: 'application/json',
      content: `${JSON.stringify(buildSummary(meeting, seconds), null, 2)}\n`,
    },
    timeline: {
      name: `callmood-timeline-${stamp}.csv`,
      type: 'text/csv',
      content: buildTimelineCsv(meeting, seconds),
    },
  };
}

/**
 * Reads meeting `meetingId` (or the latest meeting, see `findMeeting`, when null) and its second records from
 * the store and builds its export files.
 * @throws DOMException when the store cannot be opened or read.
 */
export async function readMeetingExport(meetingId: string | null): Promise<MeetingExport> {
  return withTimelineStore(async (store) => {
    const found = await findMeeting(store, meetingId);
    if (!found.meeting) return { meeting: null, files: null, skipped: found.skipped };
    const seconds = await store.listSeconds(found.meeting.id);
    return {
      meeting: found.meeting,
      files: exportFiles(found.meeting, seconds.records),
      skipped: found.skipped + seconds.skipped,
    };
  });
}

/** How long a download's Blob URL stays valid after the click, ms (the download must have started by then). */
const REVOKE_AFTER_MS = 10_000;

/** Saves `file` through a Blob URL and a clicked `<a download>`; the URL is revoked afterwards. */
export function downloadFile(file: ExportFile): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: `${file.type};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  link.hidden = true;
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
}

/** Local date and time of `ms` (ms since the epoch), e.g. `1 Mar 2025, 14:02` (the browser's locale). */
export function describeDateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Local time of day of `ms` as `hh:mm`, and the date when it is not today. */
export function describeTime(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return new Date(now).toDateString() === d.toDateString()
    ? time
    : `${d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })} ${time}`;
}
