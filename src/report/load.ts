/**
 * Reads one meeting's report from the timeline store, and excludes a participant from it.
 */
import { buildMeetingReport, type MeetingReport } from '../shared/report-model.ts';
import { withTimelineStore } from '../shared/timeline-store.ts';
import type { SecondRecord } from '../shared/timeline-store.ts';

/** What `loadReport` found: the report, or null when the meeting is absent or its record is corrupt. */
export interface LoadedReport {
  report: MeetingReport | null;
  /** The meeting's second records as read (for the JSON and CSV exports). */
  seconds: SecondRecord[];
  /** Corrupt records skipped (also in `report.skipped`). */
  skipped: number;
}

/**
 * The meeting id the page shows: the `meeting` query parameter.
 * @returns the id, or null when the parameter is absent or empty.
 */
export function meetingIdFrom(search: string): string | null {
  const id = new URLSearchParams(search).get('meeting');
  return id ? id : null;
}

/**
 * Reads meeting `meetingId` and its seconds in one store session and builds its report.
 * A meeting still running is read up to the last second written.
 * @throws Error with a readable message when the store cannot be opened or read.
 */
export function loadReport(meetingId: string): Promise<LoadedReport> {
  return withTimelineStore(async (store) => {
    const found = await store.getMeeting(meetingId);
    if (!found.meeting) return { report: null, seconds: [], skipped: found.skipped };
    const read = await store.listSeconds(meetingId);
    const skipped = found.skipped + read.skipped;
    return { report: buildMeetingReport(found.meeting, read.records, skipped), seconds: read.records, skipped };
  });
}

/**
 * Deletes every second of participant `participantId` of meeting `meetingId` and marks them
 * excluded (the store's `excludeParticipant`).
 * @returns how many seconds were deleted.
 * @throws Error from the store.
 */
export async function excludeFromMeeting(meetingId: string, participantId: string): Promise<number> {
  return (await withTimelineStore((store) => store.excludeParticipant(meetingId, participantId))).seconds;
}
