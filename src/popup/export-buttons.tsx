/** Export of the current meeting as a JSON summary and a CSV timeline, downloaded from the popup. */
import { useState } from 'preact/hooks';
import { errorText } from '../shared/errors.ts';
import type { MeetingRecord } from '../shared/timeline-store.ts';
import { describeDateTime, downloadFile, readMeetingExport } from './meeting-data.ts';
import type { ExportFiles } from './meeting-data.ts';

/** Props of `ExportButtons`. */
export interface ExportButtonsProps {
  /** The meeting to export (`currentMeetingId`); null exports the latest stored meeting not dated in the future. */
  meetingId: string | null;
}

/** "N corrupt records skipped" (singular for 1), or null for 0. */
export function skippedText(skipped: number): string | null {
  if (skipped <= 0) return null;
  return `${skipped} corrupt ${skipped === 1 ? 'record' : 'records'} skipped`;
}

/**
 * The status line after an export: `saved <file> — meeting of <local date time> on <site>,
 * <N> participants`, then `skippedText` when records were skipped.
 */
export function exportStatusText(fileName: string, meeting: MeetingRecord, skipped: number): string {
  const count = meeting.participants.length;
  const what = `meeting of ${describeDateTime(meeting.startedAt)} on ${meeting.site}, ${count} ${count === 1 ? 'participant' : 'participants'}`;
  return [`saved ${fileName} — ${what}`, skippedText(skipped)].filter(Boolean).join('; ');
}

/**
 * The export section (`data-testid="export"`, `data-meeting-id`: the meeting asked for, empty
 * when the latest stored one is exported): two buttons (`data-testid="export-json"`,
 * `"export-csv"`) and their status line (`"export-status"`), which names the meeting exported.
 */
export function ExportButtons({ meetingId }: ExportButtonsProps) {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);

  const run = async (which: keyof ExportFiles): Promise<void> => {
    setBusy(true);
    setStatus(null);
    try {
      const found = await readMeetingExport(meetingId);
      if (!found.meeting || !found.files) {
        setStatus({ text: ['no meeting data stored to export', skippedText(found.skipped)].filter(Boolean).join('; '), error: false });
        return;
      }
      const file = found.files[which];
      downloadFile(file);
      setStatus({ text: exportStatusText(file.name, found.meeting, found.skipped), error: false });
    } catch (err) {
      setStatus({ text: `export failed: ${errorText(err)}`, error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="export" data-testid="export" data-meeting-id={meetingId ?? ''} aria-labelledby="export-title">
      <h2 id="export-title">Export this meeting</h2>
      <div class="export__buttons">
        <button type="button" data-testid="export-json" disabled={busy} onClick={() => void run('summary')}>
          Summary (JSON)
        </button>
        <button type="button" data-testid="export-csv" disabled={busy} onClick={() => void run('timeline')}>
          Timeline (CSV)
        </button>
      </div>
      {status && (
        <p class={status.error ? 'error' : 'note'} data-testid="export-status" role="status">
          {status.text}
        </p>
      )}
    </section>
  );
}
