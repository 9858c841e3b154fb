/** Export of the current meeting as a JSON summary and a CSV timeline, downloaded from the popup. */
import { useState } from 'preact/hooks';
import { downloadFile, readMeetingExport } from './meeting-data.ts';
import type { ExportFiles } from './meeting-data.ts';

/** Props of `ExportButtons`. */
export interface ExportButtonsProps {
  /** The meeting being (or last) analysed; null exports the latest stored meeting. */
  meetingId: string | null;
}

/** "N corrupt records skipped" (singular for 1), or null for 0. */
export function skippedText(skipped: number): string | null {
  if (skipped <= 0) return null;
  return `${skipped} corrupt ${skipped === 1 ? 'record' : 'records'} skipped`;
}

/** Two buttons (`data-testid="export-json"`, `"export-csv"`) and their status line (`"export-status"`). */
export function ExportButtons({ meetingId }: ExportButtonsProps) {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);

  const run = async (which: keyof ExportFiles): Promise<void> => {
    setBusy(true);
    setStatus(null);
    try {
      const found = await readMeetingExport(meetingId);
      const skipped = skippedText(found.skipped);
      if (!found.files) {
        setStatus({ text: ['no meeting data stored to export', skipped].filter(Boolean).join('; '), error: false });
        return;
      }
      const file = found.files[which];
      downloadFile(file);
      setStatus({ text: [`saved ${file.name}`, skipped].filter(Boolean).join('; '), error: false });
    } catch (err) {
      setStatus({ text: `export failed: ${err instanceof Error ? err.message : String(err)}`, error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="export" aria-labelledby="export-title">
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
