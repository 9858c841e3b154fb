/** The popup's links to CallMood's own pages: the report of the current meeting, the list of meetings, the mirror and the analysis of a recording, each opened in a new tab. */
import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';
import { errorText } from '../shared/errors.ts';

/** The extension-relative address of meeting `meetingId`'s report page. */
export function reportPath(meetingId: string): string {
  return `report.html?meeting=${encodeURIComponent(meetingId)}`;
}

/** Opens extension page `path` (e.g. `meetings.html`) in a new tab. @throws Error when the browser refuses. */
export async function openPage(path: string): Promise<void> {
  await browser.tabs.create({ url: browser.runtime.getURL(path) });
}

/**
 * "Open report" (`data-testid="open-report"`, disabled when `meetingId` is null),
 * "Meetings" (`data-testid="open-meetings"`), "Mirror" (`data-testid="open-mirror"`: one's own
 * camera) and "File…" (`data-testid="open-analyse"`: analyse a recording); a failure shows in
 * `page-link-error`.
 */
export function PageLinks({ meetingId, open = openPage }: { meetingId: string | null; open?: (path: string) => Promise<void> }) {
  const [error, setError] = useState<string | null>(null);
  const go = (path: string): void => {
    setError(null);
    open(path).catch((err: unknown) => setError(`could not open the page: ${errorText(err)}`));
  };
  return (
    <>
      <button type="button" data-testid="open-report" disabled={meetingId === null} title="This meeting's report, in a new tab" onClick={() => meetingId !== null && go(reportPath(meetingId))}>
        Open report
      </button>
      <button type="button" data-testid="open-meetings" title="Every stored meeting, in a new tab" onClick={() => go('meetings.html')}>
        Meetings
      </button>
      <button type="button" data-testid="open-mirror" title="Your own camera, analysed live, in a new tab" onClick={() => go('mirror.html')}>
        Mirror
      </button>
      <button type="button" data-testid="open-analyse" title="Analyse a video file of your own, in a new tab" onClick={() => go('analyse.html')}>
        File…
      </button>
      {error && (
        <p class="error" data-testid="page-link-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
