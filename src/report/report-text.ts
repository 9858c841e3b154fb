/**
 * The words and figures of the report, shared by the report page and its HTML export so both
 * say exactly the same. Pure functions.
 */
import type { GapCounts } from '../shared/export.ts';
import { formatDuration, type MeetingReport, type ParticipantReport } from '../shared/report-model.ts';
import { GAP_REASONS, type GapReason } from '../shared/timeline-records.ts';

/** `42.5 %` of a share in [0, 1] (one decimal). */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/** Words for each gap reason. */
export const GAP_WORDS: Readonly<Record<GapReason, string>> = {
  'no-face': 'no face',
  'face-too-small': 'face too small',
  'tile-too-small': 'tile too small',
  frozen: 'video frozen',
  black: 'video black',
  paused: 'paused',
  overloaded: 'not analysed (machine busy)',
  'not-recording': 'not recording',
};

/** `no face 0:31 · paused 1:00` for the reasons with seconds, or null when there are none. */
export function gapText(gaps: GapCounts): string | null {
  const parts = GAP_REASONS.filter((g) => gaps[g] > 0).map((g) => `${GAP_WORDS[g]} ${formatDuration(gaps[g])}`);
  return parts.length ? parts.join(' · ') : null;
}

/** `observed 12:30 · face visible 93.0 % of it`, or `observed 12:30 · no face seen`. */
export function factsText(p: ParticipantReport): string {
  const observed = `observed ${formatDuration(p.summary.secondsObserved)}`;
  return p.noFaceSeen ? `${observed} · no face seen` : `${observed} · face visible ${percent(p.faceShare)} of it`;
}

/** `1 Mar 2025, 14:02 · meet.google.com · 1:07:10 · 4 participants` (the browser's locale). */
export function meetingLine(report: MeetingReport): string {
  const m = report.meeting;
  const when = new Date(m.startedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const n = report.participants.length;
  return `${when} · ${m.site} · ${formatDuration(report.durationSeconds)} · ${n} ${n === 1 ? 'participant' : 'participants'}`;
}

/** `each point is the mean of 9 s` when binned, else `one point a second`. */
export function resolutionText(binSeconds: number): string {
  return binSeconds > 1 ? `each point is the mean of ${binSeconds} s` : 'one point a second';
}

/** The notices a report shows: corrupt records skipped, a meeting still running, no seconds at all. */
export function noticeTexts(report: MeetingReport): string[] {
  const notices: string[] = [];
  if (report.skipped > 0) notices.push(`${report.skipped} corrupt ${report.skipped === 1 ? 'record was' : 'records were'} skipped; the rest is shown.`);
  if (report.meeting.endedAt === null) notices.push(`This meeting is still being analysed: shown up to ${formatDuration(report.durationSeconds)}.`);
  if (report.participants.every((p) => p.summary.secondsObserved === 0 && GAP_REASONS.every((g) => p.summary.gaps[g] === 0))) notices.push('No second of this meeting was recorded.');
  return notices;
}
