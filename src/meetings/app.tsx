/**
 * The Meetings page (meetings.html): every stored meeting, newest first, with Open and Delete,
 * Delete all, the storage used, the retention setting and the last daily retention run.
 * Reads and deletes through the timeline store in this page (same extension origin as the
 * background); the retention setting is applied by the background (`bg/set-retention`).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { withTimelineStore, type MeetingRecord } from '../shared/timeline-store.ts';
import { errorText } from '../shared/errors.ts';
import { loadRetentionRun, RETENTION_RUN_KEY, retentionRunText, type RetentionRun } from '../shared/retention-run.ts';
import { RetentionSetting } from '../popup/retention-setting.tsx';
import { send } from '../shared/messages.ts';
import { MeetingsBody, type Load, type Stored } from './meetings-body.tsx';

/** A line under the heading after an action: what was deleted, or why it could not be. */
interface Outcome {
  text: string;
  error: boolean;
}

async function readStored(): Promise<Stored> {
  const { meetings, skipped, bytes } = await withTimelineStore(async (store) => {
    const { records, skipped } = await store.listMeetings();
    return { meetings: records, skipped, bytes: await store.meetingBytes() };
  });
  const usage = await navigator.storage
    .estimate()
    .then((e) => e.usage ?? null)
    .catch(() => null);
  return { meetings, skipped, bytes, usage };
}

/**
 * Stops the analysis before a meeting without an end is deleted (as the popup's delete does),
 * so nothing is written to it afterwards. Returns '' or a sentence saying why it could not stop.
 */
async function stopIfRunning(meetings: MeetingRecord[]): Promise<string> {
  if (!meetings.some((m) => m.endedAt === null)) return '';
  try {
    const outcome = await send('bg/stop', {});
    return outcome.ok ? '' : ` The analysis could not be stopped: ${outcome.error}`;
  } catch (err) {
    return ` The analysis could not be stopped: ${errorText(err)}`;
  }
}

/** The page. */
export function MeetingsApp() {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [run, setRun] = useState<RetentionRun | undefined>(undefined);

  const reload = useCallback(() => {
    readStored().then(
      (stored) => setLoad({ state: 'ready', ...stored }),
      (err: unknown) => setLoad({ state: 'error', text: errorText(err) }),
    );
  }, []);

  useEffect(() => {
    reload();
    loadRetentionRun().then(setRun, () => setRun(undefined));
    // The daily run may happen while the page is open: show it, and the list without what it deleted.
    const changed = (changes: Record<string, unknown>, area: string): void => {
      if (area !== 'local' || !(RETENTION_RUN_KEY in changes)) return;
      loadRetentionRun().then(setRun, () => setRun(undefined));
      reload();
    };
    browser.storage.onChanged.addListener(changed);
    return () => browser.storage.onChanged.removeListener(changed);
  }, [reload]);

  const meetings = load.state === 'ready' ? load.meetings : [];

  const deleteOne = async (id: string): Promise<void> => {
    setBusy(true);
    const meeting = meetings.find((m) => m.id === id);
    try {
      const stopNote = await stopIfRunning(meeting ? [meeting] : []);
      const { seconds } = await withTimelineStore((store) => store.deleteMeeting(id));
      setOutcome({ text: `Deleted the meeting on ${meeting?.site ?? 'an unknown site'} (${seconds} seconds of data).${stopNote}`, error: stopNote !== '' });
    } catch (err) {
      setOutcome({ text: `Could not delete the meeting: ${errorText(err)}`, error: true });
    } finally {
      setConfirming(null);
      setBusy(false);
      reload();
    }
  };

  const deleteAll = async (): Promise<void> => {
    setBusy(true);
    try {
      const stopNote = await stopIfRunning(meetings);
      const deleted = await withTimelineStore((store) => store.deleteAllMeetings());
      setOutcome({ text: `Deleted ${deleted.meetings} ${deleted.meetings === 1 ? 'meeting' : 'meetings'} (${deleted.seconds} seconds of data).${stopNote}`, error: stopNote !== '' });
    } catch (err) {
      setOutcome({ text: `Could not delete the meetings: ${errorText(err)}`, error: true });
    } finally {
      setConfirming(null);
      setBusy(false);
      reload();
    }
  };

  const ask = (id: string): void => {
    setOutcome(null);
    setConfirming(id);
  };

  return (
    <main class="page">
      <header>
        <h1>CallMood meetings</h1>
        <p class="muted">
          Stored only in this browser. Open one to see its report, or delete it. Your own camera and your own video files can be analysed too:{' '}
          <a href="mirror.html" data-testid="open-mirror">
            Mirror
          </a>
          ,{' '}
          <a href="analyse.html" data-testid="open-analyse">
            Analyse a recording
          </a>
          .
        </p>
      </header>
      {outcome && (
        <p class={outcome.error ? 'error' : 'note'} data-testid="meetings-status" role="status">
          {outcome.text}
        </p>
      )}
      <MeetingsBody load={load} confirming={confirming} busy={busy} onAsk={ask} onConfirm={(id) => void deleteOne(id)} onCancel={() => setConfirming(null)} />
      {load.state === 'ready' && load.meetings.length + load.skipped > 0 && (
        <p class="delete-all">
          {confirming === 'all' ? (
            <span class="question" role="group" aria-label="Delete every meeting?">
              <span>Delete every stored meeting{meetings.some((m) => m.endedAt === null) ? ' (a running analysis stops first)' : ''}? This cannot be undone.</span>{' '}
              <button type="button" class="danger" data-testid="delete-all-confirm" disabled={busy} onClick={() => void deleteAll()}>
                Delete all
              </button>{' '}
              <button type="button" data-testid="delete-all-cancel" disabled={busy} onClick={() => setConfirming(null)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" data-testid="delete-all" disabled={busy} onClick={() => ask('all')}>
              Delete all…
            </button>
          )}
        </p>
      )}
      <section class="retention-panel" aria-label="Retention">
        <h2>Retention</h2>
        <RetentionSetting onApplied={reload} />
        <p class="muted" data-testid="retention-run">
          {retentionRunText(run)}
        </p>
        <p class="muted">Meetings that ended longer ago than this are deleted when the browser starts, when you change the setting, and once a day.</p>
      </section>
    </main>
  );
}
