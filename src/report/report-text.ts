/**
 * The words and figures of the report, shared by the report page and its HTML export so both
 * say exactly the same. Pure functions.
 */
import type { GapCounts, ParticipantSummary } from '../shared/export.ts';
import { REACTION_SPAN_SECONDS, TURN_MAX_GAP_SECONDS, TURN_MIN_SECONDS } from '../shared/reactions.ts';
import { formatDuration, type MeetingReport, type ParticipantReport, type TalkRow } from '../shared/report-model.ts';
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
  'low-quality': "can't tell (face too poor to read)",
  'camera-off': 'camera off',
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

/** `+0.42`, `−0.05`: a signed number with 2 decimals (no minus zero); `—` for null (unknown). */
export function signedText(value: number | null): string {
  if (value === null) return '—';
  const text = Math.abs(value).toFixed(2);
  return `${value < 0 && text !== '0.00' ? '−' : '+'}${text}`;
}

/**
 * One cell of the report's signal and talk tables: a column key (the summary's field name),
 * its header, the text shown, and the exact summary number (`data-value`; null when unknown,
 * shown as `—`).
 */
export interface FigureCell {
  key: string;
  label: string;
  text: string;
  value: number | null;
}

/**
 * A participant's signals, one cell each, from their summary: talk time (`talkSeconds`, m:ss,
 * with the time speaking could be told), attending (`attendingShare`, %), mean valence and
 * arousal (`meanValence`, `meanArousal`, signed, 2 decimals), mean face quality
 * (`meanQuality`, 2 decimals) and the seconds that read "can't tell" (`gaps['low-quality']`,
 * key `cantTellSeconds`, m:ss).
 */
export function signalCells(p: ParticipantSummary): FigureCell[] {
  const talk = p.speakingKnownSeconds > 0 ? `${formatDuration(p.talkSeconds)} of ${formatDuration(p.speakingKnownSeconds)} known` : '—';
  return [
    { key: 'talkSeconds', label: 'talk time', text: talk, value: p.speakingKnownSeconds > 0 ? p.talkSeconds : null },
    { key: 'attendingShare', label: 'attending', text: p.attendingShare === null ? '—' : percent(p.attendingShare), value: p.attendingShare },
    { key: 'meanValence', label: 'mean valence', text: signedText(p.meanValence), value: p.meanValence },
    { key: 'meanArousal', label: 'mean arousal', text: signedText(p.meanArousal), value: p.meanArousal },
    { key: 'meanQuality', label: 'face quality', text: p.meanQuality === null ? '—' : p.meanQuality.toFixed(2), value: p.meanQuality },
    { key: 'cantTellSeconds', label: "can't tell", text: formatDuration(p.gaps['low-quality']), value: p.gaps['low-quality'] },
  ];
}

/** Header of the talk table's name column. */
export const TALK_NAME_LABEL = 'participant';

/**
 * One talk-table row's cells: talk time (`seconds`, m:ss) and its share (`share`, %), then the
 * reactions to their turns: `turns`, `listenerValenceMean` and `listenerValenceChange`
 * (signed, 2 decimals; `—` when null or when the participant had no turn).
 */
export function talkCells(row: TalkRow): FigureCell[] {
  const r = row.reactions;
  return [
    { key: 'seconds', label: 'talk time', text: formatDuration(row.seconds), value: row.seconds },
    { key: 'share', label: 'share of talk', text: percent(row.share), value: row.share },
    { key: 'turns', label: 'turns', text: String(r?.turns ?? 0), value: r?.turns ?? 0 },
    { key: 'listenerValenceMean', label: "listeners' valence", text: signedText(r?.listenerValenceMean ?? null), value: r?.listenerValenceMean ?? null },
    { key: 'listenerValenceChange', label: 'change over a turn', text: signedText(r?.listenerValenceChange ?? null), value: r?.listenerValenceChange ?? null },
  ];
}

/** How talk time and reactions are computed, in one paragraph (shown under the talk table). */
export const TALK_EXPLANATION =
  `Talk time counts the seconds someone spoke, by the call site's speaker indicator or, where it has none, by their face. ` +
  `A turn is a run of speaking seconds at least ${TURN_MIN_SECONDS} s long (pauses up to ${TURN_MAX_GAP_SECONDS} s bridged). ` +
  `Listeners' valence is the mean valence of the other participants with a face in the seconds of that person's turns; ` +
  `its change is, per turn, the listeners' mean valence over the turn's last ${REACTION_SPAN_SECONDS} s minus that over the ${REACTION_SPAN_SECONDS} s before it (its first ${REACTION_SPAN_SECONDS} s when nothing came before), averaged over the turns. ` +
  `Valence (−1 unpleasant … +1 pleasant) is derived from the facial-expression probabilities, not measured, and says nothing about why.`;

/** `Speaking could not be told for anyone…`: what the talk section says when no second's speaking is known. */
export const TALK_UNKNOWN = 'Speaking could not be told for anyone in this meeting: the site showed no speaker indicator and no face was readable enough.';
